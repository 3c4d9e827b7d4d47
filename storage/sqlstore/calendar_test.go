package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// span returns the dates from first to last inclusive.
func span(first, last string) []string {
	a, _ := storage.ParseDay(first)
	b, _ := storage.ParseDay(last)
	var out []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(storage.DateLayout))
	}
	return out
}

// TestOfficialCalendarHolidays checks the embedded file against the notices'
// 春节 and 国庆 paragraphs, the ones every complaint clock crosses.
func TestOfficialCalendarHolidays(t *testing.T) {
	all, err := OfficialCalendar()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	years := map[int]int{}
	for _, d := range all {
		kinds[d.Date] = d.Kind
		years[yearOf(d.Date)]++
		wd := mustDay(t, d.Date).Weekday()
		if d.Kind == storage.DayWork && wd != time.Saturday && wd != time.Sunday {
			t.Errorf("%s: make-up working day on a weekday", d.Date)
		}
	}
	for _, y := range []int{2024, 2025, 2026, 2027} {
		if years[y] == 0 {
			t.Errorf("no days for %d", y)
		}
	}
	for _, h := range []struct {
		rest  []string
		work  []string
		label string
	}{
		{span("2024-02-10", "2024-02-17"), []string{"2024-02-04", "2024-02-18"}, "春节 2024"},
		{span("2024-10-01", "2024-10-07"), []string{"2024-09-29", "2024-10-12"}, "国庆 2024"},
		{span("2025-01-28", "2025-02-04"), []string{"2025-01-26", "2025-02-08"}, "春节 2025"},
		{span("2025-10-01", "2025-10-08"), []string{"2025-09-28", "2025-10-11"}, "国庆 2025"},
		{span("2026-02-15", "2026-02-23"), []string{"2026-02-14", "2026-02-28"}, "春节 2026"},
		{span("2026-10-01", "2026-10-07"), []string{"2026-09-20", "2026-10-10"}, "国庆 2026"},
	} {
		for _, d := range h.rest {
			if kinds[d] != storage.DayRest {
				t.Errorf("%s: %s is %q, want rest", h.label, d, kinds[d])
			}
		}
		for _, d := range h.work {
			if kinds[d] != storage.DayWork {
				t.Errorf("%s: %s is %q, want work", h.label, d, kinds[d])
			}
		}
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := storage.ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCalendarStoreSeedsAndCounts loads the seeded calendar and counts working
// days across each year's 春节 and 国庆 with their real 调休 weekends.
func TestCalendarStoreSeedsAndCounts(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		seeded, err := db.SeedCalendar(ctx)
		if err != nil || len(seeded) < 4 || seeded[0] != 2024 {
			t.Fatalf("SeedCalendar = %v, %v", seeded, err)
		}
		h := storage.NewCalendarHolder(db)
		if ok, err := h.Reload(ctx); !ok || err != nil {
			t.Fatalf("first Reload = %v, %v", ok, err)
		}
		if ok, err := h.Reload(ctx); ok || err != nil {
			t.Fatalf("Reload without a change = %v, %v", ok, err)
		}
		c := h.Calendar()
		for _, tc := range []struct {
			from string
			n    int
			want string
		}{
			{"2024-02-08", 3, "2024-02-19"}, // 9 Fri, 18 (Sun, work), 19
			{"2024-09-27", 2, "2024-09-30"}, // 29 (Sun, work), 30
			{"2024-09-30", 2, "2024-10-09"}, // 8, 9
			{"2025-01-24", 7, "2025-02-10"}, // 26 (Sun), 27, 5, 6, 7, 8 (Sat), 10
			{"2025-09-26", 7, "2025-10-13"}, // 28 (Sun), 29, 30, 9, 10, 11 (Sat), 13
			{"2026-02-13", 1, "2026-02-14"}, // Saturday, work
			{"2026-02-13", 2, "2026-02-24"},
			{"2026-09-18", 1, "2026-09-20"}, // Sunday, work
			{"2026-09-30", 3, "2026-10-10"}, // 8, 9, 10 (Sat, work)
		} {
			got := c.AddWorkingDays(mustDay(t, tc.from), tc.n).Format(storage.DateLayout)
			if got != tc.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
			}
		}
		// September 2025 after the 1st: 21 weekdays and Sunday the 28th; October: 9, 10,
		// Saturday the 11th and three full weeks.
		if n := c.WorkingDaysBetween(mustDay(t, "2025-09-01"), mustDay(t, "2025-10-31")); n != 40 {
			t.Errorf("working days 2025-09-02..10-31 = %d, want 40", n)
		}
		again, err := db.SeedCalendar(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second SeedCalendar = %v, %v", again, err)
		}
	})
}

