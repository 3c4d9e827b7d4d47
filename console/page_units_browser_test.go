package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/complaintbot/complaintbot/storage"
)

// TestCitySetUpInABrowser is the acceptance in Chromium: the city's
// admin adds three district units and a district mediator from the console;
// the mediator signs in and sees only their district's cases.
func TestCitySetUpInABrowser(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	admin := e.staff("city.admin", "市管理员", storage.RoleAdmin)
	bctx, base, problems := pageBrowser(t, e, admin)

	districts := []struct{ name, code, region string }{
		{"樊城区消委会", "FC", "樊城区"}, {"襄州区消委会", "XZ", "襄州区"}, {"襄城区消委会", "XC", "襄城区"},
	}
	for _, d := range districts {
		err := chromedp.Do(bctx,
			chromedp.Navigate(base+"/console/units"),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/console/units"]`)),
			chromedp.SetValue(chromedp.CSS(`form[action="/console/units"] select[name=parent]`), "1"),
			chromedp.SetValue(chromedp.CSS(`form[action="/console/units"] input[name=name]`), d.name),
			chromedp.SetValue(chromedp.CSS(`form[action="/console/units"] input[name=code]`), d.code),
			chromedp.SetValue(chromedp.CSS(`form[action="/console/units"] textarea[name=regions]`), d.region),
			chromedp.Click(chromedp.CSS(`form[action="/console/units"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("p.flash")),
		)
		if err != nil {
			t.Fatalf("add %s: %v", d.name, err)
		}
	}
	tree, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS("table.units-tree")))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range districts {
		if !strings.Contains(tree, d.name) || !strings.Contains(tree, d.region) {
			t.Errorf("the tree lacks %s: %s", d.name, tree)
		}
	}
	units := map[string]int64{}
	list, err := e.db.ListUnits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range list {
		units[u.Code] = u.ID
	}
	if len(units) != 4 {
		t.Fatalf("units = %v, want the city and three districts", units)
	}

	err = chromedp.Do(bctx,
		chromedp.Navigate(base+"/console/staff/new"),
		chromedp.WaitVisible(chromedp.CSS(`select[name=unit]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=username]`), "fc.med"),
		chromedp.SetValue(chromedp.CSS(`input[name=name]`), "樊城调解员"),
		chromedp.SetValue(chromedp.CSS(`select[name=unit]`), pageItoa(units["FC"])),
		chromedp.SetValue(chromedp.CSS(`input[name=password]`), "initial-pass-123"),
		chromedp.SetValue(chromedp.CSS(`input[name=confirm]`), "initial-pass-123"),
		chromedp.Click(chromedp.CSS(`form[action="/console/staff"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	if err != nil {
		t.Fatalf("add the mediator: %v", err)
	}
	med, err := e.db.FindStaffByUsername(ctx, "fc.med")
	if err != nil || med.UnitID != units["FC"] {
		t.Fatalf("the mediator = %+v, %v", med, err)
	}
	if p := problems.String(); p != "" {
		t.Errorf("browser errors on the admin's pages: %s", p)
	}

	var numbers = map[string]string{}
	for _, code := range []string{"FC", "XZ", "XC"} {
		c := e.newCase(func(nc *storage.NewCase) { nc.UnitID = units[code] })
		numbers[code] = c.Number
	}
	// The mediator has chosen their own password (the first sign-in's gate is
	// tested elsewhere).
	e.mustOK(e.db.SetStaffPassword(ctx, med.ID, "x", false))
	med, _ = e.db.FindStaffByID(ctx, med.ID)
	mctx, mbase, mproblems := pageBrowser(t, e, med)
	if err := chromedp.Do(mctx, chromedp.Navigate(mbase+"/console/cases"), chromedp.WaitVisible(chromedp.CSS("table.cases"))); err != nil {
		t.Fatal(err)
	}
	queue, err := chromedp.Run(mctx, chromedp.TextContent(chromedp.CSS("table.cases")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(queue, numbers["FC"]) || strings.Contains(queue, numbers["XZ"]) || strings.Contains(queue, numbers["XC"]) {
		t.Errorf("the district mediator's queue: %s (want only %s)", queue, numbers["FC"])
	}
	if err := chromedp.Do(mctx, chromedp.Navigate(mbase+"/console/cases/"+numbers["XZ"]), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	if text, err := chromedp.Run(mctx, chromedp.TextContent(chromedp.CSS("main"))); err != nil || !strings.Contains(text, "找不到编号为") {
		t.Errorf("another district's case page shows %q (%v)", text, err)
	}
	if p := mproblems.String(); strings.Contains(p, "Content Security Policy") {
		t.Errorf("browser errors on the mediator's pages: %s", p)
	}
}
