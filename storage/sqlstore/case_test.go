package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

func TestCreateCaseAndFindByNumber(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		nc := newCase("draft-1")
		c := mustCreate(t, db, nc)
		if c.ID == 0 || c.Number != "TS-2026-000001" || c.Status != storage.StatusSubmitted {
			t.Fatalf("created %+v, want an id, number TS-2026-000001, status submitted", c)
		}
		want := storage.Case{
			ID: c.ID, Number: c.Number, OpenID: nc.OpenID, Status: storage.StatusSubmitted,
			Category: nc.Category, MerchantName: nc.MerchantName,
			MerchantAddress: nc.MerchantAddress, PurchaseDate: nc.PurchaseDate,
			AmountFen: nc.AmountFen, Description: nc.Description, Demand: nc.Demand,
			ComplainantName: nc.ComplainantName, Phone: nc.Phone, IntakeKey: nc.IntakeKey,
			CreatedAt: time.Date(2026, 3, 15, 2, 0, 0, 0, time.UTC),
			UpdatedAt: time.Date(2026, 3, 15, 2, 0, 0, 0, time.UTC),
			// Received on Sunday 15 March: a decision within 7 working days.
			DueKind: storage.ClockAcceptance, DueOn: "2026-03-24",
			UnitID: storage.RootUnitID, // no unit given: the root's
		}
		if !reflect.DeepEqual(*c, want) {
			t.Fatalf("created\n%+v\nwant\n%+v", *c, want)
		}
		found, err := db.FindCaseByNumber(ctx, "TS-2026-000001")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(found, c) {
			t.Fatalf("found\n%+v\nwant\n%+v", found, c)
		}
		_, err = db.FindCaseByNumber(ctx, "TS-2026-000002")
		wantCode(t, err, storage.ENOTFOUND)
	})
}

func TestCreateCaseNumbersConsecutivePerPrefix(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for i := 1; i <= 3; i++ {
			// A lower-case prefix shares the upper-case sequence.
			prefix := map[bool]string{true: "ts", false: "TS"}[i == 2]
			c, err := db.CreateCase(ctx, prefix, newCase(fmt.Sprint("k", i)))
			if err != nil {
				t.Fatal(err)
			}
			if c.Number != number(i) {
				t.Fatalf("case %d number = %s, want %s", i, c.Number, number(i))
			}
		}
		c, err := db.CreateCase(ctx, "ab", newCase("other-prefix"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Number != "AB-2026-000001" {
			t.Fatalf("first AB number = %s, want AB-2026-000001", c.Number)
		}
	})
}

func TestCreateCaseYearRollover(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		// 23:59 on New Year's Eve in China is still 2026 although UTC says 15:59;
		// 00:00:01 on 1 January is 2027 although UTC still says 2026.
		setClock(db, time.Date(2026, 12, 31, 23, 59, 0, 0, cst))
		a := mustCreate(t, db, newCase("eve-1"))
		b := mustCreate(t, db, newCase("eve-2"))
		setClock(db, time.Date(2027, 1, 1, 0, 0, 1, 0, cst))
		c := mustCreate(t, db, newCase("new-year-1"))
		d := mustCreate(t, db, newCase("new-year-2"))
		got := []string{a.Number, b.Number, c.Number, d.Number}
		want := []string{"TS-2026-000001", "TS-2026-000002", "TS-2027-000001", "TS-2027-000002"}
		if !slices.Equal(got, want) {
			t.Fatalf("numbers = %v, want %v", got, want)
		}
	})
}

func TestCreateCaseIdempotentSequential(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		first := mustCreate(t, db, newCase("draft"))
		retry := newCase("draft")
		retry.Description = "a WeChat retry must not change the case"
		setClock(db, time.Date(2026, 3, 16, 9, 0, 0, 0, cst))
		again := mustCreate(t, db, retry)
		if !reflect.DeepEqual(again, first) {
			t.Fatalf("second CreateCase returned\n%+v\nwant the first case\n%+v", again, first)
		}
		events, err := db.ListEvents(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 {
			t.Fatalf("got %d events, want 1", len(events))
		}
		// The retry took no number.
		if next := mustCreate(t, db, newCase("next")); next.Number != number(2) {
			t.Fatalf("next number = %s, want %s", next.Number, number(2))
		}
	})
}

