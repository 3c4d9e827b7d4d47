package sqlstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// officialCal seeds db with the embedded official calendar and returns it as a
// Calendar, or fails the test.
func officialCal(t *testing.T, db *DB) *storage.Calendar {
	t.Helper()
	if _, err := db.SeedCalendar(context.Background()); err != nil {
		t.Fatal(err)
	}
	days, err := db.ListAllCalendarDays(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return storage.NewCalendar(days)
}

// cstAt is a moment in China time.
func cstAt(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, cst) }

func ymd(t time.Time) string { return t.In(cst).Format(storage.DateLayout) }

func wantDue(t *testing.T, c *storage.Case, kind storage.ClockKind, on string, paused bool) {
	t.Helper()
	if c.DueKind != kind || c.DueOn != on || c.DuePaused != paused {
		t.Fatalf("%s due = %q %q paused=%v, want %q %q paused=%v",
			c.Number, c.DueKind, c.DueOn, c.DuePaused, kind, on, paused)
	}
}

// moveAt changes c's status at the given moment.
func moveAt(t *testing.T, db *DB, c *storage.Case, when time.Time, to storage.Status, reason string) *storage.Case {
	t.Helper()
	setClock(db, when)
	return move(t, db, c, to, reason)
}

// TestCaseDueFollowsStatusMoves checks that receipt, every move and a referral to
// the merchant and back store the due day of the case's current clock, counted
// on the official calendar across 国庆 2026.
func TestCaseDueFollowsStatusMoves(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cal := officialCal(t, db)
		setClock(db, cstAt(2026, 9, 21, 10)) // a Monday
		c := mustCreate(t, db, newCase("clock"))
		// 22, 23, 24, 28, 29, 30 Sep (25–27 are 中秋) and 8 Oct after the 国庆 week.
		wantDue(t, c, storage.ClockAcceptance, "2026-10-08", false)

		accepted := cstAt(2026, 9, 24, 9)
		c = moveAt(t, db, c, accepted, storage.StatusAccepted, "")
		wantDue(t, c, storage.ClockMediation, ymd(cal.AddWorkingDays(accepted, 45)), false)

		// The merchant's 10 working days: 29, 30 Sep, 8, 9, 10 (Saturday, 调休), 12–16 Oct.
		c = moveAt(t, db, c, cstAt(2026, 9, 28, 9), storage.StatusReferred, storage.MerchantReferral)
		wantDue(t, c, storage.ClockMerchant, "2026-10-16", false)

		// Back on 9 Oct: mediation stood still on 29, 30 Sep, 8 and 9 Oct.
		c = moveAt(t, db, c, cstAt(2026, 10, 9, 15), storage.StatusMediating, "")
		wantDue(t, c, storage.ClockMediation, ymd(cal.AddWorkingDays(accepted, 49)), false)
		stored, err := db.FindCaseByNumber(ctx, c.Number)
		if err != nil {
			t.Fatal(err)
		}
		wantDue(t, stored, storage.ClockMediation, c.DueOn, false)

		clocks, err := db.CaseClocks(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := []storage.ClockKind{storage.ClockAcceptance, storage.ClockMediation, storage.ClockMerchant}
		if len(clocks) != len(kinds) {
			t.Fatalf("CaseClocks = %+v, want %v", clocks, kinds)
		}
		for i, k := range kinds {
			if clocks[i].Kind != k {
				t.Fatalf("clock %d is %s, want %s", i, clocks[i].Kind, k)
			}
		}
		if !clocks[0].Done() || clocks[0].Late() || clocks[1].PausedDays != 4 || !clocks[2].Done() {
			t.Fatalf("clocks %+v: acceptance met in time, mediation paused 4 days, merchant met", clocks)
		}

		c = moveAt(t, db, c, cstAt(2026, 10, 20, 9), storage.StatusTerminated, "一方表示无法达成调解协议")
		wantDue(t, c, storage.ClockTermination, ymd(cal.AddWorkingDays(cstAt(2026, 10, 20, 9), 7)), false)
		c = moveAt(t, db, c, cstAt(2026, 10, 21, 9), storage.StatusClosed, "")
		wantDue(t, c, "", "", false)

		_, err = db.CaseClocks(ctx, 999999)
		wantCode(t, err, storage.ENOTFOUND)
	})
}

