package sqlstore

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

func TestWorkloadCountsOpenAndConcludedCases(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustStaff(t, db, "aaa", "甲", storage.RoleMediator)
		b := mustStaff(t, db, "bbb", "乙", storage.RoleMediator)
		gone := mustStaff(t, db, "ccc", "丙", storage.RoleMediator)
		idle := mustStaff(t, db, "ddd", "丁", storage.RoleMediator)
		if err := db.SetStaffDisabled(ctx, idle.ID, true); err != nil {
			t.Fatal(err)
		}
		day := func(month time.Month, d int) time.Time { return time.Date(2026, month, d, 10, 0, 0, 0, cst) }
		n := 0
		// filed on one day, assigned to who, then moved along path on another day.
		handle := func(filed time.Time, who *storage.Staff, moved time.Time, outcome string, path ...storage.Status) {
			t.Helper()
			n++
			setClock(db, filed)
			c := mustCreate(t, db, newCase(fmt.Sprint("w", n)))
			if _, err := db.AssignCase(ctx, c.ID, &who.ID, by); err != nil {
				t.Fatal(err)
			}
			setClock(db, moved)
			for _, to := range path {
				c = move(t, db, c, to, "")
			}
			if outcome != "" { // 结案: the outcome sets the status
				cl := storage.Closing{CaseID: c.ID, Outcome: outcome, Actor: staff}
				if outcome == storage.OutcomeTerminated {
					cl.Reason = storage.TerminationReasons[0]
				}
				if _, err := db.CloseCase(ctx, cl); err != nil {
					t.Fatal(err)
				}
			}
		}
		mediate := []storage.Status{storage.StatusAccepted, storage.StatusMediating}
		// 甲: two open; in March one agreement after 4 days, one termination after 10,
		// and one agreement concluded in February (another month).
		handle(day(3, 1), a, day(3, 2), "", mediate...)
		handle(day(3, 1), a, day(3, 1), "")
		handle(day(3, 1), a, day(3, 5), storage.OutcomeAgreement, mediate...)
		handle(day(3, 2), a, day(3, 12), storage.OutcomeTerminated, mediate...)
		handle(day(2, 1), a, day(2, 20), storage.OutcomeSettled, mediate...)
		// 乙: one settled in March after 2 days, closed on March 6 (the last move counts).
		handle(day(3, 1), b, day(3, 3), storage.OutcomeSettled, mediate...)
		setClock(db, day(3, 6))
		move(t, db, storedCase(t, db, int64(n)), storage.StatusClosed, "")
		// 丙 leaves with an open case: still listed.
		handle(day(3, 1), gone, day(3, 1), "")
		if err := db.SetStaffDisabled(ctx, gone.ID, true); err != nil {
			t.Fatal(err)
		}

		rows, err := db.Workload(ctx, day(3, 1).Add(-10*time.Hour), day(4, 1).Add(-10*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]storage.Workload{}
		for _, w := range rows {
			got[w.Name] = *w
		}
		if len(rows) != 3 || rows[0].Name != "丙" {
			t.Fatalf("rows = %+v; want 丙, 乙, 甲 (丁 is disabled with nothing open)", got)
		}
		want := map[string]storage.Workload{
			"甲": {StaffID: a.ID, Name: "甲", Role: storage.RoleMediator, Open: 2, Concluded: 2, Mediated: 1, MediationRate: 0.5, AverageDays: 7},
			"乙": {StaffID: b.ID, Name: "乙", Role: storage.RoleMediator, Concluded: 1, Mediated: 1, MediationRate: 1, AverageDays: 5},
			"丙": {StaffID: gone.ID, Name: "丙", Role: storage.RoleMediator, Open: 1},
		}
		for name, w := range want {
			g := got[name]
			if math.Abs(g.AverageDays-w.AverageDays) < 1e-9 {
				g.AverageDays = w.AverageDays
			}
			if g != w {
				t.Errorf("%s = %+v, want %+v", name, g, w)
			}
		}
		_, err = db.Workload(ctx, day(3, 1), day(3, 1))
		wantCode(t, err, storage.EINVALID)
	})
}

// TestWorkloadCountsOverdueCases checks the workload's 已超期 column against the
// acceptance clock: 7 working days from a Monday's receipt end on the next
// week's Wednesday.
func TestWorkloadCountsOverdueCases(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustStaff(t, db, "aaa", "甲", storage.RoleMediator)
		file := func(key string, at time.Time) {
			t.Helper()
			setClock(db, at)
			c := mustCreate(t, db, newCase(key))
			if _, err := db.AssignCase(ctx, c.ID, &a.ID, by); err != nil {
				t.Fatal(err)
			}
		}
		file("late", time.Date(2026, 3, 2, 10, 0, 0, 0, cst))  // due 2026-03-11
		file("fresh", time.Date(2026, 3, 16, 9, 0, 0, 0, cst)) // due 2026-03-25
		for _, tc := range []struct {
			now  time.Time
			want int
		}{
			{time.Date(2026, 3, 11, 18, 0, 0, 0, cst), 0}, // the last day is not yet overdue
			{time.Date(2026, 3, 16, 10, 0, 0, 0, cst), 1},
		} {
			setClock(db, tc.now)
			rows, err := db.Workload(ctx, time.Date(2026, 3, 1, 0, 0, 0, 0, cst), time.Date(2026, 4, 1, 0, 0, 0, 0, cst))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].Open != 2 || rows[0].Overdue != tc.want {
				t.Fatalf("at %s: workload %+v, want 2 open, %d overdue", tc.now, rows[0], tc.want)
			}
		}
	})
}
