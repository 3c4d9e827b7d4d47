package portal

import (
	"net/http"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// passwordPath is the portal's own password change (修改密码).
const passwordPath = "/portal/password"

// passwordView is what password.html shows.
type passwordView struct {
	MustChange bool // the password was set by a supervisor: change it first
	Error      string
}

// showPassword shows the form to change one's own password.
func (s *Server) showPassword(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "password.html", passwordView{MustChange: userFrom(r.Context()).Account.MustChange})
}

// changePassword is the console's own-password change: the current password
// (throttled like a sign-in, or a borrowed session could guess it), the new one
// under webauth's rules and repeated, not the current one again; then every
// session of the account ends and this browser gets a fresh one.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	v := passwordView{MustChange: u.Account.MustChange}
	keys := webauth.ThrottleKeys(u.Account.Username, s.auth.ClientIP(r))
	if wait, err := s.auth.ReserveAttempt(r.Context(), keys); err != nil || wait > 0 {
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		w.Header().Set("Retry-After", webauth.RetryAfter(wait))
		v.Error = webauth.ThrottledMessage(wait)
		s.render(w, r, http.StatusTooManyRequests, "password.html", v)
		return
	}
	current := r.PostFormValue("current")
	if !webauth.PasswordMatches(u.Account.PasswordHash, current) {
		// The reserved attempt stays counted: it was the failure.
		v.Error = "当前密码不正确。"
		s.render(w, r, http.StatusUnauthorized, "password.html", v)
		return
	}
	s.auth.LoginSucceeded(r.Context(), keys)
	hash, err := newPassword(r, current)
	if err != nil {
		v.Error = storage.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "password.html", v)
		return
	}
	if err := s.cfg.Store.ChangeMerchantPassword(r.Context(), u.Account.ID, hash, s.auth.ClientIP(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	if err := s.signOutEverywhere(r, u.Account.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	if _, err := s.auth.NewSession(w, r, u.Account.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, casesPath, http.StatusSeeOther)
}

// newPassword checks the form's new password and its repetition and hashes
// it. Keeping the password a supervisor chose would defeat the forced change,
// so the current one is refused.
func newPassword(r *http.Request, current string) (string, error) {
	pw := r.PostFormValue("password")
	if pw == current {
		return "", storage.Errorf(storage.EINVALID, "新密码不能与当前密码相同。")
	}
	if err := webauth.ValidatePassword(pw); err != nil {
		return "", err
	}
	if pw != r.PostFormValue("password2") {
		return "", storage.Errorf(storage.EINVALID, "两次输入的新密码不一致。")
	}
	return webauth.HashPassword(pw)
}

// signOutEverywhere ends every portal session of the account (a password
// changed because the old one leaked leaves no session of whoever had it).
func (s *Server) signOutEverywhere(r *http.Request, accountID int64) error {
	return s.auth.EndUserSessions(r.Context(), accountID)
}

// passwordGateOpen reports whether an account that must change its password
// may make request r: only the password form and signing out.
func passwordGateOpen(r *http.Request) bool {
	return r.URL.Path == passwordPath || r.URL.Path == "/portal/logout"
}
