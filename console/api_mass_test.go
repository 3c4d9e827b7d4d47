package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// apiMassGroups is GET /api/v1/mass as a client reads it.
type apiMassGroups struct {
	Groups []struct {
		ID       int64  `json:"id"`
		Merchant string `json:"merchant"`
		Status   string `json:"status"`
		Cases    int    `json:"cases"`
	} `json:"groups"`
}

// apiMassFanout is the answer of a collective reply or status change.
type apiMassFanout struct {
	Reached int `json:"reached"`
	Skipped int `json:"skipped"`
}

// massCases files n cases against one merchant; the detector's threshold is 3.
func (e *apiEnv) massCases(n int, edit func(i int, nc *storage.NewCase)) []*storage.Case {
	e.t.Helper()
	e.db.MassRule = storage.MassRule{Threshold: 3, Window: 24 * time.Hour}
	var out []*storage.Case
	for i := range n {
		out = append(out, e.apiUnitCase(func(nc *storage.NewCase) {
			nc.MerchantName = "诚信健身有限公司"
			if edit != nil {
				edit(i, nc)
			}
		}))
	}
	return out
}

func TestMassAPIIsForSupervisors(t *testing.T) {
	e := newAPIEnv(t)
	e.massCases(3, nil)
	med := e.as(e.mediator)
	e.do("GET", "/api/v1/mass", med, "").fails(t, http.StatusForbidden, "forbidden")
	e.do("POST", "/api/v1/mass/1/form", med, `{}`).fails(t, http.StatusForbidden, "forbidden")
	e.do("POST", "/api/v1/mass/1/reply", med, `{"text":"越权"}`).fails(t, http.StatusForbidden, "forbidden")
	var list apiMassGroups
	e.do("GET", "/api/v1/mass", e.as(e.supervisor), "").ok(t, http.StatusOK, &list)
	if len(list.Groups) != 1 || list.Groups[0].Cases != 3 || list.Groups[0].Status != "open" {
		t.Fatalf("groups = %+v; want one open group of 3", list)
	}
	e.do("GET", "/api/v1/mass/999", e.as(e.supervisor), "").fails(t, http.StatusNotFound, "not_found")
}

func TestMassAPICollectiveFanOut(t *testing.T) {
	e := newAPIEnv(t)
	cases := e.massCases(3, nil)
	sup := e.as(e.supervisor)
	var list apiMassGroups
	e.do("GET", "/api/v1/mass", sup, "").ok(t, http.StatusOK, &list)
	base := fmt.Sprintf("/api/v1/mass/%d", list.Groups[0].ID)
	e.do("POST", base+"/reply", sup, `{"text":"统一答复"}`).fails(t, http.StatusConflict, "conflict")
	e.do("POST", base+"/form", sup, `{}`).ok(t, http.StatusOK, nil)

	req := func(body string) *apiResponse {
		t.Helper()
		r := httptest.NewRequest("POST", base+"/reply", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+e.tokens[e.supervisor.ID])
		r.Header.Set("Idempotency-Key", "retry-1")
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, r)
		return &apiResponse{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	}
	var out apiMassFanout
	req(`{"text":"我会已约谈商家。"}`).ok(t, http.StatusOK, &out)
	if out.Reached != 3 {
		t.Fatalf("fan-out = %+v; want 3", out)
	}
	req(`{"text":"我会已约谈商家。"}`).ok(t, http.StatusOK, &out)
	if out.Reached != 0 || out.Skipped != 3 {
		t.Fatalf("retry = %+v; want nobody reached twice", out)
	}
	for _, c := range cases {
		ns, err := e.db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID})
		if err != nil {
			t.Fatal(err)
		}
		replies := 0
		for _, n := range ns {
			if n.Kind == storage.NoticeStaffReply && n.Text == "我会已约谈商家。" {
				replies++
			}
		}
		if replies != 1 {
			t.Fatalf("case %s got %d reply notices; want exactly 1", c.Number, replies)
		}
	}
	e.do("POST", base+"/status", sup, `{"status":"accepted"}`).ok(t, http.StatusOK, &out)
	if out.Reached != 3 {
		t.Fatalf("status fan-out = %+v", out)
	}
	e.do("POST", base+"/members", sup, `{"case":"`+cases[0].Number+`","member":false}`).ok(t, http.StatusOK, nil)
	var rep struct {
		Mass struct {
			CollectiveCases   int `json:"collective_cases"`
			CollectiveMembers int `json:"collective_members"`
		} `json:"mass"`
	}
	e.do("GET", "/api/v1/reports?from=2026-03&to=2026-03", sup, "").ok(t, http.StatusOK, &rep)
	if rep.Mass.CollectiveCases != 1 || rep.Mass.CollectiveMembers != 2 {
		t.Fatalf("report mass = %+v; want 1 collective case with 2 members", rep.Mass)
	}
}

