package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// issuedAgreement files a case, mediates it to 调解成功 and issues its agreement
// with money due on due (YYYY-MM-DD), as staff would in the console.
func issuedAgreement(t *testing.T, db *sqlstore.DB, due string) *storage.Case {
	t.Helper()
	ctx := context.Background()
	li, err := db.CreateStaff(ctx, storage.NewStaff{Username: "lili", Name: "李调解", Role: storage.RoleMediator,
		PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	by := storage.By{Actor: li.Actor()}
	c, err := db.CreateCase(ctx, "TS", storage.NewCase{OpenID: "oPAY", IntakeKey: "pay", Category: "食品安全",
		MerchantName: "好又多超市", Description: "买到过期牛奶", Demand: "退款", MerchantAddress: "人民路 1 号",
		PurchaseDate: "2026-03-01", AmountFen: 12_950, ComplainantName: "张三", Phone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating} {
		if _, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: to, Actor: by.Actor}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SaveAgreement(ctx, storage.AgreementDraft{CaseID: c.ID, Terms: "退款", AmountFen: 12_950,
		PaymentDue: due, MerchantName: "好又多超市", CreditCode: "91310000MA1FL1234Q", Mediator: "李调解", By: by}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeAgreement,
		RecoveredFen: 12_950, Actor: by.Actor}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IssueAgreement(ctx, c.ID, by); err != nil {
		t.Fatal(err)
	}
	return c
}

// eachDatabase runs fn on a fresh SQLite file and a fresh PostgreSQL database
// (when one is configured), each opened twice, as two instances would.
func eachDatabase(t *testing.T, fn func(t *testing.T, a, b *sqlstore.DB)) {
	for name, target := range map[string]func(testing.TB) string{
		"sqlite": testenv.SQLitePath, "postgres": testenv.PostgresURL,
	} {
		t.Run(name, func(t *testing.T) {
			url := target(t)
			fn(t, testenv.OpenMigrated(t, sqlstore.Open, url), testenv.Open(t, sqlstore.Open, url))
		})
	}
}

func TestPaymentAskerAsksOnTheDayThenOnceMore(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db, _ *sqlstore.DB) {
		clock := testenv.NewClock(time.Date(2026, 3, 16, 10, 0, 0, 0, chinaTime))
		db.Now = clock.Now
		c := issuedAgreement(t, db, "2026-03-18")
		asker := &paymentAsker{store: db, now: clock.Now, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		ctx := context.Background()
		steps := []struct {
			advance time.Duration
			want    int
		}{
			{0, 0},                   // two days early
			{47 * time.Hour, 1},      // the payment day, 09:00
			{time.Hour, 0},           // asked already today
			{70 * time.Hour, 0},      // not yet three days
			{time.Hour, 1},           // three days without an answer
			{30 * 24 * time.Hour, 0}, // never a third time
		}
		for i, s := range steps {
			clock.Advance(s.advance)
			if got := asker.askDue(ctx); got != s.want {
				t.Fatalf("step %d at %s: asked %d, want %d", i, clock.Now().In(chinaTime), got, s.want)
			}
		}
		notices, err := db.FindNotifications(ctx, storage.NotificationFilter{CaseID: &c.ID})
		if err != nil {
			t.Fatal(err)
		}
		questions := 0
		for _, n := range notices {
			if n.Kind == storage.NoticePaymentQuestion {
				questions++
			}
		}
		if questions != 2 {
			t.Fatalf("%d payment questions in the outbox, want 2", questions)
		}
	})
}

func TestPaymentAskersOnTwoInstancesAskOnce(t *testing.T) {
	eachDatabase(t, func(t *testing.T, a, b *sqlstore.DB) {
		clock := testenv.NewClock(time.Date(2026, 3, 18, 9, 5, 0, 0, chinaTime))
		a.Now, b.Now = clock.Now, clock.Now
		issuedAgreement(t, a, "2026-03-18")
		discard := slog.New(slog.NewTextHandler(io.Discard, nil))
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, db := range []*sqlstore.DB{a, b} {
			asker := &paymentAsker{store: db, now: clock.Now, logger: discard}
			wg.Go(func() { counts[i] = asker.askDue(context.Background()) })
		}
		wg.Wait()
		if counts[0]+counts[1] != 1 {
			t.Fatalf("two instances asked %v times, want once in all", counts)
		}
	})
}

func TestPaymentAskerLapsesTheUnansweredQuestion(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db, _ *sqlstore.DB) {
		clock := testenv.NewClock(time.Date(2026, 3, 18, 9, 5, 0, 0, chinaTime))
		db.Now = clock.Now
		c := issuedAgreement(t, db, "2026-03-18")
		wait := paymentAnswerWait(configs.Default().Casework)
		asker := &paymentAsker{store: db, answerWait: wait, now: clock.Now,
			logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		ctx := context.Background()
		asker.look(ctx)
		clock.Advance(storage.PaymentReaskAfter)
		asker.look(ctx)
		clock.Advance(wait - time.Minute)
		if n := asker.lapseDue(ctx); n != 0 {
			t.Fatalf("lapsed %d a minute early", n)
		}
		clock.Advance(time.Minute)
		if n := asker.lapseDue(ctx); n != 1 {
			t.Fatalf("lapsed %d after %s, want 1", n, wait)
		}
		a, err := db.FindAgreement(ctx, c.ID)
		if err != nil || a.PaymentAnswer != storage.PaymentExpired {
			t.Fatalf("agreement %+v, %v", a, err)
		}
	})
}
