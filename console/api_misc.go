package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// apiMe serves GET /api/v1/me: who the caller is.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	st := staffFrom(r.Context())
	writeJSON(w, http.StatusOK, apiMe{
		ID: st.ID, Username: st.Username, Name: st.Name, Role: st.Role, RoleLabel: st.Role.Label(),
	})
}

// apiOptions is the vocabulary a client needs to fill in the actions: statuses and
// their moves, reject and termination reasons, referral targets, outcomes.
type apiOptions struct {
	Statuses           []apiStatusMoves `json:"statuses"`
	RejectReasons      []string         `json:"reject_reasons"`
	TerminationReasons []string         `json:"termination_reasons"`
	ReferralTargets    []string         `json:"referral_targets"`
	Outcomes           []apiChoice      `json:"outcomes"`
}

// apiStatusMoves is a status with the statuses the table allows next.
type apiStatusMoves struct {
	apiStatus
	Final bool        `json:"final"`
	Next  []apiStatus `json:"next"`
}

// apiChoice is a code with its label.
type apiChoice struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// apiOptions serves GET /api/v1/options.
func (s *Server) apiOptions(w http.ResponseWriter, r *http.Request) {
	o := apiOptions{
		RejectReasons: storage.RejectReasons, TerminationReasons: storage.TerminationReasons,
		ReferralTargets: storage.ReferralTargets,
	}
	for _, st := range storage.Statuses() {
		o.Statuses = append(o.Statuses, apiStatusMoves{
			apiStatus: apiStatus{Status: st, Label: st.Label()}, Final: st.Final(), Next: apiNextStatuses(st),
		})
	}
	for _, oc := range storage.OutcomeLabels {
		o.Outcomes = append(o.Outcomes, apiChoice{Value: oc.Value, Label: oc.Label})
	}
	writeJSON(w, http.StatusOK, o)
}

// apiColleague is a colleague as the assign action needs them: no username (half
// of what signing in takes) and no account state.
type apiColleague struct {
	ID        int64        `json:"id"`
	Name      string       `json:"name"`
	Role      storage.Role `json:"role"`
	RoleLabel string       `json:"role_label"`
}

// apiStaffAccount is an account as an admin, who manages them, sees it.
type apiStaffAccount struct {
	apiColleague
	Username string `json:"username"`
	Disabled bool   `json:"disabled"`
}

// apiStaff serves GET /api/v1/staff, by username: to others than admins, the
// enabled accounts (the ones a case can be assigned to) as colleagues; to an admin,
// every account with its username and whether it is disabled. Only the staff of
// the caller's units. Never a password hash or a token.
func (s *Server) apiStaff(w http.ResponseWriter, r *http.Request) {
	list, _, err := s.scopedStaffList(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	admin := staffFrom(r.Context()).Role.AtLeast(storage.RoleAdmin)
	items := make([]any, 0, len(list))
	for _, st := range list {
		c := apiColleague{ID: st.ID, Name: st.Name, Role: st.Role, RoleLabel: st.Role.Label()}
		switch {
		case admin:
			items = append(items, apiStaffAccount{apiColleague: c, Username: st.Username, Disabled: st.Disabled})
		case !st.Disabled:
			items = append(items, c)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// apiCannedReplies serves GET /api/v1/canned-replies, by title: the caller's
// units' and those of the units above (managedCanned).
func (s *Server) apiCannedReplies(w http.ResponseWriter, r *http.Request) {
	list, _, err := s.managedCanned(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	items := make([]apiCannedReply, 0, len(list))
	for _, c := range list {
		items = append(items, apiCannedReply{ID: c.ID, Title: c.Title, Body: c.Body, UpdatedAt: c.UpdatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
