package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// lockedBuffer collects log output written from any goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// textVector is one request carrying a NUL or invalid UTF-8.
type textVector struct {
	name, method, path string
	json               string     // an API body
	form               url.Values // a page form (the CSRF token is added)
}

// badTextVectors are the attack test's vectors and their invalid-UTF-8 twins; n
// is an existing case's number.
func badTextVectors(n string) []textVector {
	return []textVector{
		{name: "api q NUL", method: "GET", path: "/api/v1/cases?q=%00"},
		{name: "api q bad UTF-8", method: "GET", path: "/api/v1/cases?q=%FF"},
		{name: "api path NUL", method: "GET", path: "/api/v1/cases/%00"},
		{name: "api path bad UTF-8", method: "GET", path: "/api/v1/cases/TS%FF"},
		{name: "api category NUL", method: "GET", path: "/api/v1/cases?category=%00"},
		{name: "api param name NUL", method: "GET", path: "/api/v1/cases?%00=1"},
		{name: "api note NUL", method: "POST", path: "/api/v1/cases/" + n + "/note", json: `{"text":"a\u0000b"}`},
		{name: "api note bad UTF-8", method: "POST", path: "/api/v1/cases/" + n + "/note", json: "{\"text\":\"a\xffb\"}"},
		{name: "page q NUL", method: "GET", path: "/console/cases?q=%00"},
		{name: "page q bad UTF-8", method: "GET", path: "/console/cases?q=%C3%28"},
		{name: "page path NUL", method: "GET", path: "/console/cases/%00"},
		{name: "page category NUL", method: "GET", path: "/console/cases?category=%00"},
		{name: "page note NUL", method: "POST", path: "/console/cases/" + n + "/note", form: url.Values{"text": {"a\x00b"}}},
		{name: "page note bad UTF-8", method: "POST", path: "/console/cases/" + n + "/note", form: url.Values{"text": {"a\xffb"}}},
		{name: "login username NUL", method: "POST", path: "/console/login", form: url.Values{"username": {"a\x00"}, "password": {"x"}}},
	}
}

// textEnv is a console on one store, with a mediator signed in by token and by
// session, and a log to search for errors.
type textEnv struct {
	t       *testing.T
	handler http.Handler
	logs    *lockedBuffer
	token   string
	session *storage.Session
	c       *storage.Case
}

func newTextEnv(t *testing.T, db *sqlstore.DB) *textEnv {
	t.Helper()
	ctx := context.Background()
	e := &textEnv{t: t, logs: &lockedBuffer{}, token: apiRandom()}
	sessions := &apiMemSessions{}
	srv, err := console.New(console.Config{Store: db, Sessions: sessions, CasePrefix: "TS",
		Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	st, err := db.CreateStaff(ctx, storage.NewStaff{Username: "med1", Name: "调解员甲", Role: storage.RoleMediator, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAPIToken(ctx, st.ID, "test", console.HashToken(e.token)); err != nil {
		t.Fatal(err)
	}
	if e.session, err = sessions.CreateSession(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	e.c, err = db.CreateCase(ctx, "TS", storage.NewCase{OpenID: "openid-1", IntakeKey: "intake-1",
		Category: "家用电子电器", MerchantName: "某电器店", Description: "空调坏了", Demand: "退款",
		ComplainantName: "张三", Phone: "13900001111"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// send makes the request: the API with the token, pages with the session cookie
// and its CSRF token.
func (e *textEnv) send(v textVector) *httptest.ResponseRecorder {
	var req *http.Request
	switch {
	case v.json != "":
		req = httptest.NewRequest(v.method, v.path, strings.NewReader(v.json))
		req.Header.Set("Content-Type", "application/json")
	case v.form != nil:
		form := url.Values{"csrf": {e.session.CSRFToken}}
		for k, vs := range v.form {
			form[k] = vs
		}
		req = httptest.NewRequest(v.method, v.path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		req = httptest.NewRequest(v.method, v.path, nil)
	}
	if strings.HasPrefix(v.path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+e.token)
	} else {
		req.AddCookie(&http.Cookie{Name: "cb_session", Value: e.session.ID})
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec
}

// refusedClearly checks a 400 that says what was wrong: a JSON error with code
// "invalid" from the API, a page in Chinese from the console.
func refusedClearly(t *testing.T, v textVector, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("%s: status %d, want 400; body %.300s", v.name, rec.Code, rec.Body)
	}
	if !strings.HasPrefix(v.path, "/api/") {
		if !strings.Contains(rec.Body.String(), "空字符或无效的 UTF-8 编码") {
			t.Fatalf("%s: the page does not say what was wrong: %.300s", v.name, rec.Body)
		}
		return
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: not a JSON error: %v", v.name, err)
	}
	if body.Error.Code != storage.EINVALID || !strings.Contains(body.Error.Message, "UTF-8") {
		t.Fatalf("%s: error %+v, want code invalid naming the problem", v.name, body.Error)
	}
}

// testBadTextIsRefused sends every vector to a console on db: each must be a 400
// with a clear message and no ERROR in the log. PostgreSQL refuses 0x00 in text,
// so before the edge check these were 500s there.
func testBadTextIsRefused(t *testing.T, db *sqlstore.DB) {
	e := newTextEnv(t, db)
	for _, v := range badTextVectors(e.c.Number) {
		refusedClearly(t, v, e.send(v))
	}
	if logs := e.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Fatalf("refused input logged an error:\n%s", logs)
	}
	// The same requests with clean text go through, so each vector above was
	// refused for its NUL or bad byte, not for something else; a JSON "\\u0000"
	// is a backslash and text, not a NUL.
	for _, v := range []textVector{
		{name: "api list", method: "GET", path: "/api/v1/cases?q=%E7%94%B5%E5%99%A8&category=x"},
		{name: "api note", method: "POST", path: "/api/v1/cases/" + e.c.Number + "/note", json: `{"text":"a\\u0000b 好"}`},
	} {
		if rec := e.send(v); rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
			t.Fatalf("%s: clean request got %d: %.300s", v.name, rec.Code, rec.Body)
		}
	}
	if rec := e.send(textVector{method: "GET", path: "/console/cases/" + e.c.Number}); !strings.Contains(rec.Body.String(), `a\u0000b 好`) {
		t.Fatalf("the note with a literal backslash-u is not on the case page: %d", rec.Code)
	}
}

func TestBadTextIsRefusedOnSQLite(t *testing.T) {
	testBadTextIsRefused(t, testenv.SQLite(t, sqlstore.Open))
}

func TestBadTextIsRefusedOnPostgres(t *testing.T) {
	testBadTextIsRefused(t, testenv.Postgres(t, sqlstore.Open))
}
