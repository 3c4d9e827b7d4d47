package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// cstDay is 10:00 China time on a day of March 2026.
func cstDay(day int) time.Time {
	return time.Date(2026, 3, day, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
}

// clockDesk is a console with four cases filed on different days of March 2026
// and the clock on Tuesday 17 March: overdue (due 11 Mar), soon (due 18 Mar),
// running (due 25 Mar) and one rejected, without a clock.
type clockDesk struct {
	*pageEnv
	overdue, soon, running, done *storage.Case
}

func newClockDesk(t *testing.T) *clockDesk {
	t.Helper()
	e := newPageEnv(t)
	if _, err := e.db.SeedCalendar(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := &clockDesk{pageEnv: e}
	e.jump(cstDay(2))
	d.overdue = e.newCase(nil)
	e.jump(cstDay(9))
	d.soon = e.newCase(nil)
	e.jump(cstDay(16))
	d.running = e.newCase(nil)
	d.done = e.newCase(nil)
	e.move(d.done, storage.StatusRejected, storage.RejectReasons[0])
	e.jump(cstDay(17))
	return d
}

// wantRows checks that the page lists exactly these cases in this order.
func wantRows(t *testing.T, r *pageResponse, cases ...*storage.Case) {
	t.Helper()
	var want []string
	for _, c := range cases {
		want = append(want, c.Number)
	}
	if got := pageRows(r); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("rows %v, want %v", got, want)
	}
}

func TestQueueDueColumnFiltersAndSorts(t *testing.T) {
	d := newClockDesk(t)
	u := d.as(d.mediator)
	r := u.get("/console/cases").want(http.StatusOK)
	r.contains(">期限</a>",
		`<span class="due-clock">受理决定</span> 2026-03-11 <span class="due-state due-overdue">已超期 4 个工作日</span>`,
		`<span class="due-clock">受理决定</span> 2026-03-18 <span class="due-state due-soon">剩余 1 个工作日</span>`,
		`<span class="due-clock">受理决定</span> 2026-03-25 <span class="due-state due-running">剩余 6 个工作日</span>`,
		`class=" row-overdue"`)

	wantRows(t, u.get("/console/cases?due=overdue"), d.overdue)
	wantRows(t, u.get("/console/cases?due=soon"), d.soon)
	wantRows(t, u.get("/console/cases?due=bogus"), d.done, d.running, d.soon, d.overdue) // ignored
	wantRows(t, u.get("/console/cases?sort=due&dir=asc"), d.overdue, d.soon, d.running, d.done)
	wantRows(t, u.get("/console/cases?sort=due&dir=desc"), d.running, d.soon, d.overdue, d.done)
	wantRows(t, u.get("/console/cases?sort=received&dir=asc"), d.overdue, d.soon, d.running, d.done)
	wantRows(t, u.get("/console/cases?sort=status&dir=desc"), d.done, d.running, d.soon, d.overdue)

	// The header links keep the filters and turn the current order round.
	u.get("/console/cases?status=submitted&due=overdue&sort=due&dir=asc").contains(
		`href="/console/cases?dir=desc&amp;due=overdue&amp;sort=due&amp;status=submitted"`,
		`href="/console/cases?dir=asc&amp;due=overdue&amp;sort=assignee&amp;status=submitted"`,
		`<option value="overdue" selected>已超期</option>`,
		`<input type="hidden" name="sort" value="due"><input type="hidden" name="dir" value="asc">`)
	// Paging keeps the sort and the due filter.
	for range 20 {
		d.newCase(nil)
	}
	u.get("/console/cases?sort=due&dir=asc").contains(`&amp;dir=asc&amp;page=2&amp;sort=due"`)
}

func TestCasePageShowsClocks(t *testing.T) {
	d := newClockDesk(t)
	d.jump(cstDay(12))
	d.move(d.overdue, storage.StatusAccepted, "")
	d.jump(cstDay(17))
	r := d.as(d.mediator).get(pageCasePath(d.overdue, "")).want(http.StatusOK)
	r.contains("办理期限", "受理决定", "2026-03-11", `due-late">逾期完成`, "调解期限",
		`due-running">剩余 42 个工作日`)
	d.as(d.mediator).get(pageCasePath(d.soon, "")).contains(`due-soon">剩余 1 个工作日`)
}

func TestBulkAssign(t *testing.T) {
	d := newClockDesk(t)
	ctx := context.Background()
	back := "due=overdue&sort=due&dir=asc"
	form := func(assignee string, cases ...*storage.Case) url.Values {
		f := pageForm("assignee", assignee, "back", back)
		for _, c := range cases {
			f.Add("case", c.Number)
		}
		return f
	}
	boss := d.as(d.supervisor)
	r := boss.post("/console/cases/assign", form(pageItoa(d.mediator.ID), d.overdue, d.soon)).
		redirected("/console/cases?dir=asc&due=overdue&sort=due&flash=")
	if !strings.Contains(r.header.Get("Location"), pageQ("已分配 2 件案件。")) {
		t.Fatalf("flash in %q", r.header.Get("Location"))
	}
	for _, c := range []*storage.Case{d.overdue, d.soon} {
		if got := d.reload(c).AssigneeID; got != d.mediator.ID {
			t.Fatalf("%s assignee %d, want %d", c.Number, got, d.mediator.ID)
		}
		action := storage.AuditAssign
		entries, _, err := d.db.FindAudit(ctx, storage.AuditFilter{CaseID: &c.ID, Action: &action})
		if err != nil || len(entries) != 1 || entries[0].StaffID != d.supervisor.ID {
			t.Fatalf("audit of %s: %+v, %v; want one assignment by the supervisor", c.Number, entries, err)
		}
	}

	// A mediator may only take unassigned cases for themselves.
	med2 := d.as(d.mediator2)
	med2.post("/console/cases/assign", form(pageItoa(d.mediator.ID), d.running)).want(http.StatusForbidden)
	med2.post("/console/cases/assign", form("none", d.overdue)).want(http.StatusForbidden)
	if d.reload(d.running).AssigneeID != 0 || d.reload(d.overdue).AssigneeID != d.mediator.ID {
		t.Fatal("a refused bulk assignment changed a case")
	}
	r = med2.post("/console/cases/assign", form("me", d.running, d.overdue)).want(http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.Contains(loc, pageQ("已分配 1 件案件。1 件未能分配："+d.overdue.Number+"（已由其他人承办）。")) {
		t.Fatalf("flash in %q", loc)
	}
	if d.reload(d.running).AssigneeID != d.mediator2.ID || d.reload(d.overdue).AssigneeID != d.mediator.ID {
		t.Fatal("the claim took the wrong cases")
	}

	// The form needs the session's CSRF token, and leads back to the queue only.
	f := form("me", d.done)
	med2.postRaw("/console/cases/assign", f).want(http.StatusForbidden)
	if d.reload(d.done).AssigneeID != 0 {
		t.Fatal("a post without the CSRF token assigned a case")
	}
	f = form("me")
	f.Set("back", "//evil.example/x")
	med2.post("/console/cases/assign", f).redirected("/console/cases?flash=")
}

func TestOverduePage(t *testing.T) {
	d := newClockDesk(t)
	ctx := context.Background()
	if _, err := d.db.AssignCase(ctx, d.soon.ID, &d.mediator.ID, storage.By{Actor: d.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	r := d.as(d.supervisor).get("/console/overdue").want(http.StatusOK)
	r.contains(`href="/console/overdue">超期案件</a>`, "已超期（共 1 件）", "即将到期（2 个工作日内）（共 1 件）",
		"未分配", "调解员甲", d.overdue.Number, d.soon.Number, "受理决定 1 件", "已超期 4 个工作日")
	r.lacks(d.running.Number, d.done.Number)

	// A mediator sees their own cases only.
	mine := d.as(d.mediator).get("/console/overdue").want(http.StatusOK)
	mine.contains("只列出分配给您的案件", d.soon.Number, "已超期（共 0 件）")
	mine.lacks(d.overdue.Number)
	d.as(d.mediator2).get("/console/overdue").want(http.StatusOK).lacks(d.overdue.Number, d.soon.Number)
	d.anonymous().get("/console/overdue").redirected("/console/login")
}
