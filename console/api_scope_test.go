package console_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
)

// tokenFor gives an account made outside e.staff an API token.
func (e *apiEnv) tokenFor(st *storage.Staff) apiAuth {
	e.t.Helper()
	token := apiRandom()
	if _, err := e.db.CreateAPIToken(context.Background(), st.ID, "test", console.HashToken(token)); err != nil {
		e.t.Fatalf("create token: %v", err)
	}
	e.tokens[st.ID] = token
	return e.as(st)
}

// apiUnitCase files a case in unit through the store.
func (e *apiEnv) apiUnitCase(edit func(nc *storage.NewCase)) *storage.Case {
	e.t.Helper()
	e.cases++
	nc := storage.NewCase{
		OpenID: fmt.Sprintf("openid-u%d", e.cases), IntakeKey: fmt.Sprintf("intake-u%d", e.cases),
		Category: "家用电子电器", MerchantName: "商家", MerchantAddress: "人民路1号", PurchaseDate: "2026-02-01",
		AmountFen: 100, Description: "空调不制冷。", Demand: "退款", ComplainantName: "张三",
		Phone: fmt.Sprintf("137%08d", 10000000+e.cases),
	}
	edit(&nc)
	c, err := e.db.CreateCase(context.Background(), "TS", nc)
	if err != nil {
		e.t.Fatalf("create case: %v", err)
	}
	return c
}

