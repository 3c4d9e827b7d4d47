package console

import (
	"context"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// The 删除请求 list: a consumer who asked in the chat to delete their personal
// data left one request per open case, due in working days. A supervisor
// carries one out (the case is withdrawn and anonymised) or, when a legal hold
// keeps the case, refuses it with a reason the consumer is told. Like every
// list it is scoped to the supervisor's units: another unit's request reads as
// not found.

// deletionRoutes registers the page, its actions and their JSON twins.
func (s *Server) deletionRoutes(mux *http.ServeMux) {
	const sup = storage.RoleSupervisor
	mux.Handle("GET /console/deletion-requests", s.page(sup, s.showDeletionRequests))
	mux.Handle("POST /console/deletion-requests/{id}/carry-out", s.page(sup, s.carryOutDeletion))
	mux.Handle("POST /console/deletion-requests/{id}/refuse", s.page(sup, s.refuseDeletion))
	mux.Handle("GET /api/v1/deletion-requests", s.api(sup, s.apiDeletionRequests))
	mux.Handle("GET /api/v1/deletion-requests/{id}", s.api(sup, s.apiDeletionRequest))
	mux.Handle("POST /api/v1/deletion-requests/{id}/carry-out", s.api(sup, s.apiCarryOutDeletion))
	mux.Handle("POST /api/v1/deletion-requests/{id}/refuse", s.api(sup, s.apiRefuseDeletion))
}

// deletionRow is one request on the page.
type deletionRow struct {
	*storage.DeletionRequest
	StatusLabel     string
	CaseStatusLabel string
	Overdue         bool
	HandledByName   string
}

// deletionView is the page.
type deletionView struct {
	Rows  []deletionRow
	Today string
}

// blobRemover is where a carried-out request removes evidence bytes: the
// configured blob store (nil, the database's table, when it cannot remove).
func (s *Server) blobRemover() storage.BlobRemover {
	if br, ok := s.cfg.Blobs.(storage.BlobRemover); ok {
		return br
	}
	return nil
}

// today is the China-time date the clocks are read against.
func (s *Server) today() string {
	return s.cfg.Now().In(storage.ChinaTime).Format(storage.DateLayout)
}

// scopedDeletionRequests lists the requests of the signed-in staff member's units.
func (s *Server) scopedDeletionRequests(ctx context.Context, status string) ([]*storage.DeletionRequest, error) {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	return s.cfg.Store.DeletionRequests(ctx, storage.DeletionFilter{UnitIDs: sc.unitIDs(), Status: status})
}

// scopedDeletionRequest returns request id if its case is in the staff
// member's units; another unit's request is ENOTFOUND, like one that does not
// exist.
func (s *Server) scopedDeletionRequest(ctx context.Context, id int64) (*storage.DeletionRequest, error) {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	req, err := s.cfg.Store.DeletionRequest(ctx, id)
	if err == nil && !sc.hasUnit(req.UnitID) {
		err = storage.Errorf(storage.ENOTFOUND, "deletion request not found")
	}
	return req, err
}

// showDeletionRequests renders GET /console/deletion-requests: pending first,
// by due day, overdue ones marked; then the settled ones.
func (s *Server) showDeletionRequests(w http.ResponseWriter, r *http.Request) {
	reqs, err := s.scopedDeletionRequests(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	staff, err := s.loadStaff(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := deletionView{Today: s.today()}
	for _, req := range reqs {
		row := deletionRow{DeletionRequest: req, StatusLabel: storage.DeletionStatusLabel(req.Status),
			CaseStatusLabel: req.CaseStatus.Label(), Overdue: req.Overdue(v.Today)}
		if req.HandledBy != 0 {
			row.HandledByName = staff.name(req.HandledBy)
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "deletion_requests.html", "删除请求", v)
}

// carryOutDeletion handles POST …/carry-out from the page.
func (s *Server) carryOutDeletion(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "删除请求")
	if !ok {
		return
	}
	if _, err := s.scopedDeletionRequest(r.Context(), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	req, err := s.cfg.Store.CarryOutDeletion(r.Context(), id, s.blobRemover(), s.actedBy(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectFlash(w, r, "/console/deletion-requests", "已删除投诉 "+req.CaseNumber+" 的个人信息（已撤回并匿名化），已通知消费者。")
}

// refuseDeletion handles POST …/refuse from the page (a held case only).
func (s *Server) refuseDeletion(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "删除请求")
	if !ok {
		return
	}
	if _, err := s.scopedDeletionRequest(r.Context(), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	req, err := s.cfg.Store.RefuseDeletion(r.Context(), id, r.PostFormValue("reason"), s.actedBy(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectFlash(w, r, "/console/deletion-requests", "已记录投诉 "+req.CaseNumber+" 不予删除的理由，已通知消费者。")
}

// apiDeletionRequestJSON is a request as the API shows it.
type apiDeletionRequestJSON struct {
	ID            int64      `json:"id"`
	Case          string     `json:"case"`
	CaseStatus    string     `json:"case_status"`
	LegalHold     bool       `json:"legal_hold"`
	RequestedAt   time.Time  `json:"requested_at"`
	DueOn         string     `json:"due_on"`
	Overdue       bool       `json:"overdue"`
	Status        string     `json:"status"`
	StatusLabel   string     `json:"status_label"`
	HandledBy     int64      `json:"handled_by,omitempty"`
	HandledAt     *time.Time `json:"handled_at,omitempty"`
	RefusalReason string     `json:"refusal_reason,omitempty"`
}

func newAPIDeletionRequest(req *storage.DeletionRequest, today string) apiDeletionRequestJSON {
	return apiDeletionRequestJSON{ID: req.ID, Case: req.CaseNumber, CaseStatus: string(req.CaseStatus),
		LegalHold: req.LegalHold, RequestedAt: req.RequestedAt, DueOn: req.DueOn, Overdue: req.Overdue(today),
		Status: req.Status, StatusLabel: storage.DeletionStatusLabel(req.Status), HandledBy: req.HandledBy,
		HandledAt: optionalTime(req.HandledAt), RefusalReason: req.RefusalReason}
}

// apiDeletionRequests serves GET /api/v1/deletion-requests[?status=pending].
func (s *Server) apiDeletionRequests(w http.ResponseWriter, r *http.Request) {
	reqs, err := s.scopedDeletionRequests(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	today := s.today()
	out := []apiDeletionRequestJSON{}
	for _, req := range reqs {
		out = append(out, newAPIDeletionRequest(req, today))
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": out})
}

// apiDeletionRequestID reads the path's id; a malformed one is not found.
func apiDeletionRequestID(r *http.Request) int64 {
	id, err := parseID("id", r.PathValue("id"))
	if err != nil {
		return 0
	}
	return id
}

// apiDeletionRequest serves GET /api/v1/deletion-requests/{id}.
func (s *Server) apiDeletionRequest(w http.ResponseWriter, r *http.Request) {
	req, err := s.scopedDeletionRequest(r.Context(), apiDeletionRequestID(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPIDeletionRequest(req, s.today()))
}

// apiCarryOutDeletion serves POST /api/v1/deletion-requests/{id}/carry-out;
// 409 when settled already or the case is held.
func (s *Server) apiCarryOutDeletion(w http.ResponseWriter, r *http.Request) {
	id := apiDeletionRequestID(r)
	if _, err := s.scopedDeletionRequest(r.Context(), id); err != nil {
		s.apiError(w, r, err)
		return
	}
	req, err := s.cfg.Store.CarryOutDeletion(r.Context(), id, s.blobRemover(), s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPIDeletionRequest(req, s.today()))
}

// apiRefuseRequest is the body of POST …/refuse.
type apiRefuseRequest struct {
	Reason string `json:"reason"`
}

// apiRefuseDeletion serves POST /api/v1/deletion-requests/{id}/refuse with
// {"reason": "…"}; 409 unless the case is under a legal hold.
func (s *Server) apiRefuseDeletion(w http.ResponseWriter, r *http.Request) {
	id := apiDeletionRequestID(r)
	if _, err := s.scopedDeletionRequest(r.Context(), id); err != nil {
		s.apiError(w, r, err)
		return
	}
	var body apiRefuseRequest
	if err := apiDecode(w, r, &body); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	req, err := s.cfg.Store.RefuseDeletion(r.Context(), id, body.Reason, s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPIDeletionRequest(req, s.today()))
}
