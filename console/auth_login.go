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
// then the password. The throttle reserves the attempt before the password is
// checked, so that parallel guesses cannot all pass it before any was counted.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	_ = r.ParseForm() // an unreadable form leaves the fields empty: the token check refuses it
	if !s.cleanForm(w, r) {
		return // a NUL would reach the database as part of the username
	}
	username := NormalizeUsername(r.PostFormValue("username"))
	v := loginView{Username: username, Next: safeNext(r.PostFormValue("next"))}
	if !validLoginToken(r) {
		v.Error = "页面已过期，请重新输入并登录。"
		s.renderLogin(w, r, http.StatusForbidden, v)
		return
	}
	keys := loginThrottleKeys(username, s.clientIP(r))
	if wait, err := s.reserveAttempt(r.Context(), keys); err != nil || wait > 0 {
		s.refuseThrottled(w, r, v, wait, err)
		return
	}
	st, err := s.checkCredentials(r, username, r.PostFormValue("password"))
	if err != nil {
		s.releaseAttempt(r.Context(), keys) // no password was checked
		s.pageError(w, r, err)
		return
	}
	if st == nil {
		// The reserved attempt stays counted: it was the failure.
		v.Error = "用户名或密码错误。"
		s.renderLogin(w, r, http.StatusUnauthorized, v)
		return
	}
	s.startSession(w, r, st, keys, v.Next)
}

// loginKeys are the throttle keys of an attempt. The tight limit is on the pair
// (this account from this address): failures from an attacker's address then
// lock out that address for that account, not the owner signing in from their
// own. The address's key bounds one address guessing across accounts; the
// account's key is a much higher ceiling that stops guessing spread over many
// addresses (at the price that such an attack can lock the owner out too).
type loginKeys struct {
	ip, pair, user string
}

// all is the keys in the order they are reserved: the address first, so that a
// throttled address cannot use up the account's attempts; the account-wide
// ceiling last, so that only attempts every narrower limit let through count
// against it.
func (k loginKeys) all() []string {
	return []string{k.ip, k.pair, k.user}
}

// loginThrottleKeys returns the throttle keys of an attempt. An IP address holds
// no "/", so the pair key cannot be read two ways.
func loginThrottleKeys(username, ip string) loginKeys {
	const maxKey = 64 // junk typed into the form must not make huge Redis keys
	if len(username) > maxKey {
		username = username[:maxKey]
	}
	return loginKeys{ip: "ip:" + ip, pair: "userip:" + ip + "/" + username, user: "user:" + username}
}

// reserveAttempt reserves the attempt on each key in turn and returns how long
// the caller must wait before trying again; 0 if the attempt may go on to the
// password check. An attempt refused by one key gives back what the keys before
// it reserved: no password was checked. A throttle that cannot be asked refuses:
// failing open would let a Redis outage open the door to unlimited guessing.
func (s *Server) reserveAttempt(ctx context.Context, keys loginKeys) (time.Duration, error) {
	all := keys.all()
	for i, key := range all {
		ok, wait, err := s.cfg.Throttle.ReserveLogin(ctx, key)
		if err != nil || !ok {
			for _, done := range all[:i] {
				s.releaseKey(ctx, done)
			}
			return max(wait, time.Second), err
		}
	}
	return 0, nil
}

// releaseAttempt gives back every reservation of an attempt whose password was
// not checked.
func (s *Server) releaseAttempt(ctx context.Context, keys loginKeys) {
	for _, key := range keys.all() {
		s.releaseKey(ctx, key)
	}
}

// releaseKey gives back one reservation; failing to is only logged (it costs the
// key one attempt until its window ends).
func (s *Server) releaseKey(ctx context.Context, key string) {
	if err := s.cfg.Throttle.ReleaseLogin(ctx, key); err != nil {
		s.cfg.Logger.Warn("login throttle reservation not released", "err", err)
	}
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

// startSession signs st in: a new session, the attempt given back, the sign-in
// audited, and on to next (see loginSucceeded for what the throttle forgets).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, st *storage.Staff, keys loginKeys, next string) {
	if err := s.newSession(w, r, st.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.loginSucceeded(r.Context(), keys)
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

// loginSucceeded forgets the failures of this account from this address (the
// owner's own typos) and gives the address and the account-wide ceiling back
// this attempt only: forgetting their failures would let one valid account reset
// the address's count between guesses at others, or the owner's sign-in reset
// the count of a guessing spread over many addresses. Failing is only logged.
func (s *Server) loginSucceeded(ctx context.Context, keys loginKeys) {
	if err := s.cfg.Throttle.LoginSucceeded(ctx, keys.pair); err != nil {
		s.cfg.Logger.Warn("login throttle not reset", "err", err)
	}
	s.releaseKey(ctx, keys.ip)
	s.releaseKey(ctx, keys.user)
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
