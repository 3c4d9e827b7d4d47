package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// failingMerchant is the merchant name whose filings the injected fault fails.
const failingMerchant = "注入故障商店"

// injectNumberingFault makes the database refuse to number a case of
// failingMerchant: the filing fails after it has taken a number from the
// counter, the latest point before COMMIT where a filing can fail.
func injectNumberingFault(t *testing.T, db *DB) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER fail_numbering BEFORE UPDATE OF number ON cases
		WHEN NEW.merchant_name = '` + failingMerchant + `'
		BEGIN SELECT RAISE(ABORT, 'injected numbering fault'); END`}
	if db.dialect == DialectPostgres {
		stmts = []string{`CREATE FUNCTION fail_numbering() RETURNS trigger LANGUAGE plpgsql
			AS $$ BEGIN RAISE EXCEPTION 'injected numbering fault'; END $$`,
			`CREATE TRIGGER fail_numbering BEFORE UPDATE OF number ON cases FOR EACH ROW
			WHEN (NEW.merchant_name = '` + failingMerchant + `') EXECUTE FUNCTION fail_numbering()`}
	}
	for _, s := range stmts {
		if _, err := db.db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConcurrentFilingsNumberedGaplessDespiteFailures files many cases at once
// from two pools (two instances), into an auto-assigning default team, while
// every seventh filing fails after taking its number: the cases that were filed
// hold exactly the numbers 1..N, each with its routing, assignee, timeline and
// status period, the failed ones left nothing, and the next case is N+1.
func TestConcurrentFilingsNumberedGaplessDespiteFailures(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		ctx := context.Background()
		dbs := []*DB{testenv.OpenMigrated(t, Open, target), testenv.Open(t, Open, target)}
		for _, db := range dbs {
			setClock(db, time.Date(2026, 3, 15, 10, 0, 0, 0, cst))
		}
		db := dbs[0]
		var members []int64
		for i := range 3 {
			members = append(members, mustStaff(t, db, fmt.Sprint("med", i), fmt.Sprint("调解员", i), storage.RoleMediator).ID)
		}
		team := mustTeam(t, db, "综合", true, true, members...)
		injectNumberingFault(t, db)

		// SQLite takes writers one at a time, each waiting at most its busy
		// timeout (5 s), so it gets fewer at once; the race is PostgreSQL's.
		n, failEvery := 42, 7
		if db.dialect == DialectSQLite {
			n = 14
		}
		for _, d := range dbs {
			warmPool(t, d, n/len(dbs)+1)
		}
		cases, errs := make([]*storage.Case, n), make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				nc := newCase(fmt.Sprint("draft-", i))
				if i%failEvery == 0 {
					nc.MerchantName = failingMerchant
				}
				<-start
				cases[i], errs[i] = dbs[i%len(dbs)].CreateCase(ctx, "TS", nc)
			})
		}
		close(start)
		wg.Wait()

		var numbers []string
		for i, err := range errs {
			switch {
			case i%failEvery == 0 && (err == nil || !strings.Contains(err.Error(), "injected numbering fault")):
				t.Fatalf("filing %d should fail by the injected fault, got %v", i, err)
			case i%failEvery != 0 && err != nil:
				t.Fatalf("filing %d: %v", i, err)
			case err == nil:
				numbers = append(numbers, cases[i].Number)
				checkFiled(t, db, cases[i], team.ID)
			}
		}
		filed := n - n/failEvery
		slices.Sort(numbers)
		for i, got := range numbers {
			if got != number(i+1) {
				t.Fatalf("sorted numbers = %v, want %s..%s without gap or duplicate", numbers, number(1), number(filed))
			}
		}
		if _, total, err := db.FindCases(ctx, storage.CaseFilter{}); err != nil || total != filed {
			t.Fatalf("FindCases total = %d, %v; want %d: a failed filing must leave no case", total, err, filed)
		}
		if next := mustCreate(t, dbs[1], newCase("after")); next.Number != number(filed+1) {
			t.Fatalf("next number = %s, want %s: a failed filing burnt a number", next.Number, number(filed+1))
		}
	})
}

// checkFiled checks what a filed case must have: its number stored, its team
// and assignee, its submitted event and routing note, and its status period.
func checkFiled(t *testing.T, db *DB, c *storage.Case, teamID int64) {
	t.Helper()
	ctx := context.Background()
	stored, err := db.FindCaseByNumber(ctx, c.Number)
	if err != nil || stored.ID != c.ID {
		t.Fatalf("case %s by number: %+v, %v", c.Number, stored, err)
	}
	if stored.TeamID != teamID || stored.AssigneeID == 0 || stored.DueKind == "" || stored.DueOn == "" {
		t.Fatalf("case %s: team %d, assignee %d, due %q %q; want routed, assigned and due",
			c.Number, stored.TeamID, stored.AssigneeID, stored.DueKind, stored.DueOn)
	}
	events, err := db.ListEvents(ctx, c.ID)
	if err != nil || len(events) != 2 || events[0].Kind != storage.EventSubmitted || events[1].Kind != storage.EventNote {
		t.Fatalf("case %s events = %+v, %v; want the submission and the routing note", c.Number, events, err)
	}
	var periods int
	if err := db.db.Get(&periods, db.db.Rebind("SELECT count(*) FROM case_status_periods WHERE case_id = ?"), c.ID); err != nil || periods != 1 {
		t.Fatalf("case %s has %d status periods (%v), want 1", c.Number, periods, err)
	}
}

// TestMassDetectorConcurrentFilingsCrossTheThresholdTogether files, all at
// once, exactly as many cases of one merchant as the threshold: none of them
// crosses it alone, so the detector must see the others' cases, and they end
// in one group.
func TestMassDetectorConcurrentFilingsCrossTheThresholdTogether(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		const n = 6
		db.MassRule = storage.MassRule{Threshold: n, Window: 24 * time.Hour}
		warmPool(t, db, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = db.CreateCase(context.Background(), "TS", massCase(fmt.Sprint("together", i), "齐心药房"))
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("filing %d: %v", i, err)
			}
		}
		if g := mustGroups(t, db, nil); len(g) != 1 || g[0].CaseCount != n {
			t.Fatalf("groups = %+v; want one group of all %d cases", g, n)
		}
	})
}

// TestCaseNumberPastSixDigits: the millionth case of a year and the one after
// are numbered as storage.FormatCaseNumber formats them (PostgreSQL formats the
// number in SQL, see assignNumberPostgres).
func TestCaseNumberPastSixDigits(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		if _, err := db.db.Exec(`INSERT INTO case_numbers (prefix, year, last_seq) VALUES ('TS', 2026, 999998)`); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"TS-2026-999999", "TS-2026-1000000"} {
			if c := mustCreate(t, db, newCase(want)); c.Number != want {
				t.Fatalf("number = %s, want %s", c.Number, want)
			}
			if _, err := db.FindCaseByNumber(context.Background(), want); err != nil {
				t.Fatalf("FindCaseByNumber(%s): %v", want, err)
			}
		}
	})
}
