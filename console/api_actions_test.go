package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
)

// post sends a case action as st.
func (e *apiEnv) post(c *storage.Case, action string, st *storage.Staff, body string) *apiResponse {
	e.t.Helper()
	return e.do("POST", "/api/v1/cases/"+c.Number+"/"+action, e.as(st), body)
}

func TestAPIAcceptAndReject(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	var d apiDetailOut
	e.post(c, "accept", e.mediator, "").ok(t, http.StatusOK, &d)
	if d.Status != "accepted" || d.StatusLabel != "已受理" {
		t.Fatalf("after accept: %s", d.Status)
	}
	ev := d.last(t, "status_change")
	if ev.Actor != e.mediator.Actor() || ev.ActorName != "调解员甲" || ev.Delivery != "pending" {
		t.Fatalf("status event %+v: want the mediator's move with a pending notice", ev)
	}
	e.post(c, "accept", e.mediator, "{}").fails(t, http.StatusConflict, "conflict")

	r := e.newCase(2)
	e.post(r, "reject", e.mediator, `{"reason":"随便什么理由"}`).fails(t, http.StatusBadRequest, "invalid")
	e.post(r, "reject", e.mediator, `{}`).fails(t, http.StatusBadRequest, "invalid")
	body := `{"reason":"` + storage.RejectReasons[5] + `","detail":"双方均为公司"}`
	e.post(r, "reject", e.mediator, body).ok(t, http.StatusOK, &d)
	if d.Status != "rejected" || !strings.Contains(d.last(t, "status_change").Body, "经营者之间的纠纷（双方均为公司）") {
		t.Fatalf("after reject: %s %+v", d.Status, d.Timeline)
	}
}

func TestAPIDeliveryOfAConsumerWhoUnfollowedIsHeld(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	e.post(c, "accept", e.mediator, "").ok(t, http.StatusOK, nil)
	if err := e.db.SetFollowing(context.Background(), c.OpenID, false, e.db.Now()); err != nil {
		t.Fatal(err)
	}
	if ev := e.detail(c).last(t, "status_change"); ev.Delivery != "held" {
		t.Fatalf("status notice to a consumer who unfollowed: delivery %q, want held", ev.Delivery)
	}
}

func TestAPIStatusMoves(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	e.move(c, storage.StatusAccepted, "")
	var d apiDetailOut
	e.post(c, "status", e.mediator, `{"status":"resolved"}`).fails(t, http.StatusConflict, "conflict")
	e.post(c, "status", e.mediator, `{"status":"nowhere"}`).fails(t, http.StatusBadRequest, "invalid")
	e.post(c, "status", e.mediator, `{}`).fails(t, http.StatusBadRequest, "invalid")
	e.post(c, "status", e.mediator, `{"status":"mediating","reason":"x"}`).fails(t, http.StatusBadRequest, "invalid")
	e.post(c, "status", e.mediator, `{"status":"mediating"}`).ok(t, http.StatusOK, &d)
	if d.Status != "mediating" {
		t.Fatalf("status %s, want mediating", d.Status)
	}
	// 终止调解 is an outcome: …/close, not …/status.
	e.post(c, "status", e.mediator, `{"status":"terminated"}`).fails(t, http.StatusConflict, "conflict")
	e.post(c, "status", e.mediator, `{"status":"referred","target":"月球法院"}`).fails(t, http.StatusBadRequest, "invalid")
	arbitration := `{"status":"referred","target":"仲裁委员会","detail":"消费者同意仲裁","contact":"王仲裁员"}`
	e.post(c, "status", e.mediator, arbitration).fails(t, http.StatusConflict, "conflict") // not asked yet
	e.post(c, "arbitration-consent", e.mediator, `{}`).ok(t, http.StatusCreated, nil)
	e.post(c, "status", e.mediator, arbitration).fails(t, http.StatusConflict, "conflict") // not answered yet
	if _, err := e.db.AnswerArbitrationConsent(context.Background(), c.ID, storage.ConsentAgreed); err != nil {
		t.Fatal(err)
	}
	e.post(c, "status", e.mediator, arbitration).ok(t, http.StatusOK, &d)
	if d.Status != "referred" || !strings.HasSuffix(d.last(t, "status_change").Body, "仲裁委员会（消费者同意仲裁）") {
		t.Fatalf("after referral: %s %+v", d.Status, d.last(t, "status_change"))
	}
	body := `{"status":"terminated","reason":"` + storage.TerminationReasons[4] + `"}`
	e.post(c, "status", e.mediator, body).fails(t, http.StatusConflict, "conflict")
	body = `{"outcome":"terminated","reason":"` + storage.TerminationReasons[4] + `"}`
	e.post(c, "close", e.mediator, body).ok(t, http.StatusOK, &d)
	if d.Status != "terminated" || !d.CanReopen {
		t.Fatalf("after termination: %s, can_reopen %v", d.Status, d.CanReopen)
	}
	e.post(c, "status", e.mediator, `{"status":"mediating"}`).fails(t, http.StatusConflict, "conflict")
}