func TestCreateCaseIdempotentConcurrent(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		// Two pools on one database, as two instances would have.
		dbs := []*DB{testenv.OpenMigrated(t, Open, target), testenv.Open(t, Open, target)}
		numbers := createConcurrently(t, dbs, 20, func(int) string { return "same-draft" })
		for _, n := range numbers {
			if n != number(1) {
				t.Fatalf("numbers = %v, want all %s", numbers, number(1))
			}
		}
		_, total, err := dbs[0].FindCases(context.Background(), storage.CaseFilter{})
		if err != nil || total != 1 {
			t.Fatalf("FindCases total = %d, %v; want 1 case", total, err)
		}
		// The losers rolled their numbers back.
		next, err := dbs[0].CreateCase(context.Background(), "TS", newCase("another"))
		if err != nil || next.Number != number(2) {
			t.Fatalf("next case = %v, %v; want number %s", next, err, number(2))
		}
	})
}

func TestCreateCaseConcurrentNumbersGapless(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		dbs := []*DB{testenv.OpenMigrated(t, Open, target), testenv.Open(t, Open, target)}
		numbers := createConcurrently(t, dbs, 50, func(i int) string { return fmt.Sprint("draft-", i) })
		slices.Sort(numbers)
		for i, n := range numbers {
			if n != number(i+1) {
				t.Fatalf("sorted numbers = %v, want %s..%s without gap or duplicate",
					numbers, number(1), number(50))
			}
		}
	})
}

// createConcurrently calls CreateCase n times at once, spread over dbs, with the
// intake keys key(i), and returns the numbers in call order.
func createConcurrently(t *testing.T, dbs []*DB, n int, key func(int) string) []string {
	t.Helper()
	for _, db := range dbs {
		warmPool(t, db, n/len(dbs)+1)
	}
	numbers := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			c, err := dbs[i%len(dbs)].CreateCase(context.Background(), "TS", newCase(key(i)))
			if err == nil {
				numbers[i] = c.Number
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("CreateCase %d: %v", i, err)
		}
	}
	return numbers
}

// warmPool opens up to n connections and keeps them idle, so that concurrent calls
// start together instead of one by one as connections get established.
func warmPool(t testing.TB, db *DB, n int) {
	t.Helper()
	if limit := db.db.Stats().MaxOpenConnections; limit > 0 {
		n = min(n, limit)
	}
	db.db.SetMaxIdleConns(n)
	var conns []*sql.Conn
	for range n {
		conn, err := db.db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
	}
	for _, conn := range conns {
		conn.Close()
	}
}

func TestCreateCaseRollbackLeavesNoGap(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustCreate(t, db, newCase("ok-1"))
		// The schema refuses a negative amount: the insert fails after the number
		// was taken, and the rollback must give the number back.
		bad := newCase("bad")
		bad.AmountFen = -1
		_, err := db.CreateCase(ctx, "TS", bad)
		wantCode(t, err, storage.EINVALID)
		if c := mustCreate(t, db, newCase("ok-2")); c.Number != number(2) {
			t.Fatalf("number after a failed create = %s, want %s", c.Number, number(2))
		}
		_, err = db.FindCaseByNumber(ctx, number(3))
		wantCode(t, err, storage.ENOTFOUND)
	})
}

func TestCreateCaseInvalid(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		missing := newCase("k")
		missing.Phone = ""
		_, err := db.CreateCase(ctx, "TS", missing)
		wantCode(t, err, storage.EINVALID)
		if !strings.Contains(storage.ErrorMessage(err), "phone") {
			t.Fatalf("message %q does not name the missing phone", storage.ErrorMessage(err))
		}
		for _, prefix := range []string{"", "T-S", "投诉", "ABCDEFGHI"} {
			_, err := db.CreateCase(ctx, prefix, newCase("k"))
			wantCode(t, err, storage.EINVALID)
		}
		_, total, err := db.FindCases(ctx, storage.CaseFilter{})
		if err != nil || total != 0 {
			t.Fatalf("total = %d, %v after invalid creates; want 0", total, err)
		}
	})
}

func TestTimesRoundTripInUTC(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		if isPostgresURL(target) {
			// A session in China's zone, as a local server may be configured: lib/pq
			// then returns times in +08:00.
			target += "&timezone=Asia%2FShanghai"
		}
		db := testenv.OpenMigrated(t, Open, target)
		ctx := context.Background()
		// Nanoseconds beyond what databases keep, in a zone that is not UTC.
		now := time.Date(2026, 7, 1, 8, 30, 15, 123_456_789, cst)
		setClock(db, now)
		nc := newCase("times")
		nc.Evidence = []storage.NewEvidence{{Kind: "image", MediaID: "m"}}
		created := mustCreate(t, db, nc)
		found, err := db.FindCaseByNumber(ctx, created.Number)
		if err != nil {
			t.Fatal(err)
		}
		events, err := db.ListEvents(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		evidence, err := db.ListEvidence(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 7, 1, 0, 30, 15, 123_456_000, time.UTC)
		for name, got := range map[string]time.Time{
			"created.CreatedAt": created.CreatedAt, "created.UpdatedAt": created.UpdatedAt,
			"found.CreatedAt": found.CreatedAt, "found.UpdatedAt": found.UpdatedAt,
			"event.CreatedAt": events[0].CreatedAt, "evidence.CreatedAt": evidence[0].CreatedAt,
		} {
			if got != want { // == also compares the location
				t.Errorf("%s = %v (%v), want %v in UTC", name, got, got.Location(), want)
			}
		}
	})
}

