package console

import (
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// authRoutes registers sign-in, sign-out, one's own password, staff management
// and API tokens. Login and logout do their own checks (there is no session yet,
// or it may be gone); everything else goes through sessionPage.
func (s *Server) authRoutes(mux *http.ServeMux) {
	const m, admin = storage.RoleMediator, storage.RoleAdmin
	// Hash the dummy password now, in the background: computed at the first
	// sign-in with an unknown username, it would make that one attempt slower
	// than a wrong password and so reveal that the name does not exist.
	go dummyHash()

	mux.HandleFunc("GET /console/login", s.showLogin)
	mux.HandleFunc("POST /console/login", s.login)
	mux.HandleFunc("POST /console/logout", s.logout)

	mux.Handle("GET /console/password", s.sessionPage(m, s.showOwnPassword))
	mux.Handle("POST /console/password", s.sessionPage(m, s.changeOwnPassword))

	mux.Handle("GET /console/staff", s.sessionPage(admin, s.showStaffList))
	mux.Handle("GET /console/staff/new", s.sessionPage(admin, s.showNewStaff))
	mux.Handle("POST /console/staff", s.sessionPage(admin, s.createStaff))
	mux.Handle("GET /console/staff/{id}/password", s.sessionPage(admin, s.showStaffPassword))
	mux.Handle("POST /console/staff/{id}/password", s.sessionPage(admin, s.resetStaffPassword))
	mux.Handle("POST /console/staff/{id}/disable", s.sessionPage(admin, s.disableStaff))
	mux.Handle("POST /console/staff/{id}/enable", s.sessionPage(admin, s.enableStaff))

	mux.Handle("GET /console/tokens", s.sessionPage(m, s.showTokens))
	mux.Handle("POST /console/tokens", s.sessionPage(m, s.createToken))
	mux.Handle("POST /console/tokens/{id}/revoke", s.sessionPage(m, s.revokeToken))
}

// sessionPage is page for the account pages, which also refuse API tokens: a
// leaked token must not be enough to mint more tokens, change a password or
// create accounts. Only a person signed in with a password may.
func (s *Server) sessionPage(min storage.Role, h http.HandlerFunc) http.Handler {
	return s.page(min, func(w http.ResponseWriter, r *http.Request) {
		if sessionFrom(r.Context()) == nil {
			s.renderError(w, r, http.StatusForbidden, "此页面只能在登录后的工作台中使用，不接受 API 令牌。")
			return
		}
		h(w, r)
	})
}

// auditAs records an action by a given staff member; sign-in needs it because
// the caller is not in the request's context yet (or is someone else's stale
// session). staffID is 0 for an unknown username.
func (s *Server) auditAs(r *http.Request, staffID int64, action, detail string) {
	e := storage.AuditEntry{StaffID: staffID, Action: action, Detail: detail, IP: s.clientIP(r), CreatedAt: s.cfg.Now()}
	if err := s.cfg.Store.AddAudit(r.Context(), e); err != nil {
		s.cfg.Logger.Error("audit entry lost", "action", action, "err", err)
	}
}

// setSessionCookie hands the browser a session. No Max-Age: the cookie ends with
// the browser, and the server ends the session (idle and absolute expiry) anyway.
// Lax keeps the cookie off cross-site POSTs while links from WeChat or e-mail to a
// case still arrive signed in.
func (s *Server) setSessionCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/",
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// clearSessionCookie tells the browser to forget its session cookie.
func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// pathID reads the {id} of the path; on failure the not-found page is written.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, what string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.renderError(w, r, http.StatusNotFound, "找不到该"+what+"。")
		return 0, false
	}
	return id, true
}

// redirectFlash sends the browser to path with a message for the next page.
func redirectFlash(w http.ResponseWriter, r *http.Request, path, flash string) {
	http.Redirect(w, r, path+flashQuery(r, flash), http.StatusSeeOther)
}

// idText is "#12", how audit details name a record without personal data.
func idText(id int64) string { return "#" + strconv.FormatInt(id, 10) }
