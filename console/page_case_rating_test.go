package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// closeCase moves a case from submission to closed, as staff would.
func (e *pageEnv) closeCase(c *storage.Case) {
	e.t.Helper()
	for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating, storage.StatusResolved, storage.StatusClosed} {
		e.move(c, to, "")
	}
}

// TestCasePageShowsTheConsumersRating: once the consumer rates a closed case in
// the chat, staff see the rating and the comment on the case page and in the
// API's case; before that, the page says it is not rated yet.
func TestCasePageShowsTheConsumersRating(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	e.closeCase(c)
	med := e.as(e.mediator)
	med.get(pageCasePath(c, "")).want(http.StatusOK).contains("消费者评价", "消费者尚未评价")

	ctx := context.Background()
	if err := e.db.RateCase(ctx, storage.Rating{CaseID: c.ID, Rating: storage.RatingMostly}); err != nil {
		t.Fatal(err)
	}
	const comment = "调解员很耐心，<就是>等得久了点"
	if err := e.db.CommentOnRating(ctx, c.ID, comment); err != nil {
		t.Fatal(err)
	}
	med.get(pageCasePath(c, "")).want(http.StatusOK).
		contains("消费者评价", "基本满意", "调解员很耐心，&lt;就是&gt;等得久了点").lacks("消费者尚未评价", "<就是>")

	var detail struct {
		Rating *struct{ Rating, Comment string } `json:"rating"`
	}
	api := med.get("/api/v1/cases/" + c.Number).want(http.StatusOK)
	if err := json.Unmarshal([]byte(api.body), &detail); err != nil {
		t.Fatal(err)
	}
	if detail.Rating == nil || detail.Rating.Rating != storage.RatingMostly || detail.Rating.Comment != comment {
		t.Fatalf("API rating %+v, want %s with the comment", detail.Rating, storage.RatingMostly)
	}
}
