package console

import (
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// Mass complaints (群体投诉): the detector (storage/sqlstore/mass.go) raises a
// group when one merchant draws casework.mass_threshold complaints within
// casework.mass_window. The alert is the 群体投诉 page, with the number of open
// groups in the supervisors' navigation; a group is seen by a supervisor when at
// least one of its cases is in their units, and then only with those cases.
// Every action on a group (dismiss, form, members, reply, status, warning) acts
// on the caller's cases only.

// massGroupRow is one group as the list and its page show it.
type massGroupRow struct {
	ID            int64
	Merchant      string
	Status        string
	Open          bool
	High          bool
	PriorityWords string
	Cases         int
	FirstAt       string
	LastAt        string
}

// massListView is the 群体投诉 page.
type massListView struct {
	Rows []massGroupRow
}

// massCaseRow is one case of a group as its page lists it.
type massCaseRow struct {
	Number   string
	Status   string
	Category string
	Received string
	Member   bool
	// Relinked: staff linked the case to another merchant since it joined.
	Relinked bool
}

// massDetailView is a group's page: its cases, the collective case's actions
// and the warning draft.
type massDetailView struct {
	Group    massGroupRow
	Formed   bool
	Cases    []massCaseRow
	Members  int
	Warning  string
	Idem     string
	Statuses []option
}

// newMassGroupRow formats a group for a list or a page.
func newMassGroupRow(g *storage.MassGroup) massGroupRow {
	return massGroupRow{
		ID: g.ID, Merchant: g.MerchantName, Status: g.Status.Label(), Open: g.Status == storage.MassOpen,
		High: g.Priority > 0, PriorityWords: g.PriorityWords, Cases: g.CaseCount,
		FirstAt: g.FirstAt.In(chinaTime).Format("2006-01-02 15:04"),
		LastAt:  g.LastAt.In(chinaTime).Format("2006-01-02 15:04"),
	}
}

// collectiveStatuses are the moves a collective case offers: the plain moves
// of the status table (closing with an outcome and asking for material stay
// per case, as they carry per-case facts).
func collectiveStatuses() []option {
	var out []option
	for _, st := range storage.Statuses() {
		if st.ClosingOnly() || st == storage.StatusAwaitingMaterial || st == storage.StatusSubmitted {
			continue
		}
		out = append(out, option{Value: string(st), Label: st.Label()})
	}
	return out
}

// massGroupID reads the {id} of a group's path; 0 when it is no id.
func massGroupID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// scopedMassGroup reads the group of the path with its cases in the caller's
// units; ENOTFOUND when it has none there (or does not exist).
func (s *Server) scopedMassGroup(r *http.Request) (*storage.MassGroup, []storage.MassGroupCase, []int64, error) {
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	id := massGroupID(r)
	if id == 0 {
		return nil, nil, nil, storage.Errorf(storage.ENOTFOUND, "mass group not found")
	}
	units := sc.unitIDs()
	g, cases, err := s.cfg.Store.MassGroup(r.Context(), id, units)
	return g, cases, units, err
}

// massAlerts is the number of open groups the signed-in supervisor sees, for
// the navigation; 0 for mediators and on any error (the page itself reports it).
func (s *Server) massAlerts(r *http.Request) int {
	st := staffFrom(r.Context())
	if st == nil || !st.Role.AtLeast(storage.RoleSupervisor) {
		return 0
	}
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		return 0
	}
	n, err := s.cfg.Store.CountOpenMassGroups(r.Context(), sc.unitIDs())
	if err != nil {
		s.cfg.Logger.Warn("count open mass groups", "err", err)
		return 0
	}
	return n
}
