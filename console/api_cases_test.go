package console_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

var apiMaskedPhone = regexp.MustCompile(`^138\*{4}\d{4}$`)

func TestAPIListCasesPaginatesNewestFirstWithMaskedPhones(t *testing.T) {
	e := newAPIEnv(t)
	var phones []string
	var last *storage.Case
	for i := range 25 {
		last = e.newCase(i)
		phones = append(phones, last.Phone)
	}
	res := e.do("GET", "/api/v1/cases", e.as(e.mediator), "")
	var page apiListOut
	res.ok(t, http.StatusOK, &page)
	if page.Total != 25 || page.Page != 1 || page.PerPage != 20 || len(page.Items) != 20 {
		t.Fatalf("page 1: total %d page %d per_page %d items %d", page.Total, page.Page, page.PerPage, len(page.Items))
	}
	if page.Items[0].Number != last.Number {
		t.Errorf("first item %s, want the newest case %s", page.Items[0].Number, last.Number)
	}
	for _, p := range phones {
		if strings.Contains(string(res.body), p) {
			t.Fatalf("the list shows the full phone %s", p)
		}
	}
	for _, it := range page.Items {
		if !apiMaskedPhone.MatchString(it.PhoneMasked) || it.AmountYuan != "3999.50" || it.AmountFen != 399950 {
			t.Fatalf("item %+v: want a masked phone and 3999.50 yuan", it)
		}
	}
	e.do("GET", "/api/v1/cases?page=2", e.as(e.mediator), "").ok(t, http.StatusOK, &page)
	if page.Total != 25 || page.Page != 2 || len(page.Items) != 5 {
		t.Fatalf("page 2: total %d page %d items %d", page.Total, page.Page, len(page.Items))
	}
	e.do("GET", "/api/v1/cases?page=3&per_page=10", e.as(e.mediator), "").ok(t, http.StatusOK, &page)
	if page.PerPage != 10 || len(page.Items) != 5 || page.Items[4].Number != "TS-2026-000001" {
		t.Fatalf("page 3 of 10: per_page %d items %+v", page.PerPage, page.Items)
	}
}

