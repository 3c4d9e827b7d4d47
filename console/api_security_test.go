package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/console"
)

func TestAPIAnonymousIsUnauthorized(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/v1/me"}, {"GET", "/api/v1/cases"}, {"GET", "/api/v1/cases/" + c.Number},
		{"POST", "/api/v1/cases/" + c.Number + "/accept"}, {"GET", "/api/v1/audit"},
		{"POST", "/api/v1/cases/" + c.Number + "/material"}, {"POST", "/api/v1/cases/" + c.Number + "/resume"},
		{"POST", "/api/v1/cases/" + c.Number + "/close"},
		{"GET", "/api/v1/canned-replies"}, {"GET", "/api/v1/no-such-thing"},
	} {
		e.do(req.method, req.path, apiAnonymous, "").fails(t, http.StatusUnauthorized, "unauthorized")
		e.do(req.method, req.path, apiAuth{token: "not-a-token"}, "").fails(t, http.StatusUnauthorized, "unauthorized")
	}
	if d := e.detail(c); d.Status != "submitted" {
		t.Fatalf("an anonymous request moved the case to %s", d.Status)
	}
}

func TestAPIRevokedTokenAndDisabledAccount(t *testing.T) {
	e := newAPIEnv(t)
	ctx := context.Background()
	token := "revoke-me-" + apiRandom()
	tok, err := e.db.CreateAPIToken(ctx, e.mediator.ID, "laptop", console.HashToken(token))
	if err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/me", apiAuth{token: token}, "").ok(t, http.StatusOK, nil)
	if err := e.db.RevokeAPIToken(ctx, e.mediator.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/me", apiAuth{token: token}, "").fails(t, http.StatusUnauthorized, "unauthorized")

	if err := e.db.SetStaffDisabled(ctx, e.mediator2.ID, true); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/me", e.as(e.mediator2), "").fails(t, http.StatusUnauthorized, "unauthorized")
}

func TestAPIRolesAreEnforced(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	e.do("GET", "/api/v1/audit", e.as(e.mediator), "").fails(t, http.StatusForbidden, "forbidden")
	e.post(c, "reopen", e.mediator, "").fails(t, http.StatusForbidden, "forbidden")
	e.do("GET", "/api/v1/audit", e.as(e.supervisor), "").ok(t, http.StatusOK, nil)
}

func TestAPISessionNeedsCSRFTokenAndSameOrigin(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	path := "/api/v1/cases/" + c.Number + "/note"
	note := `{"text":"会话请求"}`

	e.do("GET", "/api/v1/me", e.sessionOf(e.mediator, false), "").ok(t, http.StatusOK, nil)
	e.do("POST", path, e.sessionOf(e.mediator, false), note).fails(t, http.StatusForbidden, "csrf")
	wrong := e.sessionOf(e.mediator, true)
	forged := *wrong.session // the same session, another token in the header
	forged.CSRFToken, wrong.session = "forged", &forged
	e.do("POST", path, wrong, note).fails(t, http.StatusForbidden, "csrf")

	foreign := e.sessionOf(e.mediator, true)
	foreign.origin = "https://evil.example"
	e.do("POST", path, foreign, note).fails(t, http.StatusForbidden, "cross_origin")

	sameOrigin := e.sessionOf(e.mediator, true)
	sameOrigin.origin = "http://example.com" // httptest's requests go to example.com
	e.do("POST", path, sameOrigin, note).ok(t, http.StatusCreated, nil)
	e.do("POST", path, e.sessionOf(e.mediator, true), note).ok(t, http.StatusCreated, nil)
	e.do("POST", path, e.as(e.mediator), note).ok(t, http.StatusCreated, nil) // a token needs no CSRF token

	if n := len(e.detail(c).Timeline); n != 4 {
		t.Fatalf("%d timeline entries, want the submission and 3 notes", n)
	}
}

func TestAPIRequestBodies(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	path := "/api/v1/cases/" + c.Number + "/note"
	tok := e.tokens[e.mediator.ID]

	e.do("POST", path, apiAuth{token: tok, ctype: "text/plain"}, `{"text":"x"}`).
		fails(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
	e.do("POST", path, apiAuth{token: tok, ctype: "application/x-www-form-urlencoded"}, `text=x`).
		fails(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
	e.do("POST", path, apiAuth{token: tok, ctype: "-"}, `{"text":"x"}`).
		fails(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
	e.do("POST", path, apiAuth{token: tok, ctype: "application/json; charset=utf-8"}, `{"text":"x"}`).
		ok(t, http.StatusCreated, nil)

	huge := `{"text":"` + strings.Repeat("a", 65<<10) + `"}`
	e.do("POST", path, e.as(e.mediator), huge).fails(t, http.StatusRequestEntityTooLarge, "too_large")

	for _, bad := range []string{`{"text":"x","colour":"red"}`, `{"text":`, `{"text":"x"}{"text":"y"}`,
		`["x"]`, `{"text":5}`, `"x"`} {
		e.do("POST", path, e.as(e.mediator), bad).fails(t, http.StatusBadRequest, "invalid")
	}
	if n := len(e.detail(c).Timeline); n != 2 {
		t.Fatalf("%d timeline entries, want the submission and one note", n)
	}
}

func TestAPIUnknownEndpoint(t *testing.T) {
	e := newAPIEnv(t)
	e.do("GET", "/api/v1/nothing-here", e.as(e.mediator), "").fails(t, http.StatusNotFound, "not_found")
	e.do("DELETE", "/api/v1/cases", e.as(e.mediator), "").fails(t, http.StatusNotFound, "not_found")
}
