package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// This file is the staff list (admins only) and its disable/enable buttons; the
// add form and the password reset have files of their own.

// staffListView is what staff.html shows.
type staffListView struct {
	Staff  []*storage.Staff
	SelfID int64 // the admin looking, who gets no disable button
	// UnitNames names each account's unit; nil (no unit column) with one unit.
	UnitNames map[int64]string
}

// showStaffList lists every account of the admin's units, disabled ones too.
func (s *Server) showStaffList(w http.ResponseWriter, r *http.Request) {
	list, sc, err := s.scopedStaffList(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	names, err := s.unitNames(r.Context(), sc)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "staff.html", "员工账号",
		staffListView{Staff: list, SelfID: staffFrom(r.Context()).ID, UnitNames: names})
}

// disableStaff disables an account, ends its sessions at once and revokes its API
// tokens. The authenticate middleware would refuse them anyway, but a disabled
// person should not even keep a page that looks signed in, and re-enabling the
// account must not bring old tokens (maybe copied somewhere) back to life.
func (s *Server) disableStaff(w http.ResponseWriter, r *http.Request) {
	target, ok := s.staffTarget(w, r)
	if !ok {
		return
	}
	if target.ID == staffFrom(r.Context()).ID {
		// Refused so that the last admin cannot lock everyone out of staff management.
		s.renderError(w, r, http.StatusBadRequest, "不能停用自己的账号。")
		return
	}
	if err := s.cfg.Store.SetStaffDisabled(r.Context(), target.ID, true); err != nil {
		s.pageError(w, r, err)
		return
	}
	if !s.signOutEverywhere(w, r, target.ID) {
		return
	}
	s.audit(r, storage.AuditStaffDisable, 0, "停用账号 "+idText(target.ID))
	redirectFlash(w, r, "/console/staff", "已停用账号 "+target.Username+"，其登录已全部退出，API 令牌已全部吊销。")
}

// enableStaff re-enables an account; its owner signs in again with the password
// it had and makes new API tokens (the old ones were revoked with the disabling).
func (s *Server) enableStaff(w http.ResponseWriter, r *http.Request) {
	target, ok := s.staffTarget(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Store.SetStaffDisabled(r.Context(), target.ID, false); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.audit(r, storage.AuditStaffDisable, 0, "启用账号 "+idText(target.ID))
	redirectFlash(w, r, "/console/staff", "已启用账号 "+target.Username+"。")
}

// staffTarget loads the account named by the path's {id}, if it works in the
// admin's units (another unit's account reads as not found); on failure the
// error page is written.
func (s *Server) staffTarget(w http.ResponseWriter, r *http.Request) (*storage.Staff, bool) {
	id, ok := s.pathID(w, r, "员工账号")
	if !ok {
		return nil, false
	}
	st, err := s.cfg.Store.FindStaffByID(r.Context(), id)
	if err == nil {
		err = s.scopedStaffTarget(r.Context(), st)
	}
	if err != nil {
		s.pageError(w, r, err)
		return nil, false
	}
	return st, true
}