func TestAPIReopen(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	e.post(c, "reopen", e.supervisor, "").fails(t, http.StatusConflict, "conflict")
	for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating, storage.StatusResolved, storage.StatusClosed} {
		e.move(c, to, "")
	}
	e.post(c, "reopen", e.mediator, "").fails(t, http.StatusForbidden, "forbidden")
	var d apiDetailOut
	e.post(c, "reopen", e.supervisor, `{"reason":"消费者反映商家未履行协议"}`).ok(t, http.StatusOK, &d)
	if d.Status != "mediating" {
		t.Fatalf("after reopen: %s", d.Status)
	}
}

func TestAPIReplyQueuesANoticeLinkedToTheEvent(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	var ev apiEventOut
	e.post(c, "reply", e.mediator, `{"text":"  您好，我们已联系商家，请耐心等待。 "}`).ok(t, http.StatusCreated, &ev)
	if ev.Kind != "staff_reply" || ev.Body != "您好，我们已联系商家，请耐心等待。" || ev.Delivery != "pending" || ev.ID == 0 {
		t.Fatalf("reply event %+v", ev)
	}
	notes, err := e.db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 {
		t.Fatalf("%d notifications, want 1", len(notes))
	}
	n := notes[0]
	if n.Kind != storage.NoticeStaffReply || n.EventID != ev.ID || n.State != storage.NotificationPending ||
		n.Text != ev.Body || n.OpenID != c.OpenID {
		t.Fatalf("notification %+v, want a pending staff reply for event %d", n, ev.ID)
	}
	if got := e.detail(c).last(t, "staff_reply"); got.ID != ev.ID || got.Delivery != "pending" {
		t.Fatalf("detail shows %+v", got)
	}
	e.post(c, "reply", e.mediator, `{"text":"   "}`).fails(t, http.StatusBadRequest, "invalid")
	e.post(c, "reply", e.mediator, `{"text":"`+strings.Repeat("长", 601)+`"}`).fails(t, http.StatusBadRequest, "invalid")
}

func TestAPIDeliveryStates(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	e.post(c, "accept", e.mediator, "").ok(t, http.StatusOK, nil)
	e.post(c, "reply", e.mediator, `{"text":"请补充发票照片"}`).ok(t, http.StatusCreated, nil)
	ctx := context.Background()
	claim := func() *storage.Notification {
		t.Helper()
		got, err := e.db.ClaimNotifications(ctx, 10, time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim: %v %v", got, err)
		}
		return got[0]
	}
	accepted := claim()
	if err := e.db.MarkNotificationSent(ctx, accepted.ID, accepted.LeaseToken, storage.ViaCustom); err != nil {
		t.Fatal(err)
	}
	reply := claim()
	if err := e.db.RetryNotification(ctx, reply.ID, reply.LeaseToken, "errcode=45015", e.clock); err != nil {
		t.Fatal(err)
	}
	d := e.detail(c)
	if s, r := d.last(t, "status_change").Delivery, d.last(t, "staff_reply").Delivery; s != "sent" || r != "retrying" {
		t.Fatalf("deliveries: status %q reply %q, want sent and retrying", s, r)
	}
	reply = claim()
	if err := e.db.KillNotification(ctx, reply.ID, reply.LeaseToken, "errcode=45015"); err != nil {
		t.Fatal(err)
	}
	if r := e.detail(c).last(t, "staff_reply").Delivery; r != "dead" {
		t.Fatalf("reply delivery %q, want dead", r)
	}
}

