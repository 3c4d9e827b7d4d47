package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/redisstore"
)

func TestMerchantInvitation(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	sup, med := e.as(e.supervisor), e.as(e.mediator)
	off, err := e.db.CreateMerchant(ctx, storage.MerchantInput{Name: "未入驻店", By: storage.By{Actor: e.supervisor.Actor()}})
	if err != nil {
		t.Fatal(err)
	}
	on, err := e.db.CreateMerchant(ctx, storage.MerchantInput{Name: "入驻店", OnPlatform: true, PlatformSince: "2026-01-02",
		By: storage.By{Actor: e.supervisor.Actor()}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/console/merchants/" + strconv.FormatInt(on.ID, 10)
	sup.get(path).want(http.StatusOK).contains("邀请商家账号")
	med.get(path).want(http.StatusOK).lacks("邀请商家账号")
	med.post(path+"/invite", pageForm()).want(http.StatusForbidden)
	sup.post("/console/merchants/"+strconv.FormatInt(off.ID, 10)+"/invite", pageForm()).
		want(http.StatusBadRequest).contains("尚未入驻")

	page := sup.post(path+"/invite", pageForm()).want(http.StatusOK).contains("只显示这一次")
	token := regexp.MustCompile(`/portal/invite/([A-Za-z0-9_-]{43})`).FindStringSubmatch(page.body)
	if token == nil {
		t.Fatalf("no invitation link in\n%s", page.body)
	}
	if _, err := e.db.FindMerchantInvitation(ctx, console.HashToken(token[1])); err != nil {
		t.Fatalf("invitation not stored by its hash: %v", err)
	}
	action := storage.AuditMerchantInvite
	entries, n, err := e.db.FindAudit(ctx, storage.AuditFilter{Action: &action})
	if err != nil || n != 1 || entries[0].StaffID != e.supervisor.ID {
		t.Fatalf("audit %v %d %v", entries, n, err)
	}

	acc, err := e.db.AcceptMerchantInvitation(ctx, storage.InvitationAcceptance{TokenHash: console.HashToken(token[1]),
		Username: "shop.li", Name: "李店长", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	sup.get(path).want(http.StatusOK).contains("shop.li", "李店长", "停用")
	med.get(path).want(http.StatusOK).lacks("shop.li")
	accPath := path + "/accounts/" + strconv.FormatInt(acc.ID, 10)
	med.post(accPath, pageForm("disabled", "1")).want(http.StatusForbidden)
	sup.post("/console/merchants/"+strconv.FormatInt(off.ID, 10)+"/accounts/"+strconv.FormatInt(acc.ID, 10),
		pageForm("disabled", "1")).want(http.StatusNotFound)
	sup.post(accPath, pageForm("disabled", "1")).redirected(path)
	if got, err := e.db.FindMerchantAccount(ctx, acc.ID); err != nil || !got.Disabled {
		t.Fatalf("account %+v, %v", got, err)
	}
	sup.get(path).want(http.StatusOK).contains("已停用", "启用")
}

// TestMerchantAccountResetAndDisableEndPortalSessions resets a portal account's
// password and disables another from the merchant's page: the store marks the
// reset account must_change (audited) and each account's portal sessions end.
func TestMerchantAccountResetAndDisableEndPortalSessions(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	portalSessions := redisstore.NewSessions(testenv.NewRedis(t), redisstore.SessionOptions{Prefix: "cb:portal"})
	srv, err := console.New(console.Config{Store: e.db, Sessions: e.sessions, OrgName: "某市消委会", CasePrefix: "TS",
		Now: e.db.Now, PhoneSearches: testPhoneSearches(t), PortalSessions: portalSessions})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	sup, med := e.as(e.supervisor), e.as(e.mediator)
	by := storage.By{Actor: e.supervisor.Actor()}
	m, err := e.db.CreateMerchant(ctx, storage.MerchantInput{Name: "入驻店", OnPlatform: true, PlatformSince: "2026-01-02", By: by})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.db.CreateMerchant(ctx, storage.MerchantInput{Name: "别家店", OnPlatform: true, PlatformSince: "2026-01-02", By: by})
	if err != nil {
		t.Fatal(err)
	}
	account := func(token, username string) (*storage.MerchantAccount, *storage.Session) {
		t.Helper()
		if _, err := e.db.CreateMerchantInvitation(ctx, m.ID, console.HashToken(token), by); err != nil {
			t.Fatal(err)
		}
		acc, err := e.db.AcceptMerchantInvitation(ctx, storage.InvitationAcceptance{TokenHash: console.HashToken(token),
			Username: username, Name: "店员", PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		se, err := portalSessions.CreateSession(ctx, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		return acc, se
	}
	reset, resetSession := account("tokenOfTheAccountToReset", "shop.reset")
	off, offSession := account("tokenOfTheAccountToDisable", "shop.off")
	path := "/console/merchants/" + strconv.FormatInt(m.ID, 10)
	sup.get(path).want(http.StatusOK).contains("重置密码")

	resetPath := path + "/accounts/" + strconv.FormatInt(reset.ID, 10) + "/password"
	form := pageForm("password", "chosen by boss", "confirm", "chosen by boss")
	med.post(resetPath, form).want(http.StatusForbidden)
	sup.post("/console/merchants/"+strconv.FormatInt(other.ID, 10)+"/accounts/"+strconv.FormatInt(reset.ID, 10)+"/password",
		form).want(http.StatusNotFound)
	sup.post(resetPath, pageForm("password", "short", "confirm", "short")).want(http.StatusBadRequest).
		contains("密码至少需要 10 个字符")
	if _, err := portalSessions.FindSession(ctx, resetSession.ID); err != nil {
		t.Fatalf("a refused reset ended the session: %v", err)
	}
	sup.post(resetPath, form).redirected(path)
	got, err := e.db.FindMerchantAccount(ctx, reset.ID)
	if err != nil || !got.MustChange || got.PasswordHash == "x" {
		t.Fatalf("reset account %+v, %v", got, err)
	}
	if _, err := portalSessions.FindSession(ctx, resetSession.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("the reset account's portal session lives on: %v", err)
	}
	action := storage.AuditPortalPassword
	if entries, n, err := e.db.FindAudit(ctx, storage.AuditFilter{Action: &action}); err != nil || n != 1 ||
		entries[0].StaffID != e.supervisor.ID {
		t.Fatalf("reset audit %+v %d %v", entries, n, err)
	}
	sup.get(path).want(http.StatusOK).contains("待修改密码")

	if _, err := portalSessions.FindSession(ctx, offSession.ID); err != nil {
		t.Fatalf("the other account's session ended too early: %v", err)
	}
	sup.post(path+"/accounts/"+strconv.FormatInt(off.ID, 10), pageForm("disabled", "1")).redirected(path)
	if _, err := portalSessions.FindSession(ctx, offSession.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("the disabled account's portal session lives on: %v", err)
	}
}
