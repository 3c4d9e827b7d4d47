package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// routingSetUp gives the page env a team 汽车 (mediator 甲, auto-assigning) with a
// rule for 交通工具, and a default team 综合 (mediator 乙).
func (e *pageEnv) routingSetUp() (cars, general *storage.Team) {
	e.t.Helper()
	ctx := context.Background()
	by := storage.By{Actor: e.supervisor.Actor()}
	var err error
	if cars, err = e.db.CreateTeam(ctx, storage.TeamInput{Name: "汽车消费维权工作室", AutoAssign: true}, by); err != nil {
		e.t.Fatal(err)
	}
	if general, err = e.db.CreateTeam(ctx, storage.TeamInput{Name: "综合", Default: true}, by); err != nil {
		e.t.Fatal(err)
	}
	if _, err = e.db.SetTeamMembers(ctx, cars.ID, []int64{e.mediator.ID}, by); err != nil {
		e.t.Fatal(err)
	}
	if _, err = e.db.SetTeamMembers(ctx, general.ID, []int64{e.mediator2.ID}, by); err != nil {
		e.t.Fatal(err)
	}
	rule := storage.NewRoutingRule{Kind: storage.RuleCategory, Pattern: "交通工具", TeamID: cars.ID}
	if _, err = e.db.CreateRoutingRule(ctx, rule, by); err != nil {
		e.t.Fatal(err)
	}
	return cars, general
}

func TestTeamsAndRulesAreForSupervisors(t *testing.T) {
	e := newPageEnv(t)
	cars, _ := e.routingSetUp()
	c := e.newCase(nil)
	med := e.as(e.mediator)
	for _, path := range []string{"/console/teams", "/console/workload"} {
		med.get(path).want(http.StatusForbidden)
	}
	id := pageItoa(cars.ID)
	med.post("/console/teams", pageForm("name", "新组")).want(http.StatusForbidden)
	med.post("/console/teams/"+id, pageForm("name", "改名")).want(http.StatusForbidden)
	med.post("/console/teams/"+id+"/members", pageForm("member", pageItoa(e.mediator.ID))).want(http.StatusForbidden)
	med.post("/console/routing-rules", pageForm("kind", "keyword", "pattern", "银行", "team", id)).want(http.StatusForbidden)
	rules, _ := e.db.ListRoutingRules(context.Background())
	med.post("/console/routing-rules/"+pageItoa(rules[0].ID)+"/delete", nil).want(http.StatusForbidden)
	med.post(pageCasePath(c, "/team"), pageForm("team", id)).want(http.StatusForbidden)
	teams, _ := e.db.ListTeams(context.Background())
	if rules, _ = e.db.ListRoutingRules(context.Background()); len(rules) != 1 || len(teams) != 2 || e.reload(c).TeamID == cars.ID {
		t.Fatalf("a mediator changed teams or rules: %+v %+v", teams, rules)
	}
	// No link to pages they cannot open.
	med.get("/console/cases").lacks(`href="/console/workload"`)
}

