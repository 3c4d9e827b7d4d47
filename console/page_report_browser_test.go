package console_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestReportChartsInABrowser loads the report page under the real CSP: each chart
// is an image the browser draws (an SVG it could not load would have no width),
// and nothing is refused.
func TestReportChartsInABrowser(t *testing.T) {
	e := newPageEnv(t)
	reportFixture(t, e)
	ctx, base, problems := pageBrowser(t, e, e.supervisor)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/console/reports?from=2026-01&to=2026-03"),
		chromedp.WaitVisible(chromedp.CSS(".report-charts")),
	)
	if err != nil {
		t.Fatalf("report page: %v", err)
	}
	const drawn = `(function () {
		var imgs = document.querySelectorAll(".report-charts img");
		return imgs.length === 3 && Array.prototype.every.call(imgs, function (i) {
			return i.complete && i.naturalWidth > 0;
		});
	})()`
	if ok, err := chromedp.Run(ctx, chromedp.Poll[bool](drawn)); err != nil || !ok {
		t.Fatalf("the charts were not drawn: %v", err)
	}
	if p := problems.String(); p != "" {
		t.Errorf("browser errors: %s", p)
	}
}

// TestAnnualReportPrintsInABrowser checks the annual report as a printer sees it:
// the charts drawn, and the navigation, the form buttons and the hint hidden
// under the print stylesheet.
func TestAnnualReportPrintsInABrowser(t *testing.T) {
	e := newPageEnv(t)
	reportFixture(t, e)
	ctx, base, problems := pageBrowser(t, e, e.supervisor)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/console/reports/annual/2026"),
		chromedp.WaitVisible(chromedp.CSS("article.annual h1")),
	)
	if err != nil {
		t.Fatalf("annual report: %v", err)
	}
	const drawn = `Array.prototype.every.call(document.querySelectorAll(".annual-charts img"),
		function (i) { return i.complete && i.naturalWidth > 0; })`
	if ok, err := chromedp.Run(ctx, chromedp.Poll[bool](drawn)); err != nil || !ok {
		t.Fatalf("the charts were not drawn: %v", err)
	}
	shown := `(function () {
		var shown = function (sel) { return getComputedStyle(document.querySelector(sel)).display !== "none"; };
		return [shown("header.top"), shown(".print-hint"), shown("article.annual h1")];
	})()`
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](shown)); err != nil || !slices.Equal(got, []bool{true, true, true}) {
		t.Fatalf("on screen: header, hint, title shown = %v (%v)", got, err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](shown)); err != nil || !slices.Equal(got, []bool{false, false, true}) {
		t.Errorf("in print: header, hint, title shown = %v, want only the title (%v)", got, err)
	}
	// Printed as the stylesheet asks (@page size A4), the pages are A4: 595 × 842 pt.
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil || !regexp.MustCompile(`/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]`).Match(pdf) {
		t.Errorf("print to PDF: %d bytes, not A4 (%v)", len(pdf), err)
	}
	if p := problems.String(); p != "" {
		t.Errorf("browser errors: %s", p)
	}
}
