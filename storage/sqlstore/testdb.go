package sqlstore

// This file is for tests, in this package and others (the bot's end-to-end tests);
// it imports "testing", so it stays apart from the rest.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Environment variables read by the test helpers (see CONVENTIONS.md, rule 7).
const (
	// EnvTestPostgresURL is a URL of a Postgres server and database where tests may
	// create and drop schemas, e.g.
	// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
	EnvTestPostgresURL = "COMPLAINTBOT_TEST_POSTGRES_URL"

	// EnvTestRequire set to 1 (in CI) makes a test that needs a missing server fail
	// instead of skipping.
	EnvTestRequire = "COMPLAINTBOT_TEST_REQUIRE"
)

// OpenTest returns a migrated DB on a fresh SQLite file in t.TempDir(), closed when
// the test ends.
func OpenTest(t testing.TB) *DB {
	t.Helper()
	return openMigrated(t, newTestSQLitePath(t))
}

// OpenTestPostgres returns a migrated DB in a fresh Postgres schema, closed and dropped
// when the test ends. Without EnvTestPostgresURL it skips the test, or fails it if
// EnvTestRequire is 1.
func OpenTestPostgres(t testing.TB) *DB {
	t.Helper()
	return openMigrated(t, newTestPostgresURL(t))
}

// newTestSQLitePath returns the path of a SQLite file that does not exist yet.
func newTestSQLitePath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "complaintbot.db")
}

// newTestPostgresURL creates an empty schema on the test server and returns a URL
// whose connections use it: lib/pq sends unknown URL parameters, here search_path, as
// run-time parameters at connection start. Tables, goose's version table included,
// land in that schema, so parallel runs and packages never see each other's rows. The
// schema is dropped when the test ends.
func newTestPostgresURL(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvTestPostgresURL)
	if server == "" {
		if os.Getenv(EnvTestRequire) == "1" {
			t.Fatalf("%s is not set and %s=1", EnvTestPostgresURL, EnvTestRequire)
		}
		t.Skipf("%s is not set", EnvTestPostgresURL)
	}
	schema := "cbtest_" + randomHex(t, 8)
	admin, err := sql.Open("postgres", server)
	if err != nil {
		t.Fatalf("open test postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	installTrigrams(t, admin)
	execAdmin(t, admin, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { execAdmin(t, admin, "DROP SCHEMA "+schema+" CASCADE") })
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvTestPostgresURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// trigramsOnce makes installTrigrams try once per test binary.
var trigramsOnce sync.Once

// installTrigrams creates the pg_trgm extension, if the server has it, in the test
// database's default schema, before any test schema exists. An extension lives
// once per database: left to migration 00003, it would land in the first test
// schema to migrate and be dropped with it (CASCADE), taking the trigram indexes of
// every other test schema along. The migration finds it wherever it is. An advisory
// lock keeps test binaries running at once from racing to create it. Failure is
// logged, not fatal: the migration then goes without trigram indexes.
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

func execAdmin(t testing.TB, db *sql.DB, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// openMigrated opens the database at target (a URL or path), migrates it and closes
// it when the test ends.
func openMigrated(t testing.TB, target string) *DB {
	t.Helper()
	db := openUnmigrated(t, target)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", db, err)
	}
	return db
}

// openUnmigrated opens the database at target and closes it when the test ends.
func openUnmigrated(t testing.TB, target string) *DB {
	t.Helper()
	db, err := Open(context.Background(), target)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