// TestAPIScopesToTheCallersUnits checks the JSON API's IDOR surface: a district
// mediator asking for another district's case by number (canonical or loose),
// acting on it, searching for it, or a district supervisor reaching another
// district's audit entries, canned replies, teams and rules, gets 404 or
// nothing; the city's supervisor sees all three districts.
func TestAPIScopesToTheCallersUnits(t *testing.T) {
	e := newAPIEnv(t)
	u := newUnitCity(t, e.db, e.supervisor, e.apiUnitCase)
	med, sup, city := e.tokenFor(u.fcMed), e.tokenFor(u.fcSup), e.as(e.supervisor)
	e.tokenFor(u.xzMed)

	e.do("GET", "/api/v1/cases/"+u.fcCase.Number, med, "").ok(t, http.StatusOK, nil)
	e.do("GET", "/api/v1/cases/"+u.xzCase.Number, med, "").fails(t, http.StatusNotFound, "not_found")
	loose := strings.ToLower(strings.ReplaceAll(u.xzCase.Number, "-", ""))
	e.do("GET", "/api/v1/cases/"+loose, med, "").fails(t, http.StatusNotFound, "not_found")
	for action, body := range map[string]string{
		"note": `{"body":"越权"}`, "reply": `{"body":"越权"}`, "accept": `{}`, "assign": `{"assignee_id":` + apiItoa(u.fcMed.ID) + `}`,
		"read": `{}`, "reveal-phone": `{}`, "classify": `{"category":"食品"}`,
	} {
		e.do("POST", "/api/v1/cases/"+u.xzCase.Number+"/"+action, med, body).fails(t, http.StatusNotFound, "not_found")
	}
	e.do("POST", "/api/v1/cases/"+u.xzCase.Number+"/team", sup, `{"team_id":null}`).fails(t, http.StatusNotFound, "not_found")
	if got, _ := e.db.FindCaseByNumber(context.Background(), u.xzCase.Number); got.AssigneeID != 0 || got.Status != u.xzCase.Status {
		t.Fatalf("refused calls changed the other district's case: %+v", got)
	}

	var page struct {
		Items []struct {
			Number string `json:"number"`
			UnitID int64  `json:"unit_id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	e.do("GET", "/api/v1/cases", med, "").ok(t, http.StatusOK, &page)
	if page.Total != 1 || page.Items[0].Number != u.fcCase.Number || page.Items[0].UnitID != u.fc.ID {
		t.Fatalf("the district's list = %+v", page)
	}
	e.do("GET", "/api/v1/cases?q="+u.xzCase.Number, med, "").ok(t, http.StatusOK, &page)
	if page.Total != 0 {
		t.Fatalf("a search found another district's case: %+v", page)
	}
	e.do("GET", "/api/v1/cases", city, "").ok(t, http.StatusOK, &page)
	if page.Total != 3 {
		t.Fatalf("the city's list holds %d cases, want the three districts'", page.Total)
	}
	e.do("GET", "/api/v1/cases/"+u.xzCase.Number, city, "").ok(t, http.StatusOK, nil)
	e.do("GET", "/api/v1/cases?unit="+apiItoa(u.xc.ID), city, "").ok(t, http.StatusOK, &page)
	if page.Total != 1 || page.Items[0].Number != u.xcCase.Number {
		t.Fatalf("the city's list of 襄城 = %+v", page)
	}
	var units struct {
		Items []struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
			Name string `json:"name"`
		} `json:"items"`
	}
	e.do("GET", "/api/v1/units", med, "").ok(t, http.StatusOK, &units)
	if len(units.Items) != 1 || units.Items[0].Code != "FC" {
		t.Fatalf("the district mediator's units = %+v", units)
	}
	e.do("GET", "/api/v1/units", city, "").ok(t, http.StatusOK, &units)
	if len(units.Items) != 4 || units.Items[0].ID != storage.RootUnitID || units.Items[0].Name != "某市消费者委员会" {
		t.Fatalf("the city's units = %+v", units)
	}
	e.do("GET", "/api/v1/cases?unit="+apiItoa(u.xz.ID), med, "").ok(t, http.StatusOK, &page)
	if page.Total != 0 {
		t.Fatalf("a unit filter reached another district: %+v", page)
	}

	// Assigning within the district: not to a mediator who cannot see the case.
	e.do("POST", "/api/v1/cases/"+u.fcCase.Number+"/assign", sup, `{"assignee_id":`+apiItoa(u.xzMed.ID)+`}`).
		fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", "/api/v1/cases/"+u.fcCase.Number+"/assign", sup, `{"assignee_id":`+apiItoa(u.fcMed.ID)+`}`).ok(t, http.StatusOK, nil)
	e.do("POST", "/api/v1/cases/"+u.xzCase.Number+"/read", e.as(u.xzMed), `{}`).ok(t, http.StatusOK, nil)

	var audit struct {
		Items []struct {
			Case *struct {
				Number string `json:"number"`
			} `json:"case"`
			CaseNumber string `json:"case_number"`
		} `json:"items"`
		Total int `json:"total"`
	}
	raw := e.do("GET", "/api/v1/audit?case="+u.xzCase.Number, sup, "")
	raw.ok(t, http.StatusOK, &audit)
	if audit.Total != 0 {
		t.Fatalf("the district's supervisor reads another district's case's audit: %s", raw.body)
	}
	raw = e.do("GET", "/api/v1/audit", sup, "")
	raw.ok(t, http.StatusOK, &audit)
	if strings.Contains(string(raw.body), u.xzCase.Number) || !strings.Contains(string(raw.body), u.fcCase.Number) {
		t.Fatalf("the district's audit log = %s", raw.body)
	}
	raw = e.do("GET", "/api/v1/audit", city, "")
	raw.ok(t, http.StatusOK, &audit)
	if !strings.Contains(string(raw.body), u.xzCase.Number) {
		t.Fatalf("the city's audit log lacks the district's entries: %s", raw.body)
	}

	var canned struct {
		Items []struct {
			Title string `json:"title"`
		} `json:"items"`
	}
	e.do("GET", "/api/v1/canned-replies", med, "").ok(t, http.StatusOK, &canned)
	titles := fmt.Sprint(canned.Items)
	if strings.Contains(titles, "襄州专用") || !strings.Contains(titles, "樊城专用") || !strings.Contains(titles, "全市通用") {
		t.Fatalf("the district's canned replies = %s", titles)
	}

	raw = e.do("GET", "/api/v1/teams", sup, "")
	raw.ok(t, http.StatusOK, nil)
	if strings.Contains(string(raw.body), "襄州汽车组") {
		t.Fatalf("another district's team is listed: %s", raw.body)
	}
	e.do("POST", "/api/v1/teams/"+apiItoa(u.xzTeam.ID), sup, `{"name":"改名"}`).fails(t, http.StatusNotFound, "not_found")
	e.do("POST", "/api/v1/teams/"+apiItoa(u.xzTeam.ID)+"/members", sup, `{"staff_ids":[]}`).fails(t, http.StatusNotFound, "not_found")
	e.do("POST", "/api/v1/teams/"+apiItoa(u.xzTeam.ID)+"/report-channel", sup, `{"on":true}`).fails(t, http.StatusNotFound, "not_found")
	e.do("POST", "/api/v1/teams", sup, `{"name":"越权组","unit_id":`+apiItoa(u.xz.ID)+`}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	raw = e.do("GET", "/api/v1/routing-rules", sup, "")
	raw.ok(t, http.StatusOK, nil)
	if strings.Contains(string(raw.body), "汽车") {
		t.Fatalf("another district's rule is listed: %s", raw.body)
	}
	e.do("POST", "/api/v1/routing-rules/"+apiItoa(u.xzRule.ID)+"/delete", sup, `{}`).fails(t, http.StatusNotFound, "not_found")
	e.do("POST", "/api/v1/routing-rules/"+apiItoa(u.xzRule.ID)+"/move", sup, `{"direction":"up"}`).fails(t, http.StatusNotFound, "not_found")
	e.do("POST", "/api/v1/routing-rules", sup, `{"kind":"keyword","pattern":"电视","team_id":`+apiItoa(u.xzTeam.ID)+`}`).
		fails(t, http.StatusBadRequest, storage.EINVALID)

	raw = e.do("GET", "/api/v1/staff", med, "")
	raw.ok(t, http.StatusOK, nil)
	if strings.Contains(string(raw.body), "襄州调解员") || !strings.Contains(string(raw.body), "樊城调解员") {
		t.Fatalf("the district's staff list = %s", raw.body)
	}
	raw = e.do("GET", "/api/v1/workload", sup, "")
	raw.ok(t, http.StatusOK, nil)
	if strings.Contains(string(raw.body), "襄州调解员") {
		t.Fatalf("the district's workload names another district's mediator: %s", raw.body)
	}
}

// TestAPIScopeFollowsAUnitMovedElsewhere checks the instance's kept unit tree:
// a street office moved out of a district by another instance (here the store
// itself) takes its cases out of the district mediator's list and detail at
// the next request, although this instance had just read the old tree.
func TestAPIScopeFollowsAUnitMovedElsewhere(t *testing.T) {
	e := newAPIEnv(t)
	u := newUnitCity(t, e.db, e.supervisor, e.apiUnitCase)
	ctx := context.Background()
	street, err := e.db.CreateUnit(ctx, storage.UnitInput{ParentID: u.fc.ID, Name: "樊城某街道", Code: "FCJD", Regions: []string{"某街道"}}, u.by)
	if err != nil {
		t.Fatal(err)
	}
	streetCase := u.newCaseIn(street.ID, nil)
	med := e.tokenFor(u.fcMed)
	var page struct {
		Total int `json:"total"`
	}
	e.do("GET", "/api/v1/cases", med, "").ok(t, http.StatusOK, &page)
	if page.Total != 2 {
		t.Fatalf("the district's list holds %d cases, want its own and the street office's", page.Total)
	}
	e.do("GET", "/api/v1/cases/"+streetCase.Number, med, "").ok(t, http.StatusOK, nil)

	moved := storage.UnitInput{ParentID: u.xz.ID, Name: street.Name, Code: street.Code, Regions: street.Regions}
	if _, err := e.db.UpdateUnit(ctx, street.ID, moved, u.by); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/cases", med, "").ok(t, http.StatusOK, &page)
	if page.Total != 1 {
		t.Fatalf("after the street office moved to another district the list holds %d cases, want 1", page.Total)
	}
	e.do("GET", "/api/v1/cases/"+streetCase.Number, med, "").fails(t, http.StatusNotFound, "not_found")
}
