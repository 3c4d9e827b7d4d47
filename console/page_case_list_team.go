package console

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// The queue's team filter, the team query parameter:
//
//	all     every case, whatever its team
//	mine    my work: the cases assigned to me and the unassigned cases of my teams
//	none    the cases in no team
//	<id>    the cases of that team
//
// Without it, a mediator who belongs to a team sees their work (mine) when
// they open the queue with no filter at all, and everyone else sees every case.
const (
	teamAll  = "all"
	teamMine = "mine"
	teamNone = "none"
)

// teamFilter adds the team filter to f for staff member st.
func teamFilter(f *storage.CaseFilter, team string, st *storage.Staff) {
	switch team {
	case "", teamAll:
	case teamMine:
		f.WorkOf = &st.ID
	case teamNone:
		none := int64(0)
		f.TeamID = &none
	default:
		if id, err := strconv.ParseInt(team, 10, 64); err == nil && id > 0 {
			f.TeamID = &id
		}
	}
}

// queueTeams sets the queue's default team filter (see teamFilter) and returns
// the filter's options, none when there are no teams.
func (s *Server) queueTeams(r *http.Request, qq *queueQuery, st *storage.Staff) ([]option, error) {
	teams, _, err := s.scopedTeams(r.Context())
	if err != nil || len(teams) == 0 {
		return nil, err
	}
	if qq.Team == "" && r.URL.RawQuery == "" && st.Role == storage.RoleMediator && memberOfAny(teams, st.ID) {
		qq.Team = teamMine
	}
	selected := qq.Team
	if selected == "" {
		selected = teamAll
	}
	out := []option{
		{Value: teamAll, Label: "全部"},
		{Value: teamMine, Label: "我的工作（我的案件和本组未分配的案件）"},
		{Value: teamNone, Label: "未分组"},
	}
	for _, t := range teams {
		out = append(out, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out, nil
}

// memberOfAny reports whether the staff member belongs to one of the teams.
func memberOfAny(teams []*storage.Team, staffID int64) bool {
	for _, t := range teams {
		if slices.Contains(t.Members, staffID) {
			return true
		}
	}
	return false
}
