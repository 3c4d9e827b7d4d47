package console

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// tokenCount is how many API tokens st has.
func (e *authEnv) tokenCount(st *storage.Staff) int {
	e.t.Helper()
	list, err := e.store.ListAPITokens(e.t.Context(), st.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(list)
}

func TestStateChangeWithoutTheCSRFTokenIsRefused(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	for name, form := range map[string]url.Values{
		"no token":    {"name": {"脚本"}},
		"wrong token": {"name": {"脚本"}, "csrf": {"not-the-session-token"}},
		"empty token": {"name": {"脚本"}, "csrf": {""}},
	} {
		if w := b.do("POST", "/console/tokens", form); w.Code != http.StatusForbidden {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
	if n := e.tokenCount(e.mediator); n != 0 {
		t.Fatalf("%d tokens created without a CSRF token", n)
	}
	if w := b.post("/console/tokens", "/console/tokens", url.Values{"name": {"脚本"}}); w.Code != http.StatusOK {
		t.Fatalf("with the token: %d", w.Code)
	}
}

func TestCrossOriginStateChangeIsRefusedEvenWithAToken(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("admin1", adminPassword)
	token := b.token("/console/tokens")
	form := url.Values{"name": {"脚本"}, "csrf": {token}}
	for name, h := range map[string]http.Header{
		"foreign Origin":         {"Origin": {"https://evil.example"}, "Sec-Fetch-Site": nil},
		"Sec-Fetch-Site cross":   {"Sec-Fetch-Site": {"cross-site"}},
		"Sec-Fetch-Site sibling": {"Sec-Fetch-Site": {"same-site"}},
	} {
		b.header = h
		if w := b.do("POST", "/console/tokens", form); w.Code != http.StatusForbidden {
			t.Errorf("%s: %d", name, w.Code)
		}
		if w := b.do("POST", "/console/logout", url.Values{"csrf": {token}}); w.Code != http.StatusForbidden {
			t.Errorf("%s logout: %d", name, w.Code)
		}
	}
	b.header = http.Header{}
	if n := e.tokenCount(e.admin); n != 0 || !b.signedIn() {
		t.Fatalf("a cross-origin request changed something: %d tokens", n)
	}
	// A cross-site sign-in (login CSRF) is refused too.
	anon := e.browser()
	loginToken := anon.token("/console/login")
	anon.header = http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	w := anon.do("POST", "/console/login", url.Values{"username": {"med1"}, "password": {mediatorPassword}, "csrf": {loginToken}})
	if w.Code != http.StatusForbidden || anon.cookies[sessionCookie] != nil {
		t.Fatalf("cross-site sign-in: %d", w.Code)
	}
}

func TestRolesAreEnforcedOnTheServer(t *testing.T) {
	e := newAuthEnv(t)
	for _, who := range []struct{ user, pw string }{{"med1", mediatorPassword}, {"sup1", supPassword}} {
		b := e.browser().mustLogin(who.user, who.pw)
		if w := b.do("GET", "/console/staff", nil); w.Code != http.StatusForbidden {
			t.Errorf("%s GET /console/staff: %d", who.user, w.Code)
		}
		if strings.Contains(b.do("GET", "/console/tokens", nil).Body.String(), `href="/console/staff"`) {
			t.Errorf("%s sees the staff link", who.user)
		}
		token := b.token("/console/tokens")
		posts := map[string]url.Values{
			"/console/staff": {"username": {"intruder"}, "name": {"X"}, "role": {"admin"},
				"password": {"intruder-pass-1"}, "confirm": {"intruder-pass-1"}},
			"/console/staff/" + itoa(e.admin.ID) + "/disable":  {},
			"/console/staff/" + itoa(e.admin.ID) + "/password": {"password": {"intruder-pass-1"}, "confirm": {"intruder-pass-1"}},
		}
		for path, form := range posts {
			form.Set("csrf", token)
			if w := b.do("POST", path, form); w.Code != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", who.user, path, w.Code)
			}
		}
	}
	e.secret("intruder-pass-1")
	if _, err := e.store.FindStaffByUsername(t.Context(), "intruder"); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("an account was created by a non-admin: %v", err)
	}
	e.browser().mustLogin("admin1", adminPassword) // neither disabled nor changed
}

func TestAnonymousIsSentToSignIn(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser()
	for _, path := range []string{"/console/staff", "/console/tokens", "/console/password"} {
		if w := b.do("GET", path, nil); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/console/login?next=") {
			t.Errorf("anonymous GET %s: %d → %q", path, w.Code, w.Header().Get("Location"))
		}
	}
	w := b.do("POST", "/console/staff", url.Values{"username": {"x1"}})
	if w.Code != http.StatusSeeOther {
		t.Errorf("anonymous POST: %d", w.Code)
	}
}

func TestSecurityHeadersForbidInlineScript(t *testing.T) {
	e := newAuthEnv(t)
	w := e.browser().do("GET", "/console/login", nil)
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q allows inline script", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}

// The CSP would block inline script and style; these templates must not need any.
func TestAuthTemplatesHaveNoInlineScriptOrStyle(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script(\s[^>]*)?>\s*[^<\s]|\sstyle=|\son[a-z]+=|<style|javascript:`)
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, name := range names {
		base := name[len("templates/"):]
		if !strings.HasPrefix(base, "login") && !strings.HasPrefix(base, "staff") && !strings.HasPrefix(base, "tokens") && base != "_layout.html" {
			continue
		}
		b, _ := fs.ReadFile(templateFS, name)
		if m := inline.Find(b); m != nil {
			t.Errorf("%s has inline script or style: %q", base, m)
		}
	}
}

// API tokens carry no ambient credential, so they need no CSRF token, but they
// must not reach the account pages: a leaked token cannot mint more tokens.
func TestAPITokenCannotManageAccounts(t *testing.T) {
	e := newAuthEnv(t)
	token := e.browser().mustLogin("admin1", adminPassword).createAPIToken("脚本")
	r := httptest.NewRequest("POST", "/console/tokens", strings.NewReader("name=more"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	e.record(w)
	if w.Code != http.StatusForbidden || e.tokenCount(e.admin) != 1 {
		t.Fatalf("token management with a bearer token: %d, %d tokens", w.Code, e.tokenCount(e.admin))
	}
}
