package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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
