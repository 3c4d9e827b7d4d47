package console

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// maxStaffNameRunes bounds a staff member's display name.
const maxStaffNameRunes = 40

// newStaffView is what staff_new.html shows; the password is never sent back.
type newStaffView struct {
	Username string
	Name     string
	Roles    []option
	Units    []option // nil: one unit only, no picker
	Error    string
}

// roleOptions offers the roles, least trusted first, by their Chinese names.
func roleOptions(selected storage.Role) []option {
	roles := []storage.Role{storage.RoleMediator, storage.RoleSupervisor, storage.RoleAdmin}
	out := make([]option, 0, len(roles))
	for _, r := range roles {
		out = append(out, option{Value: string(r), Label: r.Label(), Selected: r == selected})
	}
	return out
}

// showNewStaff shows the form to add an account.
func (s *Server) showNewStaff(w http.ResponseWriter, r *http.Request) {
	units, err := s.staffUnitOptions(r.Context(), staffFrom(r.Context()).UnitID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "staff_new.html", "新建员工账号",
		newStaffView{Roles: roleOptions(storage.RoleMediator), Units: units})
}

// createStaff adds an account with the initial password the admin typed; the
// admin hands it over and the new colleague must change it at the first
// sign-in (passwordGate).
func (s *Server) createStaff(w http.ResponseWriter, r *http.Request) {
	ns, err := newStaffFromForm(r)
	if err == nil {
		ns.UnitID, err = s.staffUnitFromForm(r, staffFrom(r.Context()).UnitID)
	}
	v := newStaffView{Username: ns.Username, Name: ns.Name, Roles: roleOptions(ns.Role)}
	if units, uerr := s.staffUnitOptions(r.Context(), ns.UnitID); uerr == nil {
		v.Units = units
	}
	if err != nil {
		v.Error = storage.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "staff_new.html", "新建员工账号", v)
		return
	}
	st, err := s.cfg.Store.CreateStaff(r.Context(), ns)
	switch storage.ErrorCode(err) {
	case "":
	case storage.ECONFLICT:
		v.Error = "用户名已被使用，请换一个。"
		s.render(w, r, http.StatusConflict, "staff_new.html", "新建员工账号", v)
		return
	default:
		s.pageError(w, r, err)
		return
	}
	what := st.Role.Label()
	if st.UnitID != storage.RootUnitID {
		what += "，单位 " + idText(st.UnitID) // the root's accounts are audited as before units
	}
	s.audit(r, storage.AuditStaffCreate, 0, "新建账号 "+idText(st.ID)+"（"+what+"）")
	redirectFlash(w, r, "/console/staff", "已新建账号 "+st.Username+"。")
}

// newStaffFromForm reads and checks the form. The returned NewStaff carries the
// typed fields even on error, to fill the form again.
func newStaffFromForm(r *http.Request) (storage.NewStaff, error) {
	ns := storage.NewStaff{
		Username: webauth.NormalizeUsername(r.PostFormValue("username")),
		Name:     strings.TrimSpace(r.PostFormValue("name")),
		Role:     storage.Role(r.PostFormValue("role")),
	}
	if err := webauth.ValidateUsername(ns.Username); err != nil {
		return ns, err
	}
	if err := ValidateStaffName(ns.Name); err != nil {
		return ns, err
	}
	if !ns.Role.Valid() {
		return ns, storage.Errorf(storage.EINVALID, "请选择角色。")
	}
	hash, err := newPasswordFromForm(r)
	ns.PasswordHash, ns.MustChangePassword = hash, true
	return ns, err
}

// ValidateStaffName checks a display name: 1 to 40 characters, no control
// characters (it is shown in lists and on the case timeline).
func ValidateStaffName(name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > maxStaffNameRunes || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return storage.Errorf(storage.EINVALID, "姓名应为 1–%d 个字符。", maxStaffNameRunes)
	}
	return nil
}
