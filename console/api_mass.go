package console

import (
	"errors"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// massPageRoutes registers the 群体投诉 pages (supervisors and admins).
func (s *Server) massPageRoutes(mux *http.ServeMux) {
	const sup = storage.RoleSupervisor
	mux.Handle("GET /console/mass", s.page(sup, s.showMassGroups))
	mux.Handle("GET /console/mass/{id}", s.page(sup, s.showMassGroup))
	mux.Handle("POST /console/mass/{id}/dismiss", s.page(sup, s.dismissMassGroup))
	mux.Handle("POST /console/mass/{id}/form", s.page(sup, s.formCollective))
	mux.Handle("POST /console/mass/{id}/members", s.page(sup, s.setCollectiveMember))
	mux.Handle("POST /console/mass/{id}/reply", s.page(sup, s.replyToCollective))
	mux.Handle("POST /console/mass/{id}/status", s.page(sup, s.changeCollectiveStatus))
	mux.Handle("POST /console/mass/{id}/warning", s.page(sup, s.saveMassWarning))
}

// massAPIRoutes registers the JSON twins of the 群体投诉 pages.
func (s *Server) massAPIRoutes(mux *http.ServeMux) {
	const sup = storage.RoleSupervisor
	mux.Handle("GET /api/v1/mass", s.api(sup, s.apiMassGroups))
	mux.Handle("GET /api/v1/mass/{id}", s.api(sup, s.apiMassGroup))
	mux.Handle("POST /api/v1/mass/{id}/dismiss", s.api(sup, s.apiMassAction(s.apiDismissMass)))
	mux.Handle("POST /api/v1/mass/{id}/form", s.api(sup, s.apiMassAction(s.apiFormCollective)))
	mux.Handle("POST /api/v1/mass/{id}/members", s.api(sup, s.apiMassAction(s.apiCollectiveMember)))
	mux.Handle("POST /api/v1/mass/{id}/reply", s.api(sup, s.apiMassAction(s.apiCollectiveReply)))
	mux.Handle("POST /api/v1/mass/{id}/status", s.api(sup, s.apiMassAction(s.apiCollectiveStatus)))
	mux.Handle("POST /api/v1/mass/{id}/warning", s.api(sup, s.apiMassAction(s.apiMassWarning)))
}

// apiMassGroupJSON is a group as the API shows it.
type apiMassGroupJSON struct {
	ID            int64     `json:"id"`
	Merchant      string    `json:"merchant"`
	Status        string    `json:"status"`
	StatusLabel   string    `json:"status_label"`
	Priority      int       `json:"priority"`
	PriorityWords string    `json:"priority_words"`
	Cases         int       `json:"cases"`
	FirstAt       time.Time `json:"first_at"`
	LastAt        time.Time `json:"last_at"`
}

// apiMassCaseJSON is a case of a group.
type apiMassCaseJSON struct {
	Number string `json:"number"`
	Status string `json:"status"`
	Member bool   `json:"member"`
	// Relinked: linked to another merchant since it joined (see docs/mass-complaints.md).
	Relinked bool `json:"relinked,omitempty"`
}

func newAPIMassGroup(g *storage.MassGroup) apiMassGroupJSON {
	return apiMassGroupJSON{ID: g.ID, Merchant: g.MerchantName, Status: string(g.Status),
		StatusLabel: g.Status.Label(), Priority: g.Priority, PriorityWords: g.PriorityWords,
		Cases: g.CaseCount, FirstAt: g.FirstAt, LastAt: g.LastAt}
}

// apiMassGroups serves GET /api/v1/mass: the groups with a case in the caller's units.
func (s *Server) apiMassGroups(w http.ResponseWriter, r *http.Request) {
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	groups, err := s.cfg.Store.FindMassGroups(r.Context(), storage.MassFilter{UnitIDs: sc.unitIDs()})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := []apiMassGroupJSON{}
	for _, g := range groups {
		out = append(out, newAPIMassGroup(g))
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": out})
}

// apiMassGroup serves GET /api/v1/mass/{id}: the group, its warning draft and
// the caller's cases of it.
func (s *Server) apiMassGroup(w http.ResponseWriter, r *http.Request) {
	g, cases, _, err := s.scopedMassGroup(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteMassGroup(w, g, cases)
}

func (s *Server) apiWriteMassGroup(w http.ResponseWriter, g *storage.MassGroup, cases []storage.MassGroupCase) {
	list := []apiMassCaseJSON{}
	for _, gc := range cases {
		list = append(list, apiMassCaseJSON{Number: gc.Case.Number, Status: string(gc.Case.Status), Member: gc.Member,
			Relinked: gc.Relinked})
	}
	writeJSON(w, http.StatusOK, map[string]any{"group": newAPIMassGroup(g), "warning": g.Warning, "cases": list})
}

// errMassAnswered tells apiMassAction that the handler wrote the answer.
var errMassAnswered = errors.New("answered")

// errAnswered is err, or errMassAnswered when the handler answered (no error).
func errAnswered(err error) error {
	if err == nil {
		return errMassAnswered
	}
	return err
}

// apiMassHandler acts on a group the caller sees (units: the caller's).
type apiMassHandler func(w http.ResponseWriter, r *http.Request, g *storage.MassGroup, units []int64) error

// apiMassAction resolves the group in the caller's scope (not found outside
// it), runs h and answers with the group as it now is, unless h answered.
func (s *Server) apiMassAction(h apiMassHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		g, _, units, err := s.scopedMassGroup(r)
		if err == nil {
			err = h(w, r, g, units)
		}
		if errors.Is(err, errMassAnswered) {
			return
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		if g, cases, _, err := s.scopedMassGroup(r); err != nil {
			s.apiError(w, r, err)
		} else {
			s.apiWriteMassGroup(w, g, cases)
		}
	}
}

func (s *Server) apiDismissMass(w http.ResponseWriter, r *http.Request, g *storage.MassGroup, _ []int64) error {
	return s.cfg.Store.DismissMassGroup(r.Context(), g.ID, s.actedBy(r))
}

func (s *Server) apiFormCollective(w http.ResponseWriter, r *http.Request, g *storage.MassGroup, units []int64) error {
	return s.cfg.Store.FormCollective(r.Context(), g.ID, units, s.actedBy(r))
}

// apiCollectiveMember takes {"case": number, "member": bool}; the case must be
// in the caller's units.
func (s *Server) apiCollectiveMember(w http.ResponseWriter, r *http.Request, g *storage.MassGroup, _ []int64) error {
	var req struct {
		Case   string `json:"case"`
		Member bool   `json:"member"`
	}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return errMassAnswered
	}
	c, err := s.scopedCase(r, req.Case)
	if err != nil {
		return err
	}
	return s.cfg.Store.SetCollectiveMember(r.Context(), g.ID, c.ID, req.Member, s.actedBy(r))
}

// apiCollectiveReply takes {"text": …} and an optional Idempotency-Key header,
// which makes a retry reach nobody twice; it answers with the fan-out.
func (s *Server) apiCollectiveReply(w http.ResponseWriter, r *http.Request, g *storage.MassGroup, units []int64) error {
	var req struct {
		Text string `json:"text"`
	}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return errMassAnswered
	}
	out, err := s.collectiveReply(r, g.ID, units, req.Text, r.Header.Get(idemHeader))
	if err == nil {
		writeJSON(w, http.StatusOK, map[string]int{"reached": out.Reached, "skipped": out.Skipped})
	}
	return errAnswered(err)
}

// apiCollectiveStatus takes {"status": …, "reason": …} and answers with the fan-out.
func (s *Server) apiCollectiveStatus(w http.ResponseWriter, r *http.Request, g *storage.MassGroup, units []int64) error {
	var req struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return errMassAnswered
	}
	out, err := s.cfg.Store.ChangeCollectiveStatus(r.Context(), storage.MassStatusChange{GroupID: g.ID,
		UnitIDs: units, To: storage.Status(req.Status), Reason: req.Reason, By: s.actedBy(r)})
	if err == nil {
		writeJSON(w, http.StatusOK, map[string]int{"reached": out.Reached, "skipped": out.Skipped})
	}
	return errAnswered(err)
}

// apiMassWarning takes {"warning": …}, the edited consumer warning draft.
func (s *Server) apiMassWarning(w http.ResponseWriter, r *http.Request, g *storage.MassGroup, _ []int64) error {
	var req struct {
		Warning string `json:"warning"`
	}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return errMassAnswered
	}
	text, err := parseText("消费提示", req.Warning, pageMaxWarningRunes)
	if err != nil {
		return err
	}
	return s.cfg.Store.SaveMassWarning(r.Context(), g.ID, text, s.actedBy(r))
}
