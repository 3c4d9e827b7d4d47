package dialog

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// fileWithAgreement files a case, settles it with an issued agreement whose money
// is due on due, as the desk would.
func fileWithAgreement(t *testing.T, db *sqlstore.DB, openID, merchant, due string) *storage.Case {
	t.Helper()
	ctx := context.Background()
	staff, err := db.CreateStaff(ctx, storage.NewStaff{Username: "med-" + openID[1:], Name: "李调解",
		Role: storage.RoleMediator, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	by := storage.By{Actor: staff.Actor()}
	c := fileCase(t, db, openID, merchant)
	for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating} {
		if _, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: to, Actor: by.Actor}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SaveAgreement(ctx, storage.AgreementDraft{CaseID: c.ID, Terms: "商家退款 120 元。",
		AmountFen: 12_000, PaymentDue: due, MerchantName: merchant, CreditCode: "91310000MA1FL1234Q",
		Mediator: "李调解", By: by}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeAgreement,
		RecoveredFen: 12_000, Actor: by.Actor}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IssueAgreement(ctx, c.ID, by); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEnginePaymentAnswersOnRealStores asks two consumers whether the agreed money
// arrived: 已到账 closes the one case, 未到账 reopens the other to its mediator,
// unread; a second answer is told it was recorded already.
func TestEnginePaymentAnswersOnRealStores(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Payments: db, Catalogue: mustCatalogue(t, Settings{Hotline: "12315"}),
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now}
			ctx := context.Background()
			paid := fileWithAgreement(t, db, "oPaid", "甲商店", "2026-11-20")
			unpaid := fileWithAgreement(t, db, "oUnpaid", "乙商城", "2026-11-20")

			// Before the question the words are a message (the case is finished).
			early := say(t, e, "oPaid", "p0", text("已到账"))
			if n, err := db.AskDuePayments(ctx, clock.Now(), 10); err != nil || n != 2 {
				t.Fatalf("asked %d, %v", n, err)
			}
			if c, _ := db.FindCaseByNumber(ctx, paid.Number); c.Status != storage.StatusResolved {
				t.Fatalf("the early words moved the case: %s (reply %q)", c.Status, early)
			}

			wantIn(t, "received", say(t, e, "oPaid", "p1", text("已到账")), "投诉已办结", paid.Number)
			if c, _ := db.FindCaseByNumber(ctx, paid.Number); c.Status != storage.StatusClosed {
				t.Errorf("已到账 left the case %s", c.Status)
			}
			wantIn(t, "not received", say(t, e, "oUnpaid", "u1", text("未到账")), "退回调解员", unpaid.Number)
			c, _ := db.FindCaseByNumber(ctx, unpaid.Number)
			if c.Status != storage.StatusMediating || !c.Unread {
				t.Errorf("未到账 left the case %s, unread %v", c.Status, c.Unread)
			}
			a, err := db.FindAgreement(ctx, unpaid.ID)
			if err != nil || a.PaymentAnswer != storage.PaymentNotReceived {
				t.Errorf("answer not recorded: %+v, %v", a, err)
			}
		})
	}
}

// TestEngineLatePaymentAnswerReachesTheMediator lets the payment question lapse
// unanswered: the consumer's late 已到账 no longer closes the case but lands on
// its timeline for the mediator, unread, and so does anything else they write
// while nobody has moved the case.
func TestEngineLatePaymentAnswerReachesTheMediator(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Payments: db, Catalogue: mustCatalogue(t, Settings{Hotline: "12315"}),
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now}
			ctx := context.Background()
			c := fileWithAgreement(t, db, "oLate", "甲商店", "2026-11-20")
			for range 2 {
				if n, err := db.AskDuePayments(ctx, clock.Now(), 10); err != nil || n != 1 {
					t.Fatalf("asked %d, %v", n, err)
				}
				clock.Advance(storage.PaymentReaskAfter)
			}
			clock.Advance(7*24*time.Hour - storage.PaymentReaskAfter)
			if n, err := db.LapseUnansweredPayments(ctx, clock.Now(), 7*24*time.Hour, 10); err != nil || n != 1 {
				t.Fatalf("lapsed %d, %v", n, err)
			}
			if err := db.MarkCaseRead(ctx, c.ID); err != nil {
				t.Fatal(err)
			}

			wantIn(t, "late answer", say(t, e, "oLate", "l1", text("已到账")), "已超过答复期限", c.Number)
			got, _ := db.FindCaseByNumber(ctx, c.Number)
			if got.Status != storage.StatusResolved || !got.Unread {
				t.Fatalf("after the late 已到账: %s, unread %v; want 调解成功, unread", got.Status, got.Unread)
			}
			wantIn(t, "a later message", say(t, e, "oLate", "l2", text("商家说下周再付")), "已转给调解员", c.Number)
			evs, err := db.ListEvents(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var said []string
			for _, ev := range evs {
				if ev.Kind == storage.EventConsumerMessage {
					said = append(said, ev.Body)
				}
			}
			if len(said) < 2 || said[len(said)-2] != "已到账" || said[len(said)-1] != "商家说下周再付" {
				t.Fatalf("the consumer's messages on the timeline: %q", said)
			}
		})
	}
}
