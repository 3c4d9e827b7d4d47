package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// mediating creates a case and brings it to 调解中.
func mediating(t *testing.T, db *DB, key string) *storage.Case {
	t.Helper()
	c := mustCreate(t, db, newCase(key))
	move(t, db, c, storage.StatusAccepted, "")
	return move(t, db, c, storage.StatusMediating, "")
}

func TestCloseCaseAgreementSetsStatusAndOutcome(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mediating(t, db, "k")
		advance(db, time.Hour)
		got, err := db.CloseCase(ctx, storage.Closing{
			CaseID: c.ID, Outcome: storage.OutcomeAgreement, RecoveredFen: 500_000,
			DoubleCompensation: true, Note: " 商家退一赔一 ", Actor: staff, IP: "192.0.2.9",
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != storage.StatusResolved || got.Outcome != storage.OutcomeAgreement ||
			got.RecoveredFen != 500_000 || !got.DoubleCompensation || !got.UpdatedAt.Equal(db.Now()) {
			t.Fatalf("closed case %+v", got)
		}
		if stored := storedCase(t, db, c.ID); *stored != *got {
			t.Fatalf("stored %+v, want %+v", stored, got)
		}
		timeline := events(t, db, c.ID)
		last := timeline[len(timeline)-1]
		if last.Kind != storage.EventStatusChange ||
			last.Body != "调解中 → 调解成功：达成调解协议，挽回经济损失 ¥5000.00，加倍赔偿（商家退一赔一）" {
			t.Fatalf("last event %+v", last)
		}
		notices := caseNotices(t, db, c.ID)
		n := notices[len(notices)-1]
		if n.Kind != storage.NoticeStatusChange || n.StatusLabel != "调解成功" ||
			n.Text != "达成调解协议，挽回经济损失 ¥5000.00，加倍赔偿（商家退一赔一）" {
			t.Fatalf("last notice %+v", n)
		}
		a := caseAudit(t, db, c.ID)[0]
		if a.Action != storage.AuditOutcome || a.IP != "192.0.2.9" ||
			a.Detail != "调解中 → 调解成功（达成调解协议，挽回经济损失 ¥5000.00，加倍赔偿）" {
			t.Fatalf("audit %+v", a)
		}
	})
}

func TestCloseCaseTerminationAndWithdrawal(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mediating(t, db, "t")
		c = move(t, db, c, storage.StatusReferred, "企业和解（入驻企业）")
		got, err := db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeTerminated,
			Reason: "一方表示无法达成调解协议", Actor: staff})
		if err != nil || got.Status != storage.StatusTerminated || got.Outcome != storage.OutcomeTerminated || got.RecoveredFen != 0 {
			t.Fatalf("terminated %+v, %v", got, err)
		}
		w := mustCreate(t, db, newCase("w"))
		got, err = db.CloseCase(ctx, storage.Closing{CaseID: w.ID, Outcome: storage.OutcomeWithdrawn, Actor: staff})
		if err != nil || got.Status != storage.StatusWithdrawn || got.Outcome != storage.OutcomeWithdrawn {
			t.Fatalf("withdrawn %+v, %v", got, err)
		}
		// From 检测鉴定 too.
		a := mediating(t, db, "a")
		move(t, db, a, storage.StatusAppraisal, "")
		got, err = db.CloseCase(ctx, storage.Closing{CaseID: a.ID, Outcome: storage.OutcomeSettled, RecoveredFen: 1, Actor: staff})
		if err != nil || got.Status != storage.StatusResolved || got.Outcome != storage.OutcomeSettled || got.RecoveredFen != 1 {
			t.Fatalf("settled from appraisal %+v, %v", got, err)
		}
	})
}

