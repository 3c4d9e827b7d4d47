package console_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// unitsFixture gives the page env a system: the root (某市消委会) with district
// A (甲区消委会, with its street office A1) and district B, a supervisor in A,
// and cases: one of the root's, one of A's, one of A1's (mediated) and two of
// B's.
type unitsFixture struct {
	a, a1, b  int64
	supA      *storage.Staff
	aCase     *storage.Case
	bCases    []*storage.Case
	rootCases []*storage.Case
}

func newUnitsFixture(t *testing.T, e *pageEnv) *unitsFixture {
	t.Helper()
	ctx := context.Background()
	f := &unitsFixture{}
	var err error
	unit := func(parent int64, name, code string) int64 { return addTestUnit(t, e.db, parent, name, code) }
	f.a = unit(storage.RootUnitID, "甲区消委会", "JQ")
	f.a1 = unit(f.a, "甲区一街道", "JQ1")
	f.b = unit(storage.RootUnitID, "乙区消委会", "YQ")
	if f.supA, err = e.db.CreateStaff(ctx, storage.NewStaff{Username: "sup_a", Name: "甲区主管",
		Role: storage.RoleSupervisor, PasswordHash: "x", UnitID: f.a}); err != nil {
		t.Fatal(err)
	}
	in := func(u int64) func(*storage.NewCase) { return func(nc *storage.NewCase) { nc.UnitID = u } }
	f.rootCases = append(f.rootCases, e.newCase(nil))
	f.aCase = e.newCase(in(f.a))
	a1 := e.newCase(in(f.a1))
	e.move(a1, storage.StatusAccepted, "")
	e.move(a1, storage.StatusMediating, "")
	e.close(a1, storage.Closing{Outcome: storage.OutcomeAgreement, RecoveredFen: 20_000})
	f.bCases = append(f.bCases, e.newCase(in(f.b)), e.newCase(in(f.b)))
	return f
}

// TestReportPerUnit: the city sees the system and compares its districts; a
// district's supervisor sees their subtree and cannot take another's figures.
func TestReportPerUnit(t *testing.T) {
	e := newPageEnv(t)
	f := newUnitsFixture(t, e)
	const period = "?from=2026-03&to=2026-03"
	ids := func(id int64) string { return strconv.FormatInt(id, 10) }

	city := e.as(e.supervisor).get("/console/reports" + period).want(http.StatusOK)
	city.contains("<tr><th>收到</th><td>5 件</td></tr>", `<select name="unit">`,
		`<option value="1" selected>某市消委会</option>`, `<option value="`+ids(f.a1)+`">　　甲区一街道</option>`,
		"<h2>各单位对比</h2>",
		// Each district with its subtree, then the city's own; together the totals.
		"<tr><td>甲区消委会</td><td>2</td><td>40.00%</td><td>1</td><td>1</td><td>100.00%</td><td>¥200.00</td></tr>",
		"<tr><td>乙区消委会</td><td>2</td><td>40.00%</td><td>0</td>",
		"<tr><td>本级（某市消委会）</td><td>1</td><td>20.00%</td>",
		`/console/reports/export.csv?from=2026-03&amp;to=2026-03&amp;unit=1"`,
		`/console/reports/charts/trend.svg?from=2026-03&amp;to=2026-03&amp;unit=1&amp;v=`)
	e.as(e.supervisor).get("/console/reports"+period+"&unit="+ids(f.b)).want(http.StatusOK).
		contains("<tr><th>收到</th><td>2 件</td></tr>", "统计范围：乙区消委会").lacks("<h2>各单位对比</h2>")

	// District A's supervisor: their subtree by default, compared with A1.
	district := e.as(f.supA)
	district.get("/console/reports"+period).want(http.StatusOK).
		contains("<tr><th>收到</th><td>2 件</td></tr>", "统计范围：甲区消委会及其下属单位",
			"<tr><td>甲区一街道</td><td>1</td><td>50.00%</td><td>1</td><td>1</td>",
			"<tr><td>本级（甲区消委会）</td><td>1</td><td>50.00%</td><td>0</td>").
		lacks("乙区消委会", "某市消委会</option>")
	// Another district, the city, a made-up unit: not found, on every figure.
	for _, q := range []string{"&unit=" + ids(f.b), "&unit=1", "&unit=999", "&unit=x"} {
		district.get("/console/reports" + period + q).want(http.StatusNotFound).lacks("<tr><th>收到</th>")
		district.get("/console/reports/charts/trend.svg" + period + q).want(http.StatusNotFound)
		district.get("/console/reports/export.csv" + period + q).want(http.StatusNotFound)
		district.get("/console/reports/annual/2026?unit=" + strings.TrimPrefix(q, "&unit=")).want(http.StatusNotFound)
	}
	// A typical case of B's is in the city's annual report, not in A's.
	bDone := f.bCases[0]
	e.move(bDone, storage.StatusRejected, "不属于受理范围")
	if _, err := e.db.MarkTypicalCase(context.Background(), storage.TypicalCaseMark{CaseID: bDone.ID,
		Title: "乙区的典型案例", Summary: "摘要", By: storage.By{Actor: e.supervisor.Actor()}}); err != nil {
		t.Fatal(err)
	}
	e.as(e.supervisor).get("/console/reports/annual/2026").want(http.StatusOK).contains("乙区的典型案例")
	district.get("/console/reports/annual/2026").want(http.StatusOK).
		contains("甲区消委会2026年度消费投诉处理情况报告", "共收到消费者投诉2件", "<h3>各单位对比</h3>").
		lacks("乙区的典型案例")
	district.get("/console/reports/charts/trend.svg" + period + "&unit=" + ids(f.a1)).want(http.StatusOK)

	// The district's download holds its subtree only, and says which unit.
	records := exportCSV(t, district, "/console/reports/export.csv"+period)
	text := csvText(records)
	for _, want := range []string{"统计期间,2026-03 至 2026-03，甲区消委会\n", "收到（件）,2\n", "各单位对比\n",
		"甲区一街道,1,50.00%,1,1,100.00%,200.00\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("district CSV lacks %q:\n%s", want, text)
		}
	}
	if audits := exportAudits(t, e); len(audits) != 1 || !strings.Contains(audits[0], "单位 JQ") {
		t.Errorf("export audit %q", audits)
	}
}

