package console_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/complaintbot/complaintbot/storage"
)

// browserArtifacts is where browser tests leave screenshots for people to look
// at (as cmd/complaintbot's browser test does).
func browserArtifacts(t *testing.T) string {
	dir := os.Getenv("COMPLAINTBOT_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// saveScreenshot writes the whole page as name.png in the artifacts folder.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(browserArtifacts(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// awaitPromise makes Evaluate wait for the promise the expression returns.
func awaitPromise(p *runtime.EvaluateParams) {
	yes := true
	p.AwaitPromise = &yes
}

// phoneLayout is what the 390 px test measures on a page.
type phoneLayout struct {
	ViewportWidth  float64  `json:"viewportWidth"`
	PageWidth      float64  `json:"pageWidth"`      // the document's scroll width
	NarrowNavItems []string `json:"narrowNavItems"` // links squeezed below their text's width or wrapped
	NavItems       int      `json:"navItems"`
	WrappedHeads   []string `json:"wrappedHeads"` // queue column heads broken over lines
	CaseLinkRight  float64  `json:"caseLinkRight"`
	FilterWidth    float64  `json:"filterWidth"` // the search box
}

// measurePhoneLayout reads the page's geometry: each navigation link must be
// one line at least as wide as its text; the queue's column heads one line
// each; nothing but the table's own container may scroll sideways.
const measurePhoneLayout = `(function () {
	var fs = parseFloat(getComputedStyle(document.body).fontSize);
	var narrow = [], heads = [], links = document.querySelectorAll("header.top nav a, header.top form.logout a");
	links.forEach(function (a) {
		var r = a.getBoundingClientRect(), text = a.textContent.trim();
		var need = 0;
		for (var i = 0; i < text.length; i++) need += text.charCodeAt(i) > 0x2e80 ? fs * 0.9 : fs * 0.4;
		if (a.getClientRects().length !== 1 || r.width < need || r.height > fs * 2) narrow.push(text + " " + Math.round(r.width) + "x" + Math.round(r.height));
	});
	document.querySelectorAll("table.cases th").forEach(function (th) {
		if (th.textContent.trim() !== "" && th.getBoundingClientRect().height > fs * 2.6) heads.push(th.textContent);
	});
	var link = document.querySelector("table.cases td a");
	var search = document.querySelector("form.filters input[name=q]");
	return {viewportWidth: window.innerWidth, pageWidth: document.documentElement.scrollWidth,
		narrowNavItems: narrow, navItems: links.length, wrappedHeads: heads,
		caseLinkRight: link ? link.getBoundingClientRect().right : -1,
		filterWidth: search ? search.getBoundingClientRect().width : 0};
})()`

// fetchWithSession downloads path with the browser's own cookie and returns
// the bytes.
func fetchWithSession(t *testing.T, ctx context.Context, path string) []byte {
	t.Helper()
	js := `fetch(` + jsString(path) + `, {credentials: "same-origin"}).then(function (r) {
		if (!r.ok) throw new Error("HTTP " + r.status);
		return r.arrayBuffer();
	}).then(function (buf) {
		var s = "", b = new Uint8Array(buf);
		for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
		return btoa(s);
	})`
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, awaitPromise))
	if err != nil {
		t.Fatalf("fetch %s in the browser: %v", path, err)
	}
	out, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// jsString quotes s for JavaScript (paths here hold no quotes or backslashes).
func jsString(s string) string { return `"` + s + `"` }

// TestConsoleOnAPhoneAndExportsInABrowser opens the queue as an admin (the
// longest navigation) on a 390 px phone: the navigation wraps whole items, the
// queue's columns keep their heads on one line and scroll inside their box,
// the search box takes the width; then the page's own export links are fetched
// with the browser's session, the CSV checked for its BOM, header and masked
// phone and the XLSX opened with excelize.
func TestConsoleOnAPhoneAndExportsInABrowser(t *testing.T) {
	e := newPageEnv(t)
	admin := e.staff("admin9", "管理员丁", storage.RoleAdmin)
	c := e.newCase(func(nc *storage.NewCase) {
		nc.Phone = "13812345678"
		nc.MerchantName = "某某市某某区某某路某某号某某电器连锁有限公司旗舰店"
	})
	for range 4 {
		e.newCase(nil)
	}
	ctx, base, problems := pageBrowser(t, e, admin)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait),
		chromedp.Navigate(base+"/console/cases?category="+pageQ("家用电子电器")),
		chromedp.WaitVisible(chromedp.CSS("table.cases")),
	)
	if err != nil {
		t.Fatalf("open the queue: %v", err)
	}
	saveScreenshot(t, ctx, "console-queue-390px")
	var l phoneLayout
	if l, err = chromedp.Run(ctx, chromedp.Evaluate[phoneLayout](measurePhoneLayout)); err != nil {
		t.Fatal(err)
	}
	if l.ViewportWidth != 390 || l.NavItems < 9 {
		t.Fatalf("measured %+v: want a 390 px viewport and the admin's navigation", l)
	}
	if len(l.NarrowNavItems) > 0 {
		t.Errorf("navigation items squeezed or wrapped: %q", l.NarrowNavItems)
	}
	if len(l.WrappedHeads) > 0 {
		t.Errorf("queue column heads broken over lines: %q", l.WrappedHeads)
	}
	if l.PageWidth > l.ViewportWidth {
		t.Errorf("the page scrolls sideways (%.0f px wide on a %.0f px screen)", l.PageWidth, l.ViewportWidth)
	}
	if l.CaseLinkRight <= 0 || l.CaseLinkRight > l.ViewportWidth {
		t.Errorf("the first case's link ends at %.0f px, off a %.0f px screen", l.CaseLinkRight, l.ViewportWidth)
	}
	if l.FilterWidth < 300 {
		t.Errorf("the search box is %.0f px wide on a phone, want the full width", l.FilterWidth)
	}

	hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".export-links a")).map(function (a) { return a.getAttribute("href"); })`))
	if err != nil || len(hrefs) != 2 || !strings.Contains(hrefs[0], "export.csv?category=") {
		t.Fatalf("export links %q (%v)", hrefs, err)
	}
	csvBytes := fetchWithSession(t, ctx, hrefs[0])
	text, ok := strings.CutPrefix(string(csvBytes), "\uFEFF")
	if !ok || !strings.HasPrefix(text, "案件编号,状态,类别,被投诉商家,手机号,") || !strings.Contains(text, c.Number+",待受理,家用电子电器,") ||
		!strings.Contains(text, "138****5678") || strings.Contains(text, "13812345678") {
		t.Fatalf("the CSV export:\n%s", csvBytes)
	}
	f, err := excelize.OpenReader(bytes.NewReader(fetchWithSession(t, ctx, hrefs[1])))
	if err != nil {
		t.Fatalf("excelize cannot open the XLSX export: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) != 6 || rows[0][0] != "案件编号" || rows[5][0] != c.Number || rows[5][4] != "138****5678" {
		t.Fatalf("XLSX rows %q (%v)", rows, err)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(base+pageCasePath(c, "")), chromedp.WaitVisible(chromedp.ID("reply-text"))); err != nil {
		t.Fatalf("open the case: %v", err)
	}
	saveScreenshot(t, ctx, "console-case-390px")
	if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
		t.Errorf("the case page scrolls sideways on a phone (%v)", err)
	}
	for _, path := range []string{"/console/audit", "/console/reports", "/console/staff", "/console/settings",
		"/console/calendar", "/console/tokens", "/console/password", "/console/canned"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth - window.innerWidth`))
		if err != nil || wide > 0 {
			t.Errorf("%s is %.0f px wider than the phone (%v)", path, wide, err)
		}
		saveScreenshot(t, ctx, "console-"+filepath.Base(path)+"-390px")
	}
	if p := problems.String(); p != "" {
		t.Errorf("browser errors: %s", p)
	}
}
