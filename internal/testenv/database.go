package testenv

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // registers the "postgres" driver for the admin connection
)

// DB is what the helpers need of a database handle; *sqlstore.DB has it. They take
// the handle's Open function as an argument instead of importing sqlstore, so that
// sqlstore's own tests can use them without an import cycle.
type DB interface {
	Migrate(ctx context.Context) error
	Close() error
}

// SQLite returns a migrated database on a fresh SQLite file in t.TempDir(), opened
// with open (sqlstore.Open) and closed when the test ends.
func SQLite[T DB](t testing.TB, open func(context.Context, string) (T, error)) T {
	t.Helper()
	return OpenMigrated(t, open, SQLitePath(t))
}

// Postgres returns a migrated database in a fresh schema on the server named by
// EnvPostgresURL, opened with open (sqlstore.Open), closed and dropped when the
// test ends. Without the variable it skips the test, or fails it when EnvRequire
// is "1" (SkipOrFail).
func Postgres[T DB](t testing.TB, open func(context.Context, string) (T, error)) T {
	t.Helper()
	return OpenMigrated(t, open, PostgresURL(t))
}

// OpenMigrated opens the database at target (a URL or path) with open, migrates it
// and closes it when the test ends.
func OpenMigrated[T DB](t testing.TB, open func(context.Context, string) (T, error), target string) T {
	t.Helper()
	db := Open(t, open, target)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %v: %v", db, err)
	}
	return db
}

// Open opens the database at target with open, without migrating it, and closes
// it when the test ends.
func Open[T DB](t testing.TB, open func(context.Context, string) (T, error), target string) T {
	t.Helper()
	db, err := open(context.Background(), target)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// SQLitePath returns the path of a SQLite file that does not exist yet, in
// t.TempDir().
func SQLitePath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "complaintbot.db")
}

// PostgresURL creates an empty schema on the server named by EnvPostgresURL and
// returns a URL whose connections use it: lib/pq sends unknown URL parameters, here
// search_path, as run-time parameters at connection start. Tables, goose's version
// table included, land in that schema, so parallel runs and packages never see
// each other's rows. The schema is dropped when the test ends. With
// EnvPostgresPerDatabase set to "1" (a server behind PgBouncer, which refuses
// that start-up parameter) it creates a database instead, reached by name. Without
// EnvPostgresURL it skips the test, or fails it when EnvRequire is "1" (SkipOrFail).
func PostgresURL(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvPostgresURL)
	if server == "" {
		SkipOrFail(t, "%s is not set", EnvPostgresURL)
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgresURL, err)
	}
	name := "cbtest_" + randomHex(8)
	admin, err := sql.Open("postgres", server)
	if err != nil {
		t.Fatalf("open test postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	if os.Getenv(EnvPostgresPerDatabase) == "1" {
		// CREATE DATABASE cannot run in a transaction; Exec without arguments is
		// one simple query, which PgBouncer passes on as it is.
		execAdmin(t, admin, "CREATE DATABASE "+name)
		t.Cleanup(func() { execAdmin(t, admin, "DROP DATABASE "+name+" WITH (FORCE)") })
		u.Path = "/" + name
		return u.String()
	}
	installTrigrams(t, admin)
	execAdmin(t, admin, "CREATE SCHEMA "+name)
	t.Cleanup(func() { execAdmin(t, admin, "DROP SCHEMA "+name+" CASCADE") })
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// trigramsOnce makes installTrigrams try once per test binary.
var trigramsOnce sync.Once

// installTrigrams creates the pg_trgm extension, if the server has it, in the test
// database's default schema, before any test schema exists. An extension lives
// once per database: left to sqlstore's migration 00003, it would land in the
// first test schema to migrate and be dropped with it (CASCADE), taking the
// trigram indexes of every other test schema along. The migration finds it
// wherever it is. An advisory lock keeps test binaries running at once from racing
// to create it. Failure is logged, not fatal: the migration then goes without
// trigram indexes.
func installTrigrams(t testing.TB, admin *sql.DB) {
	trigramsOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		tx, err := admin.BeginTx(ctx, nil)
		if err != nil {
			t.Logf("install pg_trgm: %v", err)
			return
		}
		defer tx.Rollback()
		_, err = tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext('complaintbot pg_trgm'))")
		if err == nil {
			_, err = tx.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm")
		}
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			t.Logf("install pg_trgm (search tests run without trigram indexes): %v", err)
		}
	})
}

// execAdmin runs stmt on the admin connection or fails the test.
func execAdmin(t testing.TB, db *sql.DB, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