// apiFilterFixture files ten cases: 1 and 2 accepted, 3 rejected, 4 assigned to
// the first mediator, 5 with an unread consumer message.
func apiFilterFixture(t *testing.T, e *apiEnv) []*storage.Case {
	t.Helper()
	cases := make([]*storage.Case, 10)
	for i := range cases {
		cases[i] = e.newCase(i)
	}
	ctx := context.Background()
	e.move(cases[1], storage.StatusAccepted, "")
	e.move(cases[2], storage.StatusAccepted, "")
	e.move(cases[3], storage.StatusRejected, storage.RejectReasons[0])
	if _, err := e.db.AssignCase(ctx, cases[4].ID, &e.mediator.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	_, err := e.db.AddEvent(ctx, storage.NewEvent{CaseID: cases[5].ID, Kind: storage.EventConsumerMessage,
		Actor: storage.ActorConsumer, Body: "请尽快处理"})
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestAPIListCasesFilters(t *testing.T) {
	e := newAPIEnv(t)
	cases := apiFilterFixture(t, e)
	want := func(query string, wantCases ...*storage.Case) {
		t.Helper()
		var page apiListOut
		e.do("GET", "/api/v1/cases?"+query, e.as(e.mediator), "").ok(t, http.StatusOK, &page)
		var got, exp []string
		for _, it := range page.Items {
			got = append(got, it.Number)
		}
		for i := len(wantCases) - 1; i >= 0; i-- {
			exp = append(exp, wantCases[i].Number)
		}
		if page.Total != len(wantCases) || fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Errorf("%s: total %d %v, want %v", query, page.Total, got, exp)
		}
	}
	want("status=accepted", cases[1], cases[2])
	want("open=false", cases[3])
	want("assignee=me", cases[4])
	want("assignee="+strconv.FormatInt(e.mediator.ID, 10), cases[4])
	want("assignee=me&status=accepted")
	want("q=商家07", cases[7])
	want("q="+cases[8].Phone, cases[8])
	want("q=" + cases[8].Phone[7:]) // the end of a number finds nothing: it would uncover the masked digits
	want("q=" + cases[8].Phone[:7])
	want("q="+cases[9].Number, cases[9])
	want("unread=true&category=家用电子电器&q=商家05", cases[5])
	want("category=食品")

	var page apiListOut
	e.do("GET", "/api/v1/cases?assignee=none", e.as(e.mediator), "").ok(t, http.StatusOK, &page)
	if page.Total != 9 {
		t.Errorf("assignee=none: %d cases, want 9", page.Total)
	}
	e.do("GET", "/api/v1/cases?unread=true", e.as(e.mediator), "").ok(t, http.StatusOK, &page)
	if !slicesHasNumber(page.Items, cases[5].Number) {
		t.Errorf("unread=true misses the case the consumer wrote to")
	}
}

func slicesHasNumber(items []apiCaseOut, number string) bool {
	for _, it := range items {
		if it.Number == number {
			return true
		}
	}
	return false
}

// TestAPIListCasesPagesByCursor follows next_cursor to the end and
// prev_cursor back, and checks the capped total of a large desk.
func TestAPIListCasesPagesByCursor(t *testing.T) {
	e := newAPIEnv(t)
	var cases []*storage.Case
	for i := range 25 {
		cases = append(cases, e.newCase(i))
	}
	list := func(q string) apiListOut {
		var out apiListOut
		e.do("GET", "/api/v1/cases?per_page=10"+q, e.as(e.supervisor), "").ok(t, http.StatusOK, &out)
		if out.Total != 25 || out.TotalCapped {
			t.Fatalf("%s: total %d capped %v", q, out.Total, out.TotalCapped)
		}
		return out
	}
	wantItems := func(out apiListOut, newest, oldest int) {
		t.Helper()
		if len(out.Items) != newest-oldest+1 || out.Items[0].Number != cases[newest].Number ||
			out.Items[len(out.Items)-1].Number != cases[oldest].Number {
			t.Fatalf("items %v, want cases %d to %d", apiNumbers(out.Items), newest, oldest)
		}
	}
	first := list("")
	wantItems(first, 24, 15)
	if first.PrevCursor != nil || first.NextCursor == nil {
		t.Fatalf("first page cursors: prev %v next %v", first.PrevCursor, first.NextCursor)
	}
	second := list("&after=" + *first.NextCursor)
	wantItems(second, 14, 5)
	last := list("&after=" + *second.NextCursor)
	wantItems(last, 4, 0)
	if last.NextCursor != nil || last.PrevCursor == nil {
		t.Fatalf("last page cursors: prev %v next %v", last.PrevCursor, last.NextCursor)
	}
	wantItems(list("&before="+*last.PrevCursor), 14, 5)
}

// TestAPIListCasesCapsTheTotal checks that past 1,000 matches the total says
// it is capped rather than counting every case.
func TestAPIListCasesCapsTheTotal(t *testing.T) {
	e := newAPIEnv(t)
	if _, err := sqlstore.SeedCases(context.Background(), e.db, 1_050); err != nil {
		t.Fatal(err)
	}
	var out apiListOut
	e.do("GET", "/api/v1/cases", e.as(e.supervisor), "").ok(t, http.StatusOK, &out)
	if out.Total != 1000 || !out.TotalCapped || len(out.Items) != 20 || out.NextCursor == nil {
		t.Fatalf("total %d capped %v items %d next %v", out.Total, out.TotalCapped, len(out.Items), out.NextCursor)
	}
}

func apiNumbers(items []apiCaseOut) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Number)
	}
	return out
}