// TestReportSingleUnitHasNoUnits: with the root alone nothing about units
// shows: no picker, no comparison, no unit in links or downloads.
func TestReportSingleUnitHasNoUnits(t *testing.T) {
	e := newPageEnv(t)
	reportFixture(t, e)
	sup := e.as(e.supervisor)
	sup.get("/console/reports").want(http.StatusOK).
		contains("<tr><th>收到</th><td>4 件</td></tr>").
		lacks(`name="unit"`, "unit=", "各单位对比", "统计范围：")
	sup.get("/console/reports/annual/2026").want(http.StatusOK).
		contains("某市消委会2026年度").lacks("unit=", "各单位对比")
	if text := csvText(exportCSV(t, sup, "/console/reports/export.csv")); strings.Contains(text, "各单位对比") ||
		!strings.Contains(text, "统计期间,2026-01 至 2026-03\n") {
		t.Errorf("single-unit CSV:\n%s", text)
	}
	sup.get("/console/reports?unit=1").want(http.StatusOK)
	sup.get("/console/reports?unit=2").want(http.StatusNotFound)
}

// TestReportTeamsChannelsOverdue: the team table, a team counted as a channel
// (set by a supervisor, audited), and the overdue cases as of now.
func TestReportTeamsChannelsOverdue(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	by := storage.By{Actor: e.supervisor.Actor()}
	studio, err := e.db.CreateTeam(ctx, storage.TeamInput{Name: "超哥汽车消费维权工作室"}, by)
	if err != nil {
		t.Fatal(err)
	}
	car, late, other := e.newCase(nil), e.newCase(nil), e.newCase(nil)
	for _, c := range []*storage.Case{car, late} {
		if _, err := e.db.SetCaseTeam(ctx, c.ID, studio.ID, by); err != nil {
			t.Fatal(err)
		}
	}
	e.move(car, storage.StatusAccepted, "")
	e.move(car, storage.StatusMediating, "")
	e.close(car, storage.Closing{Outcome: storage.OutcomeAgreement, RecoveredFen: 100})
	e.move(other, storage.StatusAccepted, "")
	e.move(other, storage.StatusMediating, "")
	sup := e.as(e.supervisor)
	const path = "/console/reports?from=2026-03&to=2026-03"
	sup.get(path).want(http.StatusOK).
		contains("<tr><td>本会调解</td><td>2</td><td>1</td><td>50.00%</td>", "<h2>按组</h2>",
			"<tr><td>超哥汽车消费维权工作室</td><td>2</td><td>66.67%</td><td>1</td><td>1</td><td>100.00%</td>",
			"<tr><td>未分组</td><td>1</td><td>33.33%</td>", "计入本会调解",
			`action="/console/reports/channels/`+strconv.FormatInt(studio.ID, 10)+`"`).
		lacks("<tr><td>超哥汽车消费维权工作室</td><td>1</td>")

	mark := "/console/reports/channels/" + strconv.FormatInt(studio.ID, 10)
	e.as(e.mediator).post(mark, pageForm("on", "1")).want(http.StatusForbidden)
	sup.post(mark, pageForm("on", "1")).redirected("/console/reports")
	sup.post("/console/reports/channels/9999", pageForm("on", "1")).want(http.StatusNotFound)
	// The studio is now a channel: its case that was never referred left 本会调解.
	sup.get(path).want(http.StatusOK).
		contains("<tr><td>本会调解</td><td>1</td><td>0</td>",
			"<tr><td>超哥汽车消费维权工作室</td><td>1</td><td>1</td><td>100.00%</td><td>¥1.00</td><td>—</td></tr>",
			"作为处理渠道单独统计 <form")
	sup.get("/console/reports/annual/2026").want(http.StatusOK).
		contains("<b>超哥汽车消费维权工作室</b>：受理投诉1件，已调解（和解）1件，调解率100.00%", "五、各组处理情况")
	action := storage.AuditTeamChannel
	if entries, _, err := e.db.FindAudit(ctx, storage.AuditFilter{Action: &action}); err != nil || len(entries) != 1 ||
		entries[0].Detail != "组 超哥汽车消费维权工作室 作为处理渠道单独统计" {
		t.Fatalf("channel audit %+v, %v", entries, err)
	}

	// Six months on, the pending case's acceptance clock and the mediating
	// case's have run out: overdue now, whatever the period.
	e.jump(time.Date(2026, 9, 1, 1, 0, 0, 0, time.UTC))
	sup.get(path).want(http.StatusOK).
		contains("超期未办结（截至 2026-09-01 09:00）", "共 2 件",
			"<tr><td>未分配</td><td>2</td></tr>", "<tr><td>超哥汽车消费维权工作室</td><td>1</td></tr>",
			"<tr><td>未分组</td><td>1</td></tr>")
}

