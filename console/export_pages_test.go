package console_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
)

// exportCSV fetches a CSV download and returns its records, after checking the
// BOM and the headers a browser needs to save it.
func exportCSV(t *testing.T, u *pageUser, path string) [][]string {
	t.Helper()
	r := u.get(path).want(http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`) || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	body, ok := strings.CutPrefix(r.body, "\uFEFF")
	if !ok {
		t.Fatal("the CSV has no byte-order mark")
	}
	rd := csv.NewReader(strings.NewReader(body))
	rd.FieldsPerRecord = -1
	records, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	return records
}

// exportAudits returns the details of the export entries, newest first.
func exportAudits(t *testing.T, e *pageEnv) []string {
	t.Helper()
	action := storage.AuditExport
	entries, _, err := e.db.FindAudit(context.Background(), storage.AuditFilter{Action: &action})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range entries {
		out = append(out, a.Detail)
	}
	return out
}

// TestMediatorQueueExportIsTheirQueue: "my cases" exported holds exactly the
// cases the queue shows with the same filter, phones masked, and is audited
// with the filter and the count.
func TestMediatorQueueExportIsTheirQueue(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	mine := e.newCase(func(nc *storage.NewCase) { nc.Phone = "13812345678"; nc.MerchantName = "=cmd|' /C calc'!A0" })
	e.newCase(nil)
	theirs := e.newCase(nil)
	for c, who := range map[*storage.Case]int64{mine: e.mediator.ID, theirs: e.mediator2.ID} {
		if _, err := e.db.AssignCase(ctx, c.ID, &who, storage.By{Actor: e.supervisor.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	med := e.as(e.mediator)
	med.get("/console/cases?assignee=me").want(http.StatusOK).
		contains(`href="/console/cases/export.csv?assignee=me"`, `href="/console/cases/export.xlsx?assignee=me"`)

	records := exportCSV(t, med, "/console/cases/export.csv?assignee=me&page=3")
	if len(records) != 2 || records[0][0] != "案件编号" || records[0][4] != "手机号" {
		t.Fatalf("records %q, want the header and one case", records)
	}
	row := records[1]
	if row[0] != mine.Number || row[4] != "138****5678" || row[5] != "调解员甲" || row[3] != "'=cmd|' /C calc'!A0" {
		t.Fatalf("row %q: want my case, its phone masked, the merchant defused", row)
	}
	all := exportCSV(t, med, "/console/cases/export.csv")
	if len(all) != 4 {
		t.Fatalf("%d lines for the whole queue, want the header and 3", len(all))
	}
	for _, r := range all[1:] {
		if !strings.Contains(r[4], "****") {
			t.Errorf("an unmasked phone %q", r[4])
		}
	}
	audits := exportAudits(t, e)
	if len(audits) != 2 || audits[1] != "导出案件列表（CSV），筛选 assignee=me，共 1 行，手机号已打码" ||
		audits[0] != "导出案件列表（CSV）（全部案件），共 3 行，手机号已打码" {
		t.Fatalf("export audit %q", audits)
	}
}

// TestPhoneSearchExportIsAuditedLikeTheQueue: exporting a whole-phone search
// uses the allowance and audits each case found, and the export's own entry
// does not hold the number. Phones stay masked even for an admin.
func TestPhoneSearchExportIsAuditedLikeTheQueue(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(func(nc *storage.NewCase) { nc.Phone = "13812345678" })
	e.newCase(nil)
	admin := e.as(e.staff("admin9", "管理员丁", storage.RoleAdmin))
	r := admin.get("/console/cases/export.xlsx?q=138-1234-5678").want(http.StatusOK)
	if strings.Contains(r.body, "13812345678") {
		t.Fatal("the XLSX holds the whole number")
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) != 2 || rows[1][0] != c.Number || rows[1][4] != "138****5678" {
		t.Fatalf("rows %q, %v", rows, err)
	}
	action := storage.AuditPhoneSearch
	searches, _, err := e.db.FindAudit(context.Background(), storage.AuditFilter{Action: &action})
	if err != nil || len(searches) != 1 || searches[0].CaseID != c.ID || !strings.HasPrefix(searches[0].Detail, "导出按完整手机号搜索") {
		t.Fatalf("phone-search audit %+v, %v", searches, err)
	}
	audits := exportAudits(t, e)
	if len(audits) != 1 || strings.Contains(audits[0], "1234") || !strings.Contains(audits[0], "q=（完整手机号，不记录）") {
		t.Fatalf("export audit %q", audits)
	}
}

// TestAuditLogExportIsForAdminsAndAudited: mediators and supervisors get 403;
// an admin's download follows the filter and lands in the log it copied.
func TestAuditLogExportIsForAdminsAndAudited(t *testing.T) {
	e := newPageEnv(t)
	admin := e.staff("admin9", "管理员丁", storage.RoleAdmin)
	e.as(e.mediator).get("/console/audit/export.csv").want(http.StatusForbidden)
	e.as(e.supervisor).get("/console/audit/export.xlsx").want(http.StatusForbidden)
	e.as(e.supervisor).get("/console/audit").want(http.StatusOK).lacks("/console/audit/export.csv")
	c := e.newCase(nil)
	e.move(c, storage.StatusAccepted, "")

	a := e.as(admin)
	a.get("/console/audit?action=status_change").want(http.StatusOK).contains(`href="/console/audit/export.csv?action=status_change"`)
	records := exportCSV(t, a, "/console/audit/export.csv?action=status_change")
	if len(records) != 2 || records[0][0] != "时间" || records[1][1] != "主管丙" || records[1][3] != c.Number {
		t.Fatalf("records %q", records)
	}
	again := exportCSV(t, a, "/console/audit/export.csv?action=export")
	if len(again) != 2 || !strings.Contains(again[1][4], "导出审计日志（CSV），筛选 action=status_change，共 1 行") {
		t.Fatalf("the first export is not in the log: %q", again)
	}
}

// TestReportExport: the statistics as CSV sections and as one sheet each.
func TestReportExport(t *testing.T) {
	e := newPageEnv(t)
	e.newCase(nil)
	e.newCase(func(nc *storage.NewCase) { nc.Category = "食品" })
	sup := e.as(e.supervisor)
	sup.get("/console/reports?from=2026-01&to=2026-03").want(http.StatusOK).
		contains(`href="/console/reports/export.xlsx?from=2026-01&amp;to=2026-03"`)
	records := exportCSV(t, sup, "/console/reports/export.csv?from=2026-01&to=2026-03")
	text := ""
	for _, r := range records {
		text += strings.Join(r, ",") + "\n"
	}
	for _, want := range []string{"总体情况\n指标,数值\n统计期间,2026-01 至 2026-03\n收到（件）,2\n受理（件）,0\n",
		"调解率（已调解÷受理）,—\n", "按投诉类别\n类别,收到（件）,占收到比例,受理（件）,已调解（件）,调解率,挽回经济损失（元）\n",
		"家用电子电器,1,50.00%,0,0,—,0.00", "按月\n", "2026-03,2,0,0,—,0.00", "被投诉最多的商家\n", "按组\n组,",
		"未分组,2,100.00%", "超期未办结\n分组,名称,件数\n合计（截至 "} {
		if !strings.Contains(text, want) {
			t.Errorf("report CSV lacks %q:\n%s", want, text)
		}
	}
	r := sup.get("/console/reports/export.xlsx?from=2026-01&to=2026-03").want(http.StatusOK)
	f, err := excelize.OpenReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.GetSheetList(), ","); got != "总体情况,按处理渠道,按投诉类别,按投诉性质,按调解员,按组,被投诉最多的商家,热点问题,满意度,按月,按年,超期未办结,集体投诉与七日无理由退货" {
		t.Fatalf("sheets %s", got)
	}
	e.as(e.mediator).get("/console/reports/export.csv").want(http.StatusForbidden)
	if audits := exportAudits(t, e); len(audits) != 2 || !strings.HasPrefix(audits[0], "导出报表（XLSX），2026-01 至 2026-03") {
		t.Fatalf("report export audit %q", audits)
	}
}

// TestExportWithAnAPIToken: a script with a personal token downloads the queue
// like the browser does, under the token owner's role.
func TestExportWithAnAPIToken(t *testing.T) {
	e := newPageEnv(t)
	e.newCase(nil)
	const token = "cbt_export_token_0123456789abcdef"
	if _, err := e.db.CreateAPIToken(context.Background(), e.mediator.ID, "script", console.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	get := func(path string) *pageResponse {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		return e.anonymous().send(req)
	}
	r := get("/console/cases/export.csv").want(http.StatusOK)
	if !strings.HasPrefix(r.body, "\uFEFF案件编号,") {
		t.Fatalf("token download %q", r.body)
	}
	get("/console/audit/export.csv").want(http.StatusForbidden)
}
