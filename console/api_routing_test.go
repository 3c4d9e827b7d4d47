package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// TestRoutingAPIOnPostgres runs the routing API tests on PostgreSQL too; it skips
// without COMPLAINTBOT_TEST_POSTGRES_URL and fails then in CI.
func TestRoutingAPIOnPostgres(t *testing.T) {
	testenv.Postgres(t, sqlstore.Open)
	defer func(open func(*testing.T) *sqlstore.DB) { apiOpenStore = open }(apiOpenStore)
	apiOpenStore = func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) }
	for name, test := range map[string]func(*testing.T){
		"Permissions":     TestAPIRoutingPermissions,
		"TeamsAndRules":   TestAPITeamsRulesAndFiling,
		"Classify":        TestAPIClassifyAndReroute,
		"WorkloadAndTree": TestAPIWorkloadAndCategoryTree,
	} {
		t.Run(name, test)
	}
}

func TestAPIRoutingPermissions(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	med := e.as(e.mediator)
	for _, req := range []struct{ method, path, body string }{
		{"POST", "/api/v1/teams", `{"name":"金融"}`},
		{"POST", "/api/v1/teams/1", `{"name":"金融"}`},
		{"POST", "/api/v1/teams/1/members", `{"staff_ids":[1]}`},
		{"GET", "/api/v1/routing-rules", ""},
		{"POST", "/api/v1/routing-rules", `{"kind":"keyword","pattern":"银行","team_id":1}`},
		{"POST", "/api/v1/routing-rules/1/move", `{"direction":"up"}`},
		{"POST", "/api/v1/routing-rules/1/delete", ""},
		{"GET", "/api/v1/workload", ""},
		{"POST", "/api/v1/cases/" + c.Number + "/team", `{"team_id":null}`},
		{"POST", "/api/v1/cases/" + c.Number + "/classify", `{"category":"食品"}`}, // not their case
	} {
		e.do(req.method, req.path, med, req.body).fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	}
	if teams, _ := e.db.ListTeams(context.Background()); len(teams) != 0 {
		t.Fatalf("a mediator created a team: %+v", teams)
	}
	var teams struct{ Items []struct{ ID int64 } }
	e.do("GET", "/api/v1/teams", med, "").ok(t, http.StatusOK, &teams)
}

func TestAPITeamsRulesAndFiling(t *testing.T) {
	e := newAPIEnv(t)
	sup := e.as(e.supervisor)
	var team struct {
		ID         int64
		Name       string
		AutoAssign bool `json:"auto_assign"`
		Members    []struct{ ID int64 }
	}
	e.do("POST", "/api/v1/teams", sup, `{"name":"家电","auto_assign":true}`).ok(t, http.StatusCreated, &team)
	e.do("POST", "/api/v1/teams", sup, `{"name":"家电"}`).fails(t, http.StatusConflict, storage.ECONFLICT)
	id := apiItoa(team.ID)
	e.do("POST", "/api/v1/teams/"+id+"/members", sup, `{"staff_ids":[`+apiItoa(e.mediator2.ID)+`]}`).ok(t, http.StatusOK, &team)
	if len(team.Members) != 1 || team.Members[0].ID != e.mediator2.ID {
		t.Fatalf("members %+v", team.Members)
	}
	e.do("POST", "/api/v1/routing-rules", sup, `{"kind":"category","pattern":"家电","team_id":`+id+`}`).
		fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", "/api/v1/routing-rules", sup, `{"kind":"category","pattern":"家用电子电器","team_id":`+id+`}`).
		ok(t, http.StatusCreated, nil)
	var ruleList struct {
		Items []struct {
			ID       int64
			Position int
			Pattern  string
		}
	}
	e.do("GET", "/api/v1/routing-rules", sup, "").ok(t, http.StatusOK, &ruleList)
	rules := ruleList.Items
	if len(rules) != 1 || rules[0].Position != 1 {
		t.Fatalf("rules %+v", rules)
	}
	c := e.newCase(1) // 家用电子电器
	var list apiListOut
	e.do("GET", "/api/v1/cases?team="+id, sup, "").ok(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].Number != c.Number || list.Items[0].Assignee == nil || list.Items[0].Assignee.ID != e.mediator2.ID {
		t.Fatalf("team list %+v", list)
	}
	e.do("GET", "/api/v1/cases?team=none", sup, "").ok(t, http.StatusOK, &list)
	if list.Total != 0 {
		t.Fatalf("cases in no team: %+v", list)
	}
	e.do("GET", "/api/v1/cases?team=mine", e.as(e.mediator2), "").ok(t, http.StatusOK, &list)
	if list.Total != 1 {
		t.Fatalf("乙's work: %+v", list)
	}
	e.do("GET", "/api/v1/cases?team=x", sup, "").fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", "/api/v1/routing-rules/"+apiItoa(rules[0].ID)+"/move", sup, `{"direction":"sideways"}`).
		fails(t, http.StatusBadRequest, storage.EINVALID)
	if r := e.do("POST", "/api/v1/routing-rules/"+apiItoa(rules[0].ID)+"/delete", sup, ""); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	e.do("POST", "/api/v1/routing-rules/"+apiItoa(rules[0].ID)+"/delete", sup, "").fails(t, http.StatusNotFound, storage.ENOTFOUND)
}

