package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// teamsView is the page of teams and routing rules (supervisors and admins).
type teamsView struct {
	Teams       []teamRow
	Rules       []ruleRow
	Kinds       []option
	TeamOptions []option
	Categories  []string
	Error       string // why the last post was refused, if it was
	// Units offers the units a new team may belong to; empty (no picker) when
	// the staff member's scope holds one unit only.
	Units []option
}

// teamRow is one team with its members as checkboxes over the active staff.
type teamRow struct {
	ID         int64
	Name       string
	AutoAssign bool
	Default    bool
	Members    []option // Value: staff id; Selected: a member
	MemberList string   // the members' names, for reading
	Unit       string   // the team's unit, when the deployment has units
}

// ruleRow is one routing rule in the order they are tried.
type ruleRow struct {
	ID          int64
	N           int
	Kind        string
	Pattern     string
	Team        string
	First, Last bool
}

// showTeams renders the teams and the routing rules.
func (s *Server) showTeams(w http.ResponseWriter, r *http.Request) {
	s.renderTeams(w, r, http.StatusOK, "")
}

// renderTeams renders the page with status and, for a refused post, its reason.
func (s *Server) renderTeams(w http.ResponseWriter, r *http.Request, status int, refused string) {
	ctx := r.Context()
	rules, teams, err := s.scopedRules(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	staff, err := s.loadStaff(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := teamsView{Categories: storage.CategoryNames(), Error: refused}
	for _, k := range storage.RuleKinds {
		v.Kinds = append(v.Kinds, option{Value: string(k.Kind), Label: k.Label})
	}
	v.Units = s.scopeUnitOptions(ctx, staff.scope, staffFrom(ctx).UnitID)
	units, err := s.unitNames(ctx, staff.scope)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, t := range teams {
		row := newTeamRow(t, staff.seeing(t.UnitID))
		row.Unit = units[t.UnitID]
		v.Teams = append(v.Teams, row)
		v.TeamOptions = append(v.TeamOptions, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	for i, rule := range rules {
		v.Rules = append(v.Rules, ruleRow{ID: rule.ID, N: i + 1, Kind: rule.Kind.Label(), Pattern: rule.Pattern,
			Team: teamName(teams, rule.TeamID), First: i == 0, Last: i == len(rules)-1})
	}
	s.render(w, r, status, "teams.html", "分组与分派规则", v)
}

// newTeamRow lists the active staff as the team's member checkboxes (and any
// disabled member, so that saving the form does not drop them unseen).
func newTeamRow(t *storage.Team, staff *staffDirectory) teamRow {
	row := teamRow{ID: t.ID, Name: t.Name, AutoAssign: t.AutoAssign, Default: t.Default}
	member := map[int64]bool{}
	for _, id := range t.Members {
		member[id] = true
	}
	var names []string
	for _, st := range staff.list {
		if st.Disabled && !member[st.ID] {
			continue
		}
		label := st.Name + "（" + st.Role.Label() + "）"
		if st.Disabled {
			label += "（已停用）"
		}
		row.Members = append(row.Members, option{Value: strconv.FormatInt(st.ID, 10), Label: label, Selected: member[st.ID]})
		if member[st.ID] {
			names = append(names, st.Name)
		}
	}
	row.MemberList = strings.Join(names, "、")
	return row
}

// teamInputFromForm reads a team form: name, auto=1, default=1.
func teamInputFromForm(r *http.Request) storage.TeamInput {
	return storage.TeamInput{Name: r.PostFormValue("name"), AutoAssign: r.PostFormValue("auto") == "1",
		Default: r.PostFormValue("default") == "1"}
}

// afterTeamsPost answers a post of the teams page: back to the page with a
// message, or the page again with the reason it was refused.
func (s *Server) afterTeamsPost(w http.ResponseWriter, r *http.Request, err error, flash string) {
	switch code := storage.ErrorCode(err); code {
	case "":
		redirectFlash(w, r, "/console/teams", flash)
	case storage.EINVALID, storage.ECONFLICT:
		status, message := httpStatus(err)
		s.renderTeams(w, r, status, message)
	default:
		s.pageError(w, r, err)
	}
}

// createTeam adds a team, in the unit chosen (the creator's own by default).
func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) {
	ti := teamInputFromForm(r)
	var err error
	if ti.UnitID, err = s.newTeamUnit(r.Context(), r.PostFormValue("unit")); err == nil {
		_, err = s.cfg.Store.CreateTeam(r.Context(), ti, s.actedBy(r))
	}
	s.afterTeamsPost(w, r, err, "组已创建。")
}

// teamsNotFound answers a post about a team or rule outside the scope, or
// another error reading them.
func (s *Server) teamsNotFound(w http.ResponseWriter, r *http.Request, err error) {
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		s.renderError(w, r, http.StatusNotFound, "找不到该组或分派规则。")
		return
	}
	s.pageError(w, r, err)
}

// updateTeam renames a team and sets its switches.
func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "组")
	if !ok {
		return
	}
	if _, err := s.scopedTeam(r.Context(), id); err != nil {
		s.teamsNotFound(w, r, err)
		return
	}
	_, err := s.cfg.Store.UpdateTeam(r.Context(), id, teamInputFromForm(r), s.actedBy(r))
	s.afterTeamsPost(w, r, err, "组已保存。")
}

