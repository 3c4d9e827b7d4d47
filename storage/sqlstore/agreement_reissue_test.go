package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// TestAgreementReissuedAfterNotReceived answers 未到账, re-closes the case and
// gives the agreement a new payment date: the follow-up starts afresh for that
// date, the consumer gets the terms again, and it is audited.
func TestAgreementReissuedAfterNotReceived(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		setClock(db, time.Date(2026, 3, 15, 10, 0, 0, 0, cst))
		li := mustStaff(t, db, "lili", "李调解", storage.RoleMediator)
		by := storage.By{Actor: li.Actor(), IP: "10.0.0.3"}
		c := resolvedWithAgreement(t, db, "re", by)
		_, err := db.ReissueAgreement(ctx, c.ID, "2026-04-01", by)
		wantCode(t, err, storage.ECONFLICT) // no 未到账 yet

		if n, err := db.AskDuePayments(ctx, time.Date(2026, 3, 20, 9, 0, 0, 0, cst), 10); err != nil || n != 1 {
			t.Fatalf("asked %d, %v", n, err)
		}
		if _, err := db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: c.ID, Answer: storage.PaymentNotReceived}); err != nil {
			t.Fatal(err)
		}
		setClock(db, time.Date(2026, 3, 21, 10, 0, 0, 0, cst))
		_, err = db.ReissueAgreement(ctx, c.ID, "2026-04-01", by)
		wantCode(t, err, storage.ECONFLICT) // the case is 调解中 again: re-close first
		if _, err := db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeAgreement,
			RecoveredFen: 120_000, Actor: by.Actor}); err != nil {
			t.Fatal(err)
		}
		_, err = db.ReissueAgreement(ctx, c.ID, "2026-03-20", by)
		wantCode(t, err, storage.EINVALID) // before today
		_, err = db.ReissueAgreement(ctx, c.ID, "four", by)
		wantCode(t, err, storage.EINVALID)
		_, err = db.ReissueAgreement(ctx, c.ID, "2026-04-01", storage.By{Actor: storage.ActorSystem})
		wantCode(t, err, storage.EINVALID)

		a, err := db.ReissueAgreement(ctx, c.ID, "2026-04-01", by)
		if err != nil || a.PaymentDue != "2026-04-01" || a.PaymentAnswer != "" || a.PaymentAsks != 0 || a.Version != 2 {
			t.Fatalf("reissued %+v, %v", a, err)
		}
		if want := time.Date(2026, 4, 1, 9, 0, 0, 0, cst); !a.NextAskAt.Equal(want) {
			t.Fatalf("next ask %s, want %s", a.NextAskAt, want)
		}
		_, err = db.ReissueAgreement(ctx, c.ID, "2026-04-02", by)
		wantCode(t, err, storage.ECONFLICT) // not answered 未到账 again
		var told bool
		for _, n := range caseNotices(t, db, c.ID) {
			told = told || (n.Kind == storage.NoticeAgreement && strings.Contains(n.Text, "付款日期已重新约定") &&
				strings.Contains(n.Text, "付款日期 2026-04-01"))
		}
		if !told {
			t.Fatal("the consumer was not sent the new date")
		}
		wantAudit(t, db, c.ID, storage.AuditAgreementReissue)
		wantEvent(t, db, c.ID, storage.EventNote, "调解协议书重新出具（第 2 版）：付款日期由 2026-03-20 改为 2026-04-01，已发送给消费者。")

		if n, _ := db.AskDuePayments(ctx, time.Date(2026, 3, 31, 9, 0, 0, 0, cst), 10); n != 0 {
			t.Fatalf("asked %d before the new date", n)
		}
		if n, err := db.AskDuePayments(ctx, time.Date(2026, 4, 1, 9, 0, 0, 0, cst), 10); err != nil || n != 1 {
			t.Fatalf("asked %d on the new date, %v", n, err)
		}
		got, err := db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: c.ID, Answer: storage.PaymentReceived})
		if err != nil || got.Status != storage.StatusClosed {
			t.Fatalf("已到账 after the reissue: %+v, %v", got, err)
		}
	})
}
