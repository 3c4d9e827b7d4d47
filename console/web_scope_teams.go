package console

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// Teams, routing rules and canned replies in a staff member's scope: a team
// belongs to a unit and is seen (and managed, by supervisors) within that unit's
// subtree; a rule is its team's; canned replies are used from one's own unit and
// those above it and managed within one's subtree. Another unit's team, rule or
// reply reads as not found.

// scopedTeams returns the teams of the signed-in staff member's units.
func (s *Server) scopedTeams(ctx context.Context) ([]*storage.Team, *unitScope, error) {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.cfg.Store.ListTeams(ctx)
	if err != nil {
		return nil, nil, err
	}
	return keepOnly(all, func(t *storage.Team) bool { return sc.hasUnit(t.UnitID) }), sc, nil
}

// scopedTeam returns the team with the id if it lies in the scope, else
// ENOTFOUND.
func (s *Server) scopedTeam(ctx context.Context, id int64) (*storage.Team, error) {
	teams, _, err := s.scopedTeams(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, storage.Errorf(storage.ENOTFOUND, "没有编号为 %d 的组", id)
}

// scopedRules returns the routing rules whose team lies in the scope, in the
// order they are tried.
func (s *Server) scopedRules(ctx context.Context) ([]*storage.RoutingRule, []*storage.Team, error) {
	teams, _, err := s.scopedTeams(ctx)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.cfg.Store.ListRoutingRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []*storage.RoutingRule
	for _, r := range all {
		if slices.ContainsFunc(teams, func(t *storage.Team) bool { return t.ID == r.TeamID }) {
			out = append(out, r)
		}
	}
	return out, teams, nil
}

// scopedRule returns ENOTFOUND unless the rule with the id lies in the scope.
func (s *Server) scopedRule(ctx context.Context, id int64) error {
	rules, _, err := s.scopedRules(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(rules, func(r *storage.RoutingRule) bool { return r.ID == id }) {
		return storage.Errorf(storage.ENOTFOUND, "没有编号为 %d 的分派规则", id)
	}
	return nil
}

// scopedNewRule refuses (EINVALID, as for an unknown team) a rule for a team
// outside the scope.
func (s *Server) scopedNewRule(ctx context.Context, nr storage.NewRoutingRule) error {
	if _, err := s.scopedTeam(ctx, nr.TeamID); storage.ErrorCode(err) == storage.ENOTFOUND {
		return storage.Errorf(storage.EINVALID, "没有编号为 %d 的组", nr.TeamID)
	} else if err != nil {
		return err
	}
	return nil
}

// newTeamUnit is the unit of a team being created: the one chosen (a unit id,
// from the form or the API) if it lies in the scope, the creator's own when none
// is chosen. EINVALID for a unit outside the scope.
func (s *Server) newTeamUnit(ctx context.Context, raw string) (int64, error) {
	st := staffFrom(ctx)
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "0" {
		return st.UnitID, nil
	}
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || !sc.hasUnit(id) {
		return 0, storage.Errorf(storage.EINVALID, "请选择您所在单位或其下级单位。")
	}
	return id, nil
}

// scopedMembers returns the members to save when the signed-in staff member
// asks for ids: they manage the members they can see, and the team keeps the
// ones they cannot (a city member of a district team stays when the district's
// supervisor saves the form, which never showed them). EINVALID for an id
// outside their scope that is no member.
func (s *Server) scopedMembers(ctx context.Context, t *storage.Team, ids []int64) ([]int64, error) {
	staff, err := s.loadStaff(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !staff.inScope(id) && !slices.Contains(t.Members, id) {
			return nil, storage.Errorf(storage.EINVALID, "没有编号为 %d 的员工", id)
		}
	}
	out := slices.Clone(ids)
	for _, id := range t.Members {
		if !staff.inScope(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// usableCanned returns the canned replies staff may insert into a reply on a
// case of unit: those of the unit and the units above it.
func (s *Server) usableCanned(ctx context.Context, unit int64) ([]*storage.CannedReply, error) {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.cfg.Store.ListCannedReplies(ctx)
	if err != nil {
		return nil, err
	}
	up := sc.tree.Ancestors(unit)
	return keepOnly(all, func(c *storage.CannedReply) bool { return slices.Contains(up, c.UnitID) }), nil
}

// managedCanned returns the canned replies the signed-in staff member sees on
// the canned-replies page and the API: their own unit's and those above it
// (usable), and those of the units below (managed there too).
func (s *Server) managedCanned(ctx context.Context) ([]*storage.CannedReply, *unitScope, error) {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.cfg.Store.ListCannedReplies(ctx)
	if err != nil {
		return nil, nil, err
	}
	up := sc.tree.Ancestors(sc.top)
	return keepOnly(all, func(c *storage.CannedReply) bool { return sc.hasUnit(c.UnitID) || slices.Contains(up, c.UnitID) }), sc, nil
}

// scopedCannedChange returns ENOTFOUND unless the signed-in staff member may
// change or delete the canned reply with the id: one of their subtree's. A
// reply of a unit above is used, not edited, there.
func (s *Server) scopedCannedChange(ctx context.Context, id int64) error {
	list, sc, err := s.managedCanned(ctx)
	if err != nil {
		return err
	}
	for _, c := range list {
		if c.ID == id && sc.hasUnit(c.UnitID) {
			return nil
		}
	}
	return storage.Errorf(storage.ENOTFOUND, "canned reply %d not found", id)
}

// scopedWorkload is the workload of the staff of the signed-in staff member's
// units only.
func (s *Server) scopedWorkload(ctx context.Context, from, to time.Time) ([]*storage.Workload, error) {
	rows, err := s.cfg.Store.Workload(ctx, from, to)
	if err != nil {
		return nil, err
	}
	staff, err := s.loadStaff(ctx)
	if err != nil {
		return nil, err
	}
	out := rows[:0:0]
	for _, wl := range rows {
		if staff.inScope(wl.StaffID) {
			out = append(out, wl)
		}
	}
	return out, nil
}

// caseTeams returns the teams a case may be moved to: those of the scope whose
// unit is the case's or above it (their members see the case).
func (s *Server) caseTeams(ctx context.Context, c *storage.Case) ([]*storage.Team, error) {
	teams, sc, err := s.scopedTeams(ctx)
	if err != nil {
		return nil, err
	}
	out := teams[:0:0]
	for _, t := range teams {
		if sc.tree.Contains(t.UnitID, c.UnitID) {
			out = append(out, t)
		}
	}
	return out, nil
}

// checkCaseTeam refuses (EINVALID, as for an unknown team) moving case c to a
// team it may not go to (caseTeams); 0 (no team) passes.
func (s *Server) checkCaseTeam(ctx context.Context, c *storage.Case, teamID int64) error {
	if teamID == 0 {
		return nil
	}
	teams, err := s.caseTeams(ctx, c)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(teams, func(t *storage.Team) bool { return t.ID == teamID }) {
		return storage.Errorf(storage.EINVALID, "没有编号为 %d 的组", teamID)
	}
	return nil
}

// moveScopedRule moves a rule of the scope past its neighbour in the order the
// staff member sees (earlier when up). Rules of other units may lie between
// the two in the system's order; they are stepped over one swap at a time (each
// swap audited by the store), so one click does what the page shows. At either
// end of the visible order nothing changes. ENOTFOUND for a rule outside the
// scope.
func (s *Server) moveScopedRule(ctx context.Context, id int64, up bool, by storage.By) error {
	visible, _, err := s.scopedRules(ctx)
	if err != nil {
		return err
	}
	at := slices.IndexFunc(visible, func(r *storage.RoutingRule) bool { return r.ID == id })
	if at < 0 {
		return storage.Errorf(storage.ENOTFOUND, "没有编号为 %d 的分派规则", id)
	}
	next := at + 1
	if up {
		next = at - 1
	}
	if next < 0 || next >= len(visible) {
		return nil
	}
	past := visible[next].ID
	for range maxRuleSteps {
		if err := s.cfg.Store.MoveRoutingRule(ctx, id, up, by); err != nil {
			return err
		}
		all, err := s.cfg.Store.ListRoutingRules(ctx)
		if err != nil {
			return err
		}
		mine := slices.IndexFunc(all, func(r *storage.RoutingRule) bool { return r.ID == id })
		other := slices.IndexFunc(all, func(r *storage.RoutingRule) bool { return r.ID == past })
		if other < 0 || (up && mine < other) || (!up && mine > other) {
			return nil
		}
	}
	return nil
}

// maxRuleSteps bounds the swaps of one move (the rules of the whole system).
const maxRuleSteps = 1000