// TestReportExportMatchesPage: every number of the download is the page's: each
// row of the CSV's breakdowns, months and comparison appears on the page, and
// the totals agree line by line.
func TestReportExportMatchesPage(t *testing.T) {
	e := newPageEnv(t)
	reportFixture(t, e)
	newUnitsFixture(t, e)
	sup := e.as(e.supervisor)
	const q = "?from=2026-01&to=2026-03"
	pageRows := map[string]bool{}
	totals := map[string]string{}
	for _, row := range htmlRows(sup.get("/console/reports" + q).want(http.StatusOK).body) {
		pageRows[strings.Join(row, "|")] = true
		if len(row) == 2 {
			totals[row[0]] = strings.TrimSuffix(row[1], " 件")
		}
	}
	section, checked := "", 0
	for _, rec := range exportCSV(t, sup, "/console/reports/export.csv"+q) {
		switch {
		case len(rec) == 1:
			section = rec[0]
			continue
		case rec[0] == "指标" || strings.HasSuffix(rec[1], "（件）") || rec[1] == "件数":
			continue // a header
		}
		cells := make([]string, len(rec))
		for i, c := range rec {
			cells[i] = c
		}
		switch section {
		case "总体情况":
			label := strings.TrimSuffix(strings.TrimSuffix(rec[0], "（件）"), "（元）")
			label = strings.TrimSuffix(label, "（已调解÷受理）")
			if want, ok := totals[label]; ok {
				checked++
				if money(want) != rec[1] {
					t.Errorf("total %s: page %q, export %q", label, want, rec[1])
				}
			}
			continue
		case "按处理渠道": // the page leaves out 收到 and its share
			cells = append(cells[:1], cells[3:]...)
		case "热点问题", "满意度", "超期未办结":
			continue
		}
		checked++
		if !pageRows[strings.Join(cells, "|")] {
			t.Errorf("%s: the page has no row %q", section, cells)
		}
	}
	if checked < 30 || totals["收到"] != "9" {
		t.Fatalf("only %d rows compared; totals %v", checked, totals)
	}
}

