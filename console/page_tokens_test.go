package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

var tokenInPage = regexp.MustCompile(`cbt_[A-Za-z0-9_-]{43}`)

// createAPIToken creates a token through the page and returns it.
func (b *browser) createAPIToken(name string) string {
	b.e.t.Helper()
	w := b.post("/console/tokens", "/console/tokens", url.Values{"name": {name}})
	token := tokenInPage.FindString(w.Body.String())
	if w.Code != http.StatusOK || token == "" {
		b.e.t.Fatalf("create token: %d\n%s", w.Code, w.Body.String())
	}
	return token
}

// callAPI calls a JSON handler behind the real authentication and the API role
// check, as every /api/v1/ route is, with a bearer token.
func (e *authEnv) callAPI(token string) int {
	h := e.srv.authenticate(e.srv.api(storage.RoleMediator, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"user": staffFrom(r.Context()).Username})
	}))
	r := httptest.NewRequest("GET", "/api/v1/anything", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func TestAPITokenLifecycle(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	token := b.createAPIToken("统计脚本")

	list, err := e.store.ListAPITokens(t.Context(), e.mediator.ID)
	if err != nil || len(list) != 1 || list[0].Hash != HashToken(token) || list[0].Name != "统计脚本" {
		t.Fatalf("stored tokens %+v, %v: want one, stored as its hash", list, err)
	}
	page := b.do("GET", "/console/tokens", nil).Body.String()
	if strings.Contains(page, token) || !strings.Contains(page, "统计脚本") {
		t.Fatal("the list must name the token but never show it again")
	}
	if code := e.callAPI(token); code != http.StatusOK {
		t.Fatalf("API with the token: %d", code)
	}
	if code := e.callAPI(""); code != http.StatusUnauthorized {
		t.Fatalf("API without credentials: %d", code)
	}
	if code := e.callAPI(token + "x"); code != http.StatusUnauthorized {
		t.Fatalf("API with a wrong token: %d", code)
	}

	// Someone else cannot revoke it; its owner can, and then it stops working.
	sup := e.browser().mustLogin("sup1", supPassword)
	if w := sup.post("/console/tokens", "/console/tokens/"+itoa(list[0].ID)+"/revoke", nil); w.Code != http.StatusNotFound {
		t.Fatalf("revoking another's token: %d", w.Code)
	}
	if code := e.callAPI(token); code != http.StatusOK {
		t.Fatal("another person's revoke attempt broke the token")
	}
	if w := b.post("/console/tokens", "/console/tokens/"+itoa(list[0].ID)+"/revoke", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", w.Code)
	}
	if code := e.callAPI(token); code != http.StatusUnauthorized {
		t.Fatalf("API with a revoked token: %d", code)
	}
	if page := b.do("GET", "/console/tokens", nil).Body.String(); !strings.Contains(page, "吊销") {
		t.Fatal("the list must show the token as revoked")
	}
	got := e.auditActions()
	for _, want := range []string{"token_create/" + idText(e.mediator.ID) + "/创建令牌 " + idText(list[0].ID),
		"token_revoke/" + idText(e.mediator.ID) + "/吊销令牌 " + idText(list[0].ID)} {
		if !slices.Contains(got, want) {
			t.Errorf("audit %v lacks %q", got, want)
		}
	}
}

func TestTokenShape(t *testing.T) {
	a, b := newAPIToken(), newAPIToken()
	if a == b || !tokenInPage.MatchString(a) || len(a) != len("cbt_")+43 {
		t.Fatalf("tokens %q %q: want cbt_ and 32 random bytes in base64url", a, b)
	}
}

func TestDisabledStaffTokenStopsWorking(t *testing.T) {
	e := newAuthEnv(t)
	token := e.browser().mustLogin("med1", mediatorPassword).createAPIToken("脚本")
	if err := e.store.SetStaffDisabled(t.Context(), e.mediator.ID, true); err != nil {
		t.Fatal(err)
	}
	if code := e.callAPI(token); code != http.StatusUnauthorized {
		t.Fatalf("a disabled person's token: %d", code)
	}
}

func TestTokenNameIsRequired(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	for _, name := range []string{"", "   ", strings.Repeat("长", 41)} {
		if w := b.post("/console/tokens", "/console/tokens", url.Values{"name": {name}}); w.Code != http.StatusBadRequest {
			t.Errorf("name %q: %d", name, w.Code)
		}
	}
	if n := e.tokenCount(e.mediator); n != 0 {
		t.Fatalf("%d tokens created with bad names", n)
	}
}
