package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// showStaffPassword shows an admin the form to set another account's password
// (someone forgot theirs, or it may have leaked).
func (s *Server) showStaffPassword(w http.ResponseWriter, r *http.Request) {
	target, ok := s.staffTarget(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "staff_password.html", "重置密码", passwordView{Target: target})
}

// resetStaffPassword sets the new password and ends every session and API token
// of the account. The owner must change it at the next sign-in (the admin knows
// it); an admin resetting their own chose it themselves, and keeps this browser
// signed in.
func (s *Server) resetStaffPassword(w http.ResponseWriter, r *http.Request) {
	target, ok := s.staffTarget(w, r)
	if !ok {
		return
	}
	hash, err := newPasswordFromForm(r)
	if err != nil {
		v := passwordView{Target: target, Error: storage.ErrorMessage(err)}
		s.render(w, r, http.StatusBadRequest, "staff_password.html", "重置密码", v)
		return
	}
	self := target.ID == staffFrom(r.Context()).ID
	if !s.replacePassword(w, r, target.ID, hash, !self) {
		return
	}
	s.audit(r, storage.AuditStaffPassword, 0, "重置账号 "+idText(target.ID)+" 的密码")
	if self {
		se, err := s.auth.NewSession(w, r, target.ID)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		r = withRotatedSession(r, se) // the flash must be signed with the new session's token
	}
	redirectFlash(w, r, "/console/staff", "已重置账号 "+target.Username+" 的密码，其登录已全部退出，API 令牌已全部吊销。")
}