// TestRecomputeDueDates checks that a calendar change and changed limits move
// the stored due days once, and that new cases then use the new limits.
func TestRecomputeDueDates(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		officialCal(t, db)
		def := storage.DefaultClockDurations()
		setClock(db, cstAt(2026, 3, 16, 10)) // a Monday
		c := mustCreate(t, db, newCase("open"))
		wantDue(t, c, storage.ClockAcceptance, "2026-03-25", false)
		done := mustCreate(t, db, newCase("done"))
		move(t, db, done, storage.StatusRejected, "经营者之间的纠纷")

		recompute := func(d storage.ClockDurations, want int) {
			t.Helper()
			if n, err := db.RecomputeDueDates(ctx, d); err != nil || n != want {
				t.Fatalf("RecomputeDueDates(%s) = %d, %v; want %d changed", d, n, err, want)
			}
		}
		recompute(def, 0) // the first run after the migration: nothing moved
		err := db.SetCalendarDay(ctx, storage.DayException{Date: "2026-03-18", Kind: storage.DayRest, Name: "临时放假"}, storage.By{Actor: staff})
		if err != nil {
			t.Fatal(err)
		}
		recompute(def, 1)
		recompute(def, 0) // nothing changed since
		wantDue(t, storedCase(t, db, c.ID), storage.ClockAcceptance, "2026-03-26", false)

		short := def
		short.Acceptance = 5
		recompute(short, 1)
		wantDue(t, storedCase(t, db, c.ID), storage.ClockAcceptance, "2026-03-24", false) // 17, 19, 20, 23, 24
		wantDue(t, storedCase(t, db, done.ID), "", "", false)
		// New cases count with the limits last stored.
		wantDue(t, mustCreate(t, db, newCase("new")), storage.ClockAcceptance, "2026-03-24", false)

		short.Merchant = 0
		_, err = db.RecomputeDueDates(ctx, short)
		wantCode(t, err, storage.EINVALID)
	})
}

// TestRecomputeDueDatesConcurrently checks that instances recomputing at once
// (each having loaded the new calendar) do the work once and all succeed.
func TestRecomputeDueDatesConcurrently(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		officialCal(t, db)
		setClock(db, cstAt(2026, 3, 16, 10))
		for _, k := range []string{"a", "b", "c"} {
			mustCreate(t, db, newCase(k))
		}
		if _, err := db.RecomputeDueDates(ctx, storage.DefaultClockDurations()); err != nil {
			t.Fatal(err)
		}
		err := db.SetCalendarDay(ctx, storage.DayException{Date: "2026-03-18", Kind: storage.DayRest}, storage.By{Actor: staff})
		if err != nil {
			t.Fatal(err)
		}
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			total int
			errs  []error
		)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := db.RecomputeDueDates(ctx, storage.DefaultClockDurations())
				mu.Lock()
				defer mu.Unlock()
				total += n
				if err != nil {
					errs = append(errs, err)
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 || total != 3 {
			t.Fatalf("concurrent recomputes changed %d cases in all (want 3), errors %v", total, errs)
		}
	})
}