func TestAPINote(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	var ev apiEventOut
	e.post(c, "note", e.mediator, `{"text":"商家电话无人接听"}`).ok(t, http.StatusCreated, &ev)
	if ev.Kind != "note" || ev.Delivery != "" {
		t.Fatalf("note %+v", ev)
	}
	notes, err := e.db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID})
	if err != nil || len(notes) != 0 {
		t.Fatalf("a note queued %d notifications (%v)", len(notes), err)
	}
	e.post(c, "note", e.mediator, `{}`).fails(t, http.StatusBadRequest, "invalid")
}

func TestAPIAssign(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	self := `{"assignee_id":` + apiItoa(e.mediator.ID) + `}`
	other := `{"assignee_id":` + apiItoa(e.mediator2.ID) + `}`
	e.post(c, "assign", e.mediator, other).fails(t, http.StatusForbidden, "forbidden")
	e.post(c, "assign", e.mediator, `{"assignee_id":null}`).fails(t, http.StatusForbidden, "forbidden")
	var d apiDetailOut
	e.post(c, "assign", e.mediator, self).ok(t, http.StatusOK, &d)
	if d.Assignee == nil || d.Assignee.ID != e.mediator.ID || d.Assignee.Name != "调解员甲" {
		t.Fatalf("assignee %+v, want the mediator who took the case", d.Assignee)
	}
	// Claiming it again is no change; another mediator's claim is a conflict.
	e.post(c, "assign", e.mediator, self).ok(t, http.StatusOK, &d)
	e.post(c, "assign", e.mediator2, `{"assignee_id":`+apiItoa(e.mediator2.ID)+`}`).
		fails(t, http.StatusConflict, "conflict")
	e.post(c, "assign", e.supervisor, other).ok(t, http.StatusOK, &d)
	if d.Assignee == nil || d.Assignee.ID != e.mediator2.ID {
		t.Fatalf("assignee %+v, want 调解员乙", d.Assignee)
	}
	e.post(c, "assign", e.supervisor, `{"assignee_id":null}`).ok(t, http.StatusOK, &d)
	if d.Assignee != nil {
		t.Fatalf("assignee %+v after unassigning", d.Assignee)
	}
	e.post(c, "assign", e.supervisor, `{}`).fails(t, http.StatusBadRequest, "invalid")
	e.post(c, "assign", e.supervisor, `{"assignee_id":"x"}`).fails(t, http.StatusBadRequest, "invalid")
	e.post(c, "assign", e.supervisor, `{"assignee_id":999999}`).fails(t, http.StatusBadRequest, "invalid")
}

// TestAPIClaimRace: a mediator's claim overtaken by a supervisor's assignment after
// the API read the case is refused, 409, and the assignment stands.
func TestAPIClaimRace(t *testing.T) {
	e := newAPIEnv(t)
	race := &racingStore{DB: e.db}
	srv, err := console.New(console.Config{Store: race, Sessions: e.sessions, OrgName: "某市消费者委员会", CasePrefix: "TS"})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	c := e.newCase(1)
	race.overtake = func() {
		if _, err := e.db.AssignCase(context.Background(), c.ID, &e.mediator2.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
			t.Errorf("overtaking assignment: %v", err)
		}
	}
	e.post(c, "assign", e.mediator, `{"assignee_id":`+apiItoa(e.mediator.ID)+`}`).fails(t, http.StatusConflict, "conflict")
	var d apiDetailOut
	e.do("GET", "/api/v1/cases/"+c.Number, e.as(e.mediator), "").ok(t, http.StatusOK, &d)
	if d.Assignee == nil || d.Assignee.ID != e.mediator2.ID {
		t.Fatalf("assignee %+v, want 调解员乙 (the supervisor's choice stands)", d.Assignee)
	}
}

