package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.ClockStore = (*DB)(nil)

// periodColumns lists the case_status_periods columns in storage.StatusPeriod order.
const periodColumns = "status, referral_target, reopen, started_at"

// enterStatusPeriod records that c has just entered its current status (c.Status,
// with c.ReferralTarget for a referral) at now, and stores the due day of the
// clock c now works against, in tx. changeStatus calls it once, at its end, and
// createCase for the first period; c's due fields are updated to match.
func enterStatusPeriod(ctx context.Context, tx *sqlx.Tx, c *storage.Case, reopen bool, now time.Time) error {
	if err := insertStatusPeriod(ctx, tx, c, reopen, now); err != nil {
		return err
	}
	s, err := loadClockSettings(ctx, tx, "")
	if err != nil {
		return err
	}
	clocks, err := caseClocks(ctx, tx, c.ID, s.durations())
	if err != nil {
		return err
	}
	return storeDue(ctx, tx, c, storage.DueOf(clocks))
}

// insertStatusPeriod records that c entered its current status at now, with
// c.ReferralTarget for a referral.
func insertStatusPeriod(ctx context.Context, tx *sqlx.Tx, c *storage.Case, reopen bool, now time.Time) error {
	target := ""
	if c.Status == storage.StatusReferred {
		target = c.ReferralTarget
	}
	q := tx.Rebind(`INSERT INTO case_status_periods (case_id, status, referral_target, reopen, started_at)
		VALUES (?, ?, ?, ?, ?)`)
	if _, err := tx.ExecContext(ctx, q, c.ID, c.Status, target, reopen, now); err != nil {
		return fmt.Errorf("insert status period: %w", err)
	}
	return nil
}

// storeDue writes due into c's row, and into c, when it changed.
func storeDue(ctx context.Context, tx *sqlx.Tx, c *storage.Case, due storage.CaseDue) error {
	if c.DueKind == due.Kind && c.DueOn == due.On && c.DuePaused == due.Paused {
		return nil
	}
	q := tx.Rebind("UPDATE cases SET due_kind = ?, due_on = ?, due_paused = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, due.Kind, due.On, due.Paused, c.ID); err != nil {
		return fmt.Errorf("store due day: %w", err)
	}
	c.DueKind, c.DueOn, c.DuePaused = due.Kind, due.On, due.Paused
	return nil
}

// listStatusPeriods returns the status history of the cases matching where (a
// condition on case_status_periods with ? placeholders), grouped by case, each
// oldest first.
func listStatusPeriods(ctx context.Context, tx *sqlx.Tx, where string, args ...any) (map[int64][]storage.StatusPeriod, error) {
	var rows []struct {
		CaseID int64 `db:"case_id"`
		storage.StatusPeriod
	}
	q := tx.Rebind("SELECT case_id, " + periodColumns + " FROM case_status_periods WHERE " + where +
		" ORDER BY case_id, started_at, id")
	if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("select status periods: %w", err)
	}
	out := map[int64][]storage.StatusPeriod{}
	for _, r := range rows {
		r.Start = r.Start.UTC()
		out[r.CaseID] = append(out[r.CaseID], r.StatusPeriod)
	}
	return out, nil
}

// caseClocks computes the clocks of one case from its history, on the calendar as
// the database holds it now.
func caseClocks(ctx context.Context, tx *sqlx.Tx, caseID int64, d storage.ClockDurations) ([]storage.Clock, error) {
	periods, err := listStatusPeriods(ctx, tx, "case_id = ?", caseID)
	if err != nil {
		return nil, err
	}
	h := periods[caseID]
	if len(h) == 0 {
		return nil, nil
	}
	cal, err := calendarFrom(ctx, tx, h[0].Start)
	if err != nil {
		return nil, err
	}
	return storage.ComputeClocks(h, cal, d), nil
}

// calendarFrom loads the calendar's exceptions from the date of since on: a
// clock never looks at days before its case was received. It is read in the
// caller's transaction, so a due day is computed on the calendar as committed,
// whatever an instance has loaded.
func calendarFrom(ctx context.Context, tx reader, since time.Time) (*storage.Calendar, error) {
	days := []*storage.DayException{}
	q := tx.Rebind("SELECT day, kind, name FROM calendar_days WHERE day >= ? ORDER BY day")
	if err := tx.SelectContext(ctx, &days, q, since.In(storage.ChinaTime).Format(storage.DateLayout)); err != nil {
		return nil, fmt.Errorf("select calendar days: %w", err)
	}
	return storage.NewCalendar(days), nil
}

// clockSettings is the clock_settings row: the limits and the calendar version
// the stored due days were computed with.
type clockSettings struct {
	Acceptance        int   `db:"acceptance_days"`
	Mediation         int   `db:"mediation_days"`
	Merchant          int   `db:"merchant_days"`
	TerminationNotice int   `db:"termination_notice_days"`
	CalendarVersion   int64 `db:"calendar_version"`
}

