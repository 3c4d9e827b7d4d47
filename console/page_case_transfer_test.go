package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// transferUnits is a city with two districts and a disabled county.
var transferUnits = []testenv.TestUnit{
	{ID: 2, ParentID: 1, Name: "樊城区消委会", Code: "FC", Regions: "樊城区"},
	{ID: 3, ParentID: 1, Name: "襄城区消委会", Code: "XC", Regions: "襄城区"},
	{ID: 4, ParentID: 1, Name: "南漳县消委会", Code: "NZ", Regions: "南漳县", Disabled: true},
}

// unitStaff creates a staff member of unit.
func unitStaff(t *testing.T, e *pageEnv, username string, role storage.Role, unit int64) *storage.Staff {
	t.Helper()
	st, err := e.db.CreateStaff(context.Background(), storage.NewStaff{Username: username, Name: username,
		Role: role, PasswordHash: "x", UnitID: unit})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestCaseTransferBlockHiddenWithOneUnit(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	e.as(e.supervisor).get(pageCasePath(c, "")).want(http.StatusOK).lacks("移交其他单位", "/transfer")
}

func TestCaseTransferFromThePage(t *testing.T) {
	e := newPageEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	c := e.newCase(func(nc *storage.NewCase) { nc.UnitID = 2 })
	e.move(c, storage.StatusAccepted, "")
	if _, err := e.db.AssignCase(context.Background(), c.ID, &e.mediator.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}

	e.as(e.mediator).get(pageCasePath(c, "")).want(http.StatusOK).lacks("移交其他单位")
	e.as(e.mediator).post(pageCasePath(c, "/transfer"), pageForm("unit", "3", "reason", "辖区")).want(http.StatusForbidden)

	sup := e.as(e.supervisor)
	page := sup.get(pageCasePath(c, "")).want(http.StatusOK)
	page.contains("移交其他单位", "当前受理单位：樊城区消委会", `<option value="3">襄城区消委会</option>`,
		`<option value="1">某市消委会</option>`)
	page.lacks(`樊城区消委会</option>`, "南漳县消委会")

	sup.post(pageCasePath(c, "/transfer"), pageForm("unit", "3", "reason", " ")).want(http.StatusBadRequest).
		contains("请填写移交原因", `<option value="3" selected>襄城区消委会</option>`)
	sup.post(pageCasePath(c, "/transfer"), pageForm("unit", "4", "reason", "辖区")).want(http.StatusBadRequest).
		contains("已停用")

	before := e.reload(c)
	sup.post(pageCasePath(c, "/transfer"), pageForm("unit", "3", "reason", "商家实际位于襄城区")).
		redirected(pageCasePath(c, "?flash="))
	moved := e.reload(c)
	if moved.UnitID != 3 || moved.AssigneeID != 0 || moved.TeamID != 0 || moved.Number != c.Number || moved.Due() != before.Due() ||
		moved.DueOn == "" {
		t.Fatalf("moved case = %+v", moved)
	}
	sup.get(pageCasePath(c, "")).want(http.StatusOK).contains("移交：樊城区消委会 → 襄城区消委会；原因：商家实际位于襄城区",
		"当前受理单位：襄城区消委会")
}

func TestCaseTransferKeepsToTheStaffMembersUnits(t *testing.T) {
	e := newPageEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	district := unitStaff(t, e, "fc.boss", storage.RoleSupervisor, 2)
	theirs := e.newCase(func(nc *storage.NewCase) { nc.UnitID = 2 })
	other := e.newCase(func(nc *storage.NewCase) { nc.UnitID = 3 })

	u := e.as(district)
	u.post(pageCasePath(other, "/transfer"), pageForm("unit", "2", "reason", "想要这件")).want(http.StatusNotFound)
	if e.reload(other).UnitID != 3 {
		t.Fatal("a transfer outside the staff member's units went through")
	}
	// Handing a case across to a neighbour: it leaves their sight, so they go
	// back to the queue.
	u.post(pageCasePath(theirs, "/transfer"), pageForm("unit", "3", "reason", "商家在襄城区")).
		redirected("/console/cases?flash=")
	if e.reload(theirs).UnitID != 3 {
		t.Fatal("the transfer did not happen")
	}
}

func TestCaseTransferInTheAuditLog(t *testing.T) {
	e := newPageEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	c := e.newCase(func(nc *storage.NewCase) { nc.UnitID = 2 })
	e.as(e.supervisor).post(pageCasePath(c, "/transfer"), pageForm("unit", "3", "reason", "辖区调整")).
		redirected(pageCasePath(c, "?flash="))
	e.as(e.supervisor).get("/console/audit?action=transfer").want(http.StatusOK).
		contains("移交其他单位", "移交：樊城区消委会 → 襄城区消委会；原因：辖区调整")
}
