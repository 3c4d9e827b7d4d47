package console_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// seedPublishedYear files 2023 as the seed report publishes it — 11,550 cases
// accepted, 11,144 of them mediated, ¥7,583,500.00 recovered — together with cases
// that must not count as accepted (refused, pending, withdrawn before any
// decision) and cases of the years around it.
func seedPublishedYear(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	err := sqlstore.SeedReportYear(ctx, db, 2023, []sqlstore.SeedBatch{
		// 已调解: 10,000 closed after an agreement, 1,144 settled: 11,144.
		{N: 10_000, Status: storage.StatusClosed, Outcome: storage.OutcomeAgreement, RecoveredFen: 700_000_000},
		{N: 1_144, Status: storage.StatusResolved, Outcome: storage.OutcomeSettled, RecoveredFen: 58_350_000},
		// Accepted, not mediated: 406, so 受理 is 11,550.
		{N: 300, Status: storage.StatusTerminated, Outcome: storage.OutcomeTerminated},
		{N: 100, Status: storage.StatusMediating},
		{N: 6, Status: storage.StatusReferred},
		// Not accepted: 不予受理, 待受理, 待补正, withdrawn before a decision.
		{N: 120, Status: storage.StatusRejected},
		{N: 30, Status: storage.StatusSubmitted},
		{N: 12, Status: storage.StatusAwaitingMaterial},
		{N: 8, Status: storage.StatusWithdrawn},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, year := range []int{2022, 2024} {
		err := sqlstore.SeedReportYear(ctx, db, year, []sqlstore.SeedBatch{
			{N: 7, Status: storage.StatusClosed, Outcome: storage.OutcomeAgreement, RecoveredFen: 1_000_00}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// reportSupervisor is a console on db with a signed-in supervisor.
func reportSupervisor(t *testing.T, db *sqlstore.DB) *pageUser {
	t.Helper()
	e := &pageEnv{t: t, db: db, sessions: &pageSessions{}}
	db.Now = func() time.Time { return time.Date(2024, 1, 6, 5, 9, 15, 0, time.UTC) }
	e.supervisor = e.staff("boss", "主管丙", storage.RoleSupervisor)
	srv, err := console.New(console.Config{Store: db, Sessions: e.sessions, OrgName: "某市消委会",
		CasePrefix: "TS", Now: db.Now, PhoneSearches: testPhoneSearches(t)})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	return e.as(e.supervisor)
}

// TestAnnualReportReproducesTheSeedTotals builds the seed report's year on both
// dialects and checks that the annual report prints its published figures.
func TestAnnualReportReproducesTheSeedTotals(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *sqlstore.DB{
		"sqlite":   func(t *testing.T) *sqlstore.DB { return testenv.SQLite(t, sqlstore.Open) },
		"postgres": func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) },
	} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			seedPublishedYear(t, db)
			sup := reportSupervisor(t, db)
			page := sup.get("/console/reports/annual/2023").want(http.StatusOK)
			page.contains(
				"某市消委会2023年度消费投诉处理情况报告",
				"共收到消费者投诉11720件，受理11550件，已调解11144件，调解率96.48%，为消费者挽回经济损失¥7,583,500.00",
				"<tr><th>收到</th><td>11720 件</td></tr>",
				"<tr><th>受理</th><td>11550 件</td></tr>",
				"<tr><th>不予受理</th><td>120 件</td></tr>",
				"<tr><th>受理前撤回</th><td>8 件</td></tr>",
				"<tr><th>待受理（含待补正）</th><td>42 件</td></tr>",
				"<tr><th>已调解</th><td>11144 件</td></tr>",
				"<tr><th>调解率</th><td>96.48%</td></tr>",
				"<tr><th>挽回经济损失</th><td>¥7,583,500.00</td></tr>",
				"<b>本会调解</b>：受理投诉11550件，已调解（和解）11144件，调解率96.48%",
			)
			// The same figures through the API's twin, the report page.
			sup.get("/console/reports?from=2023-01&to=2023-12").want(http.StatusOK).
				contains("<tr><th>受理</th><td>11550 件</td></tr>", "<tr><th>调解率</th><td>96.48%</td></tr>")
		})
	}
}

func TestAnnualReportPage(t *testing.T) {
	e := newPageEnv(t) // 2026-03-02
	reportFixture(t, e)
	done := e.newCase(func(nc *storage.NewCase) { nc.ComplainantName, nc.Category = "李四", "食品" })
	e.move(done, storage.StatusAccepted, "")
	e.move(done, storage.StatusMediating, "")
	e.close(done, storage.Closing{Outcome: storage.OutcomeAgreement})
	e.move(done, storage.StatusClosed, "")
	open := e.newCase(nil)

	sup := e.as(e.supervisor)
	// The 典型案例 block: supervisors mark a concluded case; refused wording comes back.
	sup.get(pageCasePath(done, "")).want(http.StatusOK).contains("典型案例", "标为典型案例", `action="/console/cases/`+done.Number+`/typical"`)
	sup.get(pageCasePath(open, "")).want(http.StatusOK).lacks(`/typical"`)
	e.as(e.mediator).get(pageCasePath(done, "")).want(http.StatusOK).lacks(`/typical"`)
	sup.post(pageCasePath(done, "/typical"), pageForm("title", "", "summary", "摘要")).
		want(http.StatusBadRequest).contains("典型案例需要标题和案情摘要", "摘要</textarea>")
	sup.post(pageCasePath(open, "/typical"), pageForm("title", "标题", "summary", "摘要")).
		want(http.StatusConflict).contains("只有已结束处理的案件才能标为典型案例")
	e.as(e.mediator).post(pageCasePath(done, "/typical"), pageForm("title", "标题", "summary", "摘要")).
		want(http.StatusForbidden)
	sup.post(pageCasePath(done, "/typical"), pageForm("title", "过期牛奶获退一赔十", "summary", "消费者购买过期牛奶，经调解获退款及十倍赔偿。")).
		redirected(pageCasePath(done, ""))
	sup.get(pageCasePath(done, "")).want(http.StatusOK).contains("<b>过期牛奶获退一赔十</b>", "修改典型案例", "取消典型案例")

	page := sup.get("/console/reports/annual/2026").want(http.StatusOK)
	page.contains(
		"某市消委会2026年度消费投诉处理情况报告",
		"共收到消费者投诉6件，受理3件，已调解3件，调解率100.00%，为消费者挽回经济损失¥123,456.50，其中1件获得加倍赔偿",
		"<b>企业和解（入驻企业）</b>：受理投诉1件，已调解（和解）1件，调解率100.00%",
		"<b>仲裁委员会</b>：受理投诉0件，已调解（和解）0件，调解率—，挽回经济损失¥0.00，案件标的额¥0.00",
		"<h3>案例1：过期牛奶获退一赔十</h3>", done.Number+" · 食品",
		"消费者购买过期牛奶，经调解获退款及十倍赔偿。",
		`<link rel="stylesheet" href="/console/static/report.css">`,
		`<img src="/console/reports/charts/trend.svg?from=2026-01&amp;to=2026-12&amp;v=`,
		`<img src="/console/reports/charts/categories.svg?from=2026-01&amp;to=2026-12&amp;v=`,
	).lacks("李四", done.Phone, "<script>alert")
	css := sup.get("/console/static/report.css").want(http.StatusOK)
	for _, rule := range []string{"@page { size: A4;", "@media print", "header.top, nav"} {
		if !strings.Contains(css.body, rule) {
			t.Errorf("report.css lacks %q", rule)
		}
	}

	sup.post(pageCasePath(done, "/typical/remove"), nil).redirected(pageCasePath(done, ""))
	sup.get("/console/reports/annual/2026").want(http.StatusOK).contains("本年度尚未选出典型案例").lacks("过期牛奶获退一赔十")
	sup.get("/console/reports/annual/2025").want(http.StatusOK).contains("共收到消费者投诉0件")
	sup.get("/console/reports/annual/20x6").want(http.StatusNotFound)
	sup.get("/console/reports/annual/1999").want(http.StatusNotFound)
	e.as(e.mediator).get("/console/reports/annual/2026").want(http.StatusForbidden)

	// Every typical-case action is in the audit log.
	entries, _, err := e.db.FindAudit(context.Background(), storage.AuditFilter{CaseID: &done.ID})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range entries {
		if en.Action == storage.AuditTypicalCase && en.StaffID == e.supervisor.ID {
			n++
		}
	}
	if n != 2 {
		t.Errorf("typical-case audit entries = %d, want 2 (mark, remove)", n)
	}
}

// TestAnnualReportPlatformMassAndSevenDay: the annual report states the
// settlement platform (merchants on it, new ones, the cases it handled and
// settled), the collective cases with their members and the seven-day returns,
// for the system and, unit-scoped, for a district — on both dialects.
func TestAnnualReportPlatformMassAndSevenDay(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *sqlstore.DB{
		"sqlite":   func(t *testing.T) *sqlstore.DB { return testenv.SQLite(t, sqlstore.Open) },
		"postgres": func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) },
	} {
		t.Run(name, func(t *testing.T) {
			e := newPageEnvOn(t, open(t)) // 2026-03-02
			f := newUnitsFixture(t, e)
			seedAnnualPlatformYear(t, e, f)
			city, district := e.as(e.supervisor), e.as(f.supA)

			city.get("/console/reports/annual/2026").want(http.StatusOK).contains(
				"截至2026年3月2日，入驻在线消费纠纷和解平台企业2家，其中本年新增1家；平台处理投诉2件，和解1件，和解率50.00%。",
				"2026年，集体投诉1起，涉及消费者投诉3件；七日无理由退货相关投诉2件。",
				"<b>企业和解（入驻企业）</b>：受理投诉2件，已调解（和解）1件，调解率50.00%")
			// A district: its own cases, the system's merchants (said so).
			district.get("/console/reports/annual/2026").want(http.StatusOK).contains(
				"截至2026年3月2日，全系统入驻在线消费纠纷和解平台企业2家，其中本年新增1家；甲区消委会及其下属单位的投诉中，平台处理投诉1件，和解1件，和解率100.00%。",
				"2026年，集体投诉1起，涉及消费者投诉2件；七日无理由退货相关投诉1件。").
				lacks("涉及消费者投诉3件")
			city.get("/console/reports/annual/2026?unit="+strconv.FormatInt(f.b, 10)).want(http.StatusOK).contains(
				"乙区消委会及其下属单位的投诉中，平台处理投诉1件，和解0件，和解率0.00%。",
				"2026年，集体投诉1起，涉及消费者投诉1件；七日无理由退货相关投诉1件。")
			district.get("/console/reports/annual/2026?unit=" + strconv.FormatInt(f.b, 10)).want(http.StatusNotFound).
				lacks("入驻在线消费纠纷和解平台")
			// A year that is over: the platform at its end, before 2026's newcomer.
			city.get("/console/reports/annual/2025").want(http.StatusOK).contains(
				"截至2025年底，入驻在线消费纠纷和解平台企业1家，其中本年新增0家；平台处理投诉0件，和解0件，和解率—。",
				"2025年，集体投诉0起，涉及消费者投诉0件；七日无理由退货相关投诉0件。")
		})
	}
}

