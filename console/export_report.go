package console

import (
	"net/http"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// reportTables flattens a report into the download's tables, one per section
// in the order the page shows them (one sheet each in XLSX, one after another
// in CSV), on the page's definitions (storage.ReportFigures: 调解率 = 已调解 ÷
// 受理). compare is the unit comparison (empty without units under the unit);
// unit names the unit when there are several. A new section of storage.Report
// is one more table appended here.
func reportTables(rep *storage.Report, from, to, unit string, compare []unitComparison) []exportTable {
	period := from + " 至 " + to
	if unit != "" {
		period += "，" + unit
	}
	totals := exportTable{Title: "总体情况", Columns: []string{"指标", "数值"}, Rows: [][]any{
		{"统计期间", period},
		{"收到（件）", rep.Received},
		{"受理（件）", rep.Accepted},
		{"不予受理（件）", rep.Rejected},
		{"受理前撤回（件）", rep.WithdrawnEarly},
		{"待受理（含待补正）（件）", rep.Pending},
		{"已调解（件）", rep.Mediated},
		{"调解率（已调解÷受理）", rateOf(rep.ReportFigures)},
		{"挽回经济损失（元）", exportYuan(rep.RecoveredFen)},
		{"加倍赔偿（件）", rep.DoubleCompensation},
		{"已办结（件）", rep.Concluded},
		// The registry's figures are the whole system's, whatever the unit.
		{"已入驻和解平台的商家（家，全系统）", rep.Merchants.OnPlatform},
		{"本期新入驻的商家（家，全系统）", rep.Merchants.NewOnPlatform},
	}}
	channels := groupTable("按处理渠道", "渠道", rep.ByChannel, rep.Received, storage.ChannelOwn)
	channels.Columns = append(channels.Columns, "仲裁标的额（元）")
	for i, c := range rep.ByChannel {
		var amount any = "—"
		if c.Key == "仲裁委员会" {
			amount = exportYuan(c.AmountFen)
		}
		channels.Rows[i] = append(channels.Rows[i], amount)
	}
	tables := []exportTable{totals, channels}
	if len(compare) > 0 {
		units := exportTable{Title: "各单位对比", Columns: groupColumns("单位")}
		for _, c := range compare {
			units.Rows = append(units.Rows, groupRow(c.Name, c.ReportFigures, rep.Received))
		}
		tables = append(tables, units)
	}
	tables = append(tables,
		groupTable("按投诉类别", "类别", rep.ByCategory, rep.Received, "未分类"),
		groupTable("按投诉性质", "性质", rep.ByNature, rep.Received, "未分类"),
		groupTable("按调解员", "调解员", rep.ByMediator, rep.Received, "未分配"),
		groupTable("按组", "组", rep.ByTeam, rep.Received, reportNoTeam),
		groupTable("被投诉最多的商家", "商家", rep.TopMerchants, rep.Received, ""),
		topicTable(rep), satisfactionTable(rep.Satisfaction),
		periodTable("按月", "月份", rep.ByMonth), periodTable("按年", "年份", rep.ByYear),
		overdueTable(rep.Overdue), massTable(rep.Mass))
	return tables
}

// groupColumns are the columns of a breakdown, the first naming its groups.
func groupColumns(what string) []string {
	return []string{what, "收到（件）", "占收到比例", "受理（件）", "已调解（件）", "调解率", "挽回经济损失（元）"}
}

// groupRow is one group of a breakdown.
func groupRow(name string, f storage.ReportFigures, received int) []any {
	return []any{name, f.Received, percent(f.Received, received), f.Accepted, f.Mediated, rateOf(f),
		exportYuan(f.RecoveredFen)}
}

// groupTable is a breakdown; unnamed names the group with no name.
func groupTable(title, what string, groups []storage.ReportCount, received int, unnamed string) exportTable {
	t := exportTable{Title: title, Columns: groupColumns(what), Rows: [][]any{}}
	for _, g := range groups {
		name := g.Name
		if name == "" {
			name = unnamed
		}
		t.Rows = append(t.Rows, groupRow(name, g.ReportFigures, received))
	}
	return t
}

// topicTable is the hot topics, each with its share of the classified cases.
func topicTable(rep *storage.Report) exportTable {
	t := exportTable{Title: "热点问题", Columns: []string{"热点（类别 · 细分类别 · 性质）", "件数", "占已分类比例"}, Rows: [][]any{}}
	for _, v := range topicViews(rep.HotTopics, rep.Classified) {
		t.Rows = append(t.Rows, []any{v.Theme, v.Count, v.Share})
	}
	return t
}

// satisfactionTable is the consumers' ratings.
func satisfactionTable(s storage.ReportSatisfaction) exportTable {
	v := newSatisfactionView(s)
	return exportTable{Title: "满意度", Columns: []string{"评价", "件数", "占比"}, Rows: [][]any{
		{"满意", v.Satisfied, v.SatisfiedPct}, {"基本满意", v.Mostly, v.MostlyPct},
		{"不满意", v.Dissatisfied, v.DissatisPct}, {"合计", v.Rated, ""}}}
}

// periodTable is the months or the years.
func periodTable(title, what string, periods []storage.ReportMonth) exportTable {
	t := exportTable{Title: title, Rows: [][]any{},
		Columns: []string{what, "收到（件）", "受理（件）", "已调解（件）", "调解率", "挽回经济损失（元）"}}
	for _, p := range periods {
		t.Rows = append(t.Rows, []any{p.Month, p.Received, p.Accepted, p.Mediated, rateOf(p.ReportFigures),
			exportYuan(p.RecoveredFen)})
	}
	return t
}

// overdueTable is the overdue open cases at the moment of the download: not a
// figure of the period, and titled so.
func overdueTable(o storage.ReportOverdue) exportTable {
	v := newReportOverdueView(o)
	t := exportTable{Title: "超期未办结", Columns: []string{"分组", "名称", "件数"}, Rows: [][]any{
		{"合计（截至 " + v.AsOf + "）", "", v.Total}}}
	for _, m := range v.Mediators {
		t.Rows = append(t.Rows, []any{"调解员", m.Name, m.Count})
	}
	for _, g := range v.Teams {
		t.Rows = append(t.Rows, []any{"组", g.Name, g.Count})
	}
	return t
}

// exportReport answers the statistics' download (GET
// /console/reports/export.csv and .xlsx) for the page's months and unit. The
// report holds counts and names of merchants, staff and teams, no consumer's
// data; the download is audited all the same, like every export.
func (s *Server) exportReport(f exportFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		from, to, unit, ok := s.reportScope(w, r)
		if !ok {
			return
		}
		rep, err := s.unitReport(r.Context(), unit, from, to)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		first, last := from.Format("2006-01"), to.AddDate(0, -1, 0).Format("2006-01")
		name, ascii, unitName := "报表-"+first+"至"+last, "report-"+first+"-"+last, ""
		if !unit.tree.Single() {
			unitName = s.unitName(unit.unit)
			name, ascii = name+"-"+unit.unit.Code, ascii+"-"+unit.unit.Code
		}
		tables := reportTables(rep, first, last, unitName, s.compareUnits(unit, rep))
		rows := 0
		for _, t := range tables {
			rows += len(t.Rows)
		}
		detail := "导出报表（" + strings.ToUpper(string(f)) + "），" + first + " 至 " + last
		if unitName != "" {
			detail += "，单位 " + unit.unit.Code
		}
		detail += "，共 " + itoaInt(rows) + " 行"
		if err := s.auditExport(r, detail); err != nil {
			s.pageError(w, r, err)
			return
		}
		s.sendExport(w, r, f, name, ascii, tables)
	}
}
