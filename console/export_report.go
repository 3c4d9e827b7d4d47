package console

import (
	"net/http"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// reportTables flattens a report into the download's tables, one per section
// in the order the page shows them (one sheet each in XLSX, one after another
// in CSV). A new section of storage.Report is one more table appended here.
func reportTables(rep *storage.Report, from, to string) []exportTable {
	rate := "—"
	if rep.Received > 0 {
		rate = percent(rep.Mediated, rep.Received)
	}
	totals := exportTable{Title: "总体情况", Columns: []string{"指标", "数值"}, Rows: [][]any{
		{"统计期间", from + " 至 " + to},
		{"受理投诉（件）", rep.Received},
		{"调解成功（件）", rep.Mediated},
		{"办结（件）", rep.Concluded},
		{"调解率", rate},
		{"挽回经济损失（元）", exportYuan(rep.RecoveredFen)},
		{"加倍赔偿（件）", rep.DoubleCompensation},
	}}
	byCategory := exportTable{Title: "按类别", Columns: []string{"类别", "件数", "占受理比例"}}
	for _, c := range shares(rep.ByCategory, rep.Received) {
		byCategory.Rows = append(byCategory.Rows, []any{c.Name, c.Count, c.Share})
	}
	byMonth := exportTable{Title: "按月份", Columns: []string{"月份", "受理（件）", "调解成功（件）", "挽回经济损失（元）"}}
	for _, m := range rep.ByMonth {
		byMonth.Rows = append(byMonth.Rows, []any{m.Month, m.Received, m.Mediated, exportYuan(m.RecoveredFen)})
	}
	merchants := exportTable{Title: "被投诉最多的商家", Columns: []string{"商家", "件数", "占受理比例"}}
	for _, c := range shares(rep.TopMerchants, rep.Received) {
		merchants.Rows = append(merchants.Rows, []any{c.Name, c.Count, c.Share})
	}
	return []exportTable{totals, byCategory, merchants, byMonth}
}

// exportReport answers the statistics' download (GET
// /console/reports/export.csv and .xlsx) for the page's months. The report
// holds counts and merchant names, no consumer's data; the download is audited
// all the same, like every export.
func (s *Server) exportReport(f exportFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		from, to, msg := reportPeriod(r.URL.Query().Get("from"), r.URL.Query().Get("to"), s.cfg.Now())
		if msg != "" {
			s.renderError(w, r, http.StatusBadRequest, msg)
			return
		}
		rep, err := s.cfg.Store.CaseReport(r.Context(), from, to)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		first, last := from.Format("2006-01"), to.AddDate(0, -1, 0).Format("2006-01")
		tables := reportTables(rep, first, last)
		rows := 0
		for _, t := range tables {
			rows += len(t.Rows)
		}
		detail := "导出报表（" + strings.ToUpper(string(f)) + "），" + first + " 至 " + last + "，共 " + itoaInt(rows) + " 行"
		if err := s.auditExport(r, detail); err != nil {
			s.pageError(w, r, err)
			return
		}
		s.sendExport(w, r, f, "报表-"+first+"至"+last, "report-"+first+"-"+last, tables)
	}
}