func TestSupervisorManagesTeamsAndRules(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	sup := e.as(e.supervisor)
	sup.get("/console/teams").want(http.StatusOK).contains("还没有分派规则", "还没有分组")
	sup.post("/console/teams", pageForm("name", "金融", "auto", "1")).redirected("/console/teams")
	sup.post("/console/teams", pageForm("name", "金融")).want(http.StatusConflict).contains("已有名为“金融”的组")
	teams, err := e.db.ListTeams(ctx)
	if err != nil || len(teams) != 1 || !teams[0].AutoAssign {
		t.Fatalf("teams %+v, %v", teams, err)
	}
	id := pageItoa(teams[0].ID)
	sup.post("/console/teams/"+id+"/members", pageForm("member", pageItoa(e.mediator.ID), "member", pageItoa(e.mediator2.ID))).
		redirected("/console/teams")
	sup.post("/console/routing-rules", pageForm("kind", "keyword", "pattern", "信用卡、贷款", "team", id)).redirected("/console/teams")
	sup.post("/console/routing-rules", pageForm("kind", "category", "category", "金融服务", "team", id)).redirected("/console/teams")
	sup.post("/console/routing-rules", pageForm("kind", "category", "category", "汽车", "team", id)).
		want(http.StatusBadRequest).contains("没有“汽车”这个投诉类别")
	sup.get("/console/teams").contains("投诉内容关键词", "信用卡、贷款", "金融服务", "调解员甲、调解员乙")

	c := e.newCase(func(nc *storage.NewCase) { nc.Description = "信用卡被乱收年费" })
	if got := e.reload(c); got.TeamID != teams[0].ID || got.AssigneeID != e.mediator.ID {
		t.Fatalf("filed case: team %d, assignee %d; want 金融, 调解员甲", got.TeamID, got.AssigneeID)
	}
	rules, _ := e.db.ListRoutingRules(ctx)
	sup.post("/console/routing-rules/"+pageItoa(rules[1].ID)+"/move", pageForm("dir", "up")).redirected("/console/teams")
	sup.post("/console/routing-rules/"+pageItoa(rules[0].ID)+"/delete", nil).redirected("/console/teams")
	if rules, _ = e.db.ListRoutingRules(ctx); len(rules) != 1 || rules[0].Pattern != "金融服务" {
		t.Fatalf("rules after move and delete: %+v", rules)
	}
	audit, _, _ := e.db.FindAudit(ctx, storage.AuditFilter{Action: pageStr(storage.AuditRoutingRule)})
	if len(audit) != 4 {
		t.Errorf("%d routing rule audit entries, want 4", len(audit))
	}
}

func pageStr(s string) *string { return &s }

func TestReclassificationOnTheCasePage(t *testing.T) {
	e := newPageEnv(t)
	own := e.newCase(func(nc *storage.NewCase) { nc.Category = "交通工具" })
	other := e.newCase(nil)
	ctx := context.Background()
	by := storage.By{Actor: e.supervisor.Actor()}
	if _, err := e.db.AssignCase(ctx, own.ID, &e.mediator.ID, by); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AssignCase(ctx, other.ID, &e.mediator2.ID, by); err != nil {
		t.Fatal(err)
	}
	med := e.as(e.mediator)
	// Their own case: the form is there and works.
	med.get(pageCasePath(own, "")).contains("分类与分派", `action="/console/cases/`+own.Number+`/classify"`, `<optgroup label="交通工具">`).
		lacks(`/team"`)
	med.post(pageCasePath(own, "/classify"), pageForm("category", "交通工具", "subcategory", "交通工具/汽车及零部件", "nature", "质量")).
		redirected(pageCasePath(own, ""))
	if got := e.reload(own); got.Subcategory != "汽车及零部件" || got.Nature != "质量" {
		t.Fatalf("after re-classification: %+v", got)
	}
	med.get(pageCasePath(own, "")).contains("重新分类：交通工具／未定，性质：未定 → 交通工具／汽车及零部件，性质：质量")
	audit, _, _ := e.db.FindAudit(ctx, storage.AuditFilter{CaseID: &own.ID, Action: pageStr(storage.AuditReclassify)})
	if len(audit) != 1 || audit[0].StaffID != e.mediator.ID {
		t.Fatalf("audit = %+v", audit)
	}
	// A subcategory of another category, or an unknown nature, is refused with the form kept.
	med.post(pageCasePath(own, "/classify"), pageForm("category", "食品", "subcategory", "交通工具/汽车及零部件")).
		want(http.StatusBadRequest).contains("所选细类“汽车及零部件”属于“交通工具”，不属于“食品”。")
	med.post(pageCasePath(own, "/classify"), pageForm("category", "食品", "nature", "态度差")).
		want(http.StatusBadRequest).contains("没有“态度差”这个投诉性质")
	// Someone else's case, or an unassigned one: no form, and a post is refused.
	med.get(pageCasePath(other, "")).lacks("/classify")
	med.post(pageCasePath(other, "/classify"), pageForm("category", "食品")).want(http.StatusForbidden)
	free := e.newCase(nil)
	med.post(pageCasePath(free, "/classify"), pageForm("category", "食品")).want(http.StatusForbidden)
	if got := e.reload(other); got.Category != "家用电子电器" {
		t.Fatalf("a mediator re-classified someone else's case: %+v", got)
	}
	// A supervisor re-classifies any case, and re-routes it.
	sup := e.as(e.supervisor)
	sup.post(pageCasePath(other, "/classify"), pageForm("category", "金融服务", "subcategory", "金融服务/第三方支付")).
		redirected(pageCasePath(other, ""))
	team, err := e.db.CreateTeam(ctx, storage.TeamInput{Name: "金融"}, by)
	if err != nil {
		t.Fatal(err)
	}
	sup.post(pageCasePath(other, "/team"), pageForm("team", pageItoa(team.ID))).redirected(pageCasePath(other, ""))
	sup.get(pageCasePath(other, "")).contains("改派：未分组 → 金融")
	if got := e.reload(other); got.Category != "金融服务" || got.TeamID != team.ID {
		t.Fatalf("after the supervisor: %+v", got)
	}
	sup.post(pageCasePath(other, "/team"), pageForm("team", "x")).want(http.StatusBadRequest)

	// A category from before the tree stays selected; saving it asks for a real one.
	odd := e.newCase(func(nc *storage.NewCase) { nc.Category = "食品安全" })
	sup.get(pageCasePath(odd, "")).contains(`<option value="食品安全" selected>食品安全</option>`)
	sup.post(pageCasePath(odd, "/classify"), pageForm("category", "食品安全")).
		want(http.StatusBadRequest).contains("没有“食品安全”这个投诉类别")
}

