package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// The queue's download (GET /console/cases/export.csv and .xlsx) holds the
// cases the queue shows with the same filter — parseQueueQuery and its filter,
// so every filter the queue gains is followed — all pages at once, up to
// maxExportRows. It searches through findCases like the queue, so a search by
// a whole phone number uses the staff member's hourly allowance and is audited
// per case exactly as on the page.
//
// Phones stay masked (138****5678) for everyone, admins included. Any staff
// member may reveal one case's number on its page, with a reason to be there
// and an audit entry naming that case; a file of hundreds of full numbers,
// copied to a laptop or mailed on, is a different thing, and nobody's work at
// the desk needs one. So there is no "export with full numbers".

// queueExportPage is how many cases each store call reads (the store's maximum).
const queueExportPage = 100

// queueExportColumns are the download's columns, in order; queueExportRow
// fills them. The last three are the queue's 期限 column, so a download of the
// 已超期 list says what is late and by how much.
var queueExportColumns = []string{"案件编号", "状态", "类别", "被投诉商家", "手机号", "承办人",
	"涉及金额（元）", "有未读消息", "提交时间", "最后更新", "期限", "到期日", "期限状态"}

// queueExportRow is one case's line, its phone masked (已匿名化 once removed), with its 期限 as the
// queue shows it (due).
func queueExportRow(c *storage.Case, staff *staffDirectory, due dueCell) []any {
	unread := ""
	if c.Unread {
		unread = "是"
	}
	return []any{c.Number, c.Status.Label(), c.Category, c.MerchantName, shownPhone(c),
		staff.name(c.AssigneeID), exportYuan(c.AmountFen), unread, exportTime(c.CreatedAt), exportTime(c.UpdatedAt),
		due.Clock, due.On, due.Text}
}

// exportQueue answers the queue's download in format f.
func (s *Server) exportQueue(f exportFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		qq := parseQueueQuery(r.URL.Query())
		cases, err := s.allQueueCases(r, qq)
		if err != nil {
			s.exportError(w, r, err)
			return
		}
		staff, err := s.loadStaff(r.Context())
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		units, err := s.unitNames(r.Context(), staff.scope)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		t := exportTable{Title: "案件", Columns: queueExportColumns}
		cal, now := s.cfg.Calendar(), s.cfg.Now()
		for _, c := range cases {
			t.Rows = append(t.Rows, queueExportRow(c, staff, newDueCell(c, cal, now)))
		}
		withUnitColumn(&t, cases, units)
		if err := s.auditExport(r, "导出案件列表（"+strings.ToUpper(string(f))+"）"+queueFilterText(qq)+
			"，共 "+itoaInt(len(t.Rows))+" 行，手机号已打码"); err != nil {
			s.pageError(w, r, err)
			return
		}
		s.sendExport(w, r, f, "案件列表-"+exportStamp(s.cfg.Now()), "cases-"+exportStamp(s.cfg.Now()), []exportTable{t})
	}
}

// allQueueCases reads every case the queue's filter matches, a store page at a
// time through findCases. More than maxExportRows is refused after the first
// page, before anything else is read.
func (s *Server) allQueueCases(r *http.Request, qq queueQuery) ([]*storage.Case, error) {
	f := qq.filter(staffFrom(r.Context()))
	f.Offset, f.Limit = 0, queueExportPage
	var out []*storage.Case
	for {
		page, total, err := s.findCases(r, f, "导出")
		if err != nil {
			return nil, err
		}
		if total > maxExportRows {
			return nil, &exportTooMany{rows: total}
		}
		out = append(out, page...)
		if len(page) < queueExportPage || len(out) >= total {
			return out, nil
		}
		f.Offset += queueExportPage
	}
}

// queueFilterText describes the filter for the audit log: "，筛选 k=v，…", or
// "（全部案件）". A whole phone number searched for is not written down.
func queueFilterText(qq queueQuery) string {
	v := qq.values()
	if len(v) == 0 {
		return "（全部案件）"
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		val := v.Get(k)
		if _, phone := storage.WholePhone(val); phone {
			val = "（完整手机号，不记录）"
		}
		parts = append(parts, k+"="+val)
	}
	return "，筛选 " + strings.Join(parts, "，")
}

// withUnitColumn adds a 单位 column last, naming each case's unit, when the
// deployment has units (units is not nil); t's rows are cases' in order.
func withUnitColumn(t *exportTable, cases []*storage.Case, units map[int64]string) {
	if units == nil {
		return
	}
	t.Columns = append(slices.Clone(t.Columns), "单位")
	for i, c := range cases {
		t.Rows[i] = append(t.Rows[i], units[c.UnitID])
	}
}
