package console

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/redisstore"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// The auth tests run the real console (console.New) on a migrated SQLite store,
// with sessions and the login throttle in Redis (miniredis, whose clock the tests
// move), and drive it as a browser would: cookies, forms, the CSRF token taken
// from the page.

func init() {
	// bcrypt at cost 12 takes a quarter of a second; the throttle tests sign in
	// wrongly dozens of times. webauth.TestPasswordHashCost checks the real cost.
	webauth.PasswordCost = bcrypt.MinCost
}

// authEnv is one console with three accounts.
type authEnv struct {
	t        *testing.T
	store    Store
	mini     *miniredis.Miniredis
	srv      *Server
	clock    *testenv.Clock
	logs     *syncBuffer
	mu       sync.Mutex
	seen     []string // every response (status line, headers, body), for the leak check
	secrets  []string // every password used; none may ever appear in a response or log
	admin    *storage.Staff
	sup      *storage.Staff
	mediator *storage.Staff
}

// Passwords of the seeded accounts.
const (
	adminPassword    = "admin-pass-0001"
	supPassword      = "super-pass-0002"
	mediatorPassword = "media-pass-0003"
)

// newAuthEnv builds the console; opt may change the Config before New.
func newAuthEnv(t *testing.T, opt ...func(*Config)) *authEnv {
	t.Helper()
	mini, rdb := testenv.NewMiniredis(t)
	e := &authEnv{t: t, store: testenv.SQLite(t, sqlstore.Open), mini: mini, clock: testenv.NewClock(time.Now()), logs: &syncBuffer{}}
	cfg := Config{
		Store:    e.store,
		Sessions: redisstore.NewSessions(rdb, redisstore.SessionOptions{Now: e.clock.Now}),
		Throttle: redisstore.NewLoginThrottle(rdb, redisstore.ThrottleOptions{}),
		Logger:   slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OrgName:  "某市消费者委员会",
		Now:      e.clock.Now,
	}
	for _, f := range opt {
		f(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("console.New: %v", err)
	}
	e.srv = srv
	e.admin = e.createStaff("admin1", "管理员甲", storage.RoleAdmin, adminPassword)
	e.sup = e.createStaff("sup1", "主管乙", storage.RoleSupervisor, supPassword)
	e.mediator = e.createStaff("med1", "调解员丙", storage.RoleMediator, mediatorPassword)
	t.Cleanup(e.checkNoSecretLeaked)
	return e
}

// createStaff adds an account directly in the store.
func (e *authEnv) createStaff(username, name string, role storage.Role, password string) *storage.Staff {
	e.t.Helper()
	hash, err := HashPassword(password)
	if err != nil {
		e.t.Fatal(err)
	}
	st, err := e.store.CreateStaff(context.Background(), storage.NewStaff{Username: username, Name: name, Role: role, PasswordHash: hash})
	if err != nil {
		e.t.Fatalf("CreateStaff(%s): %v", username, err)
	}
	e.secret(password)
	return st
}

// secret registers a password that must never be echoed.
func (e *authEnv) secret(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.secrets = append(e.secrets, s)
}

// advance moves the console's clock and Redis's TTLs together.
func (e *authEnv) advance(d time.Duration) {
	e.clock.Advance(d)
	e.mini.FastForward(d)
}

// checkNoSecretLeaked fails the test if a password shows up in any response, log
// line or audit entry.
func (e *authEnv) checkNoSecretLeaked() {
	entries, _, err := e.store.FindAudit(context.Background(), storage.AuditFilter{Limit: 200})
	if err != nil {
		e.t.Errorf("FindAudit: %v", err)
	}
	var audit strings.Builder
	for _, a := range entries {
		audit.WriteString(a.Action + " " + a.Detail + "\n")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	places := map[string]string{"responses": strings.Join(e.seen, "\n"), "logs": e.logs.String(), "audit log": audit.String()}
	for _, pw := range e.secrets {
		for where, text := range places {
			if strings.Contains(text, pw) {
				e.t.Errorf("a password appears in the %s", where)
			}
		}
	}
}

// browser is one person's browser: its cookies and address.
type browser struct {
	e       *authEnv
	addr    string // RemoteAddr, "ip:port"
	cookies map[string]*http.Cookie
	header  http.Header // extra headers on every request
}

func (e *authEnv) browser() *browser {
	return &browser{e: e, addr: "192.0.2.10:50000", cookies: map[string]*http.Cookie{}, header: http.Header{}}
}

// do sends a request through the whole console (security headers, cross-origin
// protection, authentication, routes) and keeps the cookies it sets.
func (b *browser) do(method, target string, form url.Values) *httptest.ResponseRecorder {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, "http://desk.example"+target, body)
	r.RemoteAddr = b.addr
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin") // as browsers send it
	for k, v := range b.header {
		r.Header[k] = v
	}
	for _, c := range b.cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	w := httptest.NewRecorder()
	b.e.srv.ServeHTTP(w, r)
	b.keep(w.Result().Cookies())
	b.e.record(w)
	return w
}

// keep applies Set-Cookie as a browser does (MaxAge < 0 deletes).
func (b *browser) keep(cs []*http.Cookie) {
	for _, c := range cs {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
}

func (e *authEnv) record(w *httptest.ResponseRecorder) {
	var h bytes.Buffer
	_ = w.Header().Write(&h)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen = append(e.seen, h.String()+w.Body.String())
}

var csrfInPage = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token returns the CSRF token of the page at path (the layout's logout form
// carries the session's; the login form its own).
func (b *browser) token(path string) string {
	b.e.t.Helper()
	w := b.do("GET", path, nil)
	m := csrfInPage.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		b.e.t.Fatalf("GET %s: %d, no CSRF token in the page:\n%s", path, w.Code, w.Body.String())
	}
	return m[1]
}

// login signs in through the form and returns the response.
func (b *browser) login(username, password string) *httptest.ResponseRecorder {
	b.e.t.Helper()
	b.e.secret(password)
	var token string
	if c := b.cookies[loginCookie]; c != nil {
		token = c.Value // the form would carry the same (a signed-in browser is sent on)
	} else {
		token = b.token("/console/login")
	}
	return b.do("POST", "/console/login", url.Values{"username": {username}, "password": {password}, "csrf": {token}})
}

// mustLogin signs in and fails the test unless it worked.
func (b *browser) mustLogin(username, password string) *browser {
	b.e.t.Helper()
	if w := b.login(username, password); w.Code != http.StatusSeeOther || b.cookies[sessionCookie] == nil {
		b.e.t.Fatalf("login %s: %d\n%s", username, w.Code, w.Body.String())
	}
	return b
}

// post sends a form with the session's CSRF token taken from page.
func (b *browser) post(page, target string, form url.Values) *httptest.ResponseRecorder {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set(csrfField, b.token(page))
	return b.do("POST", target, form)
}

// signedIn reports whether the browser's session still opens a page.
func (b *browser) signedIn() bool {
	b.e.t.Helper()
	w := b.do("GET", "/console/tokens", nil)
	switch {
	case w.Code == http.StatusOK:
		return true
	case w.Code == http.StatusSeeOther && strings.HasPrefix(w.Header().Get("Location"), "/console/login"):
		return false
	}
	b.e.t.Fatalf("GET /console/tokens: %d", w.Code)
	return false
}

// auditActions returns the actions in the audit log, oldest first, as
// "action/staffID/detail".
func (e *authEnv) auditActions() []string {
	e.t.Helper()
	entries, _, err := e.store.FindAudit(context.Background(), storage.AuditFilter{Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	out := make([]string, 0, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		a := entries[i]
		out = append(out, a.Action+"/"+idText(a.StaffID)+"/"+a.Detail)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
