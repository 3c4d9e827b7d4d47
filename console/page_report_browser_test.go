package console_test

import (
	"testing"

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
