package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// loginCookie carries the sign-in form's CSRF token. There is no session before
// sign-in to hold one, so the form and this cookie must match (double submit);
// it stops a foreign page from signing a browser into the attacker's account.
const loginCookie = "cb_login"

// maxLoginBody bounds the sign-in form, which anyone may post.
const maxLoginBody = 8 << 10

// defaultLanding is where a sign-in without a usable "next" ends up.
const defaultLanding = "/console/cases"

// loginView is what login.html shows.
type loginView struct {
	Username string
	Next     string
	Token    string // the form's CSRF token, matching loginCookie
	Error    string
}

// showLogin shows the sign-in form, or sends a signed-in person on.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if sessionFrom(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, loginView{Next: next})
}

// renderLogin shows the form with a CSRF token, reusing the browser's if it has
// one so that two open login tabs both work.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, v loginView) {
	v.Token = s.loginToken(w, r)
	s.render(w, r, status, "login.html", "登录", v)
}

// login checks the form and starts a session. In order: the form's token, the
// throttle (before any password is checked, so a throttled guess learns nothing),
// then the password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	username := NormalizeUsername(r.PostFormValue("username"))
	v := loginView{Username: username, Next: safeNext(r.PostFormValue("next"))}
	if !validLoginToken(r) {
		v.Error = "页面已过期，请重新输入并登录。"
		s.renderLogin(w, r, http.StatusForbidden, v)
		return
	}
	keys := loginThrottleKeys(username, s.clientIP(r))
	if wait, err := s.loginWait(r.Context(), keys); err != nil || wait > 0 {
		s.refuseThrottled(w, r, v, wait, err)
		return
	}
	st, err := s.checkCredentials(r, username, r.PostFormValue("password"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if st == nil {
		s.countLoginFailure(r.Context(), keys)
		v.Error = "用户名或密码错误。"
		s.renderLogin(w, r, http.StatusUnauthorized, v)
		return
	}
	s.startSession(w, r, st, keys[0], v.Next)
}

// loginThrottleKeys are the throttle keys of an attempt: the account first (the
// one a success forgets), then the address.
func loginThrottleKeys(username, ip string) []string {
	const maxKey = 64 // junk typed into the form must not make huge Redis keys
	if len(username) > maxKey {
		username = username[:maxKey]
	}
	return []string{"user:" + username, "ip:" + ip}
}

// loginWait is how long the caller must wait before trying again; 0 if allowed.
// A throttle that cannot be asked refuses: failing open would let a Redis outage
// open the door to unlimited guessing.
func (s *Server) loginWait(ctx context.Context, keys []string) (time.Duration, error) {
	var longest time.Duration
	for _, k := range keys {
		ok, wait, err := s.cfg.Throttle.LoginAllowed(ctx, k)
		if err != nil {
			return 0, err
		}
		if !ok {
			longest = max(longest, wait, time.Second)
		}
	}
	return longest, nil
}

// refuseThrottled answers a throttled attempt with 429, or an unreachable
// throttle with the store error's page.
func (s *Server) refuseThrottled(w http.ResponseWriter, r *http.Request, v loginView, wait time.Duration, err error) {
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
	v.Error = throttledMessage(wait)
	s.renderLogin(w, r, http.StatusTooManyRequests, v)
}

// throttledMessage tells a throttled person how long to wait, in whole minutes.
func throttledMessage(wait time.Duration) string {
	minutes := max(int((wait+time.Minute-1)/time.Minute), 1)
	return fmt.Sprintf("尝试次数过多，请 %d 分钟后再试。", minutes)
}

// checkCredentials returns the staff member if the password is theirs and the
// account is enabled, nil if not (audited as login_failed), or a store error.
// Every path costs one bcrypt comparison.
func (s *Server) checkCredentials(r *http.Request, username, password string) (*storage.Staff, error) {
	st, err := s.cfg.Store.FindStaffByUsername(r.Context(), username)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		passwordMatches(dummyHash(), password)
		s.auditAs(r, 0, storage.AuditLoginFailed, "用户名不存在")
		return nil, nil
	case err != nil:
		return nil, err
	}
	match := passwordMatches(st.PasswordHash, password)
	switch {
	case !match:
		s.auditAs(r, st.ID, storage.AuditLoginFailed, "密码错误")
		return nil, nil
	case st.Disabled:
		// Same answer as a wrong password: the form must not confirm that a
		// disabled account's password is right.
		s.auditAs(r, st.ID, storage.AuditLoginFailed, "账号已停用")
		return nil, nil
	}
	return st, nil
}

// countLoginFailure counts a failure against every key. A failure to count is
// logged, not shown: the person already gets "wrong password".
func (s *Server) countLoginFailure(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := s.cfg.Throttle.LoginFailed(ctx, k); err != nil {
			s.cfg.Logger.Error("login throttle not updated", "err", err)
		}
	}
}

// startSession signs st in: a new session, the account's failures forgotten, the
// sign-in audited, and on to next. Only the account's failures are forgotten, not
// the address's: otherwise one valid account would let an attacker reset the
// address counter between guesses at the others.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, st *storage.Staff, userKey, next string) {
	if err := s.newSession(w, r, st.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.loginSucceeded(r.Context(), userKey)
	s.auditAs(r, st.ID, storage.AuditLogin, "")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// newSession rotates the session: whatever session the browser had ends, and a
// new id is issued and set as the cookie, so an id planted before sign-in is
// worth nothing after it.
func (s *Server) newSession(w http.ResponseWriter, r *http.Request, staffID int64) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.cfg.Sessions.DeleteSession(r.Context(), c.Value); err != nil {
			s.cfg.Logger.Warn("old session not deleted at sign-in", "err", err)
		}
	}
	se, err := s.cfg.Sessions.CreateSession(r.Context(), staffID)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, se.ID)
	return nil
}

// loginSucceeded forgets the account's failures; failing to is only logged.
func (s *Server) loginSucceeded(ctx context.Context, userKey string) {
	if err := s.cfg.Throttle.LoginSucceeded(ctx, userKey); err != nil {
		s.cfg.Logger.Warn("login throttle not reset", "err", err)
	}
}

// loginToken returns the browser's sign-in CSRF token, issuing one if it has
// none. The cookie is Strict and scoped to the login path: it is needed nowhere
// else.
func (s *Server) loginToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCookie); err == nil && validTokenShape(c.Value) {
		return c.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	token := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/console/login",
		MaxAge: int((12 * time.Hour).Seconds()), HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode})
	return token
}

// validLoginToken reports whether the form's token matches the cookie's.
func validLoginToken(r *http.Request) bool {
	c, err := r.Cookie(loginCookie)
	if err != nil || !validTokenShape(c.Value) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) == 1
}

// validTokenShape reports whether t looks like 32 random bytes in base64url.
func validTokenShape(t string) bool {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(b) == 32
}

// safeNext returns where to go after signing in: raw if it is a path of this
// console, else the case list. Anything with a scheme, a host, a backslash
// (which browsers read as a slash: "/\evil.example") or a path that leaves
// /console/ once cleaned is refused, so the login page cannot be used to send
// staff to a look-alike site.
func safeNext(raw string) string {
	if raw == "" || len(raw) > 2048 || strings.ContainsAny(raw, "\\\r\n\t") {
		return defaultLanding
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return defaultLanding
	}
	p := path.Clean(u.Path)
	if !strings.HasPrefix(p, "/console/") || p == "/console/login" || p == "/console/logout" {
		return defaultLanding
	}
	return (&url.URL{Path: p, RawQuery: u.RawQuery}).RequestURI()
}