func TestAPIClassifyAndReroute(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	if _, err := e.db.AssignCase(context.Background(), c.ID, &e.mediator.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	med := e.as(e.mediator)
	path := "/api/v1/cases/" + c.Number
	e.do("POST", path+"/classify", med, `{"category":"家用电子电器","subcategory":"汽车及零部件"}`).
		fails(t, http.StatusBadRequest, storage.EINVALID)
	var out struct {
		Category    string
		Subcategory string
		Nature      string
		TeamID      int64 `json:"team_id"`
	}
	e.do("POST", path+"/classify", med, `{"category":"家用电子电器","subcategory":"空调器","nature":"售后服务"}`).
		ok(t, http.StatusOK, &out)
	if out.Subcategory != "空调器" || out.Nature != "售后服务" {
		t.Fatalf("classified %+v", out)
	}
	if d := e.detail(c); d.last(t, "note").Body != "重新分类：家用电子电器／未定，性质：未定 → 家用电子电器／空调器，性质：售后服务" {
		t.Fatalf("note %+v", d.last(t, "note"))
	}
	team, err := e.db.CreateTeam(context.Background(), storage.TeamInput{Name: "家电"}, storage.By{Actor: e.supervisor.Actor()})
	if err != nil {
		t.Fatal(err)
	}
	sup := e.as(e.supervisor)
	e.do("POST", path+"/team", sup, `{}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", path+"/team", sup, `{"team_id":`+apiItoa(team.ID+9)+`}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", path+"/team", sup, `{"team_id":`+apiItoa(team.ID)+`}`).ok(t, http.StatusOK, &out)
	if out.TeamID != team.ID {
		t.Fatalf("rerouted %+v", out)
	}
	entries, _, err := e.db.FindAudit(context.Background(), storage.AuditFilter{CaseID: &c.ID})
	if err != nil || len(entries) < 2 || entries[0].Action != storage.AuditReroute || entries[1].Action != storage.AuditReclassify {
		t.Fatalf("audit %+v, %v", entries, err)
	}
}

func TestAPIWorkloadAndCategoryTree(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	if _, err := e.db.AssignCase(context.Background(), c.ID, &e.mediator.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	var rows struct {
		Items []struct {
			Staff struct{ Name string }
			Open  int
		}
	}
	e.do("GET", "/api/v1/workload?month=2026-03", e.as(e.supervisor), "").ok(t, http.StatusOK, &rows)
	open := map[string]int{}
	for _, r := range rows.Items {
		open[r.Staff.Name] = r.Open
	}
	if len(rows.Items) != 3 || open["调解员甲"] != 1 || open["调解员乙"] != 0 {
		t.Fatalf("workload %+v", rows)
	}
	e.do("GET", "/api/v1/workload?from=2026-03", e.as(e.supervisor), "").fails(t, http.StatusBadRequest, storage.EINVALID)
	var tree struct {
		Categories []struct {
			Name          string
			Group         string
			Subcategories []string
		}
		Natures []string
	}
	e.do("GET", "/api/v1/categories", e.as(e.mediator), "").ok(t, http.StatusOK, &tree)
	if len(tree.Categories) != 24 || tree.Categories[4].Name != "交通工具" || len(tree.Natures) != 10 {
		t.Fatalf("tree %+v", tree)
	}
}