// seedAnnualPlatformYear adds to the units fixture: merchants on the platform
// (one since 2024, one since January 2026) and one not; A's case settled on the
// platform and one of B's still there; a collective case of two of A's cases
// and one of B's; a seven-day return in A1 and one in B.
func seedAnnualPlatformYear(t *testing.T, e *pageEnv, f *unitsFixture) {
	t.Helper()
	ctx := context.Background()
	by := storage.By{Actor: e.supervisor.Actor()}
	for _, in := range []storage.MerchantInput{
		{Name: "老入驻店", OnPlatform: true, PlatformSince: "2024-05-01", By: by},
		{Name: "新入驻店", OnPlatform: true, PlatformSince: "2026-01-15", By: by},
		{Name: "未入驻店", By: by},
	} {
		if _, err := e.db.CreateMerchant(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	e.move(f.aCase, storage.StatusAccepted, "")
	e.move(f.aCase, storage.StatusReferred, storage.MerchantReferral)
	e.close(f.aCase, storage.Closing{Outcome: storage.OutcomeSettled, RecoveredFen: 100})
	e.move(f.bCases[0], storage.StatusAccepted, "")
	e.move(f.bCases[0], storage.StatusReferred, storage.MerchantReferral)

	e.db.MassRule = storage.MassRule{Threshold: 3, Window: 24 * time.Hour}
	for i, unit := range []int64{f.a, f.a1, f.b} {
		e.newCase(func(nc *storage.NewCase) {
			nc.UnitID, nc.MerchantName, nc.SevenDayReturn = unit, "诚信健身有限公司", i > 0
		})
	}
	groups, err := e.db.FindMassGroups(ctx, storage.MassFilter{})
	if err != nil || len(groups) != 1 {
		t.Fatalf("mass groups %+v, %v", groups, err)
	}
	if err := e.db.FormCollective(ctx, groups[0].ID, nil, by); err != nil {
		t.Fatal(err)
	}
}
