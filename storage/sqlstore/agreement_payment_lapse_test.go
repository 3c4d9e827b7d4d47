package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// answerWait is the tests' casework.payment_answer_days.
const answerWait = 7 * 24 * time.Hour

// askTwice asks every question due on the payment day (2026-03-20 09:00) and
// once more three days later, and returns the time of the last ask.
func askTwice(t *testing.T, db *DB, want int) time.Time {
	t.Helper()
	day := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
	for _, at := range []time.Time{day, day.Add(storage.PaymentReaskAfter)} {
		if n, err := db.AskDuePayments(context.Background(), at, 10); err != nil || n != want {
			t.Fatalf("asked %d at %s (%v), want %d", n, at, err, want)
		}
	}
	return day.Add(storage.PaymentReaskAfter)
}

// lapse runs the lapse at now and returns how many lapsed.
func lapse(t *testing.T, db *DB, now time.Time) int {
	t.Helper()
	n, err := db.LapseUnansweredPayments(context.Background(), now, answerWait, 10)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// readAll marks the cases read, as a mediator who looked at them would.
func readAll(t *testing.T, db *DB, cases ...*storage.Case) {
	t.Helper()
	for _, c := range cases {
		if err := db.MarkCaseRead(context.Background(), c.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPaymentQuestionLapsesAfterTheLastAsk(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		li := mustStaff(t, db, "lili", "李调解", storage.RoleMediator)
		agreed := resolvedWithAgreement(t, db, "agreed", storage.By{Actor: li.Actor()})
		proposed := acceptedProposal(t, db, "p1", "退款", 12_950, "2026-03-20")
		last := askTwice(t, db, 2)
		readAll(t, db, agreed, proposed)

		if n := lapse(t, db, last.Add(answerWait-time.Minute)); n != 0 {
			t.Fatalf("%d lapsed before the wait was over", n)
		}
		if _, err := db.PendingPayment(ctx, agreed.OpenID); err != nil {
			t.Fatalf("the question no longer waits before its lapse: %v", err)
		}
		if n := lapse(t, db, last.Add(answerWait)); n != 2 {
			t.Fatalf("%d lapsed after the wait, want 2 (the agreement and the proposal)", n)
		}
		if n := lapse(t, db, last.Add(answerWait+time.Hour)); n != 0 {
			t.Fatalf("%d lapsed twice", n)
		}
		for _, c := range []*storage.Case{agreed, proposed} {
			got := storedCase(t, db, c.ID)
			if got.Status != storage.StatusResolved || !got.Unread {
				t.Fatalf("after the lapse: status %s, unread %v; want 调解成功 and unread", got.Status, got.Unread)
			}
			wantEvent(t, db, c.ID, storage.EventNote, paymentLapsedNote)
			_, err := db.PendingPayment(ctx, c.OpenID)
			wantCode(t, err, storage.ENOTFOUND)
			_, err = db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: c.ID, Answer: storage.PaymentReceived})
			wantCode(t, err, storage.ECONFLICT) // a late 已到账 closes nothing
			if lapsed, err := db.LapsedPayment(ctx, c.OpenID); err != nil || lapsed.ID != c.ID {
				t.Fatalf("lapsed payment of %s: %+v, %v", c.Number, lapsed, err)
			}
		}
		a, err := db.FindAgreement(ctx, agreed.ID)
		if err != nil || a.PaymentAnswer != storage.PaymentExpired || a.AnsweredAt.IsZero() || a.LastAskedAt.IsZero() {
			t.Fatalf("agreement after the lapse: %+v, %v", a, err)
		}
		ps, err := db.CaseProposals(ctx, proposed.ID)
		if err != nil || len(ps) != 1 || ps[0].PaymentAnswer != storage.PaymentExpired {
			t.Fatalf("proposal after the lapse: %+v, %v", ps, err)
		}

		// Thirty days on, the lapsed question no longer takes the consumer's
		// messages, whatever the mediator did.
		setClock(db, last.Add(answerWait+lapsedFollowUp+time.Minute))
		_, err = db.LapsedPayment(ctx, proposed.OpenID)
		wantCode(t, err, storage.ENOTFOUND)

		// The mediator checked and closed the file: the case is no longer the
		// lapsed question's, so messages are handled as on any finished case.
		setClock(db, last.Add(answerWait+2*time.Hour))
		if _, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: agreed.ID, To: storage.StatusClosed,
			Actor: li.Actor()}); err != nil {
			t.Fatal(err)
		}
		_, err = db.LapsedPayment(ctx, agreed.OpenID)
		wantCode(t, err, storage.ENOTFOUND)
	})
}

