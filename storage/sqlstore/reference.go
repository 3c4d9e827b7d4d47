package sqlstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// deskReference is the reference data a filing reads to route the case and
// compute its due day: the routing rules, the unit tree, the teams, the clock
// limits and the calendar, as of one reference version (migration 00029: every
// change to those tables bumps the version in its own transaction). It is
// never changed once built; a DB keeps the latest one it loaded.
type deskReference struct {
	version  int64
	rules    []*storage.RoutingRule
	units    []*storage.Unit // every unit, as ListUnits returns them
	tree     *storage.UnitTree
	teams    []teamPlace
	clocks   *clockSettings
	days     []*storage.DayException // every exception, by day
	calendar atomic.Pointer[datedCalendar]
}

// teamPlace is what routing needs of a team: its unit and whether it is its
// unit's default team.
type teamPlace struct {
	ID      int64 `db:"id"`
	UnitID  int64 `db:"unit_id"`
	Default bool  `db:"is_default"`
}

// datedCalendar is the calendar from one day (China time) on.
type datedCalendar struct {
	from string
	cal  *storage.Calendar
}

// referenceVersionSQL reads the version of the reference data.
const referenceVersionSQL = "SELECT version FROM reference_version WHERE id = 1"

// filingMerchantColumn finds the one live merchant whose name or alias has
// exactly the key (0 when none or several do: then staff choose).
const filingMerchantColumn = `(SELECT CASE WHEN count(*) = 1 THEN min(x.id) ELSE 0 END FROM (
		SELECT id FROM merchants WHERE merged_into IS NULL AND name_key = ?
		UNION SELECT a.merchant_id FROM merchant_aliases a JOIN merchants m ON m.id = a.merchant_id
		WHERE m.merged_into IS NULL AND a.alias_key = ?) x) AS merchant_id`

// filingCommitColumn, on PostgreSQL, makes the filing's transaction commit
// without waiting for its WAL to reach the disk (see awaitDurable for why and
// what makes it safe); the setting ends with the transaction. SQLite's
// stand-in keeps the columns alike.
func filingCommitColumn(tx *sqlx.Tx) string {
	if isPostgres(tx) {
		return `set_config('synchronous_commit', 'off', true) AS async_commit`
	}
	return `'' AS async_commit`
}

// filingLookup returns the reference version and the id of the registry
// merchant the typed name names exactly (0 for none), in one round trip, the
// filing's first; on PostgreSQL it also turns the transaction's synchronous
// commit off.
func filingLookup(ctx context.Context, tx *sqlx.Tx, typed string) (version, merchantID int64, err error) {
	merchant, args := "0 AS merchant_id", []any(nil)
	if key := storage.MerchantKey(typed); key != "" {
		merchant, args = filingMerchantColumn, []any{key, key}
	}
	q := "SELECT v.version AS version, " + merchant + ", " + filingCommitColumn(tx) +
		" FROM reference_version v WHERE v.id = 1"
	var got struct {
		Version     int64  `db:"version"`
		MerchantID  int64  `db:"merchant_id"`
		AsyncCommit string `db:"async_commit"`
	}
	if err := tx.GetContext(ctx, &got, tx.Rebind(q), args...); err != nil {
		return 0, 0, fmt.Errorf("read reference version and merchant: %w", err)
	}
	return got.Version, got.MerchantID, nil
}

// deskReferenceAt returns the reference data of version, seen by tx: the
// DB's copy when it is of that version, else read afresh in tx. A fresh read
// is kept for the next filings only if the version, read again after it, has
// not moved: then no change was committed between its statements, and the
// copy is exactly the data of that version.
func (d *DB) deskReferenceAt(ctx context.Context, tx *sqlx.Tx, version int64) (*deskReference, error) {
	if ref := d.reference.Load(); ref != nil && ref.version == version {
		return ref, nil
	}
	ref, err := readDeskReference(ctx, tx)
	if err != nil {
		return nil, err
	}
	var after int64
	if err := tx.GetContext(ctx, &after, referenceVersionSQL); err != nil {
		return nil, fmt.Errorf("read reference version: %w", err)
	}
	if after == version {
		ref.version = version
		d.reference.Store(ref)
	}
	return ref, nil
}

// UnitsAt implements storage.UnitStore with the reference data filing keeps:
// the console asks for its scope's units on every request, and a caller whose
// token lookup read the version the instance holds needs no statement at all.
// Otherwise the reference data is read in one snapshot (and kept, as for a
// filing); a change since the caller's read only makes the units newer.
func (d *DB) UnitsAt(ctx context.Context, version int64) ([]*storage.Unit, error) {
	if ref := d.reference.Load(); ref != nil && ref.version == version {
		return ref.units, nil
	}
	var units []*storage.Unit
	err := d.inReadTx(ctx, "read reference data", func(tx *sqlx.Tx) error {
		var now int64
		if err := tx.GetContext(ctx, &now, referenceVersionSQL); err != nil {
			return fmt.Errorf("read reference version: %w", err)
		}
		ref, err := d.deskReferenceAt(ctx, tx, now)
		if err == nil {
			units = ref.units
		}
		return err
	})
	return units, err
}

// readDeskReference reads the reference data in tx.
func readDeskReference(ctx context.Context, tx *sqlx.Tx) (*deskReference, error) {
	rules, err := listRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	units, err := listUnits(ctx, tx)
	if err != nil {
		return nil, err
	}
	var teams []teamPlace
	if err := tx.SelectContext(ctx, &teams, "SELECT id, unit_id, is_default FROM teams"); err != nil {
		return nil, fmt.Errorf("select teams: %w", err)
	}
	clocks, err := loadClockSettings(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	days := []*storage.DayException{}
	if err := tx.SelectContext(ctx, &days, "SELECT day, kind, name FROM calendar_days ORDER BY day"); err != nil {
		return nil, fmt.Errorf("select calendar days: %w", err)
	}
	return &deskReference{rules: rules, units: units, tree: storage.NewUnitTree(units), teams: teams,
		clocks: clocks, days: days}, nil
}

// calendarFrom is the calendar from the date of since (China time) on, as
// calendarFrom reads it from the database: a clock never looks at days before
// its case was received. The last one built is kept, as filings of a day
// share it.
func (r *deskReference) calendarFrom(since time.Time) *storage.Calendar {
	from := since.In(storage.ChinaTime).Format(storage.DateLayout)
	if c := r.calendar.Load(); c != nil && c.from == from {
		return c.cal
	}
	var days []*storage.DayException
	for _, d := range r.days {
		if d.Date >= from {
			days = append(days, d)
		}
	}
	cal := storage.NewCalendar(days)
	r.calendar.Store(&datedCalendar{from: from, cal: cal})
	return cal
}

// due is the due day of a case received at now: its history is the one
// 已提交 period from now, so the clock is computed without reading it back,
// and the case is inserted with its due day.
func (r *deskReference) due(now time.Time) storage.CaseDue {
	h := []storage.StatusPeriod{{Status: storage.StatusSubmitted, Start: now}}
	return storage.DueOf(storage.ComputeClocks(h, r.calendarFrom(now), r.clocks.durations()))
}

// route finds the queue of a case being filed, as routeNewCase does: the team
// of the first routing rule it matches among those that may route a case of
// its unit, else the unit's default team, else none (team 0).
func (r *deskReference) route(nc *storage.NewCase) (teamID int64, rule *storage.RoutingRule) {
	rules, def := routingOf(r.rules, r.tree, r.teams, unitOrRoot(nc.UnitID))
	return storage.RouteCase(rules, nc, def)
}
