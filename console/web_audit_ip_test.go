package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// TestCaseActionsAuditTheClientAddress works a case through the console's forms
// and another through the API, behind a trusted proxy, and checks that every audit
// entry of those actions (the ones the store writes with the action as well as the
// console's own) holds the address the proxy saw: the last of X-Forwarded-For.
func TestCaseActionsAuditTheClientAddress(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testCaseActionsAuditAddress(t, testenv.SQLite(t, sqlstore.Open)) })
	t.Run("postgres", func(t *testing.T) { testCaseActionsAuditAddress(t, testenv.Postgres(t, sqlstore.Open)) })
}

func testCaseActionsAuditAddress(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	sessions := &apiMemSessions{}
	srv, err := console.New(console.Config{Store: db, Sessions: sessions, CasePrefix: "TS", TrustProxy: true})
	if err != nil {
		t.Fatal(err)
	}
	boss, err := db.CreateStaff(ctx, storage.NewStaff{Username: "boss", Name: "主管丙", Role: storage.RoleSupervisor, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	se, _ := sessions.CreateSession(ctx, boss.ID)
	token := apiRandom()
	if _, err := db.CreateAPIToken(ctx, boss.ID, "test", console.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	viaForm := auditIPCase(t, db, "form")
	viaAPI := auditIPCase(t, db, "api")

	send := func(path, ip string, req *http.Request) {
		t.Helper()
		req.RemoteAddr = "127.0.0.1:40000" // the proxy
		req.Header.Set("X-Forwarded-For", "10.9.9.9, "+ip)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther && rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
			t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
		}
	}
	form := func(action string, kv ...string) {
		f := pageForm(kv...)
		f.Set("csrf", se.CSRFToken)
		path := "/console/cases/" + viaForm.Number + "/" + action
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "cb_session", Value: se.ID})
		send(path, "198.51.100.7", req)
	}
	api := func(action, body string) {
		path := "/api/v1/cases/" + viaAPI.Number + "/" + action
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		send(path, "2001:db8::8", req)
	}

	form("accept")
	form("status", "to", string(storage.StatusMediating))
	form("assign", "assignee", "me")
	form("reply", "text", "您好，已联系商家。")
	form("note", "text", "商家同意退款。")
	form("close", "outcome", storage.OutcomeSettled, "recovered", "100")
	form("read")
	api("accept", `{}`)
	api("status", `{"status":"mediating"}`)
	api("assign", `{"assignee_id":`+apiItoa(boss.ID)+`}`)
	api("reply", `{"text":"您好，已联系商家。"}`)
	api("note", `{"text":"商家同意退款。"}`)
	api("close", `{"outcome":"settled","recovered_yuan":"100"}`)
	api("read", `{}`)

	want := []string{storage.AuditStatusChange, storage.AuditStatusChange, storage.AuditAssign,
		storage.AuditReply, storage.AuditNote, storage.AuditOutcome, storage.AuditMarkRead}
	wantAuditAddress(t, db, viaForm, want, "198.51.100.7")
	wantAuditAddress(t, db, viaAPI, want, "2001:db8::8")
}

// auditIPCase files a case for the audit address test.
func auditIPCase(t *testing.T, db *sqlstore.DB, key string) *storage.Case {
	t.Helper()
	c, err := db.CreateCase(context.Background(), "TS", storage.NewCase{
		OpenID: "openid-" + key, IntakeKey: "intake-" + key, Category: "家用电子电器", MerchantName: "某电器店",
		MerchantAddress: "人民路1号", PurchaseDate: "2026-02-01", AmountFen: 10000, Description: "空调不制冷。",
		Demand: "退款", ComplainantName: "张三", Phone: "13900000000",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantAuditAddress checks the case's audit entries: the actions, oldest first, and
// the address on each.
func wantAuditAddress(t *testing.T, db *sqlstore.DB, c *storage.Case, actions []string, ip string) {
	t.Helper()
	entries, _, err := db.FindAudit(context.Background(), storage.AuditFilter{CaseID: &c.ID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range slices.Backward(entries) {
		got = append(got, e.Action)
		if e.IP != ip {
			t.Errorf("%s entry of %s: address %q, want %q", e.Action, c.Number, e.IP, ip)
		}
	}
	if !slices.Equal(got, actions) {
		t.Errorf("audit of %s: %v, want %v", c.Number, got, actions)
	}
}