// storedCase returns the stored case with the id or fails the test.
func storedCase(t *testing.T, db *DB, id int64) *storage.Case {
	t.Helper()
	found, _, err := db.FindCases(context.Background(), storage.CaseFilter{ID: &id})
	if err != nil || len(found) != 1 {
		t.Fatalf("case %d: %v, %v", id, found, err)
	}
	return found[0]
}

func TestAssignCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		boss := mustStaff(t, db, "boss", "主管甲", storage.RoleSupervisor)
		zhao := mustStaff(t, db, "zhao", "赵调解", storage.RoleMediator)
		c := mustCreate(t, db, newCase("k"))
		advance(db, time.Minute)
		assigned, err := db.AssignCase(ctx, c.ID, &zhao.ID, storage.By{Actor: boss.Actor()})
		if err != nil {
			t.Fatal(err)
		}
		if assigned.AssigneeID != zhao.ID || !assigned.UpdatedAt.Equal(db.Now()) {
			t.Fatalf("assigned %+v, want to %d, updated now", assigned, zhao.ID)
		}
		if stored := storedCase(t, db, c.ID); *stored != *assigned {
			t.Fatalf("stored %+v, want %+v", stored, assigned)
		}
		// Again to the same mediator: nothing changes, nothing is audited.
		if _, err := db.AssignCase(ctx, c.ID, &zhao.ID, storage.By{Actor: boss.Actor()}); err != nil {
			t.Fatal(err)
		}
		cleared, err := db.AssignCase(ctx, c.ID, nil, storage.By{Actor: boss.Actor()})
		if err != nil || cleared.AssigneeID != 0 || storedCase(t, db, c.ID).AssigneeID != 0 {
			t.Fatalf("cleared %+v, %v; want unassigned", cleared, err)
		}
		got := auditSummary(caseAudit(t, db, c.ID))
		want := []string{fmt.Sprintf("assign %d 取消指派", boss.ID), fmt.Sprintf("assign %d 指派给 赵调解", boss.ID)}
		if !slices.Equal(got, want) {
			t.Fatalf("audit %v, want %v", got, want)
		}
	})
}

func TestAssignCaseRefusals(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		boss := mustStaff(t, db, "boss", "主管甲", storage.RoleSupervisor)
		gone := mustStaff(t, db, "gone", "已离职", storage.RoleMediator)
		if err := db.SetStaffDisabled(ctx, gone.ID, true); err != nil {
			t.Fatal(err)
		}
		c := mustCreate(t, db, newCase("k"))
		nobody := gone.ID + 100
		_, err := db.AssignCase(ctx, c.ID, &gone.ID, storage.By{Actor: boss.Actor()})
		wantCode(t, err, storage.EINVALID)
		_, err = db.AssignCase(ctx, c.ID, &nobody, storage.By{Actor: boss.Actor()})
		wantCode(t, err, storage.EINVALID)
		_, err = db.AssignCase(ctx, c.ID, &boss.ID, storage.By{Actor: ""})
		wantCode(t, err, storage.EINVALID)
		_, err = db.AssignCase(ctx, c.ID+1, &boss.ID, storage.By{Actor: boss.Actor()})
		wantCode(t, err, storage.ENOTFOUND)
		if stored := storedCase(t, db, c.ID); *stored != *c {
			t.Fatalf("stored %+v, want it unchanged", stored)
		}
		if n := len(caseAudit(t, db, c.ID)); n != 0 {
			t.Fatalf("%d audit entries after refused assignments, want none", n)
		}
	})
}

