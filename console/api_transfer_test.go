package console_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// TestAPITransferOnPostgres runs TestAPITransfer on PostgreSQL too.
func TestAPITransferOnPostgres(t *testing.T) {
	testenv.Postgres(t, sqlstore.Open) // skips or fails here when no server is configured
	defer func(open func(*testing.T) *sqlstore.DB) { apiOpenStore = open }(apiOpenStore)
	apiOpenStore = func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) }
	TestAPITransfer(t)
}

func TestAPITransfer(t *testing.T) {
	e := newAPIEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	ctx := context.Background()
	c := e.newCase(1)
	path := "/api/v1/cases/" + c.Number + "/transfer"

	e.do("POST", path, e.as(e.mediator), `{"unit_code":"XC","reason":"辖区"}`).fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	e.do("POST", path, e.as(e.supervisor), `{"unit_code":"XC"}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", path, e.as(e.supervisor), `{"unit_code":"ZZ","reason":"辖区"}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", path, e.as(e.supervisor), `{"reason":"辖区"}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", path, e.as(e.supervisor), `{"unit_id":4,"reason":"辖区"}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", path, e.as(e.supervisor), `{"unit_id":1,"reason":"辖区"}`).fails(t, http.StatusBadRequest, storage.EINVALID)

	var out apiCaseOut
	e.do("POST", path, e.as(e.supervisor), `{"unit_code":"xc","reason":"商家位于襄城区"}`).ok(t, http.StatusOK, &out)
	moved, err := e.db.FindCaseByNumber(ctx, c.Number)
	if err != nil || moved.UnitID != 3 || out.Number != c.Number {
		t.Fatalf("after transfer: %+v, %v; answered %+v", moved, err, out)
	}
	action := storage.AuditTransfer
	audit, _, err := e.db.FindAudit(ctx, storage.AuditFilter{CaseID: &c.ID, Action: &action})
	if err != nil || len(audit) != 1 || audit[0].StaffID != e.supervisor.ID {
		t.Fatalf("audit = %+v, %v", audit, err)
	}
	claimed, err := e.db.ClaimNotifications(ctx, 10, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].Kind != storage.NoticeTransfer || claimed[0].UnitID != 3 ||
		claimed[0].Text != "商家位于襄城区" {
		t.Fatalf("consumer notice = %+v, %v", claimed, err)
	}

	// A supervisor of a district sees only their district's cases.
	district, err := e.db.CreateStaff(ctx, storage.NewStaff{Username: "fc.boss", Name: "樊城主管",
		Role: storage.RoleSupervisor, PasswordHash: "x", UnitID: 2})
	if err != nil {
		t.Fatal(err)
	}
	token := "district-token-0123456789abcdef"
	if _, err := e.db.CreateAPIToken(ctx, district.ID, "test", console.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	e.do("POST", path, apiAuth{token: token}, `{"unit_code":"FC","reason":"想要这件"}`).fails(t, http.StatusNotFound, storage.ENOTFOUND)
}