func TestAPIClose(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	var d apiDetailOut
	// Not before mediation: the status could not take the outcome.
	e.post(c, "close", e.mediator, `{"outcome":"agreement","recovered_yuan":"5000"}`).fails(t, http.StatusConflict, "conflict")
	for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating} {
		e.move(c, to, "")
	}
	if d = e.detail(c); len(d.CloseOutcomes) != 4 {
		t.Fatalf("close outcomes %+v, want all four while mediating", d.CloseOutcomes)
	}
	for _, bad := range []string{
		`{"outcome":"agreement","recovered_yuan":"1.234"}`,
		`{"outcome":"agreement","recovered_yuan":"-1"}`,
		`{"outcome":"agreement","recovered_yuan":-1}`,
		`{"outcome":"agreement","recovered_yuan":"1e3"}`,
		`{"outcome":"agreement","recovered_fen":-5}`,
		`{"outcome":"agreement","recovered_yuan":"1","recovered_fen":100}`,
		`{"outcome":"agreement"}`,
		`{"outcome":"terminated"}`,
		`{"outcome":"terminated","reason":"随便"}`,
		`{"outcome":"withdrawn","recovered_fen":100}`,
		`{"outcome":"victory"}`,
		`{}`,
	} {
		e.post(c, "close", e.mediator, bad).fails(t, http.StatusBadRequest, "invalid")
	}
	body := `{"outcome":"agreement","recovered_yuan":"3999.5","double_compensation":true,"note":"商家退一赔三"}`
	e.post(c, "close", e.mediator, body).ok(t, http.StatusOK, &d)
	if d.Status != "resolved" || d.Outcome != "agreement" || d.RecoveredFen != 399950 || d.RecoveredYuan != "3999.50" || !d.DoubleComp {
		t.Fatalf("closed %s %+v", d.Status, d.apiCaseOut)
	}
	// Once closed, another outcome cannot contradict it, by either name.
	e.post(c, "outcome", e.mediator, `{"outcome":"terminated","reason":"`+storage.TerminationReasons[4]+`"}`).fails(t, http.StatusConflict, "conflict")
	e.post(c, "close", e.mediator, `{"outcome":"settled","recovered_fen":5}`).fails(t, http.StatusConflict, "conflict")

	// …/outcome is the former name of …/close.
	s := e.newCase(2)
	for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating} {
		e.move(s, to, "")
	}
	e.post(s, "outcome", e.mediator, `{"outcome":"settled","recovered_yuan":12.3}`).ok(t, http.StatusOK, &d)
	if d.Status != "resolved" || d.RecoveredFen != 1230 {
		t.Fatalf("12.3 yuan stored as %d fen, status %s", d.RecoveredFen, d.Status)
	}
}

func TestAPIRequestMaterialAndResume(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	var d apiDetailOut
	if !e.detail(c).CanRequestMaterial {
		t.Fatal("a submitted case does not offer a request for material")
	}
	e.post(c, "material", e.mediator, `{}`).fails(t, http.StatusBadRequest, "invalid")
	e.post(c, "material", e.mediator, `{"material":"`+strings.Repeat("票", storage.MaterialMaxRunes+1)+`"}`).fails(t, http.StatusBadRequest, "invalid")
	e.post(c, "material", e.mediator, `{"material":"购物发票"}`).ok(t, http.StatusOK, &d)
	if d.Status != "awaiting_material" || d.StatusLabel != "待补正" || d.CanRequestMaterial {
		t.Fatalf("after the request: %+v", d.apiCaseOut)
	}
	// Not rejected for missing material before the wait is over.
	e.post(c, "reject", e.mediator, `{"reason":"`+storage.MaterialReasonMissing+`"}`).fails(t, http.StatusConflict, "conflict")
	e.post(c, "status", e.mediator, `{"status":"accepted"}`).fails(t, http.StatusConflict, "conflict")
	e.post(c, "resume", e.mediator, `{"note":"已收到发票"}`).ok(t, http.StatusOK, &d)
	if d.Status != "submitted" || !strings.HasSuffix(d.last(t, "status_change").Body, "恢复办理（已收到发票）") {
		t.Fatalf("after resuming: %s %+v", d.Status, d.last(t, "status_change"))
	}
	e.post(c, "resume", e.mediator, `{}`).fails(t, http.StatusConflict, "conflict")
}