func TestAPIListCasesRefusesBadFilters(t *testing.T) {
	e := newAPIEnv(t)
	for _, q := range []string{"status=bogus", "unread=maybe", "open=2", "assignee=-3", "assignee=someone",
		"page=0", "page=x", "per_page=0", "per_page=101", "colour=red",
		"after=x", "before=-1", "after=1&before=2", "after=1&page=2"} {
		e.do("GET", "/api/v1/cases?"+q, e.as(e.mediator), "").fails(t, http.StatusBadRequest, "invalid")
	}
}

func TestAPICaseDetail(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	res := e.do("GET", "/api/v1/cases/"+c.Number, e.as(e.mediator), "")
	var d apiDetailOut
	res.ok(t, http.StatusOK, &d)
	if d.Number != c.Number || d.Status != "submitted" || d.StatusLabel != "待受理" ||
		d.AmountYuan != "3999.50" || d.AmountFen != 399950 || !apiMaskedPhone.MatchString(d.PhoneMasked) {
		t.Fatalf("detail %+v", d.apiCaseOut)
	}
	if strings.Contains(string(res.body), c.Phone) {
		t.Fatal("the detail shows the full phone number")
	}
	if len(d.Timeline) != 1 || d.Timeline[0].Kind != "submitted" || d.Timeline[0].Delivery != "" {
		t.Fatalf("timeline %+v, want the submission", d.Timeline)
	}
	if len(d.NextStatuses) == 0 || d.NextStatuses[0].Status != "accepted" || d.CanReopen {
		t.Fatalf("next statuses %+v, can_reopen %v", d.NextStatuses, d.CanReopen)
	}
	var loose apiDetailOut
	e.do("GET", "/api/v1/cases/ts2026-1", e.as(e.mediator), "").ok(t, http.StatusOK, &loose)
	if loose.Number != c.Number {
		t.Fatalf("loose number found %s, want %s", loose.Number, c.Number)
	}
	e.do("GET", "/api/v1/cases/TS-2026-009999", e.as(e.mediator), "").fails(t, http.StatusNotFound, "not_found")
	e.do("GET", "/api/v1/cases/nonsense", e.as(e.mediator), "").fails(t, http.StatusNotFound, "not_found")
}

func TestAPIAllStaffSeeAllCases(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	if _, err := e.db.AssignCase(context.Background(), c.ID, &e.mediator.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	// Another mediator reads and works a case assigned to a colleague.
	e.do("GET", "/api/v1/cases/"+c.Number, e.as(e.mediator2), "").ok(t, http.StatusOK, nil)
	e.do("POST", "/api/v1/cases/"+c.Number+"/note", e.as(e.mediator2), `{"text":"已电话联系商家"}`).
		ok(t, http.StatusCreated, nil)
}

// TestAPISearchCountStopsSooner checks that a search by part of a merchant's
// name counts only to searchCountCap (its count reads cases until it has seen
// one more), while the same desk unfiltered counts to queueCountCap.
func TestAPISearchCountStopsSooner(t *testing.T) {
	e := newAPIEnv(t)
	if _, err := sqlstore.SeedCases(context.Background(), e.db, 1_050); err != nil {
		t.Fatal(err)
	}
	var all, search apiListOut
	e.do("GET", "/api/v1/cases?q=%E7%94%B5%E5%99%A8", e.as(e.supervisor), "").ok(t, http.StatusOK, &search) // 电器
	if search.Total != 100 || !search.TotalCapped || len(search.Items) != 20 || search.NextCursor == nil {
		t.Fatalf("search: total %d capped %v items %d next %v", search.Total, search.TotalCapped, len(search.Items), search.NextCursor)
	}
	e.do("GET", "/api/v1/cases", e.as(e.supervisor), "").ok(t, http.StatusOK, &all)
	if all.Total != 1000 || !all.TotalCapped {
		t.Fatalf("unfiltered: total %d capped %v", all.Total, all.TotalCapped)
	}
}