// TestCalendarStoreEdits sets, clears and imports days; each change is audited
// with the admin and address, moves the version, and is seen by a second
// instance's holder; a later start-up does not undo it.
func TestCalendarStoreEdits(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		ctx := context.Background()
		a := testenv.OpenMigrated(t, Open, target)
		b := testenv.Open(t, Open, target)
		setClock(a, time.Date(2026, 3, 15, 10, 0, 0, 0, cst))
		if _, err := a.SeedCalendar(ctx); err != nil {
			t.Fatal(err)
		}
		admin, err := a.CreateStaff(ctx, storage.NewStaff{Username: "adm", Name: "管理员", Role: storage.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		by := storage.By{Actor: storage.StaffActor(admin.ID), IP: "203.0.113.9"}
		other := storage.NewCalendarHolder(b)
		if _, err := other.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		v0, _ := a.CalendarVersion(ctx)

		// A local extra rest day on a Monday, then cleared.
		if err := a.SetCalendarDay(ctx, storage.DayException{Date: "2026-03-16", Kind: "休", Name: " 地方假日 "}, by); err != nil {
			t.Fatal(err)
		}
		if v1, _ := a.CalendarVersion(ctx); v1 <= v0 {
			t.Fatalf("version %d after a set, was %d", v1, v0)
		}
		if ok, err := other.Reload(ctx); !ok || err != nil || other.Calendar().IsWorkingDay(mustDay(t, "2026-03-16")) {
			t.Fatalf("second instance after set: reloaded %v, %v", ok, err)
		}
		days, _ := a.ListCalendarDays(ctx, 2026)
		if !hasDay(days, storage.DayException{Date: "2026-03-16", Kind: storage.DayRest, Name: "地方假日",
			UpdatedAt: time.Date(2026, 3, 15, 2, 0, 0, 0, time.UTC), UpdatedBy: admin.ID}) {
			t.Fatalf("2026 days lack the set day: %+v", days)
		}
		if err := a.DeleteCalendarDay(ctx, "2026-03-16", by); err != nil {
			t.Fatal(err)
		}
		wantCode(t, a.DeleteCalendarDay(ctx, "2026-03-16", by), storage.ENOTFOUND)
		other.Reload(ctx)
		if !other.Calendar().IsWorkingDay(mustDay(t, "2026-03-16")) {
			t.Fatal("cleared day still rest on the second instance")
		}

		// Importing 2025 replaces all its days: 国庆 becomes ordinary, one new day.
		csv := "date,kind,name\n2025-12-31,rest,测试假日\n"
		imported, err := storage.ParseCalendarCSV(strings.NewReader(csv), 2025)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.ImportCalendarYear(ctx, 2025, imported, by); err != nil {
			t.Fatal(err)
		}
		days, _ = b.ListCalendarDays(ctx, 2025)
		if len(days) != 1 || days[0].Date != "2025-12-31" {
			t.Fatalf("2025 after import: %+v", days)
		}
		other.Reload(ctx)
		if c := other.Calendar(); c.IsWorkingDay(mustDay(t, "2025-12-31")) || !c.IsWorkingDay(mustDay(t, "2025-10-08")) ||
			c.IsWorkingDay(mustDay(t, "2026-02-16")) {
			t.Fatal("second instance does not see the import, or lost another year")
		}

		// A later start-up seeds nothing: the admins' 2025 stays.
		if seeded, err := b.SeedCalendar(ctx); err != nil || len(seeded) != 0 {
			t.Fatalf("SeedCalendar after edits = %v, %v", seeded, err)
		}
		if days, _ = a.ListCalendarDays(ctx, 2025); len(days) != 1 {
			t.Fatalf("start-up overwrote the import: %d days", len(days))
		}

		action := storage.AuditCalendar
		entries, n, err := a.FindAudit(ctx, storage.AuditFilter{Action: &action})
		if err != nil || n != 3 {
			t.Fatalf("audit: %d entries, %v", n, err)
		}
		for _, e := range entries {
			if e.StaffID != admin.ID || e.IP != "203.0.113.9" || !strings.Contains(e.Detail, "工作日历") {
				t.Errorf("audit entry %+v", e)
			}
		}
		if !strings.Contains(entries[0].Detail, "导入 2025 年") {
			t.Errorf("newest entry %q is not the import", entries[0].Detail)
		}
	})
}

func hasDay(days []*storage.DayException, want storage.DayException) bool {
	for _, d := range days {
		if *d == want {
			return true
		}
	}
	return false
}

func TestCalendarStoreRefusesBadDays(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		by := storage.By{Actor: "staff:1", IP: "203.0.113.9"}
		wantCode(t, db.SetCalendarDay(ctx, storage.DayException{Date: "2026-02-30", Kind: "rest"}, by), storage.EINVALID)
		wantCode(t, db.SetCalendarDay(ctx, storage.DayException{Date: "2026-02-03", Kind: "off"}, by), storage.EINVALID)
		wantCode(t, db.DeleteCalendarDay(ctx, "tomorrow", by), storage.EINVALID)
		wantCode(t, db.ImportCalendarYear(ctx, 2026,
			[]storage.DayException{{Date: "2027-01-01", Kind: "rest"}}, by), storage.EINVALID)
		wantCode(t, db.ImportCalendarYear(ctx, 2026, []storage.DayException{
			{Date: "2026-01-01", Kind: "rest"}, {Date: "2026-01-01", Kind: "work"}}, by), storage.EINVALID)
		if v, err := db.CalendarVersion(ctx); err != nil || v != 0 {
			t.Fatalf("version after refused changes = %d, %v", v, err)
		}
	})
}
