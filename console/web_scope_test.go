package console_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// unitCity is a city committee (the root) with three district committees, a
// mediator and a supervisor in 樊城 and a mediator in 襄州, and a case in each
// district.
type unitCity struct {
	fc, xz, xc             *storage.Unit
	fcMed, fcSup, xzMed    *storage.Staff
	fcAdmin, cityAdmin     *storage.Staff
	fcCase, xzCase, xcCase *storage.Case
	xzTeam                 *storage.Team
	xzRule                 *storage.RoutingRule
	xzCanned, fcCanned     *storage.CannedReply
	cityCanned             *storage.CannedReply
	by                     storage.By
	newStaff               func(username, name string, role storage.Role, unit int64) *storage.Staff
	newCaseIn              func(unit int64, edit func(nc *storage.NewCase)) *storage.Case
}

// newUnitCity builds the city in db. cityStaff is a root staff member who
// acts in the set-up; newCase files a case (its UnitID set by the edit).
func newUnitCity(t *testing.T, db *sqlstore.DB, cityStaff *storage.Staff,
	newCase func(edit func(nc *storage.NewCase)) *storage.Case) *unitCity {
	t.Helper()
	ctx := context.Background()
	u := &unitCity{by: storage.By{Actor: cityStaff.Actor(), IP: "192.0.2.1"}}
	unit := func(name, code, region string) *storage.Unit {
		x, err := db.CreateUnit(ctx, storage.UnitInput{ParentID: storage.RootUnitID, Name: name, Code: code, Regions: []string{region}}, u.by)
		if err != nil {
			t.Fatalf("CreateUnit %s: %v", code, err)
		}
		return x
	}
	u.fc, u.xz, u.xc = unit("樊城区消委会", "FC", "樊城区"), unit("襄州区消委会", "XZ", "襄州区"), unit("襄城区消委会", "XC", "襄城区")
	u.newStaff = func(username, name string, role storage.Role, unit int64) *storage.Staff {
		t.Helper()
		st, err := db.CreateStaff(ctx, storage.NewStaff{Username: username, Name: name, Role: role, PasswordHash: "x", UnitID: unit})
		if err != nil {
			t.Fatalf("CreateStaff %s: %v", username, err)
		}
		return st
	}
	u.fcMed = u.newStaff("fc.med", "樊城调解员", storage.RoleMediator, u.fc.ID)
	u.fcSup = u.newStaff("fc.sup", "樊城主管", storage.RoleSupervisor, u.fc.ID)
	u.fcAdmin = u.newStaff("fc.admin", "樊城管理员", storage.RoleAdmin, u.fc.ID)
	u.xzMed = u.newStaff("xz.med", "襄州调解员", storage.RoleMediator, u.xz.ID)
	u.cityAdmin = u.newStaff("city.admin", "市管理员", storage.RoleAdmin, storage.RootUnitID)
	u.newCaseIn = func(unit int64, edit func(nc *storage.NewCase)) *storage.Case {
		return newCase(func(nc *storage.NewCase) {
			nc.UnitID = unit
			if edit != nil {
				edit(nc)
			}
		})
	}
	u.fcCase = u.newCaseIn(u.fc.ID, func(nc *storage.NewCase) { nc.MerchantName = "樊城商家" })
	u.xzCase = u.newCaseIn(u.xz.ID, func(nc *storage.NewCase) {
		nc.MerchantName = "襄州商家"
		nc.Evidence = []storage.NewEvidence{{Kind: "image", MediaID: "xz-photo"}}
	})
	u.xcCase = u.newCaseIn(u.xc.ID, func(nc *storage.NewCase) { nc.MerchantName = "襄城商家" })
	var err error
	if u.xzTeam, err = db.CreateTeam(ctx, storage.TeamInput{Name: "襄州汽车组", UnitID: u.xz.ID}, u.by); err != nil {
		t.Fatal(err)
	}
	if u.xzRule, err = db.CreateRoutingRule(ctx, storage.NewRoutingRule{Kind: storage.RuleKeyword, Pattern: "汽车", TeamID: u.xzTeam.ID}, u.by); err != nil {
		t.Fatal(err)
	}
	if u.xzCanned, err = db.CreateCannedReply(ctx, "襄州专用", "请到襄州区消委会。", u.xzMed.ID); err != nil {
		t.Fatal(err)
	}
	if u.fcCanned, err = db.CreateCannedReply(ctx, "樊城专用", "请到樊城区消委会。", u.fcSup.ID); err != nil {
		t.Fatal(err)
	}
	if u.cityCanned, err = db.CreateCannedReply(ctx, "全市通用", "您好，已收到。", cityStaff.ID); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestPagesScopeCasesToTheStaffMembersUnits checks the IDOR surface of the
// pages: a district mediator asking for another district's case by number, its
// evidence by id, an action on it, a search or a download for it, gets not
// found or nothing — and nothing is done to it; the city's supervisor sees all
// three districts.
func TestPagesScopeCasesToTheStaffMembersUnits(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	u := newUnitCity(t, e.db, e.supervisor, e.newCase)
	ev := e.download(ctx, []byte("\xff\xd8\xff photo"), "image/jpeg")[0]
	med := e.as(u.fcMed)

	e.as(u.fcMed).get(pageCasePath(u.fcCase, "")).want(http.StatusOK).contains("樊城商家", "樊城区消委会")
	med.get(pageCasePath(u.xzCase, "")).want(http.StatusNotFound).lacks("襄州商家")
	loose := strings.ToLower(strings.ReplaceAll(u.xzCase.Number, "-", ""))
	med.get("/console/cases/" + loose).want(http.StatusNotFound)
	med.get(pageCasePath(u.xzCase, "/events")).want(http.StatusNotFound)
	before := len(e.events(u.xzCase))
	for _, action := range []string{"/note", "/reply", "/accept", "/assign", "/read", "/reveal-phone", "/classify", "/close"} {
		med.post(pageCasePath(u.xzCase, action), pageForm("body", "越权", "assignee", "me", "note", "越权")).want(http.StatusNotFound)
	}
	if after := len(e.events(u.xzCase)); after != before {
		t.Fatalf("refused actions changed the other district's case: %d events, was %d", after, before)
	}
	if got := e.reload(u.xzCase); got.Status != u.xzCase.Status || got.AssigneeID != 0 {
		t.Fatalf("the other district's case changed: %+v", got)
	}
	med.get("/console/evidence/" + pageItoa(ev.ID)).want(http.StatusNotFound)
	e.as(e.supervisor).get("/console/evidence/" + pageItoa(ev.ID)).want(http.StatusOK)

	med.get("/console/cases").want(http.StatusOK).contains(u.fcCase.Number).lacks(u.xzCase.Number, u.xcCase.Number)
	med.get("/console/cases?q="+pageQ(u.xzCase.Number)).want(http.StatusOK).lacks("襄州商家", `href="/console/cases/`+u.xzCase.Number)
	med.get("/console/cases?q=" + pageQ("襄州商家")).want(http.StatusOK).lacks(`href="/console/cases/` + u.xzCase.Number)
	med.get("/console/cases/export.csv?q=" + pageQ(u.xzCase.Number)).want(http.StatusOK).lacks(u.xzCase.Number)
	med.get("/console/cases/export.csv").want(http.StatusOK).contains(u.fcCase.Number, "单位", "樊城区消委会").lacks(u.xzCase.Number, u.xcCase.Number)
	med.post("/console/cases/assign", pageForm("case", u.xzCase.Number, "assignee", "me")).want(http.StatusSeeOther)
	if got := e.reload(u.xzCase); got.AssigneeID != 0 {
		t.Fatal("a bulk claim took another district's case")
	}

	city := e.as(e.supervisor).get("/console/cases").want(http.StatusOK)
	city.contains(u.fcCase.Number, u.xzCase.Number, u.xcCase.Number, "<th>单位</th>", "襄城区消委会", `<select name="unit">`)
	e.as(e.supervisor).get("/console/cases?unit=" + pageItoa(u.xz.ID)).want(http.StatusOK).
		contains(`href="/console/cases/` + u.xzCase.Number).lacks(`href="/console/cases/` + u.fcCase.Number)
	med.get("/console/cases?unit=" + pageItoa(u.xz.ID)).want(http.StatusOK).lacks(`href="/console/cases/` + u.xzCase.Number).
		lacks(`<select name="unit">`)
	med.get("/console/cases/export.csv?unit=" + pageItoa(u.xz.ID)).want(http.StatusOK).lacks(u.xzCase.Number)
	e.as(e.supervisor).get(pageCasePath(u.xzCase, "")).want(http.StatusOK).contains("襄州商家")
}

// TestPagesScopeAssigneesAuditAndWorkload checks that the assignee pickers
// offer only staff who may see the case, that assigning to anyone else is
// refused, and that the audit log, the workload and the overdue list keep to
// the district.
func TestPagesScopeAssigneesAuditAndWorkload(t *testing.T) {
	e := newPageEnv(t)
	u := newUnitCity(t, e.db, e.supervisor, e.newCase)
	sup := e.as(u.fcSup)

	page := sup.get(pageCasePath(u.fcCase, "")).want(http.StatusOK)
	page.contains("樊城调解员").lacks("襄州调解员")
	sup.post(pageCasePath(u.fcCase, "/assign"), pageForm("assignee", pageItoa(u.xzMed.ID))).want(http.StatusBadRequest)
	if got := e.reload(u.fcCase); got.AssigneeID != 0 {
		t.Fatal("a case went to a mediator who cannot see it")
	}
	sup.post("/console/cases/assign", pageForm("case", u.fcCase.Number, "assignee", pageItoa(u.xzMed.ID))).want(http.StatusSeeOther)
	if got := e.reload(u.fcCase); got.AssigneeID != 0 {
		t.Fatal("a bulk assignment gave a case to a mediator who cannot see it")
	}
	sup.post(pageCasePath(u.fcCase, "/assign"), pageForm("assignee", pageItoa(u.fcMed.ID))).redirected(pageCasePath(u.fcCase, ""))
	// The city's staff may work a district's case.
	sup.post(pageCasePath(u.fcCase, "/assign"), pageForm("assignee", pageItoa(e.mediator.ID))).redirected(pageCasePath(u.fcCase, ""))

	// 襄州's mediator reads their own case, which the audit log records.
	e.as(u.xzMed).get(pageCasePath(u.xzCase, "")).want(http.StatusOK)
	e.as(u.xzMed).post(pageCasePath(u.xzCase, "/read"), nil).want(http.StatusSeeOther)
	audit := sup.get("/console/audit").want(http.StatusOK)
	audit.contains(u.fcCase.Number).lacks(u.xzCase.Number, "襄州调解员")
	sup.get("/console/audit?case=" + pageQ(u.xzCase.Number)).want(http.StatusOK).lacks(`href="/console/cases/` + u.xzCase.Number)
	sup.get("/console/audit?staff=" + pageItoa(u.xzMed.ID)).want(http.StatusOK).lacks(u.xzCase.Number)
	e.as(e.supervisor).get("/console/audit").want(http.StatusOK).contains(u.xzCase.Number, u.fcCase.Number)

	sup.get("/console/workload").want(http.StatusOK).contains("樊城调解员").lacks("襄州调解员", "调解员甲")
	sup.get("/console/overdue").want(http.StatusOK)
	e.as(e.supervisor).get("/console/workload").want(http.StatusOK).contains("樊城调解员", "襄州调解员")
}

// TestPagesScopeCannedRepliesTeamsAndRules checks that a district supervisor
// sees their own unit's and the city's canned replies but another district's
// reads as not found, may not edit the city's, and that another district's
// team and rule read as not found too.
func TestPagesScopeCannedRepliesTeamsAndRules(t *testing.T) {
	e := newPageEnv(t)
	u := newUnitCity(t, e.db, e.supervisor, e.newCase)
	sup := e.as(u.fcSup)

	sup.get("/console/canned").want(http.StatusOK).contains("樊城专用", "全市通用", "上级单位的常用回复").lacks("襄州专用")
	sup.post("/console/canned/"+pageItoa(u.xzCanned.ID), pageForm("title", "改", "body", "改")).want(http.StatusNotFound)
	sup.post("/console/canned/"+pageItoa(u.xzCanned.ID)+"/delete", nil).want(http.StatusNotFound)
	sup.post("/console/canned/"+pageItoa(u.cityCanned.ID), pageForm("title", "改", "body", "改")).want(http.StatusNotFound)
	sup.post("/console/canned/"+pageItoa(u.fcCanned.ID), pageForm("title", "樊城专用", "body", "新正文")).redirected("/console/canned")
	e.as(u.fcMed).get(pageCasePath(u.fcCase, "")).want(http.StatusOK).contains("樊城专用", "全市通用").lacks("襄州专用")
	list, err := e.db.ListCannedReplies(context.Background())
	if err != nil || len(list) != 3 {
		t.Fatalf("canned replies = %d, %v", len(list), err)
	}

	sup.get("/console/teams").want(http.StatusOK).lacks("襄州汽车组")
	sup.post("/console/teams/"+pageItoa(u.xzTeam.ID), pageForm("name", "改名")).want(http.StatusNotFound)
	sup.post("/console/teams/"+pageItoa(u.xzTeam.ID)+"/members", pageForm("member", pageItoa(u.fcMed.ID))).want(http.StatusNotFound)
	// Nor may they make it a channel of the figures, or see it among the channels.
	sup.post("/console/reports/channels/"+pageItoa(u.xzTeam.ID), pageForm("on", "1")).want(http.StatusNotFound)
	sup.get("/console/reports").want(http.StatusOK).lacks("襄州汽车组")
	sup.post("/console/routing-rules/"+pageItoa(u.xzRule.ID)+"/delete", nil).want(http.StatusNotFound)
	sup.post("/console/routing-rules/"+pageItoa(u.xzRule.ID)+"/move", pageForm("dir", "up")).want(http.StatusNotFound)
	sup.post("/console/routing-rules", pageForm("kind", "keyword", "pattern", "电视", "team", pageItoa(u.xzTeam.ID))).want(http.StatusBadRequest)
	sup.post(pageCasePath(u.fcCase, "/team"), pageForm("team", pageItoa(u.xzTeam.ID))).want(http.StatusBadRequest)
	rules, err := e.db.ListRoutingRules(context.Background())
	if err != nil || len(rules) != 1 {
		t.Fatalf("rules = %+v, %v", rules, err)
	}
	// A team made by the district's supervisor is the district's.
	sup.post("/console/teams", pageForm("name", "樊城综合")).redirected("/console/teams")
	teams, err := e.db.ListTeams(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.Name == "樊城综合" && tm.UnitID != u.fc.ID {
			t.Fatalf("the district's team is in unit %d", tm.UnitID)
		}
	}
	e.as(e.supervisor).get("/console/teams").want(http.StatusOK).contains("襄州汽车组", "樊城综合", "所属单位")

	// A city mediator in a district team stays when the district's supervisor,
	// who cannot see them, saves the members; a member from another district is
	// refused.
	var fcTeam *storage.Team
	for _, tm := range teams {
		if tm.Name == "樊城综合" {
			fcTeam = tm
		}
	}
	if _, err := e.db.SetTeamMembers(context.Background(), fcTeam.ID, []int64{e.mediator.ID}, u.by); err != nil {
		t.Fatal(err)
	}
	sup.get("/console/teams").want(http.StatusOK).lacks("调解员甲")
	sup.post("/console/teams/"+pageItoa(fcTeam.ID)+"/members", pageForm("member", pageItoa(u.fcMed.ID))).redirected("/console/teams")
	sup.post("/console/teams/"+pageItoa(fcTeam.ID)+"/members", pageForm("member", pageItoa(u.xzMed.ID))).want(http.StatusBadRequest)

	// Moving a rule up passes the rule above it on the page, whatever other
	// units' rules lie between.
	ctx := context.Background()
	rule := func(pattern string, team *storage.Team) *storage.RoutingRule {
		r, err := e.db.CreateRoutingRule(ctx, storage.NewRoutingRule{Kind: storage.RuleKeyword, Pattern: pattern, TeamID: team.ID}, u.by)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	fcA := rule("冰箱", fcTeam)
	rule("洗衣机", u.xzTeam)
	fcB := rule("空调", fcTeam)
	sup.post("/console/routing-rules/"+pageItoa(fcB.ID)+"/move", pageForm("dir", "up")).redirected("/console/teams")
	order, err := e.db.ListRoutingRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range order {
		if r.TeamID == fcTeam.ID {
			ids = append(ids, r.ID)
		}
	}
	if fmt.Sprint(ids) != fmt.Sprint([]int64{fcB.ID, fcA.ID}) {
		t.Fatalf("the district's rules in order %v, want %d before %d", ids, fcB.ID, fcA.ID)
	}
	teams, err = e.db.ListTeams(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.ID == fcTeam.ID && fmt.Sprint(tm.Members) != fmt.Sprint([]int64{e.mediator.ID, u.fcMed.ID}) {
			t.Fatalf("the district team's members = %v", tm.Members)
		}
	}
}

// TestAdminsManageUnitsAndStaffInTheirSubtree checks the units page and the
// staff pages: the city's admin builds the tree and puts staff in units; a
// district's admin sees only their district, cannot reach the city's units or
// another district's staff, and cannot move anyone out of their district.
func TestAdminsManageUnitsAndStaffInTheirSubtree(t *testing.T) {
	e := newPageEnv(t)
	u := newUnitCity(t, e.db, e.supervisor, e.newCase)
	city, fc := e.as(u.cityAdmin), e.as(u.fcAdmin)

	city.get("/console/units").want(http.StatusOK).contains("樊城区消委会", "襄州区消委会", "襄城区消委会", "某市消委会", "机构设置")
	city.post("/console/units", pageForm("parent", pageItoa(u.fc.ID), "name", "牛首镇调解站", "code", "fcns",
		"regions", "牛首镇\n太平店镇", "hotline", "0710-1234567")).redirected("/console/units")
	city.post("/console/units", pageForm("parent", pageItoa(u.fc.ID), "name", "重复", "code", "FC")).want(http.StatusConflict)
	city.post("/console/units", pageForm("parent", pageItoa(u.fc.ID), "name", "坏地区", "code", "BAD", "regions", "镇")).
		want(http.StatusBadRequest).contains("地区名称")
	units, err := e.db.ListUnits(context.Background())
	if err != nil || len(units) != 5 {
		t.Fatalf("units = %d, %v", len(units), err)
	}
	town := units[len(units)-1]
	if town.Code != "FCNS" || town.ParentID != u.fc.ID || len(town.Regions) != 2 {
		t.Fatalf("the new unit = %+v", town)
	}
	city.post("/console/units/"+pageItoa(u.fc.ID), pageForm("parent", pageItoa(town.ID), "name", "樊城区消委会", "code", "FC")).
		want(http.StatusBadRequest) // under its own child

	fc.get("/console/units").want(http.StatusOK).contains("樊城区消委会", "牛首镇调解站").lacks("襄州区消委会")
	fc.get("/console/units/" + pageItoa(storage.RootUnitID)).want(http.StatusNotFound)
	fc.get("/console/units/" + pageItoa(u.xz.ID)).want(http.StatusNotFound)
	fc.post("/console/units/"+pageItoa(u.xz.ID), pageForm("name", "改", "code", "XZ")).want(http.StatusNotFound)
	fc.post("/console/units", pageForm("parent", pageItoa(u.xz.ID), "name", "越权", "code", "YQ")).want(http.StatusBadRequest)
	// Editing their own unit keeps it where it is, whatever the form says.
	fc.post("/console/units/"+pageItoa(u.fc.ID), pageForm("parent", pageItoa(u.xz.ID), "name", "樊城区消费者委员会", "code", "FC")).
		redirected("/console/units")
	if got := unitByID(t, e.db, u.fc.ID); got.ParentID != storage.RootUnitID || got.Name != "樊城区消费者委员会" {
		t.Fatalf("the district's own unit = %+v", got)
	}

	fc.get("/console/staff").want(http.StatusOK).contains("fc.med").lacks("xz.med", "med1")
	fc.get("/console/staff/" + pageItoa(u.xzMed.ID)).want(http.StatusNotFound)
	fc.post("/console/staff/"+pageItoa(u.xzMed.ID)+"/disable", nil).want(http.StatusNotFound)
	fc.post("/console/staff/"+pageItoa(u.fcMed.ID), pageForm("name", "樊城调解员", "role", "mediator", "unit", pageItoa(u.xz.ID))).
		want(http.StatusBadRequest)
	fc.post("/console/staff/"+pageItoa(u.fcMed.ID), pageForm("name", "樊城调解员", "role", "mediator", "unit", pageItoa(town.ID))).
		redirected("/console/staff")
	if got, _ := e.db.FindStaffByID(context.Background(), u.fcMed.ID); got.UnitID != town.ID {
		t.Fatalf("the mediator's unit = %d, want the town's %d", got.UnitID, town.ID)
	}
	city.get("/console/staff/new").want(http.StatusOK).contains(`name="unit"`, "牛首镇调解站")
	city.get("/console/staff").want(http.StatusOK).contains("<th>单位</th>", "xz.med")
	e.as(u.fcMed).get("/console/units").want(http.StatusForbidden)

	// The settings and the calendar hold for the whole system: the city's.
	fc.get("/console/settings").want(http.StatusForbidden)
	fc.post("/console/settings", pageForm("name", "樊城", "hotline", "", "service_hours", "")).want(http.StatusForbidden)
	fc.get("/console/calendar/2026").want(http.StatusForbidden)
	city.get("/console/settings").want(http.StatusOK)
}

// TestSingleUnitConsoleLooksAsBefore checks that with only the root unit there
// is no unit picker, column or line anywhere.
func TestSingleUnitConsoleLooksAsBefore(t *testing.T) {
	e := newPageEnv(t)
	admin := e.staff("adm", "管理员丁", storage.RoleAdmin)
	c := e.newCase(nil)
	as := e.as(admin)
	as.get("/console/cases").want(http.StatusOK).contains(c.Number).lacks("<th>单位</th>", `class="unit"`)
	as.get(pageCasePath(c, "")).want(http.StatusOK).lacks("case-unit", "<dt>单位</dt>")
	as.get("/console/staff").want(http.StatusOK).lacks("<th>单位</th>")
	as.get("/console/cases/export.csv").want(http.StatusOK).contains(c.Number).lacks("单位")
	as.get("/console/cases").want(http.StatusOK).lacks(`name="unit"`)
	as.get("/console/staff/new").want(http.StatusOK).lacks(`name="unit"`)
	as.get("/console/staff/" + pageItoa(e.mediator.ID)).want(http.StatusOK).lacks(`name="unit"`)
	as.get("/console/teams").want(http.StatusOK).lacks(`name="unit"`)
	// The units page itself is there for the admin who will add the first unit.
	as.get("/console/units").want(http.StatusOK).contains("某市消委会", "ROOT")
}

// unitByID reads one unit.
func unitByID(t *testing.T, db *sqlstore.DB, id int64) *storage.Unit {
	t.Helper()
	units, err := db.ListUnits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range units {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("no unit %d", id)
	return nil
}

// events reads a case's timeline.
func (e *pageEnv) events(c *storage.Case) []*storage.Event {
	e.t.Helper()
	evs, err := e.db.ListEvents(context.Background(), c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}
