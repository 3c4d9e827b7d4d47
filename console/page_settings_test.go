package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
)

// newSettingsEnv is a page env with an admin and the config file's defaults set.
func newSettingsEnv(t *testing.T) (*pageEnv, *storage.Staff) {
	t.Helper()
	e := newPageEnv(t)
	admin := e.staff("adm", "管理员丁", storage.RoleAdmin)
	srv, err := console.New(console.Config{
		Store: e.db, Sessions: e.sessions, OrgName: "某市消委会", CasePrefix: "TS", Now: e.db.Now,
		DefaultOrg: console.OrgDefaults{Name: "默认消协", Hotline: "12315", ServiceHours: "工作日 9:00–17:00"},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	return e, admin
}

func TestAdminSavesSettings(t *testing.T) {
	e, admin := newSettingsEnv(t)
	ctx := context.Background()
	adm := e.as(admin)
	adm.get("/console/cases").contains(`href="/console/settings"`)
	adm.get("/console/settings").want(http.StatusOK).
		contains("尚未保存过", `value="默认消协"`, `value="12315"`, `value="工作日 9:00–17:00"`)

	r := adm.post("/console/settings", pageForm("name", " 某市消费者协会 ", "hotline", "(0571) 8888-1234", "service_hours", "周一至周五 8:30–17:30")).
		redirected("/console/settings?flash=")
	got, err := e.db.GetOrgSettings(ctx)
	if err != nil || got.Name != "某市消费者协会" || got.Hotline != "(0571) 8888-1234" ||
		got.ServiceHours != "周一至周五 8:30–17:30" || got.UpdatedBy != admin.ID {
		t.Fatalf("saved %+v, %v", got, err)
	}
	adm.get(r.header.Get("Location")).want(http.StatusOK).
		contains("已保存，公众号的回复将在一分钟内使用新设置。", `value="某市消费者协会"`, "更新于").lacks("默认消协")

	action := storage.AuditSettings
	entries, n, err := e.db.FindAudit(ctx, storage.AuditFilter{Action: &action})
	if err != nil || n != 1 || entries[0].StaffID != admin.ID || !strings.Contains(entries[0].Detail, "某市消费者协会") {
		t.Fatalf("audit %d %+v, %v", n, entries, err)
	}
}

func TestSettingsRefuseBadValues(t *testing.T) {
	e, admin := newSettingsEnv(t)
	adm := e.as(admin)
	for _, c := range []struct{ name, hotline, hours, msg string }{
		{"", "12315", "", "机构名称应为 1 到 40 个字"},
		{strings.Repeat("消", 41), "", "", "机构名称应为 1 到 40 个字"},
		{"消协", "12315转1", "", "热线电话只能包含数字、空格、短横线和括号"},
		{"消协", strings.Repeat("1", 31), "", "热线电话最多 30 个字符"},
		{"消协", "", strings.Repeat("时", 41), "服务时间最多 40 个字"},
	} {
		adm.post("/console/settings", pageForm("name", c.name, "hotline", c.hotline, "service_hours", c.hours)).
			want(http.StatusBadRequest).contains(c.msg)
	}
	if _, err := e.db.GetOrgSettings(context.Background()); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("refused values were saved: %v", err)
	}
}

func TestSettingsAreForAdmins(t *testing.T) {
	e, _ := newSettingsEnv(t)
	form := pageForm("name", "篡改", "hotline", "110", "service_hours", "")
	for _, st := range []*storage.Staff{e.mediator, e.supervisor} {
		u := e.as(st)
		u.get("/console/settings").want(http.StatusForbidden)
		u.post("/console/settings", form).want(http.StatusForbidden)
		u.get("/console/cases").lacks(`href="/console/settings"`)
	}
	e.anonymous().get("/console/settings").redirected("/console/login")
	if _, err := e.db.GetOrgSettings(context.Background()); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("a non-admin changed the settings: %v", err)
	}
}

func TestSettingsNeedCSRF(t *testing.T) {
	e, admin := newSettingsEnv(t)
	e.as(admin).postRaw("/console/settings", pageForm("name", "篡改")).want(http.StatusForbidden)
	if _, err := e.db.GetOrgSettings(context.Background()); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("saved without the CSRF token: %v", err)
	}
}

func TestSettingsAreEscaped(t *testing.T) {
	e, admin := newSettingsEnv(t)
	const evil = `"><script>alert(1)</script>`
	if err := e.db.SaveOrgSettings(context.Background(),
		storage.OrgSettings{Name: evil, ServiceHours: "<b>全天</b>"}, storage.By{Actor: storage.StaffActor(admin.ID)}); err != nil {
		t.Fatal(err)
	}
	e.as(admin).get("/console/settings").want(http.StatusOK).
		lacks("<script>alert(1)", "<b>全天").
		contains("&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;全天&lt;/b&gt;")
	// Refused input shown again is escaped too.
	e.as(admin).post("/console/settings", pageForm("name", evil, "hotline", "<i>x", "service_hours", "")).
		want(http.StatusBadRequest).lacks("<script>alert(1)", "<i>x")
}