func TestPaymentQuestionLapsesOnlyUnansweredOnConcludedCases(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		li := mustStaff(t, db, "lili", "李调解", storage.RoleMediator)
		by := storage.By{Actor: li.Actor()}
		answered := resolvedWithAgreement(t, db, "answered", by)
		reopened := resolvedWithAgreement(t, db, "reopened", by)
		once := resolvedWithAgreement(t, db, "once", by)
		day := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
		if n, err := db.AskDuePayments(ctx, day, 10); err != nil || n != 3 {
			t.Fatalf("asked %d, %v", n, err)
		}
		// once is asked a single time: its second ask is still to come, so it
		// cannot lapse however late the worker looks.
		if n, err := db.AskDuePayments(ctx, day.Add(storage.PaymentReaskAfter), 2); err != nil || n != 2 {
			t.Fatalf("asked again %d, %v", n, err)
		}
		if _, err := db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: answered.ID,
			Answer: storage.PaymentReceived}); err != nil {
			t.Fatal(err)
		}
		boss := mustStaff(t, db, "boss", "王主管", storage.RoleSupervisor)
		if _, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: reopened.ID, To: storage.StatusMediating,
			Reopen: true, Reason: "商家反悔", Actor: boss.Actor()}); err != nil {
			t.Fatal(err)
		}
		if n := lapse(t, db, day.Add(90*24*time.Hour)); n != 0 {
			t.Fatalf("%d lapsed: an answered one, one on a reopened case or one not asked twice", n)
		}
		a, err := db.FindAgreement(ctx, once.ID)
		if err != nil || a.PaymentAsks != 1 || a.PaymentAnswer != "" {
			t.Fatalf("the once-asked agreement: %+v, %v", a, err)
		}
		_, err = db.LapseUnansweredPayments(ctx, day, 0, 10)
		wantCode(t, err, storage.EINVALID)
	})
}

func TestPaymentLapsedOnceByTwoInstances(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		a, b := testenv.OpenMigrated(t, Open, target), testenv.Open(t, Open, target)
		setClock(a, time.Date(2026, 3, 15, 10, 0, 0, 0, cst))
		li := mustStaff(t, a, "lili", "李调解", storage.RoleMediator)
		c := resolvedWithAgreement(t, a, "k", storage.By{Actor: li.Actor()})
		last := askTwice(t, a, 1)
		results := make(chan int, 2)
		for _, db := range []*DB{a, b} {
			go func() {
				n, err := db.LapseUnansweredPayments(context.Background(), last.Add(answerWait), answerWait, 10)
				if err != nil {
					t.Error(err)
				}
				results <- n
			}()
		}
		if total := <-results + <-results; total != 1 {
			t.Fatalf("two instances lapsed %d times, want 1", total)
		}
		notes := 0
		for _, e := range events(t, a, c.ID) {
			if e.Body == paymentLapsedNote {
				notes++
			}
		}
		if notes != 1 {
			t.Fatalf("%d lapse notes, want 1", notes)
		}
	})
}

func TestAgreementReissuedAfterALapse(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		li := mustStaff(t, db, "lili", "李调解", storage.RoleMediator)
		by := storage.By{Actor: li.Actor()}
		c := resolvedWithAgreement(t, db, "k", by)
		last := askTwice(t, db, 1)
		if n := lapse(t, db, last.Add(answerWait)); n != 1 {
			t.Fatalf("lapsed %d", n)
		}
		setClock(db, last.Add(answerWait+time.Hour))
		a, err := db.ReissueAgreement(ctx, c.ID, "2026-04-20", by)
		if err != nil {
			t.Fatalf("reissue after a lapse: %v", err)
		}
		if a.PaymentAnswer != "" || a.PaymentAsks != 0 || !a.LastAskedAt.IsZero() || a.NextAskAt.IsZero() {
			t.Fatalf("the follow-up did not start afresh: %+v", a)
		}
	})
}

// TestMigrationBackfillsTheLastAsk takes migration 00030 down and up again:
// a question asked before it takes the time of the latest ask its timeline
// records, and one never asked stays without one.
func TestMigrationBackfillsTheLastAsk(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		li := mustStaff(t, db, "lili", "李调解", storage.RoleMediator)
		asked := resolvedWithAgreement(t, db, "asked", storage.By{Actor: li.Actor()})
		day := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
		for _, at := range []time.Time{day, day.Add(storage.PaymentReaskAfter)} {
			setClock(db, at) // the worker and the store agree on the time
			if n, err := db.AskDuePayments(ctx, at, 10); err != nil || n != 1 {
				t.Fatalf("asked %d, %v", n, err)
			}
		}
		later := resolvedWithAgreement(t, db, "later", storage.By{Actor: li.Actor()})
		p, err := db.newMigrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 29); err != nil {
			t.Fatalf("down to 29: %v", err)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		a, err := db.FindAgreement(ctx, asked.ID)
		if err != nil || !a.LastAskedAt.Equal(day.Add(storage.PaymentReaskAfter)) {
			t.Fatalf("the asked agreement's last ask = %v (%v); want %v", a.LastAskedAt, err,
				day.Add(storage.PaymentReaskAfter))
		}
		if a, err := db.FindAgreement(ctx, later.ID); err != nil || !a.LastAskedAt.IsZero() {
			t.Fatalf("a never-asked agreement got a last ask: %+v, %v", a, err)
		}
	})
}
