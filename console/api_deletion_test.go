package console_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// apiDeletionJSON is a deletion request as the API answers it.
type apiDeletionJSON struct {
	ID            int64  `json:"id"`
	Case          string `json:"case"`
	CaseStatus    string `json:"case_status"`
	DueOn         string `json:"due_on"`
	Status        string `json:"status"`
	HandledBy     int64  `json:"handled_by"`
	RefusalReason string `json:"refusal_reason"`
}

// TestAPIDeletionRequests: a consumer's request for an open case is listed
// for the supervisors of its unit with its due day, not for another unit's
// (404 on it, as for a request that does not exist), nor for mediators; a
// supervisor carries it out (the case is withdrawn and anonymised), once; a
// held case's request cannot be carried out and is refused with a reason.
func TestAPIDeletionRequests(t *testing.T) {
	e := newAPIEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	ctx := context.Background()
	open := e.newCase(1)
	held := e.newCase(1)
	if _, err := e.db.SetLegalHold(ctx, held.ID, true, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.RequestErasure(ctx, open.OpenID, nil, storage.By{Actor: storage.ActorConsumer}); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Requests []apiDeletionJSON `json:"requests"`
	}
	e.do("GET", "/api/v1/deletion-requests", e.as(e.mediator), "").fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	e.do("GET", "/api/v1/deletion-requests", e.as(e.supervisor), "").ok(t, http.StatusOK, &list)
	if len(list.Requests) != 2 || list.Requests[0].Status != storage.DeletionPending ||
		list.Requests[0].DueOn != "2026-03-23" {
		t.Fatalf("list = %+v", list.Requests)
	}
	byCase := map[string]apiDeletionJSON{}
	for _, r := range list.Requests {
		byCase[r.Case] = r
	}
	openPath := "/api/v1/deletion-requests/" + strconv.FormatInt(byCase[open.Number].ID, 10)
	heldPath := "/api/v1/deletion-requests/" + strconv.FormatInt(byCase[held.Number].ID, 10)

	district, err := e.db.CreateStaff(ctx, storage.NewStaff{Username: "fc.boss", Name: "樊城主管",
		Role: storage.RoleSupervisor, PasswordHash: "x", UnitID: 2})
	if err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/deletion-requests", e.tokenFor(district), "").ok(t, http.StatusOK, &list)
	if len(list.Requests) != 0 {
		t.Fatalf("another unit's supervisor sees %+v", list.Requests)
	}
	e.do("GET", openPath, e.tokenFor(district), "").fails(t, http.StatusNotFound, storage.ENOTFOUND)
	e.do("POST", openPath+"/carry-out", e.tokenFor(district), "{}").fails(t, http.StatusNotFound, storage.ENOTFOUND)
	e.do("GET", "/api/v1/deletion-requests/99999", e.as(e.supervisor), "").fails(t, http.StatusNotFound, storage.ENOTFOUND)

	var done apiDeletionJSON
	e.do("POST", openPath+"/carry-out", e.as(e.supervisor), "{}").ok(t, http.StatusOK, &done)
	if done.Status != storage.DeletionDone || done.CaseStatus != string(storage.StatusWithdrawn) || done.HandledBy != e.supervisor.ID {
		t.Fatalf("carried out = %+v", done)
	}
	if c, err := e.db.FindCaseByNumber(ctx, open.Number); err != nil || !c.Anonymised || c.Phone != "" {
		t.Fatalf("case after carrying out: %+v, %v", c, err)
	}
	e.do("POST", openPath+"/carry-out", e.as(e.supervisor), "{}").fails(t, http.StatusConflict, storage.ECONFLICT)

	e.do("POST", heldPath+"/carry-out", e.as(e.supervisor), "{}").fails(t, http.StatusConflict, storage.ECONFLICT)
	e.do("POST", heldPath+"/refuse", e.as(e.supervisor), `{"reason":""}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	var refused apiDeletionJSON
	e.do("POST", heldPath+"/refuse", e.as(e.supervisor), `{"reason":"案件涉及诉讼，依法保存"}`).ok(t, http.StatusOK, &refused)
	if refused.Status != storage.DeletionRefused || refused.RefusalReason != "案件涉及诉讼，依法保存" {
		t.Fatalf("refused = %+v", refused)
	}
	if c, err := e.db.FindCaseByNumber(ctx, held.Number); err != nil || c.Anonymised || c.Status != storage.StatusSubmitted {
		t.Fatalf("held case after the refusal: %+v, %v", c, err)
	}
}