func TestMassAPIScopesToTheCallersUnits(t *testing.T) {
	e := newAPIEnv(t)
	u := newUnitCity(t, e.db, e.supervisor, e.apiUnitCase)
	fcSup := e.tokenFor(u.fcSup)
	xzSup := e.tokenFor(u.newStaff("xz.sup", "襄州主管", storage.RoleSupervisor, u.xz.ID))
	cases := e.massCases(3, func(i int, nc *storage.NewCase) {
		nc.UnitID = u.fc.ID
		if i == 2 {
			nc.UnitID = u.xz.ID
		}
	})
	var list apiMassGroups
	e.do("GET", "/api/v1/mass", fcSup, "").ok(t, http.StatusOK, &list)
	if len(list.Groups) != 1 || list.Groups[0].Cases != 2 {
		t.Fatalf("樊城 sees %+v; want the group with its 2 cases", list)
	}
	base := fmt.Sprintf("/api/v1/mass/%d", list.Groups[0].ID)
	var detail struct {
		Cases []struct{ Number string } `json:"cases"`
	}
	e.do("GET", base, xzSup, "").ok(t, http.StatusOK, &detail)
	if len(detail.Cases) != 1 || detail.Cases[0].Number != cases[2].Number {
		t.Fatalf("襄州 sees %+v; want only its case", detail)
	}
	e.do("POST", base+"/form", fcSup, `{}`).ok(t, http.StatusOK, nil)
	// 樊城 cannot add 襄州's case, nor reach it with a reply.
	e.do("POST", base+"/members", fcSup, `{"case":"`+cases[2].Number+`","member":true}`).fails(t, http.StatusNotFound, "not_found")
	var out apiMassFanout
	e.do("POST", base+"/reply", fcSup, `{"text":"统一答复"}`).ok(t, http.StatusOK, &out)
	if out.Reached != 2 {
		t.Fatalf("樊城's reply reached %d; want its 2 members", out.Reached)
	}
	// A unit with no case of the group does not see it.
	xcSup := e.tokenFor(u.newStaff("xc.sup", "襄城主管", storage.RoleSupervisor, u.xc.ID))
	e.do("GET", base, xcSup, "").fails(t, http.StatusNotFound, "not_found")
	e.do("POST", base+"/dismiss", xcSup, `{}`).fails(t, http.StatusNotFound, "not_found")
}

