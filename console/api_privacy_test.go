package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestAPILegalHold: supervisors set and clear a case's legal hold, mediators may
// not, a district supervisor cannot reach another unit's case (404), and an
// anonymised case answers 409 and reads 已匿名化.
func TestAPILegalHold(t *testing.T) {
	e := newAPIEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	ctx := context.Background()
	c := e.newCase(1)
	e.move(c, storage.StatusRejected, storage.RejectReasons[0])
	path := "/api/v1/cases/" + c.Number + "/legal-hold"

	e.do("POST", path, e.as(e.mediator), `{"hold":true}`).fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	e.do("POST", path, e.as(e.supervisor), `{}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	var out struct {
		LegalHold  bool `json:"legal_hold"`
		Anonymised bool `json:"anonymised"`
	}
	e.do("POST", path, e.as(e.supervisor), `{"hold":true}`).ok(t, http.StatusOK, &out)
	if !out.LegalHold || out.Anonymised {
		t.Fatalf("after setting the hold: %+v", out)
	}
	district, err := e.db.CreateStaff(ctx, storage.NewStaff{Username: "fc.boss", Name: "樊城主管",
		Role: storage.RoleSupervisor, PasswordHash: "x", UnitID: 2})
	if err != nil {
		t.Fatal(err)
	}
	e.do("POST", path, e.tokenFor(district), `{"hold":false}`).fails(t, http.StatusNotFound, storage.ENOTFOUND)
	e.do("POST", path, e.as(e.supervisor), `{"hold":false}`).ok(t, http.StatusOK, &out)
	if out.LegalHold {
		t.Fatalf("after clearing the hold: %+v", out)
	}

	if _, err := e.db.EraseConsumer(ctx, c.OpenID, nil, storage.By{Actor: storage.ActorSystem}); err != nil {
		t.Fatal(err)
	}
	e.do("POST", path, e.as(e.supervisor), `{"hold":true}`).fails(t, http.StatusConflict, storage.ECONFLICT)
	var got struct {
		Name       string `json:"complainant_name"`
		Phone      string `json:"phone_masked"`
		Anonymised bool   `json:"anonymised"`
	}
	e.do("GET", "/api/v1/cases/"+c.Number, e.as(e.supervisor), "").ok(t, http.StatusOK, &got)
	if got.Name != storage.AnonymisedLabel || got.Phone != storage.AnonymisedLabel || !got.Anonymised {
		t.Fatalf("anonymised case reads %+v", got)
	}
}