func TestConsumerMessagesMarkCaseUnread(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		if c.Unread {
			t.Fatal("a new case is unread")
		}
		add := func(kind storage.EventKind, actor string) {
			t.Helper()
			if _, err := db.AddEvent(ctx, storage.NewEvent{CaseID: c.ID, Kind: kind, Actor: actor, Body: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		// Staff writing and the system do not make a case unread.
		add(storage.EventStaffReply, staff)
		add(storage.EventNote, staff)
		add(storage.EventNote, storage.ActorSystem)
		if storedCase(t, db, c.ID).Unread {
			t.Fatal("staff events made the case unread")
		}
		for _, kind := range []storage.EventKind{storage.EventConsumerMessage, storage.EventEvidence} {
			add(kind, storage.ActorConsumer)
			if got := storedCase(t, db, c.ID); !got.Unread || !got.UpdatedAt.Equal(c.UpdatedAt) {
				t.Fatalf("after a consumer's %s: %+v, want unread", kind, got)
			}
			if err := db.MarkCaseRead(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			if storedCase(t, db, c.ID).Unread {
				t.Fatal("MarkCaseRead left the case unread")
			}
		}
		wantCode(t, db.MarkCaseRead(ctx, c.ID+1), storage.ENOTFOUND)
	})
}

func TestClaimCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		boss := mustStaff(t, db, "boss", "主管甲", storage.RoleSupervisor)
		zhao := mustStaff(t, db, "zhao", "赵调解", storage.RoleMediator)
		qian := mustStaff(t, db, "qian", "钱调解", storage.RoleMediator)
		c := mustCreate(t, db, newCase("k"))
		advance(db, time.Minute)
		claimed, err := db.ClaimCase(ctx, c.ID, zhao.ID, storage.By{Actor: zhao.Actor()})
		if err != nil || claimed.AssigneeID != zhao.ID || !claimed.UpdatedAt.Equal(db.Now()) {
			t.Fatalf("claim = %+v, %v; want assigned to %d, updated now", claimed, err, zhao.ID)
		}
		// Claiming one's own case again is no change; someone else's, a conflict.
		if again, err := db.ClaimCase(ctx, c.ID, zhao.ID, storage.By{Actor: zhao.Actor()}); err != nil || *again != *claimed {
			t.Fatalf("claim again = %+v, %v; want %+v", again, err, claimed)
		}
		_, err = db.ClaimCase(ctx, c.ID, qian.ID, storage.By{Actor: qian.Actor()})
		wantCode(t, err, storage.ECONFLICT)
		if got := storedCase(t, db, c.ID).AssigneeID; got != zhao.ID {
			t.Fatalf("assignee %d after a refused claim, want %d", got, zhao.ID)
		}
		// A supervisor still reassigns freely.
		if _, err := db.AssignCase(ctx, c.ID, &qian.ID, storage.By{Actor: boss.Actor()}); err != nil {
			t.Fatal(err)
		}
		_, err = db.ClaimCase(ctx, c.ID, zhao.ID, storage.By{Actor: zhao.Actor()})
		wantCode(t, err, storage.ECONFLICT)

		_, err = db.ClaimCase(ctx, c.ID+1, zhao.ID, storage.By{Actor: zhao.Actor()})
		wantCode(t, err, storage.ENOTFOUND)
		_, err = db.ClaimCase(ctx, c.ID, zhao.ID, storage.By{Actor: ""})
		wantCode(t, err, storage.EINVALID)
		got := auditSummary(caseAudit(t, db, c.ID))
		want := []string{fmt.Sprintf("assign %d 指派给 钱调解", boss.ID), fmt.Sprintf("assign %d 指派给 赵调解", zhao.ID)}
		if !slices.Equal(got, want) {
			t.Fatalf("audit %v, want %v", got, want)
		}
	})
}

// TestClaimCaseConcurrent races mediators claiming the same free case: the check
// is made on the locked row, so exactly one wins and the others get ECONFLICT.
func TestClaimCaseConcurrent(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		const racers = 8
		var mediators []*storage.Staff
		for i := range racers {
			mediators = append(mediators,
				mustStaff(t, db, fmt.Sprintf("med%d", i), fmt.Sprintf("调解员%d", i), storage.RoleMediator))
		}
		warmPool(t, db, racers)
		for round := range 3 {
			c := mustCreate(t, db, newCase(fmt.Sprintf("k%d", round)))
			errs := make([]error, racers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, m := range mediators {
				wg.Go(func() {
					<-start
					_, errs[i] = db.ClaimCase(context.Background(), c.ID, m.ID, storage.By{Actor: m.Actor()})
				})
			}
			close(start)
			wg.Wait()
			winner := int64(0)
			for i, err := range errs {
				switch storage.ErrorCode(err) {
				case "":
					if winner != 0 {
						t.Fatalf("round %d: both %d and %d claimed the case", round, winner, mediators[i].ID)
					}
					winner = mediators[i].ID
				case storage.ECONFLICT:
				default:
					t.Fatalf("round %d: claim by %d: %v", round, mediators[i].ID, err)
				}
			}
			if winner == 0 {
				t.Fatalf("round %d: nobody claimed the case", round)
			}
			if got := storedCase(t, db, c.ID).AssigneeID; got != winner {
				t.Fatalf("round %d: assignee %d, want the winner %d", round, got, winner)
			}
			if n := len(caseAudit(t, db, c.ID)); n != 1 {
				t.Fatalf("round %d: %d audit entries, want 1", round, n)
			}
		}
	})
}