// setTeamMembers replaces a team's members with the ticked staff.
func (s *Server) setTeamMembers(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "组")
	if !ok {
		return
	}
	t, err := s.scopedTeam(r.Context(), id)
	if err != nil {
		s.teamsNotFound(w, r, err)
		return
	}
	var ids []int64
	for _, v := range r.PostForm["member"] {
		sid, err := strconv.ParseInt(v, 10, 64)
		if err != nil || sid <= 0 {
			s.afterTeamsPost(w, r, storage.Errorf(storage.EINVALID, "成员编号无效：%q", v), "")
			return
		}
		ids = append(ids, sid)
	}
	if ids, err = s.scopedMembers(r.Context(), t, ids); err == nil {
		_, err = s.cfg.Store.SetTeamMembers(r.Context(), id, ids, s.actedBy(r))
	}
	s.afterTeamsPost(w, r, err, "组成员已保存。")
}

// createRoutingRule adds a rule after the others: kind, pattern (a category for
// a category rule) and team.
func (s *Server) createRoutingRule(w http.ResponseWriter, r *http.Request) {
	nr := storage.NewRoutingRule{Kind: storage.RuleKind(r.PostFormValue("kind")), Pattern: r.PostFormValue("pattern")}
	if nr.Kind == storage.RuleCategory {
		nr.Pattern = r.PostFormValue("category")
	}
	nr.TeamID, _ = strconv.ParseInt(r.PostFormValue("team"), 10, 64)
	err := s.scopedNewRule(r.Context(), nr)
	if err == nil {
		_, err = s.cfg.Store.CreateRoutingRule(r.Context(), nr, s.actedBy(r))
	}
	s.afterTeamsPost(w, r, err, "分派规则已添加。")
}

// moveRoutingRule moves a rule one place earlier (dir=up) or later.
func (s *Server) moveRoutingRule(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "分派规则")
	if !ok {
		return
	}
	err := s.moveScopedRule(r.Context(), id, r.PostFormValue("dir") == "up", s.actedBy(r))
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		s.teamsNotFound(w, r, err)
		return
	}
	s.afterTeamsPost(w, r, err, "分派规则顺序已调整。")
}

// deleteRoutingRule removes a rule.
func (s *Server) deleteRoutingRule(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "分派规则")
	if !ok {
		return
	}
	if err := s.scopedRule(r.Context(), id); err != nil {
		s.teamsNotFound(w, r, err)
		return
	}
	err := s.cfg.Store.DeleteRoutingRule(r.Context(), id, s.actedBy(r))
	s.afterTeamsPost(w, r, err, "分派规则已删除。")
}
