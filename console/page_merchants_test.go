package console_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

func TestMerchantPages(t *testing.T) {
	e := newPageEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	ctx := context.Background()
	sup, med := e.as(e.supervisor), e.as(e.mediator)
	form := pageForm("name", "好又多超市", "aliases", "好又多\n好又多量贩", "credit_code", "91110000802100433B",
		"contact_person", "王经理", "contact_phone", "13900139000", "on_platform", "1", "platform_since", "2026-02-01")

	med.post("/console/merchants", form).want(http.StatusForbidden)
	sup.post("/console/merchants", pageForm("name", "坏码", "credit_code", "91110000802100433C")).
		want(http.StatusBadRequest).contains("统一社会信用代码", "坏码")
	sup.post("/console/merchants", form).redirected("/console/merchants/")
	list, _, err := e.db.FindMerchants(ctx, storage.MerchantFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("merchants %v, %v", list, err)
	}
	m := list[0]
	path := "/console/merchants/" + strconv.FormatInt(m.ID, 10)
	med.get("/console/merchants?q=量贩&platform=1").want(http.StatusOK).contains("好又多超市", "139****9000").lacks("13900139000")
	med.get(path).want(http.StatusOK).contains("139****9000", "已入驻，自 2026-02-01").lacks("13900139000", "修改商家信息")

	// Filing: an alias links at once; a near name is suggested and confirmed.
	exact := e.newCase(func(nc *storage.NewCase) { nc.MerchantName = "好又多量贩" })
	if exact.MerchantID != m.ID {
		t.Fatalf("alias did not link: %d", exact.MerchantID)
	}
	near := e.newCase(func(nc *storage.NewCase) { nc.MerchantName = "好又多超市人民路店" })
	med.get(pageCasePath(near, "")).want(http.StatusOK).contains("尚未关联到商家库", "确认关联", "好又多超市")
	med.post(pageCasePath(near, "/merchant"), pageForm("merchant_id", "abc")).want(http.StatusBadRequest).contains("请选择商家")
	med.post(pageCasePath(near, "/merchant"), pageForm("merchant_id", strconv.FormatInt(m.ID, 10))).redirected(pageCasePath(near, ""))
	med.get(pageCasePath(near, "")).want(http.StatusOK).contains("已关联", "关联商家：好又多超市")

	// A new merchant from a case, by a mediator.
	fresh := e.newCase(func(nc *storage.NewCase) { nc.MerchantName = "街角水果店" })
	med.post(pageCasePath(fresh, "/merchant/new"), pageForm("name", "街角水果店")).redirected(pageCasePath(fresh, ""))
	if e.reload(fresh).MerchantID == 0 {
		t.Fatal("case not linked to the new merchant")
	}

	// A district supervisor's merchant page lists only their district's cases.
	district := e.as(e.staffIn("fc.boss", 2))
	fc := e.newCase(func(nc *storage.NewCase) { nc.MerchantName = "好又多超市"; nc.UnitID = 2 })
	district.get(path).want(http.StatusOK).contains(fc.Number).lacks(exact.Number, near.Number)
	sup.get(path).want(http.StatusOK).contains(fc.Number, exact.Number, near.Number)
	district.post(pageCasePath(near, "/merchant"), pageForm("merchant_id", "1")).want(http.StatusNotFound)

	// Merging is for supervisors.
	fruit := e.reload(fresh).MerchantID
	mergePath := "/console/merchants/" + strconv.FormatInt(fruit, 10) + "/merge"
	med.post(mergePath, pageForm("into", strconv.FormatInt(m.ID, 10))).want(http.StatusForbidden)
	sup.post(mergePath, pageForm("into", strconv.FormatInt(m.ID, 10))).redirected(path)
	if e.reload(fresh).MerchantID != m.ID {
		t.Fatal("merge did not move the case")
	}
	sup.get("/console/reports?from=2026-01&to=2026-12").want(http.StatusOK).contains("已入驻和解平台的商家 <b>1</b> 家")
}

// staffIn creates a supervisor of a unit.
func (e *pageEnv) staffIn(username string, unit int64) *storage.Staff {
	e.t.Helper()
	st, err := e.db.CreateStaff(context.Background(), storage.NewStaff{Username: username, Name: username,
		Role: storage.RoleSupervisor, PasswordHash: "x", UnitID: unit})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func TestMerchantEditRefusedKeepsTyping(t *testing.T) {
	e := newPageEnv(t)
	sup := e.as(e.supervisor)
	sup.post("/console/merchants", pageForm("name", "好又多超市")).redirected("/console/merchants/")
	list, _, _ := e.db.FindMerchants(context.Background(), storage.MerchantFilter{})
	path := "/console/merchants/" + strconv.FormatInt(list[0].ID, 10)
	sup.post(path, pageForm("name", "好又多超市（改名）", "on_platform", "1", "platform_since", "")).
		want(http.StatusBadRequest).contains("入驻日期", "好又多超市（改名）")
	sup.post(path, pageForm("name", "好又多超市", "contact_phone", "13900139000")).redirected(path)
	sup.get(path).want(http.StatusOK).contains("13900139000")
	e.as(e.mediator).post(path, pageForm("name", "篡改")).want(http.StatusForbidden)
}
