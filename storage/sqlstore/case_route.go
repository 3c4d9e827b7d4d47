package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// workOfWhere is CaseFilter.WorkOf's condition; both placeholders take the staff
// id: the cases assigned to them, and the unassigned cases of their teams.
const workOfWhere = `(assignee_id = ? OR (assignee_id IS NULL AND team_id IN
	(SELECT team_id FROM team_members WHERE staff_id = ?)))`

// route is where a case being filed goes: its team (nil for none), the rule
// that chose it (nil for the default team) and its assignee (nil for none).
type route struct {
	team     *storage.Team
	rule     *storage.RoutingRule
	assignee *storage.Staff
}

func (r route) teamID() int64 {
	if r.team == nil {
		return 0
	}
	return r.team.ID
}

func (r route) assigneeID() int64 {
	if r.assignee == nil {
		return 0
	}
	return r.assignee.ID
}

// enterTeam puts a case being filed in the team teamID (none for 0): when the
// team assigns automatically, the case also gets its member with the fewest
// open cases. The team and its members stay locked until the filing commits,
// so concurrent filings into them take turns (see pickAssignee): call it late.
func enterTeam(ctx context.Context, tx *sqlx.Tx, teamID int64, rule *storage.RoutingRule) (route, error) {
	if teamID == 0 {
		return route{}, nil
	}
	team, err := findTeam(ctx, tx, teamID, forUpdate(tx))
	if err != nil {
		return route{}, err
	}
	r := route{team: team, rule: rule}
	if team.AutoAssign {
		r.assignee, err = pickAssignee(ctx, tx, team.ID)
	}
	return r, err
}

// noteRoute puts a system note on the new case's timeline saying where the
// case went and why; nothing for a case in no team.
func noteRoute(ctx context.Context, tx *sqlx.Tx, caseID int64, r route, now time.Time) error {
	if r.team == nil {
		return nil
	}
	return insertEvent(ctx, tx, &storage.Event{
		CaseID: caseID, Kind: storage.EventNote, Actor: storage.ActorSystem,
		Body: routedBody(r.team, r.rule, r.assignee), CreatedAt: now,
	})
}

// routedBody is the timeline note of a routed case: "按分派规则（投诉类别“交通工具”）
// 分派至 汽车消费维权工作室，自动分配给 张三".
func routedBody(team *storage.Team, rule *storage.RoutingRule, assignee *storage.Staff) string {
	why := "未匹配分派规则，进入默认组"
	if rule != nil {
		why = fmt.Sprintf("按分派规则（%s“%s”）分派至", rule.Kind.Label(), rule.Pattern)
	}
	body := why + " " + team.Name
	if assignee != nil {
		body += "，自动分配给 " + assignee.Name
	}
	return body
}

// routingOf returns the routing rules that may route a case of the unit (those
// whose team's unit is the case's or above it), in order, and the default team
// for it: that of the nearest unit from the case's up to the root that marks
// one (0 if none does).
func routingOf(all []*storage.RoutingRule, tree *storage.UnitTree, teams []teamPlace, unit int64) ([]*storage.RoutingRule, int64) {
	teamUnit, defaults := map[int64]int64{}, map[int64]int64{}
	for _, t := range teams {
		teamUnit[t.ID] = t.UnitID
		if t.Default {
			defaults[t.UnitID] = t.ID
		}
	}
	var rules []*storage.RoutingRule
	for _, r := range all {
		if tree.Contains(teamUnit[r.TeamID], unit) {
			rules = append(rules, r)
		}
	}
	for _, u := range tree.Ancestors(unit) {
		if id := defaults[u]; id != 0 {
			return rules, id
		}
	}
	return rules, 0
}