func TestMassPagesAndNavigation(t *testing.T) {
	e := newPageEnv(t)
	e.db.MassRule = storage.MassRule{Threshold: 2, Window: 24 * time.Hour}
	var cases []*storage.Case
	for range 2 {
		cases = append(cases, e.newCase(func(nc *storage.NewCase) {
			nc.MerchantName = "美丽人生美容院"
			nc.Description = "办了预付卡，商家闭店跑路了。"
		}))
	}
	sup := e.as(e.supervisor)
	sup.get("/console/cases").want(http.StatusOK).contains("群体投诉（1）")
	e.as(e.mediator).get("/console/cases").want(http.StatusOK).lacks("群体投诉")
	e.as(e.mediator).get("/console/mass").want(http.StatusForbidden)
	sup.get("/console/mass").want(http.StatusOK).contains("美丽人生美容院", "高", "跑路")
	groups, err := e.db.FindMassGroups(context.Background(), storage.MassFilter{})
	if err != nil || len(groups) != 1 {
		t.Fatalf("groups = %+v, %v", groups, err)
	}
	base := fmt.Sprintf("/console/mass/%d", groups[0].ID)
	sup.post(base+"/form", url.Values{}).redirected(base)
	sup.get(base).want(http.StatusOK).contains("统一回复", "消费提示", "美丽人生美容院", cases[0].Number)
	sup.post(base+"/reply", url.Values{"text": {"统一答复"}, "idem": {"page-key"}}).redirected(base)
	sup.post(base+"/reply", url.Values{"text": {"统一答复"}, "idem": {"page-key"}}).redirected(base)
	for _, c := range cases {
		n := 0
		for _, ev := range e.events(c) {
			if ev.Kind == storage.EventStaffReply && ev.Body == "统一答复" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("case %s has %d collective replies; want 1", c.Number, n)
		}
	}
	sup.post(base+"/warning", url.Values{"warning": {"提醒消费者谨慎办卡。"}}).redirected(base)
	sup.get(base).want(http.StatusOK).contains("提醒消费者谨慎办卡。")
	sup.get("/console/cases/" + cases[0].Number).want(http.StatusOK).contains(base)
	e.as(e.mediator).post(base+"/warning", url.Values{"warning": {"越权"}}).want(http.StatusForbidden)
	audit, _, err := e.db.FindAudit(context.Background(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range audit {
		seen[a.Action] = true
	}
	for _, want := range []string{storage.AuditMassForm, storage.AuditMassReply, storage.AuditMassWarning, storage.AuditReply} {
		if !seen[want] {
			t.Errorf("no %s audit entry", want)
		}
	}
}

// TestMassAPIOnPostgres runs the mass-complaint API tests on PostgreSQL too.
func TestMassAPIOnPostgres(t *testing.T) {
	testenv.Postgres(t, sqlstore.Open)
	defer func(open func(*testing.T) *sqlstore.DB) { apiOpenStore = open }(apiOpenStore)
	apiOpenStore = func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) }
	for name, test := range map[string]func(*testing.T){
		"Permissions": TestMassAPIIsForSupervisors,
		"FanOut":      TestMassAPICollectiveFanOut,
		"Scope":       TestMassAPIScopesToTheCallersUnits,
		"Relinked":    TestMassAPIFlagsARelinkedMember,
	} {
		t.Run(name, test)
	}
}

// TestMassAPIFlagsARelinkedMember: a member of a collective case linked by
// staff to another merchant stays a member, and the group's API marks it.
func TestMassAPIFlagsARelinkedMember(t *testing.T) {
	e := newAPIEnv(t)
	cases := e.massCases(3, nil)
	sup := e.as(e.supervisor)
	var list apiMassGroups
	e.do("GET", "/api/v1/mass", sup, "").ok(t, http.StatusOK, &list)
	base := fmt.Sprintf("/api/v1/mass/%d", list.Groups[0].ID)
	e.do("POST", base+"/form", sup, `{}`).ok(t, http.StatusOK, nil)
	m, err := e.db.CreateMerchant(context.Background(), storage.MerchantInput{Name: "另一家健身房",
		By: storage.By{Actor: e.supervisor.Actor()}})
	if err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/api/v1/cases/"+cases[0].Number+"/merchant", sup,
		fmt.Sprintf(`{"merchant_id":%d}`, m.ID)).ok(t, http.StatusOK, nil)
	var got struct {
		Cases []struct {
			Number   string `json:"number"`
			Member   bool   `json:"member"`
			Relinked bool   `json:"relinked"`
		} `json:"cases"`
	}
	e.do("GET", base, sup, "").ok(t, http.StatusOK, &got)
	if len(got.Cases) != 3 {
		t.Fatalf("the collective case lists %d cases; want all 3 still", len(got.Cases))
	}
	for _, c := range got.Cases {
		if !c.Member || c.Relinked != (c.Number == cases[0].Number) {
			t.Fatalf("cases = %+v; want all members, only %s flagged", got.Cases, cases[0].Number)
		}
	}
}
