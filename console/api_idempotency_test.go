package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// postIdem sends a case action as st with an Idempotency-Key.
func (e *apiEnv) postIdem(c *storage.Case, action string, st *storage.Staff, key, body string) *apiResponse {
	e.t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/cases/"+c.Number+"/"+action, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.tokens[st.ID])
	req.Header.Set("Idempotency-Key", key)
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return &apiResponse{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func TestAPIReplyWithIdempotencyKeyIsSentOnce(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	const key = "4f9c2a1e-0b7d-4c55-9e61-2d7f0a3b8c10"
	var first, retry apiEventOut
	e.postIdem(c, "reply", e.mediator, key, `{"text":"您好，请补充发票照片。"}`).ok(t, http.StatusCreated, &first)
	e.postIdem(c, "reply", e.mediator, key, `{"text":"您好，请补充发票照片。"}`).ok(t, http.StatusCreated, &retry)
	if retry.ID != first.ID || retry.Body != first.Body {
		t.Fatalf("the retry answered %+v, want the first reply %+v", retry, first)
	}
	notes, err := e.db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID})
	if err != nil || len(notes) != 1 {
		t.Fatalf("%d notifications (%v), want 1", len(notes), err)
	}
	e.postIdem(c, "reply", e.mediator, key, `{"text":"另一条回复"}`).fails(t, http.StatusConflict, "conflict")

	// The key is the caller's own, and a note's is not a reply's.
	var other, note, noteAgain apiEventOut
	e.postIdem(c, "reply", e.mediator2, key, `{"text":"您好，请补充发票照片。"}`).ok(t, http.StatusCreated, &other)
	e.postIdem(c, "note", e.mediator, key, `{"text":"已催促"}`).ok(t, http.StatusCreated, &note)
	e.postIdem(c, "note", e.mediator, key, `{"text":"已催促"}`).ok(t, http.StatusCreated, &noteAgain)
	if other.ID == first.ID || note.ID == first.ID || noteAgain.ID != note.ID || note.Kind != "note" {
		t.Fatalf("first %d, another's %d, note %d then %d", first.ID, other.ID, note.ID, noteAgain.ID)
	}
	replies := 0
	for _, ev := range e.detail(c).Timeline {
		if ev.Kind == "staff_reply" {
			replies++
		}
	}
	if replies != 2 {
		t.Fatalf("%d replies on the timeline, want 2", replies)
	}
	for _, bad := range []string{"has space", strings.Repeat("k", 65), "键"} {
		e.postIdem(c, "reply", e.mediator, bad, `{"text":"你好"}`).fails(t, http.StatusBadRequest, "invalid")
	}
}
