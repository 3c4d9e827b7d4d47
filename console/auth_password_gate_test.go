package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestPasswordSetByAnAdminMustBeChangedFirst: an account an admin created signs
// in with the admin's password and can reach nothing but the change-password
// page (pages redirect there, posts and API calls are refused) until its owner
// chooses a password; then the desk opens.
func TestPasswordSetByAnAdminMustBeChangedFirst(t *testing.T) {
	e := newAuthEnv(t)
	admin := e.browser().mustLogin("admin1", adminPassword)
	const initial, own = "initial-pass-55", "my-own-pass-66"
	e.secret(own)
	if w := admin.post("/console/staff/new", "/console/staff", newStaffForm("zhou", "周", "mediator", initial)); w.Code != http.StatusSeeOther {
		t.Fatalf("create: %d", w.Code)
	}
	zhou := e.browser().mustLogin("zhou", initial)
	for _, path := range []string{"/console/cases", "/console/tokens", "/console/reports", "/console/cases/export.csv"} {
		if w := zhou.do("GET", path, nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/password" {
			t.Errorf("GET %s: %d to %q, want 303 to /console/password", path, w.Code, w.Header().Get("Location"))
		}
	}
	page := zhou.do("GET", "/console/password", nil)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "请先设置自己的新密码") {
		t.Fatalf("change-password page: %d", page.Code)
	}
	csrf := zhou.token("/console/password")
	if w := zhou.do("POST", "/console/tokens", url.Values{"name": {"x"}, "csrf": {csrf}}); w.Code != http.StatusForbidden {
		t.Errorf("minting a token before the change: %d, want 403", w.Code)
	}
	if w := zhou.do("GET", "/api/v1/cases", nil); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "password_change_required") {
		t.Errorf("API with the session: %d %s", w.Code, w.Body.String())
	}

	same := zhou.post("/console/password", "/console/password",
		url.Values{"current": {initial}, "password": {initial}, "confirm": {initial}})
	if same.Code != http.StatusBadRequest || !strings.Contains(same.Body.String(), "新密码不能与当前密码相同") {
		t.Fatalf("keeping the admin's password: %d", same.Code)
	}
	w := zhou.post("/console/password", "/console/password",
		url.Values{"current": {initial}, "password": {own}, "confirm": {own}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/console/cases") {
		t.Fatalf("change: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if next := zhou.do("GET", w.Header().Get("Location"), nil); next.Code != http.StatusOK || !strings.Contains(next.Body.String(), "密码已修改") {
		t.Fatalf("the queue after the change: %d, without the confirmation (it must be signed with the new session)", next.Code)
	}
	if st, _ := e.store.FindStaffByUsername(context.Background(), "zhou"); st.MustChangePassword {
		t.Fatal("the flag survived the owner's change")
	}
}

// TestResetPasswordMustBeChangedButOwnResetNeedNot: an admin's reset of someone
// else's password holds them at the change page; an admin resetting their own
// chose it and is not held.
func TestResetPasswordMustBeChangedButOwnResetNeedNot(t *testing.T) {
	e := newAuthEnv(t)
	admin := e.browser().mustLogin("admin1", adminPassword)
	const pw, own = "reset-by-admin-7", "admin-new-pass-8"
	e.secret(pw)
	e.secret(own)
	page := "/console/staff/" + itoa(e.mediator.ID) + "/password"
	if w := admin.post(page, page, url.Values{"password": {pw}, "confirm": {pw}}); w.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d", w.Code)
	}
	med := e.browser().mustLogin("med1", pw)
	if w := med.do("GET", "/console/cases", nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/password" {
		t.Fatalf("after a reset the queue answered %d", w.Code)
	}
	self := "/console/staff/" + itoa(e.admin.ID) + "/password"
	if w := admin.post(self, self, url.Values{"password": {own}, "confirm": {own}}); w.Code != http.StatusSeeOther {
		t.Fatalf("own reset: %d", w.Code)
	}
	if w := admin.do("GET", "/console/cases", nil); w.Code != http.StatusOK {
		t.Fatalf("an admin who reset their own password is held: %d", w.Code)
	}
}

// TestAPITokenIsNotHeldByThePasswordGate: the gate holds sessions only; a token
// (which only a session past the gate could have minted) keeps working.
func TestAPITokenIsNotHeldByThePasswordGate(t *testing.T) {
	e := newAuthEnv(t)
	const token = "cbt_gate_test_token_0123456789"
	if _, err := e.store.CreateAPIToken(context.Background(), e.mediator.ID, "laptop", HashToken(token)); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetStaffPassword(context.Background(), e.mediator.ID, e.mediator.PasswordHash, true); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.header.Set("Authorization", "Bearer "+token)
	if w := b.do("GET", "/api/v1/me", nil); w.Code != http.StatusOK {
		t.Fatalf("API with a token: %d %s", w.Code, w.Body.String())
	}
	if st, _ := e.store.FindStaffByID(context.Background(), e.mediator.ID); !st.MustChangePassword || st.Role != storage.RoleMediator {
		t.Fatalf("set-up: %+v", st)
	}
}
