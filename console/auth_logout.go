package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// logout ends the session in Redis, not only the cookie: a copy of the cookie
// (another tab, a shared computer's profile, a thief) stops working at once.
// Without a live session there is nothing to end but the stale cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	se := sessionFrom(r.Context())
	if se == nil {
		s.auth.ClearSessionCookie(w)
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	if !s.readForm(w, r) {
		return
	}
	if !checkCSRF(r) {
		s.renderError(w, r, http.StatusForbidden, "页面已过期或请求来源不可信，请刷新页面后重试。")
		return
	}
	if err := s.auth.EndSession(w, r, se.ID); err != nil {
		s.pageError(w, r, err) // say so: the person must not believe they are out
		return
	}
	s.audit(r, storage.AuditLogout, 0, "")
	redirectFlash(w, r, "/console/login", "您已退出登录。")
}
