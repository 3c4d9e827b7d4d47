package testenv

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver for Exec's own connection
)

// Handle is a database handle that can name its database: *sqlstore.DB.
type Handle interface {
	String() string  // "sqlite:<path>" or the PostgreSQL URL
	Dialect() string // "sqlite" or "postgres"
}

// sqliteExecParams are sqlstore's connection parameters that matter to rows
// written here: times as Unix microseconds in UTC, foreign keys enforced, and a
// wait rather than a "database is locked" while the store's pool writes.
const sqliteExecParams = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)" +
	"&_time_integer_format=unix_micro&_inttotime=1&_timezone=UTC"

// Exec runs query with args ("?" placeholders, time.Time values as the store
// writes them) on db's database through a connection of its own, and fails the
// test on an error. It lets tests of other packages set up rows that no store
// method writes yet, such as units.
func Exec(t testing.TB, db Handle, query string, args ...any) {
	t.Helper()
	driver, dsn := "postgres", db.String()
	if db.Dialect() == "sqlite" {
		driver, dsn = "sqlite", strings.TrimPrefix(dsn, "sqlite:")+"?"+sqliteExecParams
	} else {
		query, dsn = numberPlaceholders(query), oneRoundTrip(dsn)
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s for a test statement: %v", driver, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// oneRoundTrip sets lib/pq's binary_parameters on a PostgreSQL URL, as sqlstore
// does for its own pool: behind PgBouncer in transaction mode the default
// prepare-then-execute of a query with arguments may lose its unnamed statement
// between the two.
func oneRoundTrip(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Query().Has("binary_parameters") {
		return dsn
	}
	q := u.Query()
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String()
}

// numberPlaceholders turns "?" into PostgreSQL's "$1", "$2", ….
func numberPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestUnit is a unit for AddUnits: a row of the units table. Regions are one
// per line.
type TestUnit struct {
	ID, ParentID                        int64
	Name, Code, Regions, Hotline, Hours string
	Disabled                            bool
}

// AddUnits inserts units under the root that every migrated database has, with
// their ids, for tests that need a system of several units before a store method
// creates them.
func AddUnits(t testing.TB, db Handle, units ...TestUnit) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, u := range units {
		Exec(t, db, `INSERT INTO units (id, parent_id, name, code, regions, hotline, service_hours,
			disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.ParentID, u.Name, u.Code, u.Regions, u.Hotline, u.Hours, u.Disabled, now, now)
	}
	if db.Dialect() == "postgres" {
		// The ids were given: move the sequence past them for units created later.
		Exec(t, db, "SELECT setval(pg_get_serial_sequence('units', 'id'), (SELECT MAX(id) FROM units))")
	}
}
