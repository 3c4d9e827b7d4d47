package testenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that notes a skip or a failure, then ends the goroutine
// as the real ones do, without touching the test that runs it.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a fresh recorder on its own goroutine, which Skip and Fatalf
// end, and returns the recorder.
func run(t *testing.T, f func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestSkipOrFailSkipsLocallyAndFailsInCI(t *testing.T) {
	t.Setenv(EnvRequire, "")
	skip := func(t testing.TB) { SkipOrFail(t, "no %s here", "widget") }
	r := run(t, skip)
	if r.skipped != "no widget here" || r.failed != "" {
		t.Fatalf("without %s: skipped %q, failed %q", EnvRequire, r.skipped, r.failed)
	}

	t.Setenv(EnvRequire, "1")
	r = run(t, skip)
	if r.skipped != "" || !strings.Contains(r.failed, "no widget here") || !strings.Contains(r.failed, EnvRequire) {
		t.Fatalf("with %s=1: skipped %q, failed %q", EnvRequire, r.skipped, r.failed)
	}
}

func TestClockStandsStillUntilMoved(t *testing.T) {
	start := time.Date(2026, 3, 15, 9, 30, 0, 0, time.UTC)
	c := NewClock(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	c.Advance(90 * time.Minute)
	if got, want := c.Now(), start.Add(90*time.Minute); !got.Equal(want) {
		t.Fatalf("after Advance: %v, want %v", got, want)
	}
}

func TestWallClockFollowsRealTimeShifted(t *testing.T) {
	c := NewWallClock()
	c.Advance(48 * time.Hour)
	before := time.Now().Add(48 * time.Hour)
	got := c.Now()
	after := time.Now().Add(48 * time.Hour)
	if got.Before(before) || got.After(after) {
		t.Fatalf("Now = %v, want between %v and %v", got, before, after)
	}
}

// fakeDB records what the database helpers do with it.
type fakeDB struct {
	target   string
	migrated bool
	closed   bool
}

func (d *fakeDB) Migrate(context.Context) error { d.migrated = true; return nil }
func (d *fakeDB) Close() error                  { d.closed = true; return nil }

func TestOpenMigratedMigratesAndClosesAtTheEnd(t *testing.T) {
	var db *fakeDB
	open := func(_ context.Context, target string) (*fakeDB, error) { return &fakeDB{target: target}, nil }
	t.Run("use", func(t *testing.T) {
		db = SQLite(t, open)
		if !db.migrated || db.closed {
			t.Fatalf("during the test: migrated %v, closed %v", db.migrated, db.closed)
		}
		if _, err := os.Stat(db.target); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("SQLite path %s should not exist yet: %v", db.target, err)
		}
	})
	if !db.closed {
		t.Fatal("not closed when the test ended")
	}
}

// TestPostgresURLGivesAFreshSchemaDroppedAtTheEnd checks both ways of keeping
// tests apart: a schema of their own, or with EnvPostgresPerDatabase (behind
// PgBouncer) a database of their own.
func TestPostgresURLGivesAFreshSchemaDroppedAtTheEnd(t *testing.T) {
	perDatabase := os.Getenv(EnvPostgresPerDatabase) == "1"
	var name string
	t.Run("use", func(t *testing.T) {
		db, err := sql.Open("postgres", PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var database, schema string
		if err := db.QueryRow("SELECT current_database(), current_schema()").Scan(&database, &schema); err != nil {
			t.Fatal(err)
		}
		name = schema
		if perDatabase {
			name = database
		}
		if !strings.HasPrefix(name, "cbtest_") {
			t.Fatalf("current_database() = %q, current_schema() = %q, want a cbtest_ one (per database: %v)",
				database, schema, perDatabase)
		}
	})
	if t.Skipped() || name == "" {
		return
	}
	admin, err := sql.Open("postgres", oneRoundTrip(os.Getenv(EnvPostgresURL)))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	q := "SELECT count(*) FROM pg_namespace WHERE nspname = $1"
	if perDatabase {
		q = "SELECT count(*) FROM pg_database WHERE datname = $1"
	}
	var n int
	if err := admin.QueryRow(q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%s left behind", name)
	}
}

// TestRealRedisKeysAreDeletedAtTheEnd writes keys under several hash tags, which
// a Redis Cluster spreads over its masters, so the clean-up must visit them all.
func TestRealRedisKeysAreDeletedAtTheEnd(t *testing.T) {
	var keys []string
	t.Run("use", func(t *testing.T) {
		rdb, prefix := NewRealRedis(t)
		for _, tag := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
			key := prefix + ":{" + tag + "}:probe"
			if err := rdb.Set(context.Background(), key, "x", time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, key)
		}
	})
	if len(keys) == 0 {
		return // skipped
	}
	rdb, _ := NewRealRedis(t)
	for _, key := range keys {
		if n, err := rdb.Exists(context.Background(), key).Result(); err != nil || n != 0 {
			t.Fatalf("key %s after the test: exists %d, %v", key, n, err)
		}
	}
}

func TestChromiumIsAnExecutable(t *testing.T) {
	path := Chromium(t)
	info, err := os.Stat(path)
	if err != nil || info.Mode()&0o111 == 0 {
		t.Fatalf("Chromium() = %q: %v, mode %v", path, err, info.Mode())
	}
}
