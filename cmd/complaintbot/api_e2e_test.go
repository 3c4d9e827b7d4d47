package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
)

// apiCaller calls the JSON API of a running Main with a personal token.
type apiCaller struct {
	t     *testing.T
	base  string
	token string
}

func (a apiCaller) do(method, path, body string) (int, map[string]any) {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, a.base+"/api/v1"+path, rd)
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(raw)) > 0 && json.Unmarshal(raw, &out) != nil {
		a.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
	}
	return resp.StatusCode, out
}

func (a apiCaller) ok(method, path, body string) map[string]any {
	a.t.Helper()
	status, out := a.do(method, path, body)
	if status != http.StatusOK && status != http.StatusCreated {
		a.t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	return out
}

// newToken creates a staff member with a personal API token.
func newToken(t *testing.T, m *Main, username string, role storage.Role) (string, *storage.Staff) {
	t.Helper()
	st, err := m.DB.CreateStaff(context.Background(), storage.NewStaff{Username: username, Name: "李调解", Role: role, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	token := "cbt_e2e_" + username + "_0123456789abcdef0123456789abcdef"
	if _, err := m.DB.CreateAPIToken(context.Background(), st.ID, "e2e", console.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	return token, st
}

// TestEndToEndAPIWorksACase drives every case action through the API of the real
// service (on PostgreSQL and Redis in CI) and checks what reaches the consumer.
func TestEndToEndAPIWorksACase(t *testing.T) {
	m := runMain(t)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("api")}
	c := fileCase(t, m, p)
	token, st := newToken(t, m, "api_mediator", storage.RoleMediator)
	api := apiCaller{t: t, base: m.URL(), token: token}
	path := "/cases/" + c.Number

	if status, _ := (apiCaller{t: t, base: m.URL()}).do("GET", "/cases", ""); status != http.StatusUnauthorized {
		t.Fatalf("anonymous list: %d", status)
	}
	list := api.ok("GET", "/cases?q="+c.Number, "")
	if list["total"].(float64) != 1 {
		t.Fatalf("list: %v", list)
	}
	if body, _ := json.Marshal(list); strings.Contains(string(body), "13812345678") {
		t.Fatal("the list shows a full phone number")
	}
	api.ok("POST", path+"/accept", "")
	api.ok("POST", path+"/assign", `{"assignee_id":`+strconv.FormatInt(st.ID, 10)+`}`)
	api.ok("POST", path+"/reply", `{"text":"请补充购物小票的照片。"}`)
	api.ok("POST", path+"/note", `{"text":"商家电话无人接听。"}`)
	api.ok("POST", path+"/status", `{"status":"mediating"}`)
	api.ok("POST", path+"/close", `{"outcome":"agreement","recovered_yuan":"3999.50","double_compensation":true}`)
	api.ok("POST", path+"/read", "")
	if status, out := api.do("POST", path+"/reopen", ""); status != http.StatusForbidden {
		t.Fatalf("a mediator reopening: %d %v", status, out)
	}
	phone := api.ok("POST", path+"/reveal-phone", "")
	if body, _ := json.Marshal(phone); !strings.Contains(string(body), "13812345678") {
		t.Fatalf("reveal-phone: %v", phone)
	}

	got, err := m.DB.FindCaseByNumber(context.Background(), c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != storage.StatusResolved || got.AssigneeID != st.ID || got.RecoveredFen != 399950 || !got.DoubleCompensation {
		t.Fatalf("case after the API calls: %+v", got)
	}
	for i, want := range []string{"已受理", "请补充购物小票的照片", "调解中", "调解成功"} {
		waitPushed(t, m, p.openID, i+1, want)
	}
	audit, _, err := m.DB.FindAudit(context.Background(), storage.AuditFilter{CaseID: &c.ID, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]bool{}
	for _, e := range audit {
		actions[e.Action] = true
		if strings.Contains(e.Detail, "13812345678") {
			t.Fatalf("an audit entry holds the phone number: %+v", e)
		}
	}
	for _, want := range []string{storage.AuditStatusChange, storage.AuditAssign, storage.AuditReply, storage.AuditNote, storage.AuditOutcome, storage.AuditRevealPhone} {
		if !actions[want] {
			t.Errorf("no %s entry in the audit log: %v", want, actions)
		}
	}
}

// TestEndToEndPhoneSearchLimitComesFromConfig checks that
// console.phone_searches_per_hour reaches the console: with a limit of 1, a
// second search by a whole phone number is refused. (The counter lives in the
// shared Redis, so a first search may be refused too if this staff id searched
// within the hour; the second never passes either way.)
func TestEndToEndPhoneSearchLimitComesFromConfig(t *testing.T) {
	m := runMainWith(t, func(c *configs.Config) { c.Console.PhoneSearchesPerHour = 1 })
	token, _ := newToken(t, m, "phone_searcher", storage.RoleMediator)
	api := apiCaller{t: t, base: m.URL(), token: token}
	api.do("GET", "/cases?q=13812345678", "")
	status, out := api.do("GET", "/cases?q=13812345678", "")
	if e, _ := out["error"].(map[string]any); status != http.StatusTooManyRequests || e["code"] != "too_many_requests" {
		t.Fatalf("second whole-phone search with a limit of 1: %d %v", status, out)
	}
}
