package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// reportOverdueRow is the overdue cases of one mediator in one team.
type reportOverdueRow struct {
	StaffID   int64  `db:"staff_id"`
	StaffName string `db:"staff_name"`
	TeamID    int64  `db:"team_id"`
	TeamName  string `db:"team_name"`
	N         int    `db:"n"`
}

// reportOverdue counts the units' open cases (all units when nil) that the
// queue's 已超期 filter selects now — the same rule as FindCases with
// DueOverdue and the workload's overdue column: a running clock (due_on set,
// not paused) whose due day is before today.
func (d *DB) reportOverdue(ctx context.Context, tx *sqlx.Tx, units []int64) (storage.ReportOverdue, error) {
	now := d.now()
	out := storage.ReportOverdue{AsOf: now, ByMediator: []storage.ReportTally{}, ByTeam: []storage.ReportTally{}}
	cal, err := calendarFrom(ctx, tx, now)
	if err != nil {
		return out, err
	}
	_, lastOverdueDay := storage.DueWindow(cal, now, true)
	open := statusesWhereFinal(false)
	unitCond, unitArgs := reportUnitCond(units)
	q := tx.Rebind(`SELECT COALESCE(c.assignee_id, 0) AS staff_id, COALESCE(s.name, '') AS staff_name,
		COALESCE(c.team_id, 0) AS team_id, COALESCE(t.name, '') AS team_name, count(*) AS n` + reportJoins + `
		WHERE c.due_on <> '' AND c.due_paused = FALSE AND c.due_on <= ?
		AND c.status IN (` + placeholders(len(open)) + `)` + unitCond + `
		GROUP BY c.assignee_id, s.name, c.team_id, t.name`)
	args := append(append([]any{lastOverdueDay}, open...), unitArgs...)
	var rows []reportOverdueRow
	if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return out, fmt.Errorf("report overdue: %w", err)
	}
	byStaff, byTeam := map[int64]*storage.ReportTally{}, map[int64]*storage.ReportTally{}
	for _, r := range rows {
		out.Total += r.N
		tally(byStaff, r.StaffID, r.StaffName, r.N)
		tally(byTeam, r.TeamID, r.TeamName, r.N)
	}
	out.ByMediator, out.ByTeam = sortedTallies(byStaff), sortedTallies(byTeam)
	return out, nil
}

// tally adds n to the group with the id, creating it.
func tally(groups map[int64]*storage.ReportTally, id int64, name string, n int) {
	g := groups[id]
	if g == nil {
		g = &storage.ReportTally{Key: strconv.FormatInt(id, 10), Name: name}
		groups[id] = g
	}
	g.Count += n
}

// sortedTallies lists the groups, most first, ties by name then key.
func sortedTallies(groups map[int64]*storage.ReportTally) []storage.ReportTally {
	out := make([]storage.ReportTally, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Key < out[j].Key
	})
	return out
}
