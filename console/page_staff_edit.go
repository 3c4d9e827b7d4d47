package console

import (
	"net/http"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// staffEditView is what staff_edit.html shows: the account and the form's values.
type staffEditView struct {
	Target *storage.Staff
	Name   string
	Roles  []option
	Units  []option // nil: one unit only, no picker
	Error  string
}

// showStaffEdit shows an admin the form to change an account's name and role.
func (s *Server) showStaffEdit(w http.ResponseWriter, r *http.Request) {
	target, ok := s.staffTarget(w, r)
	if !ok {
		return
	}
	units, err := s.staffUnitOptions(r.Context(), target.UnitID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "staff_edit.html", "修改员工信息",
		staffEditView{Target: target, Name: target.Name, Roles: roleOptions(target.Role), Units: units})
}

// updateStaffAccount saves the name and role. The store audits the change and
// refuses to demote the last active admin; a new role takes effect on the
// account's next request, as every request reads the account afresh.
func (s *Server) updateStaffAccount(w http.ResponseWriter, r *http.Request) {
	target, ok := s.staffTarget(w, r)
	if !ok {
		return
	}
	name, role := strings.TrimSpace(r.PostFormValue("name")), storage.Role(r.PostFormValue("role"))
	v := staffEditView{Target: target, Name: name, Roles: roleOptions(role)}
	err := ValidateStaffName(name)
	if err == nil && !role.Valid() {
		err = storage.Errorf(storage.EINVALID, "请选择角色。")
	}
	var unit int64
	if err == nil {
		unit, err = s.staffUnitFromForm(r, target.UnitID)
	}
	if units, uerr := s.staffUnitOptions(r.Context(), unit); uerr == nil {
		v.Units = units
	}
	if err == nil {
		_, err = s.cfg.Store.UpdateStaff(r.Context(), target.ID, storage.StaffUpdate{Name: &name, Role: &role, UnitID: &unit}, s.actedBy(r))
	}
	switch code := storage.ErrorCode(err); code {
	case "":
		next := "/console/staff"
		if target.ID == staffFrom(r.Context()).ID && role != storage.RoleAdmin {
			next = "/console/cases" // an admin who stepped down may no longer see the staff list
		}
		if target.ID == staffFrom(r.Context()).ID && unit != target.UnitID {
			next = "/console/cases" // an admin who moved themselves may no longer see the list they were on
		}
		redirectFlash(w, r, next, "已保存账号 "+target.Username+" 的信息。")
	case storage.EINVALID, storage.ECONFLICT:
		v.Error = storage.ErrorMessage(err)
		status := http.StatusBadRequest
		if code == storage.ECONFLICT {
			status = http.StatusConflict
		}
		s.render(w, r, status, "staff_edit.html", "修改员工信息", v)
	default:
		s.pageError(w, r, err)
	}
}
