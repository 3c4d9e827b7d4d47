package console

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

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
	keys := loginThrottleKeys(st.Username, s.clientIP(r))
	if wait, err := s.reserveAttempt(r.Context(), keys); err != nil || wait > 0 {
		s.refusePasswordThrottled(w, r, v, wait, err)
		return
	}
	if !passwordMatches(st.PasswordHash, r.PostFormValue("current")) {
		// The reserved attempt stays counted: it was the failure.
		v.Error = "当前密码不正确。"
		s.render(w, r, http.StatusUnauthorized, "staff_password.html", "修改密码", v)
		return
	}
	s.loginSucceeded(r.Context(), keys) // the current password was right
	hash, err := newPasswordFromForm(r)
	if err != nil {
		v.Error = storage.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "staff_password.html", "修改密码", v)
		return
	}
	if !s.replacePassword(w, r, st.ID, hash) {
		return
	}
	s.audit(r, storage.AuditStaffPassword, 0, "本人修改密码")
	if err := s.newSession(w, r, st.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectFlash(w, r, "/console/password", "密码已修改，其他设备上的登录已退出，API 令牌已全部吊销。")
}

// refusePasswordThrottled answers a throttled password change.
func (s *Server) refusePasswordThrottled(w http.ResponseWriter, r *http.Request, v passwordView, wait time.Duration, err error) {
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
	v.Error = throttledMessage(wait)
	s.render(w, r, http.StatusTooManyRequests, "staff_password.html", "修改密码", v)
}

// newPasswordFromForm checks the "password" and "confirm" fields and hashes the
// password. Its errors are EINVALID with a message for the form.
func newPasswordFromForm(r *http.Request) (string, error) {
	pw := r.PostFormValue("password")
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	if pw != r.PostFormValue("confirm") {
		return "", storage.Errorf(storage.EINVALID, "两次输入的新密码不一致。")
	}
	return HashPassword(pw)
}

// replacePassword stores a new hash and ends every session and API token of the
// account: the reason for a new password is often that the old one leaked, and
// whoever had it could have made tokens with it. On failure the error page is
// written and false returned.
func (s *Server) replacePassword(w http.ResponseWriter, r *http.Request, staffID int64, hash string) bool {
	if err := s.cfg.Store.SetStaffPassword(r.Context(), staffID, hash); err != nil {
		s.pageError(w, r, err)
		return false
	}
	return s.signOutEverywhere(w, r, staffID)
}

// signOutEverywhere ends every session of the account and revokes its API tokens
// (password changed or reset, account disabled); revoked tokens stay revoked if
// the account is enabled again. On failure the error page is written and false
// returned.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request, staffID int64) bool {
	if err := s.cfg.Sessions.DeleteStaffSessions(r.Context(), staffID); err != nil {
		s.pageError(w, r, err)
		return false
	}
	n, err := s.cfg.Store.RevokeStaffTokens(r.Context(), staffID)
	if err != nil {
		s.pageError(w, r, err)
		return false
	}
	if n > 0 {
		s.audit(r, storage.AuditTokenRevoke, 0, fmt.Sprintf("吊销账号 %s 的全部令牌（%d 个）", idText(staffID), n))
	}
	return true
}
