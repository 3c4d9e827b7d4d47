package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestAdminChangesNameAndRole: the new role takes effect on the next request
// and the change is audited without the name.
func TestAdminChangesNameAndRole(t *testing.T) {
	e := newAuthEnv(t)
	admin := e.browser().mustLogin("admin1", adminPassword)
	med := e.browser().mustLogin("med1", mediatorPassword)
	if w := med.do("GET", "/console/reports", nil); w.Code != http.StatusForbidden {
		t.Fatalf("a mediator on the reports: %d", w.Code)
	}
	page := "/console/staff/" + itoa(e.mediator.ID)
	if w := admin.do("GET", page, nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "调解员丙") {
		t.Fatalf("form: %d", w.Code)
	}
	w := admin.post(page, page, url.Values{"name": {"主管丙"}, "role": {"supervisor"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", w.Code, w.Body.String())
	}
	st, _ := e.store.FindStaffByID(t.Context(), e.mediator.ID)
	if st.Name != "主管丙" || st.Role != storage.RoleSupervisor {
		t.Fatalf("saved %+v", st)
	}
	if w := med.do("GET", "/console/reports", nil); w.Code != http.StatusOK {
		t.Fatalf("the promoted colleague on the reports: %d", w.Code)
	}
	want := "staff_update/" + idText(e.admin.ID) + "/账号 " + idText(e.mediator.ID) + "：修改姓名，角色由调解员改为主管"
	if got := e.auditActions(); !slices.Contains(got, want) {
		t.Errorf("audit %v lacks %q", got, want)
	}
	for _, bad := range []url.Values{{"name": {""}, "role": {"mediator"}}, {"name": {"某"}, "role": {"root"}}} {
		if w := admin.post(page, page, bad); w.Code != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", bad, w.Code)
		}
	}
}

// TestLastAdminCannotBeDemoted: the only admin demoting themselves is refused
// with a reason; supervisors and mediators cannot reach the form at all.
func TestLastAdminCannotBeDemoted(t *testing.T) {
	e := newAuthEnv(t)
	admin := e.browser().mustLogin("admin1", adminPassword)
	page := "/console/staff/" + itoa(e.admin.ID)
	w := admin.post(page, page, url.Values{"name": {"管理员甲"}, "role": {"supervisor"}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "最后一位在用的管理员") {
		t.Fatalf("demote the last admin: %d", w.Code)
	}
	if st, _ := e.store.FindStaffByID(t.Context(), e.admin.ID); st.Role != storage.RoleAdmin {
		t.Fatal("the last admin was demoted")
	}
	sup := e.browser().mustLogin("sup1", supPassword)
	if w := sup.do("GET", page, nil); w.Code != http.StatusForbidden {
		t.Errorf("a supervisor opens the edit form: %d", w.Code)
	}
	if w := sup.do("POST", page, url.Values{"name": {"x"}, "role": {"admin"}, "csrf": {sup.token("/console/cases")}}); w.Code != http.StatusForbidden {
		t.Errorf("a supervisor promotes someone: %d", w.Code)
	}
}

// TestEveryPageLinksToOwnPassword: the layout offers the change-password link.
func TestEveryPageLinksToOwnPassword(t *testing.T) {
	e := newAuthEnv(t)
	med := e.browser().mustLogin("med1", mediatorPassword)
	for _, path := range []string{"/console/cases", "/console/tokens", "/console/password"} {
		if w := med.do("GET", path, nil); !strings.Contains(w.Body.String(), `href="/console/password"`) {
			t.Errorf("%s has no link to change one's password", path)
		}
	}
}

// TestAdminStepsDownWhenAnotherAdminRemains: with a second admin, an admin may
// make themselves a supervisor and is sent to a page they may still see.
func TestAdminStepsDownWhenAnotherAdminRemains(t *testing.T) {
	e := newAuthEnv(t)
	e.createStaff("admin2", "管理员戊", storage.RoleAdmin, "admin-pass-0002")
	admin := e.browser().mustLogin("admin1", adminPassword)
	page := "/console/staff/" + itoa(e.admin.ID)
	w := admin.post(page, page, url.Values{"name": {"管理员甲"}, "role": {"supervisor"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/console/cases") {
		t.Fatalf("step down: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if w := admin.do("GET", "/console/staff", nil); w.Code != http.StatusForbidden {
		t.Fatalf("the former admin on the staff list: %d", w.Code)
	}
}
