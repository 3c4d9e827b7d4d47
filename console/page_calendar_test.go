package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// newCalendarEnv is a page env with an admin and the official calendar seeded,
// as a started instance has it.
func newCalendarEnv(t *testing.T) (*pageEnv, *pageUser, *storage.Staff) {
	t.Helper()
	e := newPageEnv(t)
	if _, err := e.db.SeedCalendar(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin := e.staff("adm", "管理员丁", storage.RoleAdmin)
	return e, e.as(admin), admin
}

func TestAdminSeesTheCalendar(t *testing.T) {
	_, adm, _ := newCalendarEnv(t)
	adm.get("/console/cases").contains(`href="/console/calendar"`)
	adm.get("/console/calendar").redirected("/console/calendar/2026")
	adm.get("/console/calendar/2025").want(http.StatusOK).
		contains("工作日历 · 2025 年", "2025-01-26", "周日", "调休上班", "2025-01-28", "春节",
			"2025-10-11", "国庆节、中秋节", "放假 28 天，调休上班 5 天")
	adm.get("/console/calendar/1999").want(http.StatusNotFound)
	adm.get("/console/calendar/abc").want(http.StatusNotFound)
}

func TestAdminSetsAndClearsADay(t *testing.T) {
	e, adm, admin := newCalendarEnv(t)
	ctx := context.Background()
	adm.post("/console/calendar/2026/day", pageForm("date", "2026-03-16", "kind", "rest", "name", "地方假日")).
		redirected("/console/calendar/2026?flash=")
	days, _ := e.db.ListCalendarDays(ctx, 2026)
	if !strings.Contains(dump(days), "2026-03-16 rest 地方假日") {
		t.Fatalf("day not set: %s", dump(days))
	}
	adm.get("/console/calendar/2026").contains("地方假日")

	// A refused day is shown again as typed, with the reason.
	adm.post("/console/calendar/2026/day", pageForm("date", "2026-02-30", "kind", "work", "name", "补班")).
		want(http.StatusBadRequest).contains("日期“2026-02-30”格式不对", `value="2026-02-30"`, `value="补班"`,
		`<option value="work" selected>`)

	adm.post("/console/calendar/2026/day/delete", pageForm("date", "2026-03-16")).redirected("/console/calendar/2026?flash=")
	adm.post("/console/calendar/2026/day/delete", pageForm("date", "2026-03-16")).
		want(http.StatusBadRequest).contains("本来就没有例外安排")
	days, _ = e.db.ListCalendarDays(ctx, 2026)
	if strings.Contains(dump(days), "2026-03-16") {
		t.Fatal("day not cleared")
	}

	action := storage.AuditCalendar
	entries, n, err := e.db.FindAudit(ctx, storage.AuditFilter{Action: &action})
	if err != nil || n != 2 || entries[0].StaffID != admin.ID || entries[0].IP == "" {
		t.Fatalf("audit %d %+v, %v", n, entries, err)
	}
}

func TestAdminImportsAYear(t *testing.T) {
	e, adm, _ := newCalendarEnv(t)
	csv := "date,kind,name\n2027-01-01,rest,元旦\n2027-02-14,work,春节\n"
	adm.post("/console/calendar/2027/import", pageForm("csv", csv)).redirected("/console/calendar/2027?flash=")
	days, _ := e.db.ListCalendarDays(context.Background(), 2027)
	if got := dump(days); got != "2027-01-01 rest 元旦; 2027-02-14 work 春节; " {
		t.Fatalf("2027 after import: %s", got)
	}

	// Bad lines are refused with the line number; the text stays in the form and
	// nothing changes.
	for _, c := range []struct{ csv, msg string }{
		{"2027-01-01,rest,元旦\n2027-02-31,rest,春节\n", "第 2 行：日期“2027-02-31”格式不对"},
		{"2027-01-01,holiday,元旦\n", "第 1 行：类型“holiday”不对"},
		{"date,kind,name\n2028-01-01,rest,元旦\n", "第 2 行：日期 2028-01-01 不在 2027 年"},
		{"# 只有注释\n", "没有读到任何日期"},
	} {
		adm.post("/console/calendar/2027/import", pageForm("csv", c.csv)).
			want(http.StatusBadRequest).contains("未能导入："+c.msg, strings.Split(c.csv, "\n")[0])
	}
	days, _ = e.db.ListCalendarDays(context.Background(), 2027)
	if len(days) != 2 {
		t.Fatalf("a refused import changed 2027: %s", dump(days))
	}
}

func TestCalendarIsForAdmins(t *testing.T) {
	e, adm, _ := newCalendarEnv(t)
	for _, st := range []*storage.Staff{e.mediator, e.supervisor} {
		u := e.as(st)
		u.get("/console/calendar/2025").want(http.StatusForbidden)
		u.post("/console/calendar/2025/day", pageForm("date", "2025-01-26", "kind", "rest")).want(http.StatusForbidden)
		u.post("/console/calendar/2025/import", pageForm("csv", "2025-01-01,rest,元旦")).want(http.StatusForbidden)
		u.get("/console/cases").lacks(`href="/console/calendar"`)
	}
	// Without the CSRF token an admin's post is refused too.
	adm.postRaw("/console/calendar/2025/day", pageForm("date", "2025-01-26", "kind", "rest")).want(http.StatusForbidden)
	days, _ := e.db.ListCalendarDays(context.Background(), 2025)
	if !strings.Contains(dump(days), "2025-01-26 work") {
		t.Fatalf("a refused post changed the calendar: %s", dump(days))
	}
}

func dump(days []*storage.DayException) string {
	var b strings.Builder
	for _, d := range days {
		b.WriteString(d.Date + " " + d.Kind + " " + d.Name + "; ")
	}
	return b.String()
}