func TestAPIMarkRead(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	_, err := e.db.AddEvent(context.Background(), storage.NewEvent{CaseID: c.ID, Kind: storage.EventConsumerMessage,
		Actor: storage.ActorConsumer, Body: "有进展吗？"})
	if err != nil {
		t.Fatal(err)
	}
	if !e.detail(c).Unread {
		t.Fatal("the consumer's message did not mark the case unread")
	}
	var d apiDetailOut
	e.post(c, "read", e.mediator, "").ok(t, http.StatusOK, &d)
	if d.Unread || e.detail(c).Unread {
		t.Fatal("the case is still unread")
	}
}

func TestAPIRevealPhoneIsAudited(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	var got struct{ Number, Phone string }
	e.post(c, "reveal-phone", e.mediator, "").ok(t, http.StatusOK, &got)
	if got.Phone != c.Phone || got.Number != c.Number {
		t.Fatalf("revealed %+v, want %s", got, c.Phone)
	}
	action := storage.AuditRevealPhone
	entries, total, err := e.db.FindAudit(context.Background(), storage.AuditFilter{CaseID: &c.ID, Action: &action})
	if err != nil || total != 1 {
		t.Fatalf("%d reveal_phone entries (%v), want 1", total, err)
	}
	if a := entries[0]; a.StaffID != e.mediator.ID || strings.Contains(a.Detail, c.Phone) || a.IP == "" {
		t.Fatalf("audit entry %+v", a)
	}
	e.do("POST", "/api/v1/cases/"+c.Number+"/reveal-phone", apiAnonymous, "").fails(t, http.StatusUnauthorized, "unauthorized")
	e.do("GET", "/api/v1/cases/"+c.Number+"/reveal-phone", e.as(e.mediator), "").fails(t, http.StatusNotFound, "not_found")
}

func TestAPIConsumerWithdrawalHasNoDelivery(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	e.post(c, "accept", e.mediator, "").ok(t, http.StatusOK, nil)
	_, err := e.db.ChangeStatus(context.Background(), storage.StatusChange{
		CaseID: c.ID, To: storage.StatusWithdrawn, Actor: storage.ActorConsumer, Reason: "已与商家和解"})
	if err != nil {
		t.Fatal(err)
	}
	d := e.detail(c)
	if w := d.last(t, "status_change"); w.Delivery != "" || w.ActorName != "消费者" {
		t.Fatalf("withdrawal %+v: the consumer was answered in the chat, no notice", w)
	}
	if a := d.Timeline[1]; a.Kind != "status_change" || a.Delivery != "pending" {
		t.Fatalf("acceptance %+v, want its pending notice", a)
	}
}

// A reply that went out as a template message is "notified", not "sent": the
// template carried the case number and status, not the reply.
func TestAPITemplateDeliveredReplyIsNotified(t *testing.T) {
	e := newAPIEnv(t)
	ctx := context.Background()
	c, d := e.newCase(1), e.newCase(2)
	for _, k := range []*storage.Case{c, d} {
		e.post(k, "accept", e.mediator, "").ok(t, http.StatusOK, nil)
		e.post(k, "reply", e.mediator, `{"text":"请补充发票照片"}`).ok(t, http.StatusCreated, nil)
	}
	for _, via := range []string{storage.ViaTemplate, storage.ViaCustom} { // status notices, then replies
		got, err := e.db.ClaimNotifications(ctx, 10, time.Minute)
		if err != nil || len(got) != 2 {
			t.Fatalf("claim: %v %v", got, err)
		}
		for _, n := range got {
			v := via
			if n.Kind == storage.NoticeStaffReply && n.CaseID == c.ID {
				v = storage.ViaTemplate // c's consumer is outside the 48-hour window
			}
			if err := e.db.MarkNotificationSent(ctx, n.ID, n.LeaseToken, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	dc, dd := e.detail(c), e.detail(d)
	if s, r := dc.last(t, "status_change").Delivery, dc.last(t, "staff_reply").Delivery; s != "sent" || r != "notified" {
		t.Fatalf("template deliveries: status %q reply %q, want sent and notified", s, r)
	}
	if r := dd.last(t, "staff_reply").Delivery; r != "sent" {
		t.Fatalf("customer-service reply: %q, want sent", r)
	}
}
