package sqlstore

import (
	"bytes"
	"context"
	_ "embed" // the official schedule
	"fmt"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.CalendarStore = (*DB)(nil)

// officialCalendar is the State Council General Office's yearly schedules of
// public holidays and 调休 make-up working days; each year's source is a comment
// line in the file.
//
//go:embed calendar/cn_holidays.csv
var officialCalendar []byte

// OfficialCalendar returns the embedded official schedule, in date order.
func OfficialCalendar() ([]storage.DayException, error) {
	return storage.ParseCalendarCSV(bytes.NewReader(officialCalendar), 0)
}

// calendarColumns lists the calendar_days columns in storage.DayException order.
const calendarColumns = `day, kind, name, updated_at, COALESCE(updated_by, 0) AS updated_by`

// calendarWrite is inWriteTx with the time of the change, which every calendar
// write records.
func (d *DB) calendarWrite(ctx context.Context, op string, fn func(tx *sqlx.Tx, now time.Time) error) error {
	now := dbTime(d.now())
	return d.inWriteTx(ctx, op, func(tx *sqlx.Tx) error { return fn(tx, now) })
}

// ListCalendarDays returns year's exceptions in date order.
func (d *DB) ListCalendarDays(ctx context.Context, year int) ([]*storage.DayException, error) {
	return d.listCalendar(ctx, "WHERE year = ?", year)
}

// ListAllCalendarDays returns every exception in date order.
func (d *DB) ListAllCalendarDays(ctx context.Context) ([]*storage.DayException, error) {
	return d.listCalendar(ctx, "")
}

func (d *DB) listCalendar(ctx context.Context, where string, args ...any) ([]*storage.DayException, error) {
	days := []*storage.DayException{}
	err := d.inReadTx(ctx, "list calendar days", func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT " + calendarColumns + " FROM calendar_days " + where + " ORDER BY day")
		return tx.SelectContext(ctx, &days, q, args...)
	})
	if err != nil {
		return nil, err
	}
	for _, e := range days {
		e.UpdatedAt = e.UpdatedAt.UTC()
	}
	return days, nil
}

// CalendarVersion returns the sum of the years' revisions: every change bumps one.
func (d *DB) CalendarVersion(ctx context.Context) (int64, error) {
	var v int64
	err := d.inReadTx(ctx, "read calendar version", func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &v, "SELECT COALESCE(SUM(revision), 0) FROM calendar_years")
	})
	return v, err
}

// SetCalendarDay inserts or replaces one day's exception, audited.
func (d *DB) SetCalendarDay(ctx context.Context, e storage.DayException, by storage.By) error {
	e, err := storage.CheckDayException(e)
	if err != nil {
		return err
	}
	year := yearOf(e.Date)
	return d.calendarWrite(ctx, "set calendar day", func(tx *sqlx.Tx, now time.Time) error {
		if err := touchCalendarYear(ctx, tx, year, "console", now); err != nil {
			return err
		}
		q := tx.Rebind(`INSERT INTO calendar_days (day, year, kind, name, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name,
				updated_at = excluded.updated_at, updated_by = excluded.updated_by`)
		if _, err := tx.ExecContext(ctx, q, e.Date, year, e.Kind, e.Name, now, nullID(staffOf(by))); err != nil {
			return fmt.Errorf("set calendar day: %w", err)
		}
		detail := fmt.Sprintf("工作日历：%s 设为%s（%s）", e.Date, kindWord(e.Kind), e.Name)
		return auditStaff(ctx, tx, by, storage.AuditCalendar, 0, detail, now)
	})
}

// DeleteCalendarDay removes one day's exception, audited; ENOTFOUND if it had none.
func (d *DB) DeleteCalendarDay(ctx context.Context, date string, by storage.By) error {
	t, err := storage.ParseDay(date)
	if err != nil {
		return err
	}
	date = t.Format(storage.DateLayout)
	return d.calendarWrite(ctx, "delete calendar day", func(tx *sqlx.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, tx.Rebind("DELETE FROM calendar_days WHERE day = ?"), date)
		if err != nil {
			return fmt.Errorf("delete calendar day: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return storage.Errorf(storage.ENOTFOUND, "%s 本来就没有例外安排。", date)
		}
		if err := touchCalendarYear(ctx, tx, yearOf(date), "console", now); err != nil {
			return err
		}
		detail := fmt.Sprintf("工作日历：%s 恢复为平常日", date)
		return auditStaff(ctx, tx, by, storage.AuditCalendar, 0, detail, now)
	})
}

// ImportCalendarYear replaces a year's exceptions with days, audited.
func (d *DB) ImportCalendarYear(ctx context.Context, year int, days []storage.DayException, by storage.By) error {
	checked, err := checkYear(year, days)
	if err != nil {
		return err
	}
	return d.calendarWrite(ctx, "import calendar year", func(tx *sqlx.Tx, now time.Time) error {
		if err := replaceCalendarYear(ctx, tx, year, checked, "import", staffOf(by), now); err != nil {
			return err
		}
		detail := fmt.Sprintf("工作日历：导入 %d 年，共 %d 天例外安排", year, len(checked))
		return auditStaff(ctx, tx, by, storage.AuditCalendar, 0, detail, now)
	})
}

