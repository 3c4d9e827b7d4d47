package console

import (
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// maxLoginBody bounds the sign-in form, which anyone may post.
const maxLoginBody = 8 << 10

// defaultLanding is where a sign-in without a usable "next" ends up.
const defaultLanding = "/console/cases"

// loginView is what login.html shows.
type loginView struct {
	Username string
	Next     string
	Token    string // the form's CSRF token (webauth.Auth.LoginToken)
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
	v.Token = s.auth.LoginToken(w, r)
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
	username := webauth.NormalizeUsername(r.PostFormValue("username"))
	v := loginView{Username: username, Next: safeNext(r.PostFormValue("next"))}
	if !s.auth.ValidLoginToken(r) {
		v.Error = "页面已过期，请重新输入并登录。"
		s.renderLogin(w, r, http.StatusForbidden, v)
		return
	}
	keys := webauth.ThrottleKeys(username, s.auth.ClientIP(r))
	if wait, err := s.auth.ReserveAttempt(r.Context(), keys); err != nil || wait > 0 {
		s.refuseThrottled(w, r, v, wait, err)
		return
	}
	st, err := s.checkCredentials(r, username, r.PostFormValue("password"))
	if err != nil {
		s.auth.ReleaseAttempt(r.Context(), keys) // no password was checked
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

// refuseThrottled answers a throttled attempt with 429, or an unreachable
// throttle with the store error's page.
func (s *Server) refuseThrottled(w http.ResponseWriter, r *http.Request, v loginView, wait time.Duration, err error) {
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Retry-After", webauth.RetryAfter(wait))
	v.Error = webauth.ThrottledMessage(wait)
	s.renderLogin(w, r, http.StatusTooManyRequests, v)
}

// checkCredentials returns the staff member if the password is theirs and the
// account is enabled, nil if not (audited as login_failed), or a store error.
// Every path costs one bcrypt comparison.
func (s *Server) checkCredentials(r *http.Request, username, password string) (*storage.Staff, error) {
	st, err := s.cfg.Store.FindStaffByUsername(r.Context(), username)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		webauth.PasswordMatches(webauth.DummyHash(), password)
		s.auditAs(r, 0, storage.AuditLoginFailed, "用户名不存在")
		return nil, nil
	case err != nil:
		return nil, err
	}
	match := webauth.PasswordMatches(st.PasswordHash, password)
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
// audited, and on to next (see webauth.Auth.LoginSucceeded for what the throttle
// forgets).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, st *storage.Staff, keys webauth.LoginKeys, next string) {
	if _, err := s.auth.NewSession(w, r, st.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.auth.LoginSucceeded(r.Context(), keys)
	s.auditAs(r, st.ID, storage.AuditLogin, "")
	http.Redirect(w, r, next, http.StatusSeeOther)
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
