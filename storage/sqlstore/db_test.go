package sqlstore

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

func TestMigrateConcurrently(t *testing.T) {
	for _, state := range []string{"fresh", "pending"} {
		t.Run(state, func(t *testing.T) {
			eachTarget(t, func(t *testing.T, target string) {
				testMigrateConcurrently(t, target, state == "pending")
			})
		})
	}
}

// testMigrateConcurrently starts four instances together on target, one of them
// calling Migrate twice. With pending, goose's version table exists beforehand, as
// when a release brings a new migration: then nothing but the lock staggers the
// migrators.
func testMigrateConcurrently(t *testing.T, target string, pending bool) {
	ctx := context.Background()
	var dbs []*DB
	for range 4 {
		dbs = append(dbs, testenv.Open(t, Open, target))
	}
	dbs = append(dbs, dbs[1])
	if pending {
		p, err := dbs[0].newMigrator()
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := p.HasPending(ctx); !ok || err != nil {
			t.Fatalf("HasPending = %v, %v; want true", ok, err)
		}
	}
	errs := make([]error, len(dbs))
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent Migrate: %v", err)
	}
	if err := dbs[0].Migrate(ctx); err != nil {
		t.Fatalf("Migrate on a migrated database: %v", err)
	}
	if c := mustCreate(t, dbs[2], newCase("after-migrate")); c.Number == "" {
		t.Fatal("no number after migrating")
	}
}

func TestOpenDialect(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := testenv.Open(t, Open, d.newTarget(t))
			if db.Dialect() != d.name {
				t.Fatalf("Dialect() = %q, want %q", db.Dialect(), d.name)
			}
			if err := db.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpenSQLiteCreatesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "var", "lib", "complaintbot.db")
	db := testenv.OpenMigrated(t, Open, path)
	mustCreate(t, db, newCase("k"))
	// A second instance sees the first one's case.
	found, err := testenv.Open(t, Open, path).FindCaseByNumber(context.Background(), number(1))
	if err != nil || found.IntakeKey != "k" {
		t.Fatalf("FindCaseByNumber from a second pool = %v, %v", found, err)
	}
}

func TestOpenSQLiteMemory(t *testing.T) {
	db := testenv.OpenMigrated(t, Open, MemoryPath)
	numbers := createConcurrently(t, []*DB{db}, 10, func(i int) string { return string(rune('a' + i)) })
	if len(numbers) != 10 {
		t.Fatalf("created %d cases, want 10", len(numbers))
	}
	_, total, err := db.FindCases(context.Background(), storage.CaseFilter{})
	if err != nil || total != 10 {
		t.Fatalf("total = %d, %v; want 10", total, err)
	}
}

func TestOpenUnreachablePostgres(t *testing.T) {
	// Port 1 on loopback refuses connections; no server is needed.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://nobody:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=5")
	wantCode(t, err, storage.EUNAVAILABLE)
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Fatalf("error %v does not wrap the *net.OpError cause", err)
	}
}

func TestOpenInvalidSQLitePath(t *testing.T) {
	for _, path := range []string{"", "db.sqlite?mode=ro"} {
		_, err := Open(context.Background(), path)
		wantCode(t, err, storage.EINVALID)
	}
}

func TestStringHidesPassword(t *testing.T) {
	d := &DB{dialect: DialectPostgres, url: "postgres://app:hunter2@db:5432/cb"}
	if s := d.String(); s != "postgres://app:xxxxx@db:5432/cb" {
		t.Fatalf("String() = %q", s)
	}
}
