package console_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
)

// apiDueCase is a case of the list with its clock.
type apiDueCase struct {
	Number string `json:"number"`
	Due    *struct {
		Clock       string `json:"clock"`
		ClockLabel  string `json:"clock_label"`
		DueOn       string `json:"due_on"`
		Paused      bool   `json:"paused"`
		State       string `json:"state"`
		WorkingDays int    `json:"working_days"`
	} `json:"due"`
}

// apiClockDesk files cases on 2, 9 and 16 March 2026 (due 11, 18 and 25 March)
// and one rejected, and puts the console's and the store's clock at Tuesday 17
// March 10:00 in China.
func apiClockDesk(t *testing.T) (*apiEnv, []*storage.Case) {
	t.Helper()
	e := newAPIEnv(t)
	if _, err := e.db.SeedCalendar(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, err := console.New(console.Config{Store: e.db, Sessions: e.sessions, OrgName: "某市消费者委员会",
		CasePrefix: "TS", PhoneSearches: testPhoneSearches(t), Now: e.db.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	var cases []*storage.Case
	for i, day := range []int{2, 9, 16, 16} {
		e.clock = cstDay(day).UTC()
		cases = append(cases, e.newCase(i))
	}
	e.move(cases[3], storage.StatusRejected, storage.RejectReasons[0])
	e.clock = cstDay(17).UTC()
	return e, cases
}

func TestAPICasesDueFieldsFiltersAndSort(t *testing.T) {
	e, cases := apiClockDesk(t)
	list := func(query string) []apiDueCase {
		t.Helper()
		var page struct {
			Items []apiDueCase `json:"items"`
		}
		e.do("GET", "/api/v1/cases?"+query, e.as(e.mediator), "").ok(t, http.StatusOK, &page)
		return page.Items
	}
	numbers := func(items []apiDueCase) string {
		var out []string
		for _, it := range items {
			out = append(out, it.Number)
		}
		return fmt.Sprint(out)
	}
	want := func(query string, wantCases ...*storage.Case) {
		t.Helper()
		var exp []string
		for _, c := range wantCases {
			exp = append(exp, c.Number)
		}
		if got := numbers(list(query)); got != fmt.Sprint(exp) {
			t.Errorf("%s: %s, want %v", query, got, exp)
		}
	}
	items := list("sort=due")
	want("sort=due", cases[0], cases[1], cases[2], cases[3])
	first := items[0].Due
	if first == nil || first.Clock != "acceptance" || first.ClockLabel != "受理决定" || first.DueOn != "2026-03-11" ||
		first.State != "overdue" || first.WorkingDays != 4 {
		t.Errorf("overdue case's due = %+v", first)
	}
	if d := items[1].Due; d == nil || d.State != "soon" || d.WorkingDays != 1 {
		t.Errorf("soon case's due = %+v", d)
	}
	if items[3].Due != nil {
		t.Errorf("a rejected case has due %+v, want null", items[3].Due)
	}
	want("due=overdue", cases[0])
	want("due=soon", cases[1])
	want("sort=due&order=desc", cases[2], cases[1], cases[0], cases[3])
	want("order=asc", cases[0], cases[1], cases[2], cases[3])
	want("sort=received", cases[3], cases[2], cases[1], cases[0])
	want("sort=status&order=desc", cases[3], cases[2], cases[1], cases[0])
	for _, q := range []string{"due=late", "sort=colour", "order=up"} {
		e.do("GET", "/api/v1/cases?"+q, e.as(e.mediator), "").fails(t, http.StatusBadRequest, "invalid")
	}
}

func TestAPICaseDetailClocks(t *testing.T) {
	e, cases := apiClockDesk(t)
	e.clock = time.Date(2026, 3, 12, 2, 0, 0, 0, time.UTC)
	e.move(cases[0], storage.StatusAccepted, "")
	e.clock = cstDay(17).UTC()
	var d struct {
		apiDueCase
		Clocks []struct {
			Clock     string     `json:"clock"`
			DueOn     string     `json:"due_on"`
			State     string     `json:"state"`
			Text      string     `json:"text"`
			StoppedAt *time.Time `json:"stopped_at"`
		} `json:"clocks"`
	}
	e.do("GET", "/api/v1/cases/"+cases[0].Number, e.as(e.mediator), "").ok(t, http.StatusOK, &d)
	if len(d.Clocks) != 2 || d.Clocks[0].Clock != "acceptance" || d.Clocks[0].State != "late" ||
		d.Clocks[0].StoppedAt == nil || d.Clocks[1].Clock != "mediation" || d.Clocks[1].State != "running" ||
		d.Clocks[1].Text != "剩余 42 个工作日" {
		t.Fatalf("clocks %+v", d.Clocks)
	}
	if d.Due == nil || d.Due.Clock != "mediation" || d.Due.DueOn != d.Clocks[1].DueOn {
		t.Fatalf("due %+v, want the mediation clock", d.Due)
	}
}
