package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// agreementDraft is a complete draft for c by the staff member.
func agreementDraft(c *storage.Case, by storage.By) storage.AgreementDraft {
	return storage.AgreementDraft{
		CaseID: c.ID, Terms: "商家退还货款并赔偿。", AmountFen: 120_000, PaymentDue: "2026-03-20",
		MerchantName: "好又多超市", CreditCode: "91310000ma1fl1234q", Mediator: "李调解", By: by,
	}
}

// resolvedWithAgreement brings a case to 调解成功 with an issued agreement whose
// money is due 2026-03-20.
func resolvedWithAgreement(t *testing.T, db *DB, key string, by storage.By) *storage.Case {
	t.Helper()
	ctx := context.Background()
	c := mediating(t, db, key)
	if _, err := db.SaveAgreement(ctx, agreementDraft(c, by)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeAgreement,
		RecoveredFen: 120_000, Actor: by.Actor}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IssueAgreement(ctx, c.ID, by); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAgreementDraftEditAndIssue(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		li := mustStaff(t, db, "lili", "李调解", storage.RoleMediator)
		by := storage.By{Actor: li.Actor(), IP: "10.0.0.3"}
		c := mediating(t, db, "k")

		bad := agreementDraft(c, by)
		bad.CreditCode = "91310000MA1FL1234O"
		_, err := db.SaveAgreement(ctx, bad)
		wantCode(t, err, storage.EINVALID)
		bad = agreementDraft(c, by)
		bad.PaymentDue = ""
		_, err = db.SaveAgreement(ctx, bad)
		wantCode(t, err, storage.EINVALID) // money without a date

		a, err := db.SaveAgreement(ctx, agreementDraft(c, by))
		if err != nil {
			t.Fatal(err)
		}
		if a.Version != 1 || a.CreditCode != "91310000MA1FL1234Q" || a.Issued() {
			t.Fatalf("new agreement %+v", a)
		}
		edit := agreementDraft(c, by)
		edit.Terms, edit.Version = "商家三日内退款 1200 元。", 1
		if a, err = db.SaveAgreement(ctx, edit); err != nil || a.Version != 2 || a.Terms != edit.Terms {
			t.Fatalf("edit: %+v, %v", a, err)
		}
		_, err = db.SaveAgreement(ctx, edit) // read at version 1: stale
		wantCode(t, err, storage.ECONFLICT)

		_, err = db.IssueAgreement(ctx, c.ID, by)
		wantCode(t, err, storage.ECONFLICT) // still 调解中
		if _, err := db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeAgreement,
			RecoveredFen: 120_000, Actor: by.Actor}); err != nil {
			t.Fatal(err)
		}
		if a, err = db.IssueAgreement(ctx, c.ID, by); err != nil {
			t.Fatal(err)
		}
		wantAsk := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
		if !a.Issued() || !a.NextAskAt.Equal(wantAsk) || a.PaymentAsks != 0 {
			t.Fatalf("issued %+v", a)
		}
		edit.Version = 2
		_, err = db.SaveAgreement(ctx, edit)
		wantCode(t, err, storage.ECONFLICT) // issued: no more edits
		_, err = db.IssueAgreement(ctx, c.ID, by)
		wantCode(t, err, storage.ECONFLICT)

		notices := caseNotices(t, db, c.ID)
		n := notices[len(notices)-1]
		if n.Kind != storage.NoticeAgreement || !strings.Contains(n.Text, "商家三日内退款 1200 元。") ||
			!strings.Contains(n.Text, "¥1,200.00（壹仟贰佰元整），付款日期 2026-03-20") {
			t.Fatalf("agreement notice %+v", n)
		}
		var versions int
		for _, e := range events(t, db, c.ID) {
			if strings.HasPrefix(e.Body, "调解协议书第 ") {
				versions++
			}
		}
		if versions != 2 {
			t.Fatalf("the timeline keeps %d versions, want 2", versions)
		}
		var actions []string
		for _, e := range caseAudit(t, db, c.ID) {
			actions = append(actions, e.Action)
		}
		joined := strings.Join(actions, ",")
		if strings.Count(joined, storage.AuditAgreementSave) != 2 || !strings.Contains(joined, storage.AuditAgreementIssue) {
			t.Fatalf("audit actions %v", actions)
		}
	})
}

func TestAgreementRefusedOutsideMediation(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		li := mustStaff(t, db, "lili", "李调解", storage.RoleMediator)
		c := mustCreate(t, db, newCase("k")) // 待受理
		_, err := db.SaveAgreement(context.Background(), agreementDraft(c, storage.By{Actor: li.Actor()}))
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.FindAgreement(context.Background(), c.ID)
		wantCode(t, err, storage.ENOTFOUND)
	})
}

// paymentQuestions counts the payment questions in the case's outbox.
func paymentQuestions(t *testing.T, db *DB, caseID int64) int {
	t.Helper()
	n := 0
	for _, nn := range caseNotices(t, db, caseID) {
		if nn.Kind == storage.NoticePaymentQuestion {
			n++
		}
	}
	return n
}

