package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// Workload reports each staff member's open cases now and the cases they
// concluded in [from, to): see storage.Workload. Every active staff member has a
// row, and so has a disabled one with open cases (their cases need a new
// mediator); rows are by name, then id. EINVALID unless from is before to.
func (d *DB) Workload(ctx context.Context, from, to time.Time) ([]*storage.Workload, error) {
	if !from.Before(to) {
		return nil, storage.Errorf(storage.EINVALID, "the period's start must be before its end")
	}
	var out []*storage.Workload
	err := d.inReadTx(ctx, "workload", func(tx *sqlx.Tx) error {
		open, err := openCaseCounts(ctx, tx, nil)
		if err != nil {
			return err
		}
		overdue, err := d.overdueCaseCounts(ctx, tx)
		if err != nil {
			return err
		}
		done, err := concludedCases(ctx, tx, dbTime(from), dbTime(to))
		if err != nil {
			return err
		}
		out, err = workloadRows(ctx, tx, open, done)
		for _, w := range out {
			w.Overdue = overdue[w.StaffID]
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// overdueCaseCounts counts each staff member's cases that the queue's 已超期
// filter selects now: open, with a running clock whose due day has passed.
func (d *DB) overdueCaseCounts(ctx context.Context, tx *sqlx.Tx) (map[int64]int, error) {
	now := d.now()
	cal, err := calendarFrom(ctx, tx, now)
	if err != nil {
		return nil, err
	}
	_, lastOverdueDay := storage.DueWindow(cal, now, true)
	statuses := statusesWhereFinal(false)
	var rows []struct {
		StaffID int64 `db:"staff_id"`
		N       int   `db:"n"`
	}
	q := tx.Rebind(`SELECT assignee_id AS staff_id, count(*) AS n FROM cases
		WHERE assignee_id IS NOT NULL AND due_on <> '' AND due_paused = FALSE AND due_on <= ?
		AND status IN (` + placeholders(len(statuses)) + `)
		GROUP BY assignee_id`)
	if err := tx.SelectContext(ctx, &rows, q, append([]any{lastOverdueDay}, statuses...)...); err != nil {
		return nil, fmt.Errorf("count overdue cases: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.StaffID] = r.N
	}
	return out, nil
}

// concluded is a finished case with the time of its last status move.
type concluded struct {
	ID         int64     `db:"id"`
	AssigneeID int64     `db:"assignee_id"`
	Outcome    string    `db:"outcome"`
	CreatedAt  time.Time `db:"created_at"`
	MovedAt    time.Time `db:"moved_at"`
}

// concludedCases returns the assigned cases whose status is final and whose last
// status move fell in [from, to). A case's updated_at is at or after its last
// move, so only cases updated since from are looked at; the last move is found
// here in Go, as the two dialects disagree on the type of max() over a time.
func concludedCases(ctx context.Context, tx *sqlx.Tx, from, to time.Time) (map[int64]*concluded, error) {
	final := statusesWhereFinal(true)
	q := tx.Rebind(`SELECT c.id, c.assignee_id, c.outcome, c.created_at, e.created_at AS moved_at
		FROM cases c JOIN case_events e ON e.case_id = c.id AND e.kind = ?
		WHERE c.assignee_id IS NOT NULL AND c.updated_at >= ?
		AND c.status IN (` + placeholders(len(final)) + `)`)
	var rows []concluded
	args := append([]any{storage.EventStatusChange, from}, final...)
	if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("select concluded cases: %w", err)
	}
	last := map[int64]*concluded{}
	for i := range rows {
		r := &rows[i]
		if cur := last[r.ID]; cur == nil || r.MovedAt.After(cur.MovedAt) {
			last[r.ID] = r
		}
	}
	for id, r := range last {
		if r.MovedAt.Before(from) || !r.MovedAt.Before(to) {
			delete(last, id)
		}
	}
	return last, nil
}

// workloadRows builds one row per staff member who is active or has open cases.
func workloadRows(
	ctx context.Context, tx *sqlx.Tx, open map[int64]int, done map[int64]*concluded,
) ([]*storage.Workload, error) {
	staff := []*storage.Staff{}
	if err := tx.SelectContext(ctx, &staff, "SELECT "+staffColumns+" FROM staff"); err != nil {
		return nil, fmt.Errorf("select staff: %w", err)
	}
	byID := map[int64]*storage.Workload{}
	var out []*storage.Workload
	for _, s := range staff {
		if s.Disabled && open[s.ID] == 0 {
			continue
		}
		w := &storage.Workload{StaffID: s.ID, Name: s.Name, Role: s.Role, Open: open[s.ID]}
		byID[s.ID] = w
		out = append(out, w)
	}
	days := map[int64]float64{}
	for _, c := range done {
		w := byID[c.AssigneeID]
		if w == nil {
			continue // a disabled account with nothing open
		}
		w.Concluded++
		if c.Outcome == storage.OutcomeAgreement || c.Outcome == storage.OutcomeSettled {
			w.Mediated++
		}
		days[w.StaffID] += c.MovedAt.Sub(c.CreatedAt).Hours() / 24
	}
	for _, w := range out {
		if w.Concluded > 0 {
			w.MediationRate = float64(w.Mediated) / float64(w.Concluded)
			w.AverageDays = days[w.StaffID] / float64(w.Concluded)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].StaffID < out[j].StaffID
	})
	return out, nil
}