var (
	htmlRowRE  = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	htmlCellRE = regexp.MustCompile(`(?s)<t[hd]>(.*?)</t[hd]>`)
)

// htmlRows returns each table row's cells as text, money as the download
// writes it (¥1,234.50 → 1234.50).
func htmlRows(body string) [][]string {
	var out [][]string
	for _, tr := range htmlRowRE.FindAllStringSubmatch(body, -1) {
		var row []string
		for _, td := range htmlCellRE.FindAllStringSubmatch(tr[1], -1) {
			row = append(row, money(html.UnescapeString(td[1])))
		}
		out = append(out, row)
	}
	return out
}

// money writes a page amount as the download does.
func money(s string) string {
	if rest, ok := strings.CutPrefix(s, "¥"); ok {
		return strings.ReplaceAll(rest, ",", "")
	}
	return s
}

// csvText joins records into lines.
func csvText(records [][]string) string {
	var b strings.Builder
	for _, r := range records {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

// countingStore counts the reports the console computes.
type countingStore struct {
	*sqlstore.DB
	reports int
}

func (c *countingStore) CaseReport(ctx context.Context, from, to time.Time) (*storage.Report, error) {
	c.reports++
	return c.DB.CaseReport(ctx, from, to)
}

func (c *countingStore) UnitReport(ctx context.Context, from, to time.Time, units []int64) (*storage.Report, error) {
	c.reports++
	return c.DB.UnitReport(ctx, from, to, units)
}

// TestReportChartsReuseThePagesReport: a page view computes its report once;
// its three charts draw from it. A chart without the page's token, or with a
// token for another period, computes its own.
func TestReportChartsReuseThePagesReport(t *testing.T) {
	e := newPageEnv(t)
	reportFixture(t, e)
	store := &countingStore{DB: e.db}
	srv, err := console.New(console.Config{Store: store, Sessions: e.sessions, OrgName: "某市消委会",
		CasePrefix: "TS", Now: e.db.Now, PhoneSearches: testPhoneSearches(t)})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	sup := e.as(e.supervisor)
	page := sup.get("/console/reports").want(http.StatusOK)
	srcs := regexp.MustCompile(`<img src="([^"]+)"`).FindAllStringSubmatch(page.body, -1)
	if len(srcs) != 3 {
		t.Fatalf("charts %q", srcs)
	}
	for _, src := range srcs {
		sup.get(html.UnescapeString(src[1])).want(http.StatusOK)
	}
	if store.reports != 1 {
		t.Fatalf("a page view with its charts computed %d reports, want 1", store.reports)
	}
	token := regexp.MustCompile(`v=([0-9a-f]+)`).FindStringSubmatch(srcs[0][1])[1]
	sup.get("/console/reports/charts/trend.svg").want(http.StatusOK)
	sup.get("/console/reports/charts/trend.svg?from=2026-02&to=2026-03&v=" + token).want(http.StatusOK)
	if store.reports != 3 {
		t.Fatalf("charts without the page's token computed %d reports in all, want 3", store.reports)
	}
}

// addTestUnit creates a unit under parent through the store, as an admin would.
func addTestUnit(t *testing.T, db *sqlstore.DB, parent int64, name, code string) int64 {
	t.Helper()
	u, err := db.CreateUnit(context.Background(), storage.UnitInput{ParentID: parent, Name: name, Code: code},
		storage.By{Actor: "staff:1"})
	if err != nil {
		t.Fatalf("add unit %s: %v", code, err)
	}
	return u.ID
}
