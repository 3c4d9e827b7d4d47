package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// TestEndToEndAgreementAndPaymentQuestion files a complaint through the chat,
// settles it with an issued agreement whose money was due yesterday, lets the
// payment worker look once, and answers 未到账 in the chat: the consumer got the
// terms and the question through the outbox, and the case is back in mediation,
// unread.
func TestEndToEndAgreementAndPaymentQuestion(t *testing.T) {
	m := runMain(t)
	ctx := context.Background()
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("pay")}
	c := fileCase(t, m, p)
	staff, err := m.DB.CreateStaff(ctx, storage.NewStaff{Username: fmt.Sprintf("pay%d", time.Now().UnixNano()),
		Name: "李调解", Role: storage.RoleMediator, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	by := storage.By{Actor: staff.Actor()}
	move(t, m, c, storage.StatusAccepted, storage.StatusMediating)
	due := m.now().AddDate(0, 0, -1).In(chinaTime).Format("2006-01-02")
	if _, err := m.DB.SaveAgreement(ctx, storage.AgreementDraft{CaseID: c.ID, Terms: "商家三日内退款 129.50 元。",
		AmountFen: 12_950, PaymentDue: due, MerchantName: "好又多超市", CreditCode: "91310000MA1FL1234Q",
		Mediator: "李调解", By: by}); err != nil {
		t.Fatal(err)
	}
	move(t, m, c, storage.StatusResolved)
	if _, err := m.DB.IssueAgreement(ctx, c.ID, by); err != nil {
		t.Fatal(err)
	}
	// Three status notices (已受理, 调解中, 调解成功) precede the agreement.
	waitPushed(t, m, p.openID, 4, "协议内容：\n商家三日内退款 129.50 元。")

	asker := &paymentAsker{store: m.DB, now: m.now, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if n := asker.askDue(ctx); n != 1 {
		t.Fatalf("the worker asked %d consumers, want 1", n)
	}
	waitPushed(t, m, p.openID, 5, "¥129.50（壹佰贰拾玖元伍角整）")
	p.expect("未到账", "投诉已退回调解员继续处理")
	got, err := m.DB.FindCaseByNumber(ctx, c.Number)
	if err != nil || got.Status != storage.StatusMediating || !got.Unread {
		t.Fatalf("after 未到账: %+v, %v", got, err)
	}
	p.expect("未到账", "已转给调解员") // no question waits any more: an ordinary message
}

// TestEndToEndLatePaymentAnswerReachesTheMediator: the payment worker asks
// twice and, the consumer silent, lapses the question; the consumer's late
// 已到账 through the chat then leaves the case 调解成功 and lands on its
// timeline for the mediator, unread.
func TestEndToEndLatePaymentAnswerReachesTheMediator(t *testing.T) {
	m := runMain(t)
	ctx := context.Background()
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("late")}
	c := fileCase(t, m, p)
	staff, err := m.DB.CreateStaff(ctx, storage.NewStaff{Username: fmt.Sprintf("late%d", time.Now().UnixNano()),
		Name: "李调解", Role: storage.RoleMediator, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	by := storage.By{Actor: staff.Actor()}
	move(t, m, c, storage.StatusAccepted, storage.StatusMediating)
	due := m.now().AddDate(0, 0, -1).In(chinaTime).Format("2006-01-02")
	if _, err := m.DB.SaveAgreement(ctx, storage.AgreementDraft{CaseID: c.ID, Terms: "商家退款 129.50 元。",
		AmountFen: 12_950, PaymentDue: due, MerchantName: "好又多超市", CreditCode: "91310000MA1FL1234Q",
		Mediator: "李调解", By: by}); err != nil {
		t.Fatal(err)
	}
	move(t, m, c, storage.StatusResolved)
	if _, err := m.DB.IssueAgreement(ctx, c.ID, by); err != nil {
		t.Fatal(err)
	}
	wait := paymentAnswerWait(m.Config.Casework)
	later := m.now()
	asker := &paymentAsker{store: m.DB, answerWait: wait, now: func() time.Time { return later },
		logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if n := asker.askDue(ctx); n != 1 {
		t.Fatalf("first ask: %d", n)
	}
	later = later.Add(storage.PaymentReaskAfter)
	if n := asker.askDue(ctx); n != 1 {
		t.Fatalf("second ask: %d", n)
	}
	later = later.Add(wait)
	if n := asker.lapseDue(ctx); n != 1 {
		t.Fatalf("lapsed %d, want 1", n)
	}
	if err := m.DB.MarkCaseRead(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	p.expect("已到账", "已超过答复期限")
	got, err := m.DB.FindCaseByNumber(ctx, c.Number)
	if err != nil || got.Status != storage.StatusResolved || !got.Unread {
		t.Fatalf("after the late 已到账: %+v, %v; want 调解成功, unread", got, err)
	}
	evs, err := m.DB.ListEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, ev := range evs {
		if ev.Kind == storage.EventConsumerMessage {
			said = append(said, ev.Body)
		}
	}
	if !slices.Contains(said, "已到账") {
		t.Fatalf("the late answer is not on the timeline: the consumer's messages are %q", said)
	}
}
