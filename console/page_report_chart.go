package console

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/go-analyze/charts"
)

// The report's charts are SVG drawn on the server (go-analyze/charts) and served
// as images from their own GET routes, so the page needs no script, no CDN and
// nothing the console's Content-Security-Policy forbids: <img> loads them under
// img-src 'self'.

// chartSVGPolicy is the Content-Security-Policy of a chart itself, should staff
// open one directly: the drawing styles its shapes with style attributes and has
// no script, so it may use inline style and nothing else.
const chartSVGPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"

// chartWidth and chartHeight are the size of every chart, in SVG units.
const chartWidth, chartHeight = 760, 340

// chartPieSlices is how many categories the share chart draws; the rest are
// one slice, 其他类别.
const chartPieSlices = 7

// reportCharts are the charts by name, as in /console/reports/charts/{name}.svg.
var reportCharts = map[string]func(*storage.Report) ([]byte, error){
	"trend":      trendChart,
	"categories": categoryChart,
	"rate":       rateChart,
}

// showReportChart serves one chart of the period and unit the query names (the
// same from/to/unit as the report page); v, the page's token, lets it draw from
// the page's own report (reportCache).
func (s *Server) showReportChart(w http.ResponseWriter, r *http.Request) {
	name, svg := strings.CutSuffix(r.PathValue("file"), ".svg")
	draw, ok := reportCharts[name]
	if !ok || !svg {
		s.renderError(w, r, http.StatusNotFound, "没有这张图表。")
		return
	}
	from, to, unit, ok := s.reportScope(w, r)
	if !ok {
		return
	}
	key := reportCacheKey(from, to, unit)
	rep := s.reports.get(r.URL.Query().Get("v"), key)
	if rep == nil {
		var err error
		if rep, err = s.unitReport(r.Context(), unit, from, to); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	out, err := draw(rep)
	if err != nil {
		s.pageError(w, r, fmt.Errorf("draw chart %s: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml; charset=utf-8")
	h.Set("Content-Security-Policy", chartSVGPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// chartMaxMonths is the longest period drawn per month; longer ones are drawn
// per year, so the axis stays readable.
const chartMaxMonths = 36

// chartPeriods returns the periods a chart draws and the word for them.
func chartPeriods(rep *storage.Report) ([]storage.ReportMonth, string) {
	if len(rep.ByMonth) > chartMaxMonths {
		return rep.ByYear, "年度"
	}
	return rep.ByMonth, "月度"
}

// trendChart draws the cases received and mediated per month (or year).
func trendChart(rep *storage.Report) ([]byte, error) {
	periods, word := chartPeriods(rep)
	received, mediated := make([]float64, len(periods)), make([]float64, len(periods))
	for i, m := range periods {
		received[i], mediated[i] = float64(m.Received), float64(m.Mediated)
	}
	opt := charts.NewLineChartOptionWithData([][]float64{received, mediated})
	opt.Title.Text = word + "趋势（件）"
	opt.XAxis.Labels = monthLabels(periods)
	opt.Legend.SeriesNames = []string{"收到", "已调解"}
	opt.Legend.Offset = charts.OffsetRight
	opt.ValueFormatter = wholeNumber
	opt.YAxis = []charts.YAxisOption{{Min: charts.Ptr(0.0), ValueFormatter: wholeNumber}}
	for i := range opt.SeriesList {
		opt.SeriesList[i].Label = charts.SeriesLabel{Show: charts.Ptr(true), ValueFormatter: wholeNumber}
	}
	return drawChart(func(p *charts.Painter) error { return p.LineChart(opt) })
}

// rateChart draws the 调解率 per month (or year); a period with nothing accepted
// has no point.
func rateChart(rep *storage.Report) ([]byte, error) {
	periods, _ := chartPeriods(rep)
	rates := make([]float64, len(periods))
	for i, m := range periods {
		rates[i] = charts.GetNullValue()
		if m.Accepted > 0 {
			rates[i] = float64(m.Mediated) * 100 / float64(m.Accepted)
		}
	}
	opt := charts.NewLineChartOptionWithData([][]float64{rates})
	opt.Title.Text = "调解率（已调解 / 受理）"
	opt.XAxis.Labels = monthLabels(periods)
	opt.Legend.SeriesNames = []string{"调解率"}
	opt.Legend.Offset = charts.OffsetRight
	pct := func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + "%" }
	opt.YAxis = []charts.YAxisOption{{Min: charts.Ptr(0.0), Max: charts.Ptr(100.0), LabelCount: 6, ValueFormatter: pct}}
	opt.SeriesList[0].Label = charts.SeriesLabel{Show: charts.Ptr(true),
		// The value is computed as percent computes it, so the label reads as the tables do.
		ValueFormatter: func(v float64) string { return fmt.Sprintf("%.2f%%", v) }}
	return drawChart(func(p *charts.Painter) error { return p.LineChart(opt) })
}

// categoryChart draws each category's share of the cases received.
func categoryChart(rep *storage.Report) ([]byte, error) {
	if rep.Received == 0 {
		return emptyChart("类别占比", "统计期间没有收到投诉。"), nil
	}
	var names []string
	var counts []int
	for i, c := range rep.ByCategory {
		if i < chartPieSlices {
			names, counts = append(names, c.Name), append(counts, c.Count)
			continue
		}
		if i == chartPieSlices {
			names, counts = append(names, "其他类别"), append(counts, 0)
		}
		counts[chartPieSlices] += c.Count
	}
	values := make([]float64, len(counts))
	for i, n := range counts {
		values[i] = float64(n)
	}
	opt := charts.NewPieChartOptionWithData(values)
	opt.Title.Text = "类别占比（收到）"
	opt.Legend.SeriesNames = names
	opt.Legend.Show = charts.Ptr(false)
	for i := range opt.SeriesList {
		opt.SeriesList[i].Label = charts.SeriesLabel{Show: charts.Ptr(true),
			LabelFormatter: func(i int, _ string, _ float64) (string, *charts.LabelStyle) {
				return names[i] + " " + strconv.Itoa(counts[i]) + "件 " + percent(counts[i], rep.Received), nil
			}}
	}
	return drawChart(func(p *charts.Painter) error { return p.PieChart(opt) })
}

// drawChart paints one chart as SVG.
func drawChart(paint func(*charts.Painter) error) ([]byte, error) {
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG,
		Width: chartWidth, Height: chartHeight})
	if err := paint(p); err != nil {
		return nil, err
	}
	return p.Bytes()
}

// emptyChart is a chart's frame with a sentence instead of data.
func emptyChart(title, sentence string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d">`, chartWidth, chartHeight)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>`)
	b.WriteString(`<text x="20" y="36" font-size="16" fill="#464646">`)
	_ = xml.EscapeText(&b, []byte(title))
	fmt.Fprintf(&b, `</text><text x="%d" y="%d" font-size="14" fill="#888" text-anchor="middle">`,
		chartWidth/2, chartHeight/2)
	_ = xml.EscapeText(&b, []byte(sentence))
	b.WriteString(`</text></svg>`)
	return b.Bytes()
}

// monthLabels are the periods' names ("2026-03", "2026").
func monthLabels(months []storage.ReportMonth) []string {
	out := make([]string, len(months))
	for i, m := range months {
		out[i] = m.Month
	}
	return out
}

// wholeNumber shows a count.
func wholeNumber(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