func TestPaymentAskedOnTheDayThenOnceMore(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		li := mustStaff(t, db, "lili", "李调解", storage.RoleMediator)
		c := resolvedWithAgreement(t, db, "k", storage.By{Actor: li.Actor()})
		ask := func(at time.Time) int {
			t.Helper()
			n, err := db.AskDuePayments(ctx, at, 10)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := ask(time.Date(2026, 3, 20, 8, 59, 0, 0, cst)); n != 0 {
			t.Fatalf("asked %d before the payment day's morning", n)
		}
		day := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
		if n := ask(day); n != 1 {
			t.Fatalf("asked %d on the payment day, want 1", n)
		}
		if n := ask(day.Add(time.Hour)); n != 0 {
			t.Fatalf("asked again the same day")
		}
		if _, err := db.PendingPayment(ctx, c.OpenID); err != nil {
			t.Fatalf("no pending question after asking: %v", err)
		}
		if n := ask(day.Add(storage.PaymentReaskAfter - time.Minute)); n != 0 {
			t.Fatalf("asked again before three days")
		}
		if n := ask(day.Add(storage.PaymentReaskAfter)); n != 1 {
			t.Fatalf("no second ask after three days")
		}
		if n := ask(day.Add(30 * 24 * time.Hour)); n != 0 {
			t.Fatalf("a third ask")
		}
		if got := paymentQuestions(t, db, c.ID); got != 2 {
			t.Fatalf("%d payment questions in the outbox, want 2", got)
		}
	})
}

func TestPaymentAskedOnceByTwoInstances(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		// Two pools on one database, as two instances would have.
		a, b := testenv.OpenMigrated(t, Open, target), testenv.Open(t, Open, target)
		setClock(a, time.Date(2026, 3, 15, 10, 0, 0, 0, cst))
		li := mustStaff(t, a, "lili", "李调解", storage.RoleMediator)
		c := resolvedWithAgreement(t, a, "k", storage.By{Actor: li.Actor()})
		day := time.Date(2026, 3, 20, 9, 30, 0, 0, cst)
		results := make(chan int, 2)
		for _, db := range []*DB{a, b} {
			go func() {
				n, err := db.AskDuePayments(context.Background(), day, 10)
				if err != nil {
					t.Error(err)
				}
				results <- n
			}()
		}
		if total := <-results + <-results; total != 1 {
			t.Fatalf("two instances asked %d times, want 1", total)
		}
		if got := paymentQuestions(t, a, c.ID); got != 1 {
			t.Fatalf("%d questions in the outbox, want 1", got)
		}
	})
}

func TestPaymentAnswers(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		li := mustStaff(t, db, "lili", "李调解", storage.RoleMediator)
		by := storage.By{Actor: li.Actor()}
		paid := resolvedWithAgreement(t, db, "paid", by)
		unpaid := resolvedWithAgreement(t, db, "unpaid", by)

		_, err := db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: paid.ID, Answer: storage.PaymentReceived})
		wantCode(t, err, storage.ECONFLICT) // not asked yet
		if n, err := db.AskDuePayments(ctx, time.Date(2026, 3, 20, 9, 0, 0, 0, cst), 10); err != nil || n != 2 {
			t.Fatalf("asked %d, %v", n, err)
		}
		got, err := db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: paid.ID, Answer: storage.PaymentReceived})
		if err != nil || got.Status != storage.StatusClosed {
			t.Fatalf("已到账: %+v, %v", got, err)
		}
		_, err = db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: paid.ID, Answer: storage.PaymentNotReceived})
		wantCode(t, err, storage.ECONFLICT) // answered

		got, err = db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: unpaid.ID, Answer: storage.PaymentNotReceived})
		if err != nil || got.Status != storage.StatusMediating || !got.Unread || got.Outcome != "" {
			t.Fatalf("未到账: %+v, %v", got, err)
		}
		if stored := storedCase(t, db, unpaid.ID); !stored.Unread || stored.Status != storage.StatusMediating {
			t.Fatalf("stored %+v", stored)
		}
		a, err := db.FindAgreement(ctx, unpaid.ID)
		if err != nil || a.PaymentAnswer != storage.PaymentNotReceived || !a.NextAskAt.IsZero() {
			t.Fatalf("agreement after 未到账 %+v, %v", a, err)
		}
		found := false
		for _, e := range events(t, db, unpaid.ID) {
			found = found || e.Body == "消费者答复协议款项：未到账"
		}
		if !found {
			t.Fatal("the answer is not on the timeline")
		}
		if n, _ := db.AskDuePayments(ctx, time.Date(2026, 4, 20, 9, 0, 0, 0, cst), 10); n != 0 {
			t.Fatalf("asked %d after the answers", n)
		}
		_, err = db.PendingPayment(ctx, unpaid.OpenID)
		wantCode(t, err, storage.ENOTFOUND)
	})
}
