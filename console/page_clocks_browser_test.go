package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestQueueDueColumnInABrowser opens the queue in Chromium: the 期限 column marks
// the overdue case in colour and in words, its header sorts by due day, the
// 已超期 filter keeps that order, and ticked cases are assigned in bulk.
func TestQueueDueColumnInABrowser(t *testing.T) {
	d := newClockDesk(t)
	ctx, base, problems := pageBrowser(t, d.pageEnv, d.supervisor)
	rows := func() []string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll("table.cases tbody tr td:nth-child(2) a")).map(a => a.textContent)`))
		if err != nil {
			t.Fatalf("read the rows: %v", err)
		}
		return got
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/console/cases"),
		chromedp.WaitVisible(chromedp.CSS("table.cases")),
	)
	if err != nil {
		t.Fatalf("open the queue: %v", err)
	}
	head, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("table.cases thead")))
	if err != nil || !strings.Contains(head, "期限") {
		t.Fatalf("header %q (%v), want a 期限 column", head, err)
	}
	mark, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(function () {
		var m = document.querySelector("tr.row-overdue .due-state");
		return [m.textContent, getComputedStyle(m).backgroundColor];
	})()`))
	if err != nil || len(mark) != 2 || mark[0] != "已超期 4 个工作日" || mark[1] == "rgba(0, 0, 0, 0)" {
		t.Fatalf("overdue mark %q (%v), want its words on a coloured background", mark, err)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`th a.sort[href*="sort=due"]`)),
		chromedp.WaitReady(chromedp.CSS(`th a.sort.active[href*="sort=due"]`)),
	)
	if err != nil {
		t.Fatalf("sort by due: %v", err)
	}
	want := []string{d.overdue.Number, d.soon.Number, d.running.Number, d.done.Number}
	if got := rows(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sorted by due: %v, want %v", got, want)
	}

	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`select[name=due]`), "overdue"),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`select[name=due] option[value=overdue][selected]`)),
	)
	if err != nil {
		t.Fatalf("filter 已超期: %v", err)
	}
	if got := rows(); strings.Join(got, ",") != d.overdue.Number {
		t.Fatalf("已超期 lists %v, want %s", got, d.overdue.Number)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "sort=due") {
		t.Errorf("the filter lost the sort: %s (%v)", loc, err)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name=case]`)),
		chromedp.SetValue(chromedp.CSS(`#bulk-assign select[name=assignee]`), pageItoa(d.mediator.ID)),
		chromedp.Click(chromedp.CSS(`#bulk-assign button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	if err != nil {
		t.Fatalf("bulk assignment: %v", err)
	}
	if flash, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("p.flash"))); err != nil || flash != "已分配 1 件案件。" {
		t.Errorf("flash %q (%v)", flash, err)
	}
	if got := d.reload(d.overdue).AssigneeID; got != d.mediator.ID {
		t.Errorf("assignee after the bulk form %d, want %d", got, d.mediator.ID)
	}
	if p := problems.String(); p != "" {
		t.Errorf("browser errors: %s", p)
	}
}
