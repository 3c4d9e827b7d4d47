package console_test

import (
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func TestReportPage(t *testing.T) {
	e := newPageEnv(t) // the clock stands at 2026-03-02 09:00 China time
	evil := func(nc *storage.NewCase) { nc.MerchantName, nc.Category = `<script>alert(1)</script>`, "食品" }
	a, b := e.newCase(evil), e.newCase(evil)
	c, _ := e.newCase(nil), e.newCase(nil)
	outcome := func(c *storage.Case, o string, fen int64, double bool) {
		t.Helper()
		e.move(c, storage.StatusAccepted, "")
		e.move(c, storage.StatusMediating, "")
		e.close(c, storage.Closing{Outcome: o, RecoveredFen: fen, DoubleCompensation: double})
	}
	outcome(a, storage.OutcomeAgreement, 123_456, true)
	outcome(b, storage.OutcomeSettled, 50, false)
	e.move(c, storage.StatusRejected, "不属于受理范围")

	sup := e.as(e.supervisor)
	page := sup.get("/console/reports").want(http.StatusOK)
	page.contains(
		`<a href="/console/reports">报表</a>`,
		`name="from" value="2026-01"`, `name="to" value="2026-03"`,
		"<tr><th>受理</th><td>4 件</td></tr>",
		"<tr><th>调解成功</th><td>2 件</td></tr>",
		"50.00%（调解成功 2 件 / 受理 4 件；已办结 3 件）",
		"<tr><th>挽回经济损失</th><td>1235.06 元</td></tr>",
		"<tr><th>加倍赔偿</th><td>1 件</td></tr>",
		"<tr><td>食品</td><td>2</td><td>50.00%</td></tr>",
		"<tr><td>家用电子电器</td><td>2</td><td>50.00%</td></tr>",
		"<tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>2</td><td>50.00%</td></tr>",
		"<tr><td>2026-01</td><td>0</td><td>0</td><td>0.00</td></tr>",
		"<tr><td>2026-03</td><td>4</td><td>2</td><td>1235.06</td></tr>",
	).lacks("<script>alert")

	sup.get("/console/reports?from=2026-01&to=2026-02").want(http.StatusOK).
		contains("<tr><th>受理</th><td>0 件</td></tr>", "调解率</th><td>—").lacks("2026-03</td>")
	sup.get("/console/reports?from=2026-03").want(http.StatusOK).contains("<tr><th>受理</th><td>4 件</td></tr>")
	sup.get("/console/reports?from=2026-3x").want(http.StatusBadRequest).contains("开始月份格式不正确")
	sup.get("/console/reports?to=2026-13").want(http.StatusBadRequest).contains("结束月份格式不正确")
	sup.get("/console/reports?from=2026-04&to=2026-03").want(http.StatusBadRequest).contains("开始月份不能晚于结束月份")
	sup.get("/console/reports?from=2000-01&to=2030-12").want(http.StatusBadRequest).contains("报表最多统计")

	e.as(e.mediator).get("/console/reports").want(http.StatusForbidden)
	e.as(e.mediator).get("/console/cases").want(http.StatusOK).lacks(`href="/console/reports"`)
	e.anonymous().get("/console/reports").redirected("/console/login")
}
