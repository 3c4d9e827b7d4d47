package console_test

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// svgTexts parses an SVG document and returns the text of its <text> elements;
// it fails the test unless the document is well-formed XML with an <svg> root.
func svgTexts(t *testing.T, body string) []string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(body))
	var texts []string
	var root string
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v\n%s", err, body)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tk.Name.Local
			}
			inText = tk.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, strings.TrimSpace(string(tk)))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		t.Fatalf("chart root element %q, want svg", root)
	}
	return texts
}

// wantChart fetches a chart, checks its headers and returns its texts.
func wantChart(t *testing.T, u *pageUser, path string) []string {
	t.Helper()
	r := u.get(path).want(http.StatusOK)
	for h, want := range map[string]string{
		"Content-Type":           "image/svg+xml; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; " +
			"frame-ancestors 'self'; sandbox",
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s: %s = %q, want %q", path, h, got, want)
		}
	}
	if strings.Contains(r.body, "<script") || strings.Contains(r.body, "http://") && !strings.Contains(r.body, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("%s holds a script or a foreign reference", path)
	}
	return svgTexts(t, r.body)
}

// wantTexts checks that each text is one of the chart's texts.
func wantTexts(t *testing.T, chart string, texts []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(texts, w) {
			t.Errorf("%s lacks the text %q; it has %q", chart, w, texts)
		}
	}
}

func TestReportCharts(t *testing.T) {
	e := newPageEnv(t)
	reportFixture(t, e)
	sup := e.as(e.supervisor)
	const period = "?from=2026-01&to=2026-03"

	trend := wantChart(t, sup, "/console/reports/charts/trend.svg"+period)
	wantTexts(t, "trend", trend, "月度趋势（件）", "收到", "已调解", "2026-01", "2026-02", "2026-03", "4", "2")

	rate := wantChart(t, sup, "/console/reports/charts/rate.svg"+period)
	wantTexts(t, "rate", rate, "调解率（已调解 / 受理）", "2026-03", "100.00%")

	cats := wantChart(t, sup, "/console/reports/charts/categories.svg"+period)
	wantTexts(t, "categories", cats, "类别占比（收到）", "食品 2件 50.00%", "家用电子电器 2件 50.00%")

	// Names are text in the drawing, escaped: the chart stays well-formed.
	e.newCase(func(nc *storage.NewCase) { nc.Category = `<script>"&'` })
	odd := wantChart(t, sup, "/console/reports/charts/categories.svg"+period)
	wantTexts(t, "categories", odd, `<script>"&' 1件 20.00%`)

	empty := wantChart(t, sup, "/console/reports/charts/categories.svg?from=2026-01&to=2026-02")
	wantTexts(t, "empty categories", empty, "统计期间没有收到投诉。")
	wantChart(t, sup, "/console/reports/charts/trend.svg?from=2026-01&to=2026-01")
	wantChart(t, sup, "/console/reports/charts/rate.svg?from=2026-01&to=2026-02") // no point at all

	// Over more than three years the trend is drawn per year.
	long := wantChart(t, sup, "/console/reports/charts/trend.svg?from=2020-01&to=2026-12")
	wantTexts(t, "long trend", long, "年度趋势（件）", "2020", "2026", "5")
	if slices.Contains(long, "2026-03") {
		t.Errorf("the long trend is drawn per month: %q", long)
	}

	sup.get("/console/reports/charts/pie.svg").want(http.StatusNotFound)
	sup.get("/console/reports/charts/trend").want(http.StatusNotFound)
	sup.get("/console/reports/charts/trend.svg?from=2026-13").want(http.StatusBadRequest)
	e.as(e.mediator).get("/console/reports/charts/trend.svg").want(http.StatusForbidden)
	e.anonymous().get("/console/reports/charts/trend.svg").redirected("/console/login")
}
