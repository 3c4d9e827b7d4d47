package console_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestDeletionRequestsPage: the supervisor's list shows a pending request with
// its due day, highlights it once overdue, and carries it out from its form
// (audited, the case withdrawn and anonymised); a held case offers only the
// refusal, whose reason reaches the consumer. A mediator gets 403, another
// unit's supervisor neither sees nor reaches the request.
func TestDeletionRequestsPage(t *testing.T) {
	e := newPageEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	ctx := context.Background()
	open := e.newCase(nil)
	held := e.newCase(func(nc *storage.NewCase) { nc.OpenID = open.OpenID })
	e.mustOK(func() error {
		_, err := e.db.SetLegalHold(ctx, held.ID, true, storage.By{Actor: e.supervisor.Actor()})
		return err
	}())
	got, err := e.db.RequestErasure(ctx, open.OpenID, nil, storage.By{Actor: storage.ActorConsumer})
	if err != nil || len(got.Requested) != 2 {
		t.Fatalf("erasure = %+v, %v", got, err)
	}
	ids := map[string]string{}
	for _, r := range got.Requested {
		ids[r.CaseNumber] = strconv.FormatInt(r.ID, 10)
	}
	sup := e.as(e.supervisor)
	e.as(e.mediator).get("/console/deletion-requests").want(http.StatusForbidden)
	sup.get("/console/deletion-requests").want(http.StatusOK).
		contains(open.Number, held.Number, "2026-03-23", "执行删除", "不予删除", "法律保全").lacks("已超期")

	district := e.staffIn("fc.boss", 2)
	e.as(district).get("/console/deletion-requests").want(http.StatusOK).lacks(open.Number)
	e.as(district).post("/console/deletion-requests/"+ids[open.Number]+"/carry-out", nil).want(http.StatusNotFound)

	e.jump(time.Date(2026, 3, 24, 2, 0, 0, 0, time.UTC)) // the day after the due day
	sup.get("/console/deletion-requests").contains("row-overdue", "已超期")

	sup.post("/console/deletion-requests/"+ids[held.Number]+"/carry-out", nil).want(http.StatusConflict)
	sup.post("/console/deletion-requests/"+ids[open.Number]+"/carry-out", nil).redirected("/console/deletion-requests")
	if c := e.reload(open); !c.Anonymised || c.Status != storage.StatusWithdrawn {
		t.Fatalf("case after carrying out: %+v", c)
	}
	sup.post("/console/deletion-requests/"+ids[held.Number]+"/refuse", pageForm("reason", "案件涉及诉讼，依法保存")).
		redirected("/console/deletion-requests")
	sup.get("/console/deletion-requests").contains("已删除（主管丙）", "不予删除（主管丙）：案件涉及诉讼，依法保存")
	notes := e.notices(held)
	if last := notes[len(notes)-1]; last.Kind != storage.NoticeErasure || last.Text != "案件涉及诉讼，依法保存" {
		t.Fatalf("consumer not told of the refusal: %+v", last)
	}
}
