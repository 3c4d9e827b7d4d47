package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// privacyEnv is a console on db whose clock stands still until moved, so two
// renderings of a report at the same instant can be compared byte for byte.
func privacyEnv(t *testing.T, db *sqlstore.DB, clock *testenv.Clock) *pageEnv {
	t.Helper()
	e := &pageEnv{t: t, db: db, sessions: &pageSessions{}}
	db.Now = clock.Now
	e.supervisor = e.staff("boss", "主管丙", storage.RoleSupervisor)
	e.mediator = e.staff("med1", "调解员甲", storage.RoleMediator)
	e.handler = newPrivacyConsole(t, e)
	return e
}

// newPrivacyConsole is a fresh console on e's store: nothing cached from
// earlier pages.
func newPrivacyConsole(t *testing.T, e *pageEnv) http.Handler {
	t.Helper()
	srv, err := console.New(console.Config{Store: e.db, Sessions: e.sessions, OrgName: "某市消委会",
		CasePrefix: "TS", Now: e.db.Now, PhoneSearches: testPhoneSearches(t)})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// fileYear2023 files 2023's cases: imported history of every kind and cases
// worked through the desk with a timeline (a refusal, a withdrawal after
// acceptance, a referral to a channel that ended in an agreement with money,
// consumer messages), most of them finished.
func fileYear2023(t *testing.T, e *pageEnv, clock *testenv.Clock) {
	t.Helper()
	ctx := context.Background()
	if err := sqlstore.SeedReportYear(ctx, e.db, 2023, []sqlstore.SeedBatch{
		{N: 6, Status: storage.StatusClosed, Outcome: storage.OutcomeAgreement, RecoveredFen: 60_000},
		{N: 3, Status: storage.StatusResolved, Outcome: storage.OutcomeSettled, RecoveredFen: 9_000},
		{N: 2, Status: storage.StatusTerminated, Outcome: storage.OutcomeTerminated},
		{N: 3, Status: storage.StatusRejected}, {N: 2, Status: storage.StatusWithdrawn},
		{N: 1, Status: storage.StatusMediating},
	}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Date(2023, 5, 8, 10, 0, 0, 0, storage.ChinaTime).Sub(clock.Now()))
	refused := e.newCase(nil)
	e.consumerSays(refused, "我的电话是13912345678，请联系我")
	e.move(refused, storage.StatusRejected, storage.RejectReasons[0])
	withdrawn := e.newCase(nil)
	e.move(withdrawn, storage.StatusAccepted, "")
	e.move(withdrawn, storage.StatusWithdrawn, "")
	referred := e.newCase(func(nc *storage.NewCase) { nc.Category = "金融服务" })
	e.move(referred, storage.StatusAccepted, "")
	e.move(referred, storage.StatusMediating, "")
	e.move(referred, storage.StatusReferred, "金融纠纷调解中心")
	e.close(referred, storage.Closing{Outcome: storage.OutcomeAgreement, RecoveredFen: 1_234_500})
	e.move(referred, storage.StatusClosed, "")
	e.newCase(nil) // still 待受理
}

// cacheToken is the report page's chart-cache token, random per rendering.
var cacheToken = regexp.MustCompile(`v=[0-9a-f]+`)

// publishedFigures renders 2023's report page, annual report, report download,
// the API's report (channels included) and the charts as a supervisor sees them.
func publishedFigures(t *testing.T, u *pageUser) []string {
	t.Helper()
	page := u.get("/console/reports?from=2023-01&to=2023-12").want(http.StatusOK)
	page.contains("金融纠纷调解中心")
	annual := u.get("/console/reports/annual/2023").want(http.StatusOK)
	csv := u.get("/console/reports/export.csv?from=2023-01&to=2023-12").want(http.StatusOK)
	out := []string{cacheToken.ReplaceAllString(page.body, "v=TOKEN"),
		cacheToken.ReplaceAllString(annual.body, "v=TOKEN"), csv.body}
	api := u.get("/api/v1/reports?from=2023-01&to=2023-12").want(http.StatusOK)
	api.contains("金融纠纷调解中心")
	out = append(out, api.body)
	for _, chart := range []string{"trend", "categories", "rate"} {
		// Without a cache token the chart is drawn from a fresh report.
		out = append(out, u.get("/console/reports/charts/"+chart+".svg?from=2023-01&to=2023-12").want(http.StatusOK).body)
	}
	return out
}

// TestAnonymisingKeepsPastFiguresByteIdentical renders 2023's published
// figures, lets the retention job anonymise every finished case of the year,
// and renders them again at the same instant from a fresh console: the report,
// the annual report and the download are byte-identical.
func TestAnonymisingKeepsPastFiguresByteIdentical(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *sqlstore.DB{
		"sqlite":   func(t *testing.T) *sqlstore.DB { return testenv.SQLite(t, sqlstore.Open) },
		"postgres": func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) },
	} {
		t.Run(name, func(t *testing.T) {
			clock := testenv.NewClock(time.Date(2023, 1, 2, 9, 0, 0, 0, storage.ChinaTime))
			e := privacyEnv(t, open(t), clock)
			fileYear2023(t, e, clock)
			published := time.Date(2024, 1, 6, 13, 9, 15, 0, storage.ChinaTime)
			clock.Advance(published.Sub(clock.Now()))
			sup := e.as(e.supervisor) // one session: one CSRF token in both renderings
			before := publishedFigures(t, sup)

			clock.Advance(time.Date(2030, 1, 1, 0, 0, 0, 0, storage.ChinaTime).Sub(clock.Now()))
			run, err := e.db.RunRetention(context.Background(), nil, false)
			// 16 finished imported cases and 3 finished desk cases.
			if err != nil || len(run.Expired) != 19 {
				t.Fatalf("retention run: %d cases, %v; want 19", len(run.Expired), err)
			}
			clock.Advance(published.Sub(clock.Now()))
			e.handler = newPrivacyConsole(t, e)
			after := publishedFigures(t, sup)
			for i, what := range []string{"report page", "annual report", "report download", "API report", "trend chart", "categories chart", "rate chart"} {
				if before[i] != after[i] {
					t.Errorf("%s changed by anonymising:\n%s", what, firstDifference(before[i], after[i]))
				}
			}
		})
	}
}

