package console

import (
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// passwordView is what staff_password.html shows: one's own password change
// (Self, which asks for the current password) or an admin's reset of another's.
type passwordView struct {
	Self   bool
	Target *storage.Staff // the account whose password changes
	Error  string
}

// showOwnPassword shows the form to change one's own password; the first admin
// is told to come here after signing in with the printed password.
func (s *Server) showOwnPassword(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "staff_password.html", "修改密码",
		passwordView{Self: true, Target: staffFrom(r.Context())})
}

// changeOwnPassword checks the current password (throttled like a sign-in, or a
// borrowed session could guess it), sets the new one, ends every other session
// of the account and gives this browser a fresh one.
func (s *Server) changeOwnPassword(w http.ResponseWriter, r *http.Request) {
	st := staffFrom(r.Context())
	v := passwordView{Self: true, Target: st}
	keys := webauth.ThrottleKeys(st.Username, s.auth.ClientIP(r))
	if wait, err := s.auth.ReserveAttempt(r.Context(), keys); err != nil || wait > 0 {
		s.refusePasswordThrottled(w, r, v, wait, err)
		return
	}
	if !webauth.PasswordMatches(st.PasswordHash, r.PostFormValue("current")) {
		// The reserved attempt stays counted: it was the failure.
		v.Error = "当前密码不正确。"
		s.render(w, r, http.StatusUnauthorized, "staff_password.html", "修改密码", v)
		return
	}
	s.auth.LoginSucceeded(r.Context(), keys) // the current password was right
	if r.PostFormValue("password") == r.PostFormValue("current") {
		// Keeping the password someone else chose would defeat the forced change.
		v.Error = "新密码不能与当前密码相同。"
		s.render(w, r, http.StatusBadRequest, "staff_password.html", "修改密码", v)
		return
	}
	hash, err := newPasswordFromForm(r)
	if err != nil {
		v.Error = storage.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "staff_password.html", "修改密码", v)
		return
	}
	if !s.replacePassword(w, r, st.ID, hash, false) {
		return
	}
	s.audit(r, storage.AuditStaffPassword, 0, "本人修改密码")
	se, err := s.auth.NewSession(w, r, st.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	r = withRotatedSession(r, se) // the flash must be signed with the new session's token
	next := "/console/password"
	if st.MustChangePassword {
		next = "/console/cases" // the first change opens the desk
	}
	redirectFlash(w, r, next, "密码已修改，其他设备上的登录已退出，API 令牌已全部吊销。")
}

// refusePasswordThrottled answers a throttled password change.
func (s *Server) refusePasswordThrottled(w http.ResponseWriter, r *http.Request, v passwordView, wait time.Duration, err error) {
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Retry-After", webauth.RetryAfter(wait))
	v.Error = webauth.ThrottledMessage(wait)
	s.render(w, r, http.StatusTooManyRequests, "staff_password.html", "修改密码", v)
}
