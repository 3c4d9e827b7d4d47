package main

import (
	"context"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestEndToEndUnitsInTheChat runs the service with two district units: a
// complaint whose merchant's location names 樊城区 is filed with 樊城区消委会
// without a question, a supervisor transfers it to 襄城区消委会 through the API,
// and the consumer is told on WeChat, with the new unit's hotline.
func TestEndToEndUnitsInTheChat(t *testing.T) {
	m := runMain(t)
	testenv.AddUnits(t, m.DB,
		testenv.TestUnit{ID: 2, ParentID: 1, Name: "樊城区消委会", Code: "FC", Regions: "樊城区", Hotline: "0710-2222222"},
		testenv.TestUnit{ID: 3, ParentID: 1, Name: "襄城区消委会", Code: "XC", Regions: "襄城区", Hotline: "0710-3333333"})
	m.applyUnits(context.Background()) // what the 30-second refresh does

	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("units")}
	c := fileCase(t, m, p)
	if c.UnitID != 2 {
		t.Fatalf("case filed with unit %d, want 2 (樊城区 in the location)", c.UnitID)
	}
	p.expect("查询 "+c.Number, "受理单位：樊城区消委会")

	token, _ := newToken(t, m, "units_boss", storage.RoleSupervisor)
	api := apiCaller{t: t, base: m.URL(), token: token}
	api.ok("POST", "/cases/"+c.Number+"/transfer", `{"unit_code":"XC","reason":"商家实际位于襄城区"}`)
	waitPushed(t, m, p.openID, 1, "您的投诉 "+c.Number+" 已移交襄城区消委会办理。\n原因：商家实际位于襄城区")
	waitPushed(t, m, p.openID, 1, "请致电 0710-3333333")
	p.expect("查询 "+c.Number, "受理单位：襄城区消委会")
}
