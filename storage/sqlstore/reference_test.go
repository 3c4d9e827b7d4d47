package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestFilingSeesReferenceChangesMadeByAnotherInstance files through one
// instance (a DB that keeps the reference data of its last filing) while
// another changes the teams, the routing rules, the calendar and the clock
// limits: each filing after a change routes and dates the case as the changed
// data says, and as an instance that never filed before does.
func TestFilingSeesReferenceChangesMadeByAnotherInstance(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		ctx := context.Background()
		filer := testenv.OpenMigrated(t, Open, target)
		admin := testenv.Open(t, Open, target)
		now := time.Date(2026, 3, 16, 10, 0, 0, 0, cst) // a Monday
		setClock(filer, now)
		setClock(admin, now)
		n := 0
		// fileBoth files a 交通工具 case through filer and through a fresh
		// instance, and checks they agree on team, assignee and due day.
		fileBoth := func() *storage.Case {
			t.Helper()
			n++
			nc := newCase(fmt.Sprint("ref-", n))
			nc.Category = "交通工具"
			got := mustCreate(t, filer, nc)
			fresh := testenv.Open(t, Open, target)
			setClock(fresh, now)
			want := mustCreate(t, fresh, newCaseLike(nc, fmt.Sprint("ref-fresh-", n)))
			fresh.Close()
			if got.TeamID != want.TeamID || got.AssigneeID != want.AssigneeID || got.DueKind != want.DueKind ||
				got.DueOn != want.DueOn || got.DuePaused != want.DuePaused {
				t.Fatalf("filing %d: team %d assignee %d due %s %s; a fresh instance: team %d assignee %d due %s %s",
					n, got.TeamID, got.AssigneeID, got.DueKind, got.DueOn, want.TeamID, want.AssigneeID, want.DueKind, want.DueOn)
			}
			return got
		}

		first := fileBoth()
		if first.TeamID != 0 || first.DueKind != storage.ClockAcceptance || first.DueOn == "" {
			t.Fatalf("first case: team %d, due %q %q", first.TeamID, first.DueKind, first.DueOn)
		}

		med := mustStaff(t, admin, "refmed", "调解员甲", storage.RoleMediator)
		def := mustTeam(t, admin, "综合组", true, true, med.ID)
		if c := fileBoth(); c.TeamID != def.ID || c.AssigneeID != med.ID {
			t.Fatalf("after a default team was made elsewhere: team %d assignee %d, want %d %d", c.TeamID, c.AssigneeID, def.ID, med.ID)
		}

		cars := mustTeam(t, admin, "汽车组", false, false)
		mustRule(t, admin, storage.RuleCategory, "交通工具", cars)
		if c := fileBoth(); c.TeamID != cars.ID || c.AssigneeID != 0 {
			t.Fatalf("after a rule was added elsewhere: team %d assignee %d, want %d and none", c.TeamID, c.AssigneeID, cars.ID)
		}

		before := fileBoth().DueOn
		day := storage.DayException{Date: before, Kind: storage.DayRest, Name: "临时调休"}
		if err := admin.SetCalendarDay(ctx, day, by); err != nil {
			t.Fatal(err)
		}
		afterRest := fileBoth().DueOn
		if afterRest <= before {
			t.Fatalf("after %s became a rest day elsewhere the due day is %s", before, afterRest)
		}

		longer := storage.DefaultClockDurations()
		longer.Acceptance += 3
		if _, err := admin.RecomputeDueDates(ctx, longer); err != nil {
			t.Fatal(err)
		}
		if c := fileBoth(); c.DueOn <= afterRest {
			t.Fatalf("after the acceptance limit grew elsewhere the due day is %s, was %s", c.DueOn, afterRest)
		}
	})
}

// newCaseLike is nc under another intake key and consumer.
func newCaseLike(nc storage.NewCase, key string) storage.NewCase {
	nc.IntakeKey, nc.OpenID = key, "oOPENID-"+key
	return nc
}

// TestEveryReferenceChangeBumpsTheVersion checks the triggers of migration
// 00029: an insert, an update and a delete in each table a filing reads as
// reference data moves the version on.
func TestEveryReferenceChangeBumpsTheVersion(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		version := func() int64 { t.Helper(); return referenceVersionOf(t, db) }
		ts := "'2026-03-15 10:00:00'"
		if db.Dialect() == DialectSQLite {
			ts = "1773540000000000"
		}
		steps := []struct {
			sql   string
			bumps bool
		}{
			{`INSERT INTO units (id, parent_id, name, code, created_at, updated_at) VALUES (900, 1, '测试', 'T900', ` + ts + `, ` + ts + `)`, true},
			{`UPDATE units SET name = '测试二' WHERE id = 900`, true},
			{`INSERT INTO teams (name, auto_assign, is_default, created_at, updated_at, unit_id) VALUES ('测试组', FALSE, FALSE, ` + ts + `, ` + ts + `, 900)`, true},
			{`UPDATE teams SET auto_assign = TRUE WHERE name = '测试组'`, true},
			{`INSERT INTO routing_rules (position, kind, pattern, team_id, created_at, updated_at)
				SELECT 1, 'category', '食品', id, ` + ts + `, ` + ts + ` FROM teams WHERE name = '测试组'`, true},
			{`UPDATE routing_rules SET pattern = '服装' WHERE pattern = '食品'`, true},
			{`DELETE FROM routing_rules WHERE pattern = '服装'`, true},
			{`DELETE FROM teams WHERE name = '测试组'`, true},
			{`DELETE FROM units WHERE id = 900`, true},
			{`UPDATE clock_settings SET acceptance_days = 8 WHERE id = 1`, true},
			{`INSERT INTO calendar_years (year, revision, source, updated_at) VALUES (2031, 1, 'test', ` + ts + `)`, false},
			{`INSERT INTO calendar_days (day, year, kind, name, updated_at) VALUES ('2031-01-01', 2031, 'rest', '元旦', ` + ts + `)`, true},
			{`UPDATE calendar_days SET name = '新年' WHERE day = '2031-01-01'`, true},
			{`DELETE FROM calendar_days WHERE day = '2031-01-01'`, true},
		}
		for _, s := range steps {
			was := version()
			if _, err := db.db.ExecContext(ctx, s.sql); err != nil {
				t.Fatalf("%s: %v", s.sql, err)
			}
			if now := version(); s.bumps && now <= was {
				t.Errorf("%s: the version stayed %d", s.sql, now)
			}
		}
	})
}

// referenceVersionOf reads the reference data's version as it stands.
func referenceVersionOf(t *testing.T, db *DB) int64 {
	t.Helper()
	var v int64
	if err := db.db.GetContext(context.Background(), &v, referenceVersionSQL); err != nil {
		t.Fatal(err)
	}
	return v
}
