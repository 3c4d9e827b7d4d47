package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// acceptedProposal refers a case to a merchant on the platform, has the
// merchant propose in (remedy, amount, payBy) and the consumer accept.
func acceptedProposal(t *testing.T, db *DB, key, remedy string, amountFen int64, payBy string) *storage.Case {
	t.Helper()
	ctx := context.Background()
	c, acc := platformCase(t, db, key)
	in := proposal(c, acc)
	in.Remedy, in.AmountFen, in.PayBy = remedy, amountFen, payBy
	if _, err := db.ProposeSettlement(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := db.AnswerProposal(ctx, c.ID, storage.ProposalAccepted)
	if err != nil || got.Status != storage.StatusResolved {
		t.Fatalf("accepted: %+v, %v", got, err)
	}
	return got
}

func TestAcceptedProposalPaymentIsFollowedUp(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		setClock(db, time.Date(2026, 3, 15, 10, 0, 0, 0, cst))
		paid := acceptedProposal(t, db, "p1", "退款", 12_950, "2026-03-20")
		unpaid := acceptedProposal(t, db, "p2", "赔偿", 0, "2026-03-20")
		repair := acceptedProposal(t, db, "p3", "维修", 0, "2026-03-20") // nothing paid: no question

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
		if n := ask(day); n != 2 {
			t.Fatalf("asked %d on the payment day, want 2 (the refund and the compensation)", n)
		}
		if got := paymentQuestions(t, db, repair.ID); got != 0 {
			t.Fatalf("a repair without money was asked %d times", got)
		}
		var text string
		for _, n := range caseNotices(t, db, paid.ID) {
			if n.Kind == storage.NoticePaymentQuestion {
				text = n.Text
			}
		}
		if !strings.Contains(text, "和解方案约定商家退款 ¥129.50（壹佰贰拾玖元伍角整）") || !strings.Contains(text, "2026-03-20") {
			t.Fatalf("question text %q", text)
		}
		if n := ask(day.Add(storage.PaymentReaskAfter)); n != 2 {
			t.Fatalf("asked %d once more after three days, want 2", n)
		}
		if n := ask(day.Add(30 * 24 * time.Hour)); n != 0 {
			t.Fatalf("a third ask (%d)", n)
		}
		pending, err := db.PendingPayment(ctx, unpaid.OpenID)
		if err != nil || pending.ID != unpaid.ID {
			t.Fatalf("pending %+v, %v", pending, err)
		}

		got, err := db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: paid.ID, Answer: storage.PaymentReceived})
		if err != nil || got.Status != storage.StatusClosed {
			t.Fatalf("已到账: %+v, %v", got, err)
		}
		got, err = db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: unpaid.ID, Answer: storage.PaymentNotReceived})
		if err != nil || got.Status != storage.StatusMediating || !got.Unread {
			t.Fatalf("未到账: %+v, %v", got, err)
		}
		wantEvent(t, db, unpaid.ID, storage.EventConsumerMessage, "消费者答复协议款项：未到账")
		_, err = db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: unpaid.ID, Answer: storage.PaymentReceived})
		wantCode(t, err, storage.ECONFLICT)
		ps, err := db.CaseProposals(ctx, unpaid.ID)
		if err != nil || len(ps) != 1 || ps[0].PaymentAnswer != storage.PaymentNotReceived || ps[0].PaymentAsks != 2 ||
			!ps[0].NextAskAt.IsZero() {
			t.Fatalf("proposal after 未到账: %+v, %v", ps, err)
		}
	})
}

func TestUnansweredProposalIsChasedThenReturned(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		start := time.Date(2026, 3, 2, 10, 0, 0, 0, cst)
		setClock(db, start)
		c, acc := platformCase(t, db, "c1")
		if _, err := db.ProposeSettlement(ctx, proposal(c, acc)); err != nil {
			t.Fatal(err)
		}
		answered, acc2 := platformCase(t, db, "c2")
		if _, err := db.ProposeSettlement(ctx, proposal(answered, acc2)); err != nil {
			t.Fatal(err)
		}
		chase := storage.ProposalChase{RemindAfter: 3 * 24 * time.Hour, ReturnAfter: 4 * 24 * time.Hour}
		run := func(at time.Time, wantReminded, wantReturned int) {
			t.Helper()
			setClock(db, at)
			r, n, err := db.ChaseUnansweredProposals(ctx, at, chase)
			if err != nil || r != wantReminded || n != wantReturned {
				t.Fatalf("at %s: reminded %d, returned %d, %v; want %d, %d", at, r, n, err, wantReminded, wantReturned)
			}
		}
		proposals := func(caseID int64) int {
			n := 0
			for _, nn := range caseNotices(t, db, caseID) {
				if nn.Kind == storage.NoticeSettlementProposal {
					n++
				}
			}
			return n
		}
		run(start.Add(chase.RemindAfter-time.Minute), 0, 0)
		run(start.Add(chase.RemindAfter), 2, 0)
		if proposals(c.ID) != 2 {
			t.Fatalf("%d proposal notices, want the proposal and the reminder", proposals(c.ID))
		}
		wantEvent(t, db, c.ID, storage.EventNote, "消费者尚未答复商家和解方案，已再次询问。")
		run(start.Add(chase.RemindAfter+time.Hour), 0, 0) // once only

		// The other consumer answers after the reminder: nothing to return.
		if _, err := db.AnswerProposal(ctx, answered.ID, storage.ProposalAccepted); err != nil {
			t.Fatal(err)
		}
		back := start.Add(chase.RemindAfter + chase.ReturnAfter)
		run(back.Add(-time.Minute), 0, 0)
		run(back, 0, 1)
		got := storedCase(t, db, c.ID)
		if got.Status != storage.StatusMediating || !got.Unread {
			t.Fatalf("returned case %+v", got)
		}
		var told bool
		for _, n := range caseNotices(t, db, c.ID) {
			told = told || (n.Kind == storage.NoticeStatusChange && n.Text == proposalLapsedReason)
		}
		if !told {
			t.Fatal("the consumer was not told the case came back")
		}
		ps, err := db.CaseProposals(ctx, c.ID)
		if err != nil || ps[0].Answer != storage.ProposalExpired {
			t.Fatalf("proposal %+v, %v", ps, err)
		}
		refs := referrals(t, db, c.ID)
		if last := refs[len(refs)-1]; !last.Closed || last.Outcome != storage.ReferralFailed {
			t.Fatalf("referral %+v", last)
		}
		_, err = db.PendingProposal(ctx, c.OpenID)
		wantCode(t, err, storage.ENOTFOUND)
		if s := storedCase(t, db, answered.ID); s.Status != storage.StatusResolved {
			t.Fatalf("the answered case moved: %s", s.Status)
		}
		run(back.Add(time.Hour), 0, 0)
	})
}