func (s *clockSettings) durations() storage.ClockDurations {
	return storage.ClockDurations{Acceptance: s.Acceptance, Mediation: s.Mediation,
		Merchant: s.Merchant, TerminationNotice: s.TerminationNotice}.OrDefault()
}

// loadClockSettings reads the settings row; lock is forUpdate's result or "".
func loadClockSettings(ctx context.Context, tx *sqlx.Tx, lock string) (*clockSettings, error) {
	return selectOne[clockSettings](ctx, tx, `SELECT acceptance_days, mediation_days, merchant_days,
		termination_notice_days, calendar_version FROM clock_settings WHERE id = 1`+lock, "clock settings")
}

// CaseClocks returns the clocks of the case, in the order they started, computed
// from its status history with the stored limits on the calendar as the
// database holds it. ENOTFOUND for an unknown case.
func (d *DB) CaseClocks(ctx context.Context, caseID int64) ([]storage.Clock, error) {
	var clocks []storage.Clock
	err := d.inReadTx(ctx, "case clocks", func(tx *sqlx.Tx) error {
		if err := caseExists(ctx, tx, caseID); err != nil {
			return err
		}
		s, err := loadClockSettings(ctx, tx, "")
		if err != nil {
			return err
		}
		clocks, err = caseClocks(ctx, tx, caseID, s.durations())
		return err
	})
	if err != nil {
		return nil, err
	}
	return clocks, nil
}

// dueStatuses are the statuses a case can have a clock in: the open ones, and
// 终止调解 for the notice to both parties.
func dueStatuses() []any {
	out := statusesWhereFinal(false)
	return append(out, storage.StatusTerminated)
}

// RecomputeDueDates stores d as the limits and, if they or the calendar's version
// differ from those the stored due days were computed with, recomputes the due
// day of every case that may have a clock, and returns how many changed. It runs
// in one write transaction that first locks the settings row and then the cases'
// rows, so instances doing it at once (each after loading a new calendar
// version) queue, and all but the first find nothing to do; a status move
// waiting on a case row then computes on the committed calendar itself.
// EINVALID for a limit below 1.
func (d *DB) RecomputeDueDates(ctx context.Context, dur storage.ClockDurations) (int, error) {
	if dur.Acceptance < 1 || dur.Mediation < 1 || dur.Merchant < 1 || dur.TerminationNotice < 1 {
		return 0, storage.Errorf(storage.EINVALID, "clock limits must be at least 1 working day: %s", dur)
	}
	changed := 0
	err := d.inWriteTx(ctx, "recompute due dates", func(tx *sqlx.Tx) error {
		s, err := loadClockSettings(ctx, tx, forUpdate(tx))
		if err != nil {
			return err
		}
		var version int64
		if err := tx.GetContext(ctx, &version, "SELECT COALESCE(SUM(revision), 0) FROM calendar_years"); err != nil {
			return fmt.Errorf("read calendar version: %w", err)
		}
		if s.durations() == dur && s.CalendarVersion == version {
			return errRollback
		}
		q := tx.Rebind(`UPDATE clock_settings SET acceptance_days = ?, mediation_days = ?,
			merchant_days = ?, termination_notice_days = ?, calendar_version = ? WHERE id = 1`)
		_, err = tx.ExecContext(ctx, q, dur.Acceptance, dur.Mediation, dur.Merchant, dur.TerminationNotice, version)
		if err != nil {
			return fmt.Errorf("update clock settings: %w", err)
		}
		changed, err = recomputeAll(ctx, tx, dur)
		return err
	})
	return changed, err
}

// recomputeAll recomputes the stored due of every case in a status that may have
// a clock, or that has one stored, and returns how many changed.
func recomputeAll(ctx context.Context, tx *sqlx.Tx, dur storage.ClockDurations) (int, error) {
	statuses := dueStatuses()
	cond := "(status IN (" + placeholders(len(statuses)) + ") OR due_kind <> '')"
	var cases []*storage.Case
	q := tx.Rebind("SELECT " + caseColumns + " FROM cases WHERE " + cond + " ORDER BY id" + forUpdate(tx))
	if err := tx.SelectContext(ctx, &cases, q, statuses...); err != nil {
		return 0, fmt.Errorf("select cases with clocks: %w", err)
	}
	if len(cases) == 0 {
		return 0, nil
	}
	periods, err := listStatusPeriods(ctx, tx, "case_id IN (SELECT id FROM cases WHERE "+cond+")", statuses...)
	if err != nil {
		return 0, err
	}
	earliest := cases[0].CreatedAt
	for _, c := range cases {
		if c.CreatedAt.Before(earliest) {
			earliest = c.CreatedAt
		}
	}
	cal, err := calendarFrom(ctx, tx, earliest)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, c := range cases {
		due := storage.DueOf(storage.ComputeClocks(periods[c.ID], cal, dur))
		before := *c
		if err := storeDue(ctx, tx, c, due); err != nil {
			return 0, err
		}
		if before.DueKind != c.DueKind || before.DueOn != c.DueOn || before.DuePaused != c.DuePaused {
			changed++
		}
	}
	return changed, nil
}
