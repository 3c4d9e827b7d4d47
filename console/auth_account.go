package console

import (
	"fmt"
	"net/http"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// newPasswordFromForm checks the "password" and "confirm" fields and hashes the
// password. Its errors are EINVALID with a message for the form.
func newPasswordFromForm(r *http.Request) (string, error) {
	pw := r.PostFormValue("password")
	if err := webauth.ValidatePassword(pw); err != nil {
		return "", err
	}
	if pw != r.PostFormValue("confirm") {
		return "", storage.Errorf(storage.EINVALID, "两次输入的新密码不一致。")
	}
	return webauth.HashPassword(pw)
}

// replacePassword stores a new hash and ends every session and API token of the
// account: the reason for a new password is often that the old one leaked, and
// whoever had it could have made tokens with it. mustChange is true when the
// password is not the owner's own choice (an admin's reset): the owner must
// replace it at the next sign-in. On failure the error page is written and
// false returned.
func (s *Server) replacePassword(w http.ResponseWriter, r *http.Request, staffID int64, hash string, mustChange bool) bool {
	if err := s.cfg.Store.SetStaffPassword(r.Context(), staffID, hash, mustChange); err != nil {
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
	if err := s.auth.EndUserSessions(r.Context(), staffID); err != nil {
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

// HashPassword is webauth.HashPassword, named here for the tests and the command
// line that create accounts the console signs in.
func HashPassword(password string) (string, error) { return webauth.HashPassword(password) }