// pickAssignee returns the team's active member with the fewest open cases (ties:
// the lowest id), or nil if the team has no active member. The members' staff rows
// are locked (PostgreSQL; SQLite's immediate transaction serialises writers
// anyway) before their cases are counted, in id order so that two filings never
// wait for each other in a circle. A filing that picks the same member as one
// still in progress therefore waits for it to commit, and its count, a fresh
// statement under READ COMMITTED, then includes that case: two concurrent
// filings never both choose by the same stale count, even into two teams that
// share a member.
func pickAssignee(ctx context.Context, tx *sqlx.Tx, teamID int64) (*storage.Staff, error) {
	members := []*storage.Staff{}
	q := tx.Rebind(`SELECT ` + prefixed("s.", staffColumns) + ` FROM staff s
		WHERE NOT s.disabled AND s.id IN (SELECT staff_id FROM team_members WHERE team_id = ?)
		ORDER BY s.id` + forUpdate(tx))
	if err := tx.SelectContext(ctx, &members, q, teamID); err != nil {
		return nil, fmt.Errorf("lock team members: %w", err)
	}
	if len(members) == 0 {
		return nil, nil
	}
	open, err := openCaseCounts(ctx, tx, members)
	if err != nil {
		return nil, err
	}
	best := members[0]
	for _, m := range members[1:] {
		if open[m.ID] < open[best.ID] {
			best = m
		}
	}
	return best, nil
}

// prefixed qualifies each of a comma-separated column list with p ("s.").
func prefixed(p, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// openCaseCounts counts each staff member's open cases (status not final), of
// only the members given, or of everyone for nil: a filing counts its team's
// members' cases through the assignee index instead of every open case.
func openCaseCounts(ctx context.Context, tx *sqlx.Tx, members []*storage.Staff) (map[int64]int, error) {
	who, args := "assignee_id IS NOT NULL", []any{}
	if members != nil {
		ids := make([]int64, len(members))
		for i, m := range members {
			ids[i] = m.ID
		}
		who, args = idsIn("assignee_id", ids)
	}
	statuses := statusesWhereFinal(false)
	var rows []struct {
		StaffID int64 `db:"staff_id"`
		N       int   `db:"n"`
	}
	q := tx.Rebind(`SELECT assignee_id AS staff_id, count(*) AS n FROM cases
		WHERE ` + who + ` AND status IN (` + placeholders(len(statuses)) + `)
		GROUP BY assignee_id`)
	if err := tx.SelectContext(ctx, &rows, q, append(args, statuses...)...); err != nil {
		return nil, fmt.Errorf("count open cases: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.StaffID] = r.N
	}
	return out, nil
}

// SetCaseTeam moves a case to the team teamID, or with 0 to none, with a staff
// note on its timeline and an audit entry (old → new), in one transaction. The
// assignee stays. Moving a case to the team it is in changes nothing. ENOTFOUND
// for an unknown case; EINVALID for an unknown team or a missing actor.
func (d *DB) SetCaseTeam(ctx context.Context, caseID, teamID int64, by storage.By) (*storage.Case, error) {
	if by.Actor == "" {
		return nil, storage.Errorf(storage.EINVALID, "re-routing a case needs an actor")
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "set case team", func(tx *sqlx.Tx) error {
		var err error
		c, err = setCaseTeam(ctx, tx, caseID, teamID, by, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// setCaseTeam does SetCaseTeam's work in tx.
func setCaseTeam(
	ctx context.Context, tx *sqlx.Tx, caseID, teamID int64, by storage.By, now time.Time,
) (*storage.Case, error) {
	c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
	if err != nil || c.TeamID == teamID {
		return c, err
	}
	from, err := teamLabel(ctx, tx, c.TeamID)
	if err != nil {
		return nil, err
	}
	to, err := teamLabel(ctx, tx, teamID)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil, storage.Errorf(storage.EINVALID, "没有编号为 %d 的组", teamID)
	} else if err != nil {
		return nil, err
	}
	q := tx.Rebind("UPDATE cases SET team_id = ?, updated_at = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, nullID(teamID), now, c.ID); err != nil {
		return nil, fmt.Errorf("set case team: %w", err)
	}
	c.TeamID, c.UpdatedAt = teamID, now
	detail := "改派：" + from + " → " + to
	e := &storage.Event{CaseID: c.ID, Kind: storage.EventNote, Actor: by.Actor, Body: detail, CreatedAt: now}
	if err := insertEvent(ctx, tx, e); err != nil {
		return nil, err
	}
	return c, auditStaff(ctx, tx, by, storage.AuditReroute, c.ID, detail, now)
}

// teamLabel names a team for the timeline, "未分组" for 0; ENOTFOUND for an
// unknown team.
func teamLabel(ctx context.Context, tx *sqlx.Tx, id int64) (string, error) {
	if id == 0 {
		return "未分组", nil
	}
	t, err := findTeam(ctx, tx, id, "")
	if err != nil {
		return "", err
	}
	return t.Name, nil
}
