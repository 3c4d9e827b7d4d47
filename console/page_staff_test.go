package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func newStaffForm(username, name, role, pw string) url.Values {
	return url.Values{"username": {username}, "name": {name}, "role": {role}, "password": {pw}, "confirm": {pw}}
}

func TestAdminCreatesStaff(t *testing.T) {
	e := newAuthEnv(t)
	admin := e.browser().mustLogin("admin1", adminPassword)
	const pw = "initial-pass-77"
	e.secret(pw)
	if w := admin.do("GET", "/console/staff/new", nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "主管") {
		t.Fatalf("form: %d", w.Code)
	}
	w := admin.post("/console/staff/new", "/console/staff", newStaffForm("Li.Na", "李娜", "supervisor", pw))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", w.Code, w.Body.String())
	}
	st, err := e.store.FindStaffByUsername(t.Context(), "li.na")
	if err != nil || st.Name != "李娜" || st.Role != storage.RoleSupervisor || st.PasswordHash == pw {
		t.Fatalf("created %+v, %v", st, err)
	}
	list := admin.do("GET", "/console/staff", nil).Body.String()
	if !strings.Contains(list, "li.na") || !strings.Contains(list, "李娜") {
		t.Fatal("the new account is not listed")
	}
	e.browser().mustLogin("li.na", pw)
	if got := e.auditActions(); !slices.Contains(got, "staff_create/"+idText(e.admin.ID)+"/新建账号 "+idText(st.ID)+"（主管）") {
		t.Errorf("audit %v lacks the creation", got)
	}
}

func TestCreateStaffRefusesBadInput(t *testing.T) {
	e := newAuthEnv(t)
	admin := e.browser().mustLogin("admin1", adminPassword)
	e.secret("short-pw")
	cases := []struct {
		form url.Values
		code int
		msg  string
	}{
		{newStaffForm("x2", "某某", "mediator", "short-pw"), http.StatusBadRequest, "至少需要 10 个字符"},
		{newStaffForm("张三", "某某", "mediator", "long-enough-1"), http.StatusBadRequest, "用户名应为"},
		{newStaffForm("x3", "", "mediator", "long-enough-1"), http.StatusBadRequest, "姓名"},
		{newStaffForm("x4", "某某", "root", "long-enough-1"), http.StatusBadRequest, "请选择角色"},
		{newStaffForm("MED1", "某某", "mediator", "long-enough-1"), http.StatusConflict, "用户名已被使用"},
	}
	cases[4].form.Set("confirm", "long-enough-1")
	e.secret("long-enough-1")
	for _, c := range cases {
		w := admin.post("/console/staff/new", "/console/staff", c.form)
		if w.Code != c.code || !strings.Contains(w.Body.String(), c.msg) {
			t.Errorf("%v: %d, want %d with %q", c.form.Get("username"), w.Code, c.code, c.msg)
		}
	}
	mismatch := newStaffForm("x5", "某某", "mediator", "long-enough-1")
	mismatch.Set("confirm", "long-enough-2")
	if w := admin.post("/console/staff/new", "/console/staff", mismatch); w.Code != http.StatusBadRequest {
		t.Errorf("mismatched confirmation: %d", w.Code)
	}
	list, _ := e.store.ListStaff(t.Context())
	if len(list) != 3 {
		t.Fatalf("%d accounts after refused input, want 3", len(list))
	}
}

func TestAdminResetsPassword(t *testing.T) {
	e := newAuthEnv(t)
	med := e.browser().mustLogin("med1", mediatorPassword)
	admin := e.browser().mustLogin("admin1", adminPassword)
	const pw = "reset-by-admin-9"
	e.secret(pw)
	page := "/console/staff/" + itoa(e.mediator.ID) + "/password"
	if w := admin.do("GET", page, nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "调解员丙") {
		t.Fatalf("form: %d", w.Code)
	}
	if w := admin.post(page, page, url.Values{"password": {"short"}, "confirm": {"short"}}); w.Code != http.StatusBadRequest {
		t.Fatalf("short password: %d", w.Code)
	}
	if w := admin.post(page, page, url.Values{"password": {pw}, "confirm": {pw}}); w.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", w.Code, w.Body.String())
	}
	if med.signedIn() {
		t.Fatal("the mediator's session survived the reset")
	}
	if w := e.browser().login("med1", mediatorPassword); w.Code != http.StatusUnauthorized {
		t.Fatal("the old password still works")
	}
	e.browser().mustLogin("med1", pw)
	if !admin.signedIn() {
		t.Fatal("resetting someone else's password signed the admin out")
	}
	if got := e.auditActions(); !slices.Contains(got, "staff_password/"+idText(e.admin.ID)+"/重置账号 "+idText(e.mediator.ID)+" 的密码") {
		t.Errorf("audit %v lacks the reset", got)
	}
	if w := admin.do("GET", "/console/staff/999999/password", nil); w.Code != http.StatusNotFound {
		t.Errorf("unknown account: %d", w.Code)
	}
}

func TestAdminCannotDisableThemselves(t *testing.T) {
	e := newAuthEnv(t)
	admin := e.browser().mustLogin("admin1", adminPassword)
	w := admin.post("/console/staff", "/console/staff/"+itoa(e.admin.ID)+"/disable", nil)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "不能停用自己的账号") {
		t.Fatalf("self-disable: %d", w.Code)
	}
	if st, _ := e.store.FindStaffByID(t.Context(), e.admin.ID); st.Disabled || !admin.signedIn() {
		t.Fatal("the admin disabled themselves")
	}
	if strings.Contains(admin.do("GET", "/console/staff", nil).Body.String(), "/console/staff/"+itoa(e.admin.ID)+"/disable") {
		t.Error("the list offers the admin a button to disable themselves")
	}
}
