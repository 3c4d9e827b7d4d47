package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// reportFixture files four cases in March 2026 (the page env's clock): two
// mediated (one doubled) in the category 食品 with a hostile merchant name, one
// refused, one still waiting.
func reportFixture(t *testing.T, e *pageEnv) {
	t.Helper()
	evil := func(nc *storage.NewCase) { nc.MerchantName, nc.Category = `<script>alert(1)</script>`, "食品" }
	a, b := e.newCase(evil), e.newCase(evil)
	c, _ := e.newCase(nil), e.newCase(nil)
	e.move(a, storage.StatusAccepted, "")
	e.move(a, storage.StatusMediating, "")
	e.close(a, storage.Closing{Outcome: storage.OutcomeAgreement, RecoveredFen: 12_345_600, DoubleCompensation: true})
	e.move(b, storage.StatusAccepted, "")
	e.move(b, storage.StatusReferred, "企业和解（入驻企业）")
	e.close(b, storage.Closing{Outcome: storage.OutcomeSettled, RecoveredFen: 50})
	e.move(c, storage.StatusRejected, "不属于受理范围")
	e.move(a, storage.StatusClosed, "")
	if err := e.db.RateCase(context.Background(), storage.Rating{CaseID: a.ID, Rating: storage.RatingMostly}); err != nil {
		t.Fatal(err)
	}
}

func TestReportPage(t *testing.T) {
	e := newPageEnv(t) // the clock stands at 2026-03-02 09:00 China time
	reportFixture(t, e)

	sup := e.as(e.supervisor)
	page := sup.get("/console/reports").want(http.StatusOK)
	page.contains(
		`<a href="/console/reports">报表</a>`,
		`name="from" value="2026-01"`, `name="to" value="2026-03"`,
		"<tr><th>收到</th><td>4 件</td></tr>",
		"<tr><th>受理</th><td>2 件</td></tr>",
		"<tr><th>不予受理</th><td>1 件</td></tr>",
		"<tr><th>待受理（含待补正）</th><td>1 件</td></tr>",
		"<tr><th>已调解</th><td>2 件</td></tr>",
		"<tr><th>调解率</th><td>100.00%</td></tr>",
		"<tr><th>挽回经济损失</th><td>¥123,456.50</td></tr>",
		"<tr><th>加倍赔偿</th><td>1 件</td></tr>",
		"调解率</b> = 已调解 ÷ 受理",
		// Channels: the association's own, then every referral target.
		"<tr><td>本会调解</td><td>1</td><td>1</td><td>100.00%</td><td>¥123,456.00</td>",
		"<tr><td>企业和解（入驻企业）</td><td>1</td><td>1</td><td>100.00%</td><td>¥0.50</td>",
		"<tr><td>仲裁委员会</td><td>0</td><td>0</td><td>—</td>",
		"<tr><td>食品</td><td>2</td><td>50.00%</td><td>2</td><td>2</td><td>100.00%</td>",
		"<tr><td>家用电子电器</td><td>2</td><td>50.00%</td><td>0</td><td>0</td><td>—</td>",
		"<tr><td>未分类</td><td>4</td><td>100.00%</td>",
		"<tr><td>未分配</td><td>4</td>",
		"<tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>2</td><td>50.00%</td>",
		"<tr><td>2026-01</td><td>0</td><td>0</td><td>0</td><td>—</td><td>¥0.00</td></tr>",
		"<tr><td>2026-03</td><td>4</td><td>2</td><td>2</td><td>100.00%</td><td>¥123,456.50</td></tr>",
		"<tr><td>2026</td><td>4</td><td>2</td><td>2</td>",
		// The charts are images of the same period, and the year's annual report is linked.
		`<img src="/console/reports/charts/trend.svg?from=2026-01&amp;to=2026-03&amp;v=`,
		`<img src="/console/reports/charts/rate.svg?from=2026-01&amp;to=2026-03&amp;v=`,
		`<img src="/console/reports/charts/categories.svg?from=2026-01&amp;to=2026-03&amp;v=`,
		`href="/console/reports/annual/2026"`,
		"<tr><td>满意</td><td>0</td><td>0.00%</td></tr>",
		"<tr><td>基本满意</td><td>1</td><td>100.00%</td></tr>",
		"共 1 件由消费者在办结后评价",
	).lacks("<script>alert")

	sup.get("/console/reports?from=2026-01&to=2026-02").want(http.StatusOK).
		contains("<tr><th>收到</th><td>0 件</td></tr>", "<tr><th>调解率</th><td>—</td></tr>").lacks("2026-03</td>")
	sup.get("/console/reports?from=2026-03").want(http.StatusOK).contains("<tr><th>受理</th><td>2 件</td></tr>")
	sup.get("/console/reports?from=2026-3x").want(http.StatusBadRequest).contains("开始月份格式不正确")
	sup.get("/console/reports?to=2026-13").want(http.StatusBadRequest).contains("结束月份格式不正确")
	sup.get("/console/reports?from=2026-04&to=2026-03").want(http.StatusBadRequest).contains("开始月份不能晚于结束月份")
	sup.get("/console/reports?from=2000-01&to=2030-12").want(http.StatusBadRequest).contains("报表最多统计")

	e.as(e.mediator).get("/console/reports").want(http.StatusForbidden)
	e.as(e.mediator).get("/console/cases").want(http.StatusOK).lacks(`href="/console/reports"`)
	e.anonymous().get("/console/reports").redirected("/console/login")
}
