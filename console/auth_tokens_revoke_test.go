package console

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// tokenWorks reports whether an API token still opens GET /api/v1/me.
func (e *authEnv) tokenWorks(token string) bool {
	e.t.Helper()
	b := e.browser()
	b.header.Set("Authorization", "Bearer "+token)
	switch w := b.do("GET", "/api/v1/me", nil); w.Code {
	case http.StatusOK:
		return true
	case http.StatusUnauthorized:
		return false
	default:
		e.t.Fatalf("GET /api/v1/me with a token: %d", w.Code)
	}
	return false
}

func TestChangingOwnPasswordRevokesAPITokens(t *testing.T) {
	e := newAuthEnv(t)
	med := e.browser().mustLogin("med1", mediatorPassword)
	token := med.createAPIToken("脚本")
	other := e.browser().mustLogin("sup1", supPassword).createAPIToken("主管的脚本")
	if !e.tokenWorks(token) {
		t.Fatal("a fresh token does not work")
	}
	const pw = "changed-by-self-7"
	e.secret(pw)
	w := med.post("/console/password", "/console/password",
		url.Values{"current": {mediatorPassword}, "password": {pw}, "confirm": {pw}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", w.Code, w.Body.String())
	}
	if e.tokenWorks(token) {
		t.Fatal("an API token survived its owner's password change")
	}
	if !e.tokenWorks(other) {
		t.Fatal("another account's token was revoked")
	}
	if !med.signedIn() {
		t.Fatal("the browser that changed the password was signed out")
	}
	if !e.tokenWorks(med.createAPIToken("新脚本")) {
		t.Fatal("a token made after the change does not work")
	}
	want := "token_revoke/" + idText(e.mediator.ID) + "/吊销账号 " + idText(e.mediator.ID) + " 的全部令牌（1 个）"
	if got := e.auditActions(); !slices.Contains(got, want) {
		t.Errorf("audit %v lacks %q", got, want)
	}
}

func TestResettingAPasswordRevokesAPITokens(t *testing.T) {
	e := newAuthEnv(t)
	token := e.browser().mustLogin("med1", mediatorPassword).createAPIToken("脚本")
	admin := e.browser().mustLogin("admin1", adminPassword)
	const pw = "reset-by-admin-8"
	e.secret(pw)
	page := "/console/staff/" + itoa(e.mediator.ID) + "/password"
	if w := admin.post(page, page, url.Values{"password": {pw}, "confirm": {pw}}); w.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", w.Code, w.Body.String())
	}
	if e.tokenWorks(token) {
		t.Fatal("an API token survived the reset of its owner's password")
	}
}

func TestDisablingRevokesAPITokensForGood(t *testing.T) {
	e := newAuthEnv(t)
	med := e.browser().mustLogin("med1", mediatorPassword)
	token := med.createAPIToken("脚本")
	admin := e.browser().mustLogin("admin1", adminPassword)
	for _, action := range []string{"disable", "enable"} {
		path := "/console/staff/" + itoa(e.mediator.ID) + "/" + action
		if w := admin.post("/console/staff", path, nil); w.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", action, w.Code, w.Body.String())
		}
		if e.tokenWorks(token) {
			t.Fatalf("after %s, the token from before the disabling works", action)
		}
	}
	fresh := e.browser().mustLogin("med1", mediatorPassword).createAPIToken("新脚本")
	if !e.tokenWorks(fresh) {
		t.Fatal("a token made after re-enabling does not work")
	}
}