// SeedCalendar writes the embedded official schedule into every year the
// database has never held (no calendar_years row) and returns those years. It
// runs at start-up, after Migrate, rather than in a migration: a migration runs
// once, so years added to the file in a later release would never arrive, while
// a year that has a row, even one an admin emptied, is left alone. Instances
// starting together are safe: the insert of the year's row conflicts for all but
// one of them.
func (d *DB) SeedCalendar(ctx context.Context) ([]int, error) {
	all, err := OfficialCalendar()
	if err != nil {
		return nil, fmt.Errorf("sqlstore: embedded calendar: %w", err)
	}
	byYear := map[int][]storage.DayException{}
	var years []int
	for _, e := range all {
		y := yearOf(e.Date)
		if byYear[y] == nil {
			years = append(years, y)
		}
		byYear[y] = append(byYear[y], e)
	}
	var seeded []int
	for _, y := range years {
		ok, err := d.seedCalendarYear(ctx, y, byYear[y])
		if err != nil {
			return seeded, err
		}
		if ok {
			seeded = append(seeded, y)
		}
	}
	return seeded, nil
}

func (d *DB) seedCalendarYear(ctx context.Context, year int, days []storage.DayException) (bool, error) {
	seeded := false
	err := d.calendarWrite(ctx, "seed calendar year", func(tx *sqlx.Tx, now time.Time) error {
		q := tx.Rebind(`INSERT INTO calendar_years (year, source, revision, updated_at)
			VALUES (?, 'official', 1, ?) ON CONFLICT (year) DO NOTHING`)
		res, err := tx.ExecContext(ctx, q, year, now)
		if err != nil {
			return fmt.Errorf("claim calendar year: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		seeded = true
		return insertCalendarDays(ctx, tx, year, days, 0, now)
	})
	return seeded, err
}

// replaceCalendarYear deletes year's days and inserts days, bumping the revision.
func replaceCalendarYear(
	ctx context.Context, tx *sqlx.Tx, year int, days []storage.DayException, source string, staffID int64, now time.Time,
) error {
	if err := touchCalendarYear(ctx, tx, year, source, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind("DELETE FROM calendar_days WHERE year = ?"), year); err != nil {
		return fmt.Errorf("clear calendar year: %w", err)
	}
	return insertCalendarDays(ctx, tx, year, days, staffID, now)
}

func insertCalendarDays(
	ctx context.Context, tx *sqlx.Tx, year int, days []storage.DayException, staffID int64, now time.Time,
) error {
	q := tx.Rebind(`INSERT INTO calendar_days (day, year, kind, name, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?)`)
	for _, e := range days {
		if _, err := tx.ExecContext(ctx, q, e.Date, year, e.Kind, e.Name, now, nullID(staffID)); err != nil {
			return fmt.Errorf("insert calendar day: %w", err)
		}
	}
	return nil
}

// touchCalendarYear creates the year's row or bumps its revision, so that every
// instance sees the calendar's version move.
func touchCalendarYear(ctx context.Context, tx *sqlx.Tx, year int, source string, now time.Time) error {
	q := tx.Rebind(`INSERT INTO calendar_years (year, source, revision, updated_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (year) DO UPDATE SET source = excluded.source,
			revision = calendar_years.revision + 1, updated_at = excluded.updated_at`)
	if _, err := tx.ExecContext(ctx, q, year, source, now); err != nil {
		return fmt.Errorf("bump calendar year: %w", err)
	}
	return nil
}

// checkYear checks each day and that all fall in year, once each.
func checkYear(year int, days []storage.DayException) ([]storage.DayException, error) {
	if year < 2000 || year > 2100 {
		return nil, storage.Errorf(storage.EINVALID, "年份应在 2000 到 2100 之间。")
	}
	seen := map[string]bool{}
	out := make([]storage.DayException, 0, len(days))
	for _, e := range days {
		e, err := storage.CheckDayException(e)
		if err != nil {
			return nil, err
		}
		if yearOf(e.Date) != year {
			return nil, storage.Errorf(storage.EINVALID, "日期 %s 不在 %d 年。", e.Date, year)
		}
		if seen[e.Date] {
			return nil, storage.Errorf(storage.EINVALID, "日期 %s 重复。", e.Date)
		}
		seen[e.Date] = true
		out = append(out, e)
	}
	return out, nil
}

// yearOf is the year of a checked YYYY-MM-DD date.
func yearOf(date string) int {
	y, _ := strconv.Atoi(date[:4])
	return y
}

func staffOf(by storage.By) int64 {
	id, _ := storage.StaffIDFromActor(by.Actor)
	return id
}

func kindWord(kind string) string {
	if kind == storage.DayWork {
		return "调休上班"
	}
	return "放假"
}