// firstDifference quotes both texts around where they first differ.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-200, 0)
	return "before: …" + a[lo:min(i+200, len(a))] + "\nafter:  …" + b[lo:min(i+200, len(b))]
}

// TestAnonymisedCaseShowsSoAndLegalHold: a supervisor sets and clears a legal
// hold on the case page (audited), a mediator is not offered it and is
// refused; once anonymised, the case page, the queue download and the API say
// 已匿名化 where the name and phone were.
func TestAnonymisedCaseShowsSoAndLegalHold(t *testing.T) {
	clock := testenv.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, storage.ChinaTime))
	e := privacyEnv(t, testenv.SQLite(t, sqlstore.Open), clock)
	c := e.newCase(nil)
	e.move(c, storage.StatusRejected, storage.RejectReasons[0])
	sup, med := e.as(e.supervisor), e.as(e.mediator)
	path := "/console/cases/" + c.Number

	med.get(path).want(http.StatusOK).lacks("设置法律保全")
	med.post(path+"/legal-hold", url.Values{"hold": {"1"}}).want(http.StatusForbidden)
	sup.post(path+"/legal-hold", url.Values{"hold": {"1"}}).want(http.StatusSeeOther)
	sup.get(path).want(http.StatusOK).contains("法律保全</b>", "解除法律保全")
	clock.Advance(2 * 365 * 24 * time.Hour)
	if run, err := e.db.RunRetention(context.Background(), nil, false); err != nil || run.Held != 1 || len(run.Expired) != 0 {
		t.Fatalf("held case: %+v, %v", run, err)
	}
	sup.post(path+"/legal-hold", url.Values{"hold": {"0"}}).want(http.StatusSeeOther)
	action := storage.AuditLegalHold
	if _, n, err := e.db.FindAudit(context.Background(), storage.AuditFilter{CaseID: &c.ID, Action: &action}); err != nil || n != 2 {
		t.Fatalf("legal hold audit entries: %d, %v", n, err)
	}
	if run, err := e.db.RunRetention(context.Background(), nil, false); err != nil || len(run.Expired) != 1 {
		t.Fatalf("after clearing: %+v, %v", run, err)
	}

	page := sup.get(path).want(http.StatusOK)
	page.contains("<dt>投诉人</dt><dd>已匿名化</dd>", `<span class="phone">已匿名化</span>`, "已匿名化：投诉人姓名")
	page.lacks("显示完整号码", "张三", "设置法律保全")
	csv := sup.get("/console/cases/export.csv").want(http.StatusOK)
	csv.contains(c.Number, "已匿名化")
	if strings.Contains(csv.body, "139****") {
		t.Errorf("the download shows a phone for an anonymised case:\n%s", csv.body)
	}
}