// TestCloseCaseRefusedElsewhere checks that an outcome cannot be recorded in a
// status the table does not lead from to the outcome's status, nor with facts the
// outcome does not have; nothing is written then.
func TestCloseCaseRefusedElsewhere(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		submitted := mustCreate(t, db, newCase("s"))
		accepted := mustCreate(t, db, newCase("acc"))
		accepted = move(t, db, accepted, storage.StatusAccepted, "")
		for _, c := range []*storage.Case{submitted, accepted} {
			_, err := db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeAgreement, RecoveredFen: 500_000, Actor: staff})
			wantCode(t, err, storage.ECONFLICT)
			if stored := storedCase(t, db, c.ID); *stored != *c {
				t.Fatalf("stored %+v after a refused closing, want %+v", stored, c)
			}
		}
		m := mediating(t, db, "m")
		for _, cl := range []storage.Closing{
			{CaseID: m.ID, Outcome: "won", Actor: staff},
			{CaseID: m.ID, Outcome: storage.OutcomeAgreement},
			{CaseID: m.ID, Outcome: storage.OutcomeSettled, RecoveredFen: -1, Actor: staff},
			{CaseID: m.ID, Outcome: storage.OutcomeTerminated, Actor: staff},
			{CaseID: m.ID, Outcome: storage.OutcomeTerminated, Reason: "随便写的", Actor: staff},
			{CaseID: m.ID, Outcome: storage.OutcomeTerminated, Reason: "一方表示无法达成调解协议", RecoveredFen: 100, Actor: staff},
			{CaseID: m.ID, Outcome: storage.OutcomeWithdrawn, DoubleCompensation: true, Actor: staff},
			{CaseID: m.ID, Outcome: storage.OutcomeAgreement, Reason: "一方表示无法达成调解协议", Actor: staff},
		} {
			_, err := db.CloseCase(ctx, cl)
			wantCode(t, err, storage.EINVALID)
		}
		_, err := db.CloseCase(ctx, storage.Closing{CaseID: m.ID + 100, Outcome: storage.OutcomeWithdrawn, Actor: staff})
		wantCode(t, err, storage.ENOTFOUND)
		resolved := move(t, db, m, storage.StatusResolved, "")
		_, err = db.CloseCase(ctx, storage.Closing{CaseID: m.ID, Outcome: storage.OutcomeTerminated, Reason: "一方表示无法达成调解协议", Actor: staff})
		wantCode(t, err, storage.ECONFLICT)
		if stored := storedCase(t, db, m.ID); *stored != *resolved {
			t.Fatalf("a resolved case given another outcome: %+v", stored)
		}
	})
}

func TestWithdrawalRecordsOutcome(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		c := mediating(t, db, "k")
		got, err := db.ChangeStatus(context.Background(), storage.StatusChange{
			CaseID: c.ID, To: storage.StatusWithdrawn, Actor: storage.ActorConsumer})
		if err != nil || got.Outcome != storage.OutcomeWithdrawn || storedCase(t, db, c.ID).Outcome != storage.OutcomeWithdrawn {
			t.Fatalf("withdrawn by the consumer: %+v, %v", got, err)
		}
	})
}

// TestReopenMovesOutcomeToTimeline checks that reopening keeps the closed case's
// outcome, money and 加倍赔偿 on the timeline and clears them from the case.
func TestReopenMovesOutcomeToTimeline(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mediating(t, db, "k")
		_, err := db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeAgreement,
			RecoveredFen: 123_450, DoubleCompensation: true, Actor: staff})
		if err != nil {
			t.Fatal(err)
		}
		move(t, db, c, storage.StatusClosed, "")
		got, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusMediating, Reopen: true, Actor: staff})
		if err != nil || got.Outcome != "" || got.RecoveredFen != 0 || got.DoubleCompensation {
			t.Fatalf("reopened %+v, %v; want the outcome cleared", got, err)
		}
		if stored := storedCase(t, db, c.ID); *stored != *got {
			t.Fatalf("stored %+v", stored)
		}
		timeline := events(t, db, c.ID)
		note := timeline[len(timeline)-2]
		if note.Kind != storage.EventNote ||
			note.Body != "重新调解前的调解结果（已从案件中清除）：达成调解协议，挽回经济损失 ¥1234.50，加倍赔偿" {
			t.Fatalf("note %+v, want the old outcome", note)
		}
	})
}