// TestFindCasesByDue checks the due filters and every sort of the case list.
func TestFindCasesByDue(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		officialCal(t, db)
		created := func(key string, day int) *storage.Case {
			setClock(db, cstAt(2026, 3, day, 10))
			return mustCreate(t, db, newCase(key))
		}
		c1 := created("c1", 2)  // due 11 Mar
		c2 := created("c2", 9)  // due 18 Mar
		c3 := created("c3", 16) // due 25 Mar
		c4 := created("c4", 16)
		move(t, db, c4, storage.StatusRejected, "经营者之间的纠纷")
		bob, alice := mustStaff(t, db, "bob", "Bob", storage.RoleMediator), mustStaff(t, db, "alice", "Alice", storage.RoleMediator)
		for c, s := range map[*storage.Case]*storage.Staff{c2: bob, c3: alice} {
			if _, err := db.AssignCase(ctx, c.ID, &s.ID, storage.By{Actor: staff}); err != nil {
				t.Fatal(err)
			}
		}
		str := func(s string) *string { return &s }
		setClock(db, cstAt(2026, 3, 17, 10)) // a Tuesday: soon means due by Thursday 19th
		for _, tc := range []struct {
			name string
			f    storage.CaseFilter
			want []*storage.Case
		}{
			{"overdue on 17 Mar", storage.CaseFilter{DueTo: str("2026-03-16")}, []*storage.Case{c1}},
			{"soon on 17 Mar", storage.CaseFilter{DueFrom: str("2026-03-17"), DueTo: str("2026-03-19")}, []*storage.Case{c2}},
			{"已超期 today", storage.CaseFilter{Due: storage.DueOverdue}, []*storage.Case{c1}},
			{"即将到期 today", storage.CaseFilter{Due: storage.DueSoon}, []*storage.Case{c2}},
			{"即将到期 by due", storage.CaseFilter{Due: storage.DueSoon, Sort: storage.CaseSortDue}, []*storage.Case{c2}},
			{"default newest first", storage.CaseFilter{}, []*storage.Case{c4, c3, c2, c1}},
			{"received ascending", storage.CaseFilter{Sort: storage.CaseSortReceived}, []*storage.Case{c1, c2, c3, c4}},
			{"due ascending", storage.CaseFilter{Sort: storage.CaseSortDue}, []*storage.Case{c1, c2, c3, c4}},
			{"due descending, none last", storage.CaseFilter{Sort: storage.CaseSortDue, SortDesc: true}, []*storage.Case{c3, c2, c1, c4}},
			{"status", storage.CaseFilter{Sort: storage.CaseSortStatus, SortDesc: true}, []*storage.Case{c4, c3, c2, c1}},
			{"assignee, unassigned last", storage.CaseFilter{Sort: storage.CaseSortAssignee}, []*storage.Case{c3, c2, c1, c4}},
		} {
			got, total, err := db.FindCases(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var gotN, wantN []string
			for _, c := range got {
				gotN = append(gotN, c.Number)
			}
			for _, c := range tc.want {
				wantN = append(wantN, c.Number)
			}
			if total != len(tc.want) || len(gotN) != len(wantN) || !equalStrings(gotN, wantN) {
				t.Errorf("%s: got %v (total %d), want %v", tc.name, gotN, total, wantN)
			}
		}
		_, _, err := db.FindCases(ctx, storage.CaseFilter{Due: "late"})
		wantCode(t, err, storage.EINVALID)
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestStatusHistoryBackfill checks that migration 00008 rebuilds the status
// history of existing cases from their timeline (referral targets and
// reopenings included), and that the first recompute then stores their due.
func TestStatusHistoryBackfill(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		officialCal(t, db)
		setClock(db, cstAt(2026, 3, 2, 10))
		c := mustCreate(t, db, newCase("old"))
		moveAt(t, db, c, cstAt(2026, 3, 3, 10), storage.StatusAccepted, "")
		moveAt(t, db, c, cstAt(2026, 3, 4, 10), storage.StatusReferred, storage.MerchantReferral+"（商家已入驻）")
		moveAt(t, db, c, cstAt(2026, 3, 9, 10), storage.StatusMediating, "")
		moveAt(t, db, c, cstAt(2026, 3, 10, 10), storage.StatusResolved, "")
		setClock(db, cstAt(2026, 3, 11, 10))
		_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusMediating, Actor: staff, Reopen: true, Reason: "商家未履行"})
		if err != nil {
			t.Fatal(err)
		}
		before, err := db.CaseClocks(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := storedCase(t, db, c.ID)

		p, err := db.newMigrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 7); err != nil {
			t.Fatalf("down to 7: %v", err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		wantDue(t, storedCase(t, db, c.ID), "", "", false) // not computed yet
		after, err := db.CaseClocks(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) || len(after) != 4 {
			t.Fatalf("clocks from the backfilled history %+v, want %+v", after, before)
		}
		for i := range before {
			if before[i] != after[i] {
				t.Fatalf("clock %d from the backfill %+v, want %+v", i, after[i], before[i])
			}
		}
		if n, err := db.RecomputeDueDates(ctx, storage.DefaultClockDurations()); err != nil || n != 1 {
			t.Fatalf("first recompute after the migration = %d, %v; want 1", n, err)
		}
		wantDue(t, storedCase(t, db, c.ID), storage.ClockMediation, want.DueOn, false)
	})
}
