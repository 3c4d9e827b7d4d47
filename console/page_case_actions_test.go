package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// lastEvent returns the newest timeline entry of a case.
func (e *pageEnv) lastEvent(c *storage.Case) *storage.Event {
	e.t.Helper()
	events, err := e.db.ListEvents(context.Background(), c.ID)
	if err != nil || len(events) == 0 {
		e.t.Fatalf("events of %s: %v", c.Number, err)
	}
	return events[len(events)-1]
}

// notices returns a case's outbox rows.
func (e *pageEnv) notices(c *storage.Case) []*storage.Notification {
	e.t.Helper()
	list, err := e.db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// wantStatus checks a case's status in the store.
func (e *pageEnv) wantStatus(c *storage.Case, want storage.Status) {
	e.t.Helper()
	if got := e.reload(c).Status; got != want {
		e.t.Fatalf("%s is %s, want %s", c.Number, got, want)
	}
}

func TestAcceptNeedsCSRF(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	u := e.as(e.mediator)
	u.postRaw(pageCasePath(c, "/accept"), nil).want(http.StatusForbidden)
	u.postRaw(pageCasePath(c, "/accept"), pageForm("csrf", "wrong")).want(http.StatusForbidden)
	e.wantStatus(c, storage.StatusSubmitted)
	e.anonymous().postRaw(pageCasePath(c, "/accept"), nil).redirected("/console/login")
	e.wantStatus(c, storage.StatusSubmitted)

	r := u.post(pageCasePath(c, "/accept"), nil).redirected(pageCasePath(c, "?flash="))
	e.wantStatus(c, storage.StatusAccepted)
	u.get(r.header.Get("Location")).want(http.StatusOK).contains(`class="flash"`, "已受理")
	if ev := e.lastEvent(c); ev.Kind != storage.EventStatusChange || ev.Actor != e.mediator.Actor() {
		t.Fatalf("event %+v", ev)
	}
	if n := e.notices(c); len(n) != 1 || n[0].Kind != storage.NoticeStatusChange {
		t.Fatalf("notices %+v", n)
	}
	// Accepting again is not a move the table allows.
	u.post(pageCasePath(c, "/accept"), nil).want(http.StatusConflict).contains("不能改为")
}

func TestRejectNeedsAReasonFromTheList(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	u := e.as(e.mediator)
	u.post(pageCasePath(c, "/reject"), pageForm("reason", "我不想受理")).want(http.StatusBadRequest)
	u.post(pageCasePath(c, "/reject"), nil).want(http.StatusBadRequest)
	e.wantStatus(c, storage.StatusSubmitted)

	reason := storage.RejectReasons[3]
	u.post(pageCasePath(c, "/reject"), pageForm("reason", reason, "detail", "购买于2022年")).redirected(pageCasePath(c, ""))
	e.wantStatus(c, storage.StatusRejected)
	if body := e.lastEvent(c).Body; !strings.Contains(body, reason) || !strings.Contains(body, "购买于2022年") {
		t.Fatalf("timeline %q", body)
	}
	if n := e.notices(c); len(n) != 1 || !strings.Contains(n[0].Text, reason) {
		t.Fatalf("notice %+v", n)
	}
}

func TestStatusMovesFollowTheTable(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	u := e.as(e.mediator)
	u.post(pageCasePath(c, "/status"), pageForm("to", "resolved")).want(http.StatusConflict).contains("待受理", "调解成功")
	u.post(pageCasePath(c, "/status"), pageForm("to", "nonsense")).want(http.StatusBadRequest)
	e.wantStatus(c, storage.StatusSubmitted)

	u.post(pageCasePath(c, "/accept"), nil).redirected(pageCasePath(c, ""))
	u.post(pageCasePath(c, "/status"), pageForm("to", "referred")).want(http.StatusBadRequest)
	target := storage.ReferralTargets[2]
	u.post(pageCasePath(c, "/status"), pageForm("to", "referred", "target", target)).redirected(pageCasePath(c, ""))
	e.wantStatus(c, storage.StatusReferred)
	if body := e.lastEvent(c).Body; !strings.Contains(body, target) {
		t.Fatalf("referral %q", body)
	}
	u.post(pageCasePath(c, "/status"), pageForm("to", "mediating")).redirected(pageCasePath(c, ""))
	// 终止调解 is an outcome: the closing form (结案), not a plain move.
	reason := storage.TerminationReasons[3]
	u.post(pageCasePath(c, "/status"), pageForm("to", "terminated", "reason", reason)).want(http.StatusConflict).contains("请通过“结案”")
	u.post(pageCasePath(c, "/status"), pageForm("to", "awaiting_material")).want(http.StatusConflict).contains("请通过“要求补正”")
	e.wantStatus(c, storage.StatusMediating)
	u.post(pageCasePath(c, "/close"), pageForm("outcome", "terminated")).want(http.StatusBadRequest).contains("请选择终止理由")
	u.post(pageCasePath(c, "/close"), pageForm("outcome", "terminated", "reason", reason)).redirected(pageCasePath(c, ""))
	e.wantStatus(c, storage.StatusTerminated)
	if body := e.lastEvent(c).Body; !strings.Contains(body, reason) {
		t.Fatalf("termination %q", body)
	}
}

func TestReopenIsForSupervisors(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	e.move(c, storage.StatusResolved, "")
	e.as(e.mediator).post(pageCasePath(c, "/reopen"), nil).want(http.StatusForbidden)
	e.wantStatus(c, storage.StatusResolved)

	e.as(e.supervisor).post(pageCasePath(c, "/reopen"), pageForm("detail", "商家未履行协议")).redirected(pageCasePath(c, ""))
	e.wantStatus(c, storage.StatusMediating)
	e.as(e.supervisor).post(pageCasePath(c, "/reopen"), nil).want(http.StatusConflict)
}

func TestReplyAndNote(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	u := e.as(e.mediator)
	u.post(pageCasePath(c, "/reply"), pageForm("text", "  ")).want(http.StatusBadRequest)
	u.post(pageCasePath(c, "/reply"), pageForm("text", strings.Repeat("长", 601))).want(http.StatusBadRequest)

	u.post(pageCasePath(c, "/reply"), pageForm("text", "请上传购物小票")).redirected(pageCasePath(c, ""))
	ev := e.lastEvent(c)
	if ev.Kind != storage.EventStaffReply || ev.Body != "请上传购物小票" || ev.Actor != e.mediator.Actor() {
		t.Fatalf("reply event %+v", ev)
	}
	n := e.notices(c)
	if len(n) != 1 || n[0].Kind != storage.NoticeStaffReply || n[0].Text != "请上传购物小票" || n[0].OpenID != c.OpenID {
		t.Fatalf("reply notice %+v", n)
	}

	u.post(pageCasePath(c, "/note"), pageForm("text", "消费者情绪激动")).redirected(pageCasePath(c, ""))
	if ev := e.lastEvent(c); ev.Kind != storage.EventNote || ev.Body != "消费者情绪激动" {
		t.Fatalf("note event %+v", ev)
	}
	if len(e.notices(c)) != 1 {
		t.Fatal("a note must not reach the consumer")
	}
}

func TestAssign(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	med := e.as(e.mediator)
	// A mediator may not hand a case to someone else, but may take a free one.
	med.post(pageCasePath(c, "/assign"), pageForm("assignee", pageItoa(e.mediator2.ID))).want(http.StatusForbidden)
	med.post(pageCasePath(c, "/assign"), pageForm("assignee", "me")).redirected(pageCasePath(c, ""))
	if got := e.reload(c).AssigneeID; got != e.mediator.ID {
		t.Fatalf("assignee %d, want %d", got, e.mediator.ID)
	}
	// Once taken, another mediator cannot take it over.
	e.as(e.mediator2).post(pageCasePath(c, "/assign"), pageForm("assignee", "me")).
		want(http.StatusConflict).contains("已由其他人认领")
	if got := e.reload(c).AssigneeID; got != e.mediator.ID {
		t.Fatalf("assignee %d after a refused claim, want %d", got, e.mediator.ID)
	}

	sup := e.as(e.supervisor)
	sup.post(pageCasePath(c, "/assign"), pageForm("assignee", pageItoa(e.mediator2.ID))).redirected(pageCasePath(c, ""))
	if got := e.reload(c).AssigneeID; got != e.mediator2.ID {
		t.Fatalf("assignee %d, want %d", got, e.mediator2.ID)
	}
	if r := sup.post(pageCasePath(c, "/assign"), pageForm("assignee", "99999")); r.status != http.StatusNotFound && r.status != http.StatusBadRequest {
		t.Fatalf("assigning to nobody: status %d", r.status)
	}
	if got := e.reload(c).AssigneeID; got != e.mediator2.ID {
		t.Fatalf("assignee %d after a refused assignment", got)
	}
	sup.post(pageCasePath(c, "/assign"), pageForm("assignee", "none")).redirected(pageCasePath(c, ""))
	if got := e.reload(c).AssigneeID; got != 0 {
		t.Fatalf("assignee %d after unassigning", got)
	}
	sup.get(pageCasePath(c, "")).contains("未分配")
}

// racingStore hands the console a case as read, then runs overtake before the
// console acts on it: another staff member's write landing in between.
type racingStore struct {
	*sqlstore.DB
	overtake func()
}

func (s *racingStore) FindCaseByNumber(ctx context.Context, number string) (*storage.Case, error) {
	c, err := s.DB.FindCaseByNumber(ctx, number)
	if err == nil && s.overtake != nil {
		s.overtake()
		s.overtake = nil
	}
	return c, err
}

// TestClaimRace: a mediator's claim is checked on the stored case, not on the copy
// the page read, so a claim overtaken by a supervisor's assignment (or by another
// claim) is refused, 409, instead of silently taking the case over.
func TestClaimRace(t *testing.T) {
	e := newPageEnv(t)
	race := &racingStore{DB: e.db}
	srv, err := console.New(console.Config{Store: race, Sessions: e.sessions, OrgName: "某市消委会", CasePrefix: "TS", Now: e.db.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	c := e.newCase(nil)
	race.overtake = func() {
		if _, err := e.db.AssignCase(context.Background(), c.ID, &e.mediator2.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
			t.Errorf("overtaking assignment: %v", err)
		}
	}
	e.as(e.mediator).post(pageCasePath(c, "/assign"), pageForm("assignee", "me")).
		want(http.StatusConflict).contains("已由其他人认领或已分配给他人")
	if got := e.reload(c).AssigneeID; got != e.mediator2.ID {
		t.Fatalf("assignee %d, want %d (the supervisor's choice stands)", got, e.mediator2.ID)
	}

	// Two mediators claim the same free case at once: one gets it, one a 409.
	free := e.newCase(nil)
	race.overtake = func() {
		if _, err := e.db.ClaimCase(context.Background(), free.ID, e.mediator2.ID, storage.By{Actor: e.mediator2.Actor()}); err != nil {
			t.Errorf("overtaking claim: %v", err)
		}
	}
	e.as(e.mediator).post(pageCasePath(free, "/assign"), pageForm("assignee", "me")).want(http.StatusConflict)
	if got := e.reload(free).AssigneeID; got != e.mediator2.ID {
		t.Fatalf("assignee %d, want the first claimant %d", got, e.mediator2.ID)
	}
}

func TestCloseCase(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	u := e.as(e.mediator)
	e.anonymous().postRaw(pageCasePath(c, "/close"), nil).redirected("/console/login")
	// Another status refuses an outcome: a new complaint cannot be 调解成功.
	u.post(pageCasePath(c, "/close"), pageForm("outcome", "agreement", "recovered", "5000")).
		want(http.StatusConflict).contains("不能以“达成调解协议”结案")
	// Before mediation the closing form offers only the withdrawal.
	u.get(pageCasePath(c, "")).contains(`<option value="withdrawn">撤回投诉</option>`).
		lacks(`<option value="agreement">`, `<option value="terminated">`, "close-recovered", "终止理由（")
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	u.get(pageCasePath(c, "")).contains(`<h3 id="act-close">结案</h3>`, `<option value="agreement">达成调解协议</option>`)

	for _, bad := range []string{"-1", "12.345", "abc", "1e3", ""} {
		u.post(pageCasePath(c, "/close"), pageForm("outcome", "agreement", "recovered", bad)).want(http.StatusBadRequest)
	}
	u.post(pageCasePath(c, "/close"), pageForm("outcome", "bogus")).want(http.StatusBadRequest)
	u.post(pageCasePath(c, "/close"), pageForm("outcome", "terminated")).want(http.StatusBadRequest)
	e.wantStatus(c, storage.StatusMediating)

	u.post(pageCasePath(c, "/close"), pageForm("outcome", "agreement", "recovered", "3999.5", "double", "1")).
		redirected(pageCasePath(c, ""))
	got := e.reload(c)
	if got.Status != storage.StatusResolved || got.Outcome != storage.OutcomeAgreement || got.RecoveredFen != 399950 || !got.DoubleCompensation {
		t.Fatalf("closed %s %q %d %v", got.Status, got.Outcome, got.RecoveredFen, got.DoubleCompensation)
	}
	u.get(pageCasePath(c, "")).contains("达成调解协议", "3999.50 元（加倍赔偿）", "办结（已告知双方）").
		lacks(`<h3 id="act-close">结案</h3>`)

	// The outcome of a resolved case cannot be contradicted.
	reason := storage.TerminationReasons[4]
	u.post(pageCasePath(c, "/close"), pageForm("outcome", "terminated", "reason", reason)).want(http.StatusConflict)
	if got := e.reload(c); got.Outcome != storage.OutcomeAgreement || got.RecoveredFen != 399950 {
		t.Fatalf("outcome %+v", got)
	}
}

func TestRequestMaterialAndResume(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	u := e.as(e.mediator)
	for _, action := range []string{"/material", "/resume"} {
		e.anonymous().postRaw(pageCasePath(c, action), nil).redirected("/console/login")
	}
	u.get(pageCasePath(c, "")).contains(`<h3 id="act-talk">与消费者沟通</h3>`, "/material").
		lacks(storage.MaterialReasonMissing) // not a ground before a request
	u.post(pageCasePath(c, "/material"), pageForm("material", "  ")).want(http.StatusBadRequest)
	u.post(pageCasePath(c, "/material"), pageForm("material", "购物发票或订单截图")).redirected(pageCasePath(c, ""))
	e.wantStatus(c, storage.StatusAwaitingMaterial)
	notices, err := e.db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID})
	if err != nil || len(notices) != 1 || notices[0].Text != "购物发票或订单截图" || notices[0].StatusLabel != "待补正" {
		t.Fatalf("notices %+v, %v", notices, err)
	}
	r := u.get(pageCasePath(c, ""))
	r.contains(`<h3 id="act-material">补正</h3>`, "购物发票或订单截图", "恢复办理（回到“待受理”）",
		"2026-03-09 09:00 起可以“不予受理（"+storage.MaterialReasonMissing+"）”").
		lacks(`<button type="submit" class="danger">不予受理（`, `<h3 id="act-accept">`)
	// The store refuses the rejection before the wait, whatever the page shows.
	u.post(pageCasePath(c, "/reject"), pageForm("reason", storage.MaterialReasonMissing)).
		want(http.StatusConflict).contains("补正期限尚未届满")

	u.post(pageCasePath(c, "/resume"), nil).redirected(pageCasePath(c, ""))
	e.wantStatus(c, storage.StatusSubmitted)
	u.post(pageCasePath(c, "/resume"), nil).want(http.StatusConflict)
}

func TestRejectForMissingMaterialAfterTheWait(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	u := e.as(e.mediator)
	u.post(pageCasePath(c, "/material"), pageForm("material", "检测报告")).redirected(pageCasePath(c, ""))
	e.advance(7 * 24 * time.Hour)
	u.get(pageCasePath(c, "")).contains(`<button type="submit" class="danger">不予受理（` + storage.MaterialReasonMissing + `）</button>`)
	u.post(pageCasePath(c, "/reject"), pageForm("reason", storage.MaterialReasonMissing)).redirected(pageCasePath(c, ""))
	e.wantStatus(c, storage.StatusRejected)
}

func TestAppraisalFromMediation(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	u := e.as(e.mediator)
	page := u.get(pageCasePath(c, "")).contains(`<h3 id="act-mediate">调解</h3>`, "送检测鉴定")
	// One words box for the consumer per action that carries words (referral,
	// closing), not one under every button.
	if n := strings.Count(page.body, "（可选，将告知消费者）"); n != 2 {
		t.Errorf("%d optional words boxes on a case in mediation, want 2 (转办, 结案)", n)
	}
	u.post(pageCasePath(c, "/status"), pageForm("to", "appraisal")).redirected(pageCasePath(c, ""))
	e.wantStatus(c, storage.StatusAppraisal)
	u.get(pageCasePath(c, "")).contains("检测鉴定完成，继续调解", `<h3 id="act-close">结案</h3>`).lacks("送检测鉴定", `value="referred"`)
	u.post(pageCasePath(c, "/status"), pageForm("to", "mediating")).redirected(pageCasePath(c, ""))
	e.wantStatus(c, storage.StatusMediating)
}
