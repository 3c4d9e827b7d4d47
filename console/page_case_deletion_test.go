package console_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// TestCasePageShowsPendingDeletion: a case whose consumer asked to be deleted
// carries a banner with the due day, a link to 删除请求 for supervisors only,
// highlighted once overdue; a case without a request has none; the banner
// goes once the request is carried out.
func TestCasePageShowsPendingDeletion(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	open := e.newCase(nil)
	quiet := e.newCase(nil)
	got, err := e.db.RequestErasure(ctx, open.OpenID, nil, storage.By{Actor: storage.ActorConsumer})
	if err != nil || len(got.Requested) != 1 {
		t.Fatalf("erasure = %+v, %v", got, err)
	}
	const banner = "消费者已申请删除个人信息，应于 2026-03-23 前处理"
	sup := e.as(e.supervisor)
	sup.get("/console/cases/"+open.Number).want(http.StatusOK).
		contains(banner, `href="/console/deletion-requests"`).lacks("deletion-overdue", "已超期")
	e.as(e.mediator).get("/console/cases/" + open.Number).want(http.StatusOK).
		contains(banner).lacks(`href="/console/deletion-requests"`)
	sup.get("/console/cases/" + quiet.Number).want(http.StatusOK).lacks("消费者已申请删除个人信息")

	e.jump(time.Date(2026, 3, 24, 2, 0, 0, 0, time.UTC)) // the day after the due day
	sup.get("/console/cases/"+open.Number).contains(banner, "deletion-overdue", "已超期")

	if _, err := e.db.CarryOutDeletion(ctx, got.Requested[0].ID, nil, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	sup.get("/console/cases/" + open.Number).want(http.StatusOK).lacks("消费者已申请删除个人信息")
}

// TestAPICaseShowsPendingDeletion: the API's case carries the pending
// deletion request (due day, overdue) and null without one, on SQLite and
// (TestAPIOnPostgres) PostgreSQL.
func TestAPICaseShowsPendingDeletion(t *testing.T) {
	e := newAPIEnv(t)
	ctx := context.Background()
	open := e.newCase(1)
	quiet := e.newCase(2)
	if _, err := e.db.RequestErasure(ctx, open.OpenID, nil, storage.By{Actor: storage.ActorConsumer}); err != nil {
		t.Fatal(err)
	}
	var c struct {
		DeletionRequest *struct {
			DueOn   string `json:"due_on"`
			Overdue bool   `json:"overdue"`
			Status  string `json:"status"`
		} `json:"deletion_request"`
	}
	e.do("GET", "/api/v1/cases/"+open.Number, e.as(e.mediator), "").ok(t, http.StatusOK, &c)
	// The store's clock is in March 2026; the console's is the wall clock,
	// long past the due day, so the request reads as overdue.
	if r := c.DeletionRequest; r == nil || r.DueOn != "2026-03-23" || !r.Overdue || r.Status != storage.DeletionPending {
		t.Fatalf("deletion_request = %+v", r)
	}
	c.DeletionRequest = nil
	e.do("GET", "/api/v1/cases/"+quiet.Number, e.as(e.mediator), "").ok(t, http.StatusOK, &c)
	if c.DeletionRequest != nil {
		t.Fatalf("a case without a request: %+v", c.DeletionRequest)
	}
}
