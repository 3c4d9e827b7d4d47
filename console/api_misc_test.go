package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func TestAPIMe(t *testing.T) {
	e := newAPIEnv(t)
	var me struct {
		ID                              int64
		Username, Name, Role, RoleLabel string
	}
	e.do("GET", "/api/v1/me", e.as(e.supervisor), "").ok(t, http.StatusOK, &me)
	if me.ID != e.supervisor.ID || me.Username != "boss" || me.Role != "supervisor" || me.Name != "主管丙" {
		t.Fatalf("me %+v", me)
	}
}

func TestAPIOptionsAndStaff(t *testing.T) {
	e := newAPIEnv(t)
	var opts struct {
		Statuses []struct {
			Status string
			Next   []struct{ Status string }
		}
		RejectReasons   []string `json:"reject_reasons"`
		ReferralTargets []string `json:"referral_targets"`
		Outcomes        []struct{ Value, Label string }
	}
	e.do("GET", "/api/v1/options", e.as(e.mediator), "").ok(t, http.StatusOK, &opts)
	if len(opts.Statuses) != len(storage.Statuses()) || len(opts.RejectReasons) != len(storage.RejectReasons) ||
		len(opts.ReferralTargets) != len(storage.ReferralTargets) || len(opts.Outcomes) != 4 {
		t.Fatalf("options %+v", opts)
	}
	if s := opts.Statuses[0]; s.Status != "submitted" || len(s.Next) != 4 {
		t.Fatalf("submitted moves %+v", s)
	}
	var staff struct {
		Items []struct {
			ID           int64
			Username     string
			PasswordHash string `json:"password_hash"`
		}
	}
	e.do("GET", "/api/v1/staff", e.as(e.mediator), "").ok(t, http.StatusOK, &staff)
	if len(staff.Items) != 3 || staff.Items[0].PasswordHash != "" {
		t.Fatalf("staff %+v", staff.Items)
	}
}

func TestAPICannedReplies(t *testing.T) {
	e := newAPIEnv(t)
	_, err := e.db.CreateCannedReply(context.Background(), "补充材料", "请补充购物凭证（发票或订单截图）。", e.supervisor.ID)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			ID          int64
			Title, Body string
		}
	}
	e.do("GET", "/api/v1/canned-replies", e.as(e.mediator), "").ok(t, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].Title != "补充材料" || list.Items[0].ID == 0 {
		t.Fatalf("canned replies %+v", list.Items)
	}
}

func TestAPIAuditLog(t *testing.T) {
	e := newAPIEnv(t)
	a, b := e.newCase(1), e.newCase(2)
	e.post(a, "reveal-phone", e.mediator, "").ok(t, http.StatusOK, nil)
	e.post(b, "reveal-phone", e.mediator2, "").ok(t, http.StatusOK, nil)
	e.post(a, "note", e.mediator, `{"text":"已联系"}`).ok(t, http.StatusCreated, nil)

	type entry struct {
		StaffID    int64  `json:"staff_id"`
		StaffName  string `json:"staff_name"`
		Action     string
		CaseNumber string `json:"case_number"`
	}
	var page struct {
		Items          []entry
		Total, PerPage int
	}
	get := func(query string) {
		t.Helper()
		e.do("GET", "/api/v1/audit?"+query, e.as(e.supervisor), "").ok(t, http.StatusOK, &page)
	}
	get("action=reveal_phone")
	if page.Total != 2 || len(page.Items) != 2 {
		t.Fatalf("reveal_phone entries %+v", page)
	}
	get("action=reveal_phone&case=" + a.Number)
	if page.Total != 1 || page.Items[0].CaseNumber != a.Number || page.Items[0].StaffName != "调解员甲" {
		t.Fatalf("entries for %s: %+v", a.Number, page)
	}
	get("staff_id=" + apiItoa(e.mediator2.ID))
	if page.Total != 1 || page.Items[0].StaffID != e.mediator2.ID {
		t.Fatalf("entries of 调解员乙: %+v", page)
	}
	get("case=TS-2026-009999")
	if page.Total != 0 || page.Items == nil {
		t.Fatalf("entries for an unknown case: %+v", page)
	}
	get("since=2026-01-01&until=2099-12-31&per_page=1")
	if page.Total < 3 || len(page.Items) != 1 {
		t.Fatalf("paged entries: %+v", page)
	}
	for _, q := range []string{"since=yesterday", "staff_id=abc", "per_page=1000", "who=me"} {
		e.do("GET", "/api/v1/audit?"+q, e.as(e.supervisor), "").fails(t, http.StatusBadRequest, "invalid")
	}
}

func TestAPIStaffShowsAccountDetailsOnlyToAdmins(t *testing.T) {
	e := newAPIEnv(t)
	admin := e.staff("root", "管理员丁", storage.RoleAdmin)
	gone := e.staff("gone", "已离职", storage.RoleMediator)
	if err := e.db.SetStaffDisabled(context.Background(), gone.ID, true); err != nil {
		t.Fatal(err)
	}
	list := func(st *storage.Staff) []map[string]any {
		t.Helper()
		var out struct{ Items []map[string]any }
		e.do("GET", "/api/v1/staff", e.as(st), "").ok(t, http.StatusOK, &out)
		return out.Items
	}
	for _, st := range []*storage.Staff{e.mediator, e.supervisor} {
		items := list(st)
		if len(items) != 4 {
			t.Errorf("%s sees %d accounts, want the 4 enabled ones: %v", st.Username, len(items), items)
		}
		for _, it := range items {
			if len(it) != 4 || it["id"] == nil || it["name"] == nil || it["role"] == nil || it["role_label"] == nil {
				t.Errorf("%s sees %v; want only id, name, role and role_label", st.Username, it)
			}
			if it["id"] == float64(gone.ID) {
				t.Errorf("%s sees the disabled account", st.Username)
			}
		}
	}
	items := list(admin)
	if len(items) != 5 {
		t.Fatalf("the admin sees %d accounts, want all 5", len(items))
	}
	for _, it := range items {
		if it["username"] == nil || it["disabled"] != (it["id"] == float64(gone.ID)) || it["password_hash"] != nil {
			t.Errorf("the admin sees %v", it)
		}
	}
}
