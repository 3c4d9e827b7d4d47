package webauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// The console's tests drive these mechanisms through its pages; these check
// them without a surface, as the portal will use them.

// memSessions is a SessionStore in memory.
type memSessions struct {
	byID map[string]*storage.Session
	n    int
}

func (m *memSessions) CreateSession(_ context.Context, userID int64) (*storage.Session, error) {
	m.n++
	id := "s" + string(rune('0'+m.n))
	se := &storage.Session{ID: id, StaffID: userID, CSRFToken: "csrf-" + id}
	m.byID[id] = se
	return se, nil
}

func (m *memSessions) FindSession(_ context.Context, id string) (*storage.Session, error) {
	if se, ok := m.byID[id]; ok {
		return se, nil
	}
	return nil, storage.Errorf(storage.ENOTFOUND, "no session")
}

func (m *memSessions) PeekSession(ctx context.Context, id string) (*storage.Session, error) {
	return m.FindSession(ctx, id)
}

func (m *memSessions) DeleteSession(_ context.Context, id string) error {
	delete(m.byID, id)
	return nil
}

func (m *memSessions) DeleteStaffSessions(_ context.Context, userID int64) error {
	for id, se := range m.byID {
		if se.StaffID == userID {
			delete(m.byID, id)
		}
	}
	return nil
}

func newTestAuth(secure bool) (*Auth, *memSessions) {
	m := &memSessions{byID: map[string]*storage.Session{}}
	return New(Config{Sessions: m, SessionCookie: "t_session", LoginCookie: "t_login",
		LoginPath: "/portal/login", SecureCookies: secure}), m
}

func cookieNamed(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestNewSessionRotatesAndSetsASafeCookie(t *testing.T) {
	a, m := newTestAuth(true)
	planted, _ := m.CreateSession(context.Background(), 7)
	r := httptest.NewRequest("POST", "/portal/login", nil)
	r.AddCookie(&http.Cookie{Name: "t_session", Value: planted.ID})
	w := httptest.NewRecorder()
	if _, err := a.NewSession(w, r, 7); err != nil {
		t.Fatal(err)
	}
	c := cookieNamed(w, "t_session")
	if c == nil || c.Value == planted.ID || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge != 0 {
		t.Fatalf("session cookie %+v", c)
	}
	if _, ok := m.byID[planted.ID]; ok {
		t.Fatal("the session the browser had before sign-in survived it")
	}
	r = httptest.NewRequest("GET", "/portal/", nil)
	r.AddCookie(c)
	if se, err := a.Session(r); err != nil || se.StaffID != 7 {
		t.Fatalf("Session = %v, %v", se, err)
	}
	w = httptest.NewRecorder()
	if err := a.EndSession(w, r, c.Value); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Session(r); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("ended session still found: %v", err)
	}
	if c := cookieNamed(w, "t_session"); c == nil || c.MaxAge >= 0 {
		t.Fatalf("the cookie was not cleared: %+v", c)
	}
}

func TestCheckCSRF(t *testing.T) {
	se := &storage.Session{CSRFToken: "right"}
	for _, tt := range []struct {
		method, header, field string
		se                    *storage.Session
		ok                    bool
	}{
		{"GET", "", "", se, true},
		{"POST", "", "", nil, true}, // no session: an API token, or nobody
		{"POST", "", "", se, false},
		{"POST", "wrong", "", se, false},
		{"POST", "right", "", se, true},
		{"POST", "", "right", se, true},
		{"POST", "", "righ", se, false},
	} {
		r := httptest.NewRequest(tt.method, "/", strings.NewReader(url.Values{CSRFField: {tt.field}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tt.header != "" {
			r.Header.Set(CSRFHeader, tt.header)
		}
		if got := CheckCSRF(r, tt.se); got != tt.ok {
			t.Errorf("%s header %q field %q session %v: %v, want %v", tt.method, tt.header, tt.field, tt.se != nil, got, tt.ok)
		}
	}
}

func TestLoginTokenIsADoubleSubmitCookie(t *testing.T) {
	a, _ := newTestAuth(false)
	w := httptest.NewRecorder()
	token := a.LoginToken(w, httptest.NewRequest("GET", "/portal/login", nil))
	c := cookieNamed(w, "t_login")
	if c == nil || c.Value != token || c.Path != "/portal/login" || c.SameSite != http.SameSiteStrictMode || !c.HttpOnly {
		t.Fatalf("login cookie %+v", c)
	}
	post := func(field string) *http.Request {
		r := httptest.NewRequest("POST", "/portal/login", strings.NewReader(url.Values{CSRFField: {field}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(c)
		return r
	}
	if !a.ValidLoginToken(post(token)) || a.ValidLoginToken(post(token+"x")) {
		t.Fatal("the form's token is not checked against the cookie")
	}
	again := httptest.NewRequest("GET", "/portal/login", nil)
	again.AddCookie(c)
	if a.LoginToken(httptest.NewRecorder(), again) != token {
		t.Fatal("a second login tab got a new token, breaking the first")
	}
}

// memThrottle allows each key a fixed number of reservations.
type memThrottle struct {
	left     map[string]int
	reserved []string
	released []string
}

func (m *memThrottle) ReserveLogin(_ context.Context, key string) (bool, time.Duration, error) {
	if m.left[key] == 0 {
		return false, time.Minute, nil
	}
	m.left[key]--
	m.reserved = append(m.reserved, key)
	return true, 0, nil
}

func (m *memThrottle) ReleaseLogin(_ context.Context, key string) error {
	m.left[key]++
	m.released = append(m.released, key)
	return nil
}

func (m *memThrottle) LoginSucceeded(context.Context, string) error { return nil }

func TestReserveAttemptGivesBackWhenAKeyRefuses(t *testing.T) {
	keys := ThrottleKeys("zhang.wei", "203.0.113.9")
	th := &memThrottle{left: map[string]int{"ip:203.0.113.9": 5, "userip:203.0.113.9/zhang.wei": 0, "user:zhang.wei": 5}}
	a := New(Config{Throttle: th})
	wait, err := a.ReserveAttempt(context.Background(), keys)
	if err != nil || wait < time.Minute {
		t.Fatalf("refused by the pair key: wait %v, err %v", wait, err)
	}
	if !slices.Equal(th.reserved, []string{"ip:203.0.113.9"}) || !slices.Equal(th.released, th.reserved) {
		t.Fatalf("reserved %q, released %q: the address's reservation must be given back", th.reserved, th.released)
	}
	if th.left["user:zhang.wei"] != 5 {
		t.Fatal("the account-wide ceiling was counted for an attempt a narrower key refused")
	}
}
