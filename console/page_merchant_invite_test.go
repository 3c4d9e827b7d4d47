package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
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
