package console

import (
	"net/http"
	"strings"
)

// The audit log's download (GET /console/audit/export.csv and .xlsx) is for
// admins only: the log says who looked at which case and when, which is itself
// sensitive. It follows the page's filter (parseAuditQuery, auditFilter) and is
// audited before it is sent, so the download shows up in the log it copies.

// auditExportPage is how many entries each store call reads (its maximum).
const auditExportPage = 200

// auditExportColumns are the download's columns.
var auditExportColumns = []string{"时间", "员工", "操作", "案件编号", "详情", "IP 地址"}

// exportAuditLog answers the audit log's download in format f.
func (s *Server) exportAuditLog(f exportFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		aq := parseAuditQuery(r.URL.Query())
		aq.Page = 1
		rows, err := s.allAuditRows(r, aq)
		if err != nil {
			s.exportError(w, r, err)
			return
		}
		t := exportTable{Title: "审计日志", Columns: auditExportColumns}
		for _, a := range rows {
			t.Rows = append(t.Rows, []any{exportTime(a.At), a.Staff, a.Action, a.CaseNumber, a.Detail, a.IP})
		}
		detail := "导出审计日志（" + strings.ToUpper(string(f)) + "）" + auditFilterText(aq) + "，共 " + itoaInt(len(t.Rows)) + " 行"
		if err := s.auditExport(r, detail); err != nil {
			s.pageError(w, r, err)
			return
		}
		s.sendExport(w, r, f, "审计日志-"+exportStamp(s.cfg.Now()), "audit-log-"+exportStamp(s.cfg.Now()), []exportTable{t})
	}
}

// allAuditRows reads every entry the filter matches, newest first, refusing
// more than maxExportRows after the first page.
func (s *Server) allAuditRows(r *http.Request, aq auditQuery) ([]auditRow, error) {
	f, found, err := s.auditFilter(r, aq)
	if err != nil || !found {
		return nil, err
	}
	staff, err := s.loadStaff(r.Context())
	if err != nil {
		return nil, err
	}
	// Entries written while the download is read (by anyone) would shift the
	// pages under it: the download stops at the moment it started.
	if now := s.cfg.Now(); f.Until == nil || f.Until.After(now) {
		f.Until = &now
	}
	f.Offset, f.Limit = 0, auditExportPage
	var out []auditRow
	for {
		page, total, err := s.auditRows(r.Context(), f, staff)
		if err != nil {
			return nil, err
		}
		if total > maxExportRows {
			return nil, &exportTooMany{rows: total}
		}
		out = append(out, page...)
		if len(page) < auditExportPage || len(out) >= total {
			return out, nil
		}
		f.Offset += auditExportPage
	}
}

// auditFilterText describes the audit log's filter for the entry recording
// its download; the filter holds ids, dates and a case number, no personal data.
func auditFilterText(aq auditQuery) string {
	enc := aq.values().Encode()
	if enc == "" {
		return "（全部记录）"
	}
	return "，筛选 " + enc
}
