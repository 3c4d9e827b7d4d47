package console_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// pageRows returns the case numbers listed on a queue page, in order.
func pageRows(r *pageResponse) []string {
	var out []string
	for _, part := range strings.Split(r.body, `<td><a href="/console/cases/`)[1:] {
		out = append(out, part[:strings.Index(part, `"`)])
	}
	return out
}

// wantPageRows checks that the queue lists exactly these cases (newest first).
func wantPageRows(t *testing.T, r *pageResponse, cases ...*storage.Case) {
	t.Helper()
	got := pageRows(r)
	var want []string
	for i := len(cases) - 1; i >= 0; i-- {
		want = append(want, cases[i].Number)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("rows %v, want %v", got, want)
	}
}

func TestCaseListFiltersAndSearch(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	food := e.newCase(func(nc *storage.NewCase) { nc.Category = "食品"; nc.MerchantName = "好味道餐厅" })
	phone := e.newCase(func(nc *storage.NewCase) { nc.Phone = "13812345678" })
	mine := e.newCase(nil)
	unread := e.newCase(nil)
	closed := e.newCase(nil)
	e.move(closed, storage.StatusRejected, storage.RejectReasons[0])
	e.move(phone, storage.StatusAccepted, "")
	if _, err := e.db.AssignCase(ctx, mine.ID, &e.mediator.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	e.consumerSays(unread, "商家还没有联系我")
	u := e.as(e.mediator)

	wantPageRows(t, u.get("/console/cases").want(http.StatusOK), food, phone, mine, unread, closed)
	wantPageRows(t, u.get("/console/cases?status=accepted"), phone)
	wantPageRows(t, u.get("/console/cases?category="+pageQ("食品")), food)
	wantPageRows(t, u.get("/console/cases?assignee=me"), mine)
	wantPageRows(t, u.get("/console/cases?assignee="+pageItoa(e.mediator.ID)), mine)
	wantPageRows(t, u.get("/console/cases?assignee=none"), food, phone, unread, closed)
	wantPageRows(t, u.get("/console/cases?unread=1"), unread)
	wantPageRows(t, u.get("/console/cases?open=1"), food, phone, mine, unread)
	wantPageRows(t, u.get("/console/cases?q="+pageQ("好味道")), food)
	wantPageRows(t, u.get("/console/cases?q=13812345678"), phone)
	wantPageRows(t, u.get("/console/cases?q="+pageQ("138 1234 5678")), phone)
	wantPageRows(t, u.get("/console/cases?q=5678")) // part of a number finds nothing
	wantPageRows(t, u.get("/console/cases?q=812345678"))
	wantPageRows(t, u.get("/console/cases?q="+mine.Number), mine)
	wantPageRows(t, u.get("/console/cases?status=accepted&q="+pageQ("好味道")))

	// The filter form shows what was chosen.
	u.get("/console/cases?status=accepted&unread=1&q=abc").
		contains(`<option value="accepted" selected>`, `name="unread" value="1" checked`, `value="abc"`)
}

func TestCaseListMasksPhonesAndShowsColumns(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(func(nc *storage.NewCase) { nc.Phone = "13812345678"; nc.MerchantName = "某某电器有限公司" })
	if _, err := e.db.AssignCase(context.Background(), c.ID, &e.mediator2.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	e.consumerSays(c, "在吗")
	r := e.as(e.mediator).get("/console/cases").want(http.StatusOK)
	r.contains("138****5678", c.Number, "待受理", "家用电子电器", "某某电器有限公司", "调解员乙", "2026-03-02", "新消息")
	r.lacks("13812345678")
}

func TestCaseListPaginates(t *testing.T) {
	e := newPageEnv(t)
	var cases []*storage.Case
	for range 45 {
		cases = append(cases, e.newCase(nil))
	}
	u := e.as(e.mediator)
	first := u.get("/console/cases?status=submitted").want(http.StatusOK)
	first.contains("共 45 件", "第 1 / 3 页", `<span class="muted">上一页</span>`,
		fmt.Sprintf(`href="/console/cases?after=%d&amp;page=2&amp;status=submitted"`, cases[25].ID))
	wantPageRows(t, first, cases[25:]...)
	second := u.get(pagerLink(t, first, "下一页")).contains("第 2 / 3 页")
	wantPageRows(t, second, cases[5:25]...)
	third := u.get(pagerLink(t, second, "下一页")).contains("第 3 / 3 页", `<span class="muted">下一页</span>`)
	wantPageRows(t, third, cases[:5]...)
	// Back: page 2 again by its before cursor, then the queue's start.
	back := u.get(pagerLink(t, third, "上一页")).contains("第 2 / 3 页")
	wantPageRows(t, back, cases[5:25]...)
	if got := pagerLink(t, back, "上一页"); got != "/console/cases?status=submitted" {
		t.Fatalf("page 2's previous page is %s, want the queue's start", got)
	}
	// A bookmark from before the cursors still opens its page.
	wantPageRows(t, u.get("/console/cases?status=submitted&page=3").contains("第 3 / 3 页"), cases[:5]...)
}

// TestCaseListCapsTheCount checks that a large queue shows "1,000+" rather
// than a count it did not make, and pages on.
func TestCaseListCapsTheCount(t *testing.T) {
	e := newPageEnv(t)
	if _, err := sqlstore.SeedCases(context.Background(), e.db, 1_050); err != nil {
		t.Fatal(err)
	}
	first := e.as(e.supervisor).get("/console/cases").want(http.StatusOK).contains("共 1,000+ 件", "第 1 页")
	first.lacks("共 1050 件", "第 1 / ")
	second := e.as(e.supervisor).get(pagerLink(t, first, "下一页")).contains("第 2 页")
	if a, b := pageRows(first), pageRows(second); len(a) != 20 || len(b) != 20 || a[19] == b[0] {
		t.Fatalf("pages %v then %v", a, b)
	}
	// Narrowed to few, the count is exact again.
	e.as(e.supervisor).get("/console/cases?q=" + url.QueryEscape("某某电器")).contains("共 0 件")
}

// pagerLink returns the target of the pager's link named label.
func pagerLink(t *testing.T, r *pageResponse, label string) string {
	t.Helper()
	end := strings.Index(r.body, `">`+label+`</a>`)
	if end < 0 {
		t.Fatalf("no %s link", label)
	}
	start := strings.LastIndex(r.body[:end], `href="`) + len(`href="`)
	return html.UnescapeString(r.body[start:end])
}

func TestCaseListNeedsSignIn(t *testing.T) {
	e := newPageEnv(t)
	e.anonymous().get("/console/cases?status=accepted").redirected("/console/login?next=")
}