func TestQueueTeamFilterAndAMediatorsDefaultView(t *testing.T) {
	e := newPageEnv(t)
	cars, general := e.routingSetUp()
	car := e.newCase(func(nc *storage.NewCase) { nc.Category = "交通工具" }) // 汽车, auto-assigned to 甲
	carFree := e.newCase(func(nc *storage.NewCase) { nc.Category = "交通工具" })
	food := e.newCase(func(nc *storage.NewCase) { nc.Category = "食品" }) // 综合, unassigned
	ctx := context.Background()
	if got := e.reload(car); got.TeamID != cars.ID || got.AssigneeID != e.mediator.ID {
		t.Fatalf("car case: %+v", got)
	}
	// Take the second car case off 甲 so it is unassigned in 甲's team.
	if _, err := e.db.AssignCase(ctx, carFree.ID, nil, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	med := e.as(e.mediator)
	r := med.get("/console/cases").want(http.StatusOK)
	wantPageRows(t, r, car, carFree)
	r.contains(`<option value="mine" selected>`, `/console/cases/export.csv?team=mine"`)
	wantPageRows(t, med.get("/console/cases?team=all"), car, carFree, food)
	wantPageRows(t, med.get("/console/cases?team="+pageItoa(general.ID)), food)
	wantPageRows(t, med.get("/console/cases?team=none"))
	// 乙's work: 综合's unassigned case. A supervisor sees everything by default.
	wantPageRows(t, e.as(e.mediator2).get("/console/cases"), food)
	wantPageRows(t, e.as(e.supervisor).get("/console/cases"), car, carFree, food)
}

func TestWorkloadPage(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	by := storage.By{Actor: e.supervisor.Actor()}
	open := e.newCase(nil)
	done := e.newCase(nil)
	for _, c := range []*storage.Case{open, done} {
		if _, err := e.db.AssignCase(ctx, c.ID, &e.mediator.ID, by); err != nil {
			t.Fatal(err)
		}
	}
	e.move(done, storage.StatusAccepted, "")
	e.move(done, storage.StatusMediating, "")
	e.move(done, storage.StatusResolved, "")
	sup := e.as(e.supervisor)
	sup.get("/console/workload?month=2026-03").want(http.StatusOK).
		contains("2026-03 结案", "<tr><td>调解员甲（调解员）</td><td>1</td><td>0</td><td>1</td><td>1</td><td>100.00%</td><td>0.0</td></tr>",
			"<tr><td>调解员乙（调解员）</td><td>0</td><td>0</td><td>0</td><td>0</td><td>—</td><td>—</td></tr>", `href="/console/teams"`)
	sup.get("/console/workload?month=2026-02").contains("<tr><td>调解员甲（调解员）</td><td>1</td><td>0</td>")
	sup.get("/console/workload?month=March").want(http.StatusBadRequest)
	sup.get("/console/cases").contains(`href="/console/workload"`)
}
