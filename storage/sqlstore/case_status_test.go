package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// staff is the actor of the tests' staff actions.
const staff = "staff:7"

// move changes c's status or fails the test. 调解成功 and 终止调解 are reached by
// closing the case (an agreement without money; a termination on the ground
// 一方表示无法达成调解协议, reason as its note), the one way there.
func move(t *testing.T, db *DB, c *storage.Case, to storage.Status, reason string) *storage.Case {
	t.Helper()
	var (
		moved *storage.Case
		err   error
	)
	switch to {
	case storage.StatusResolved:
		moved, err = db.CloseCase(context.Background(), storage.Closing{
			CaseID: c.ID, Outcome: storage.OutcomeAgreement, Note: reason, Actor: staff})
	case storage.StatusTerminated:
		moved, err = db.CloseCase(context.Background(), storage.Closing{
			CaseID: c.ID, Outcome: storage.OutcomeTerminated, Reason: "一方表示无法达成调解协议", Note: reason, Actor: staff})
	default:
		if to == storage.StatusReferred && storage.ReferralTargetOf(reason) == storage.ArbitrationTarget {
			consentToArbitration(t, db, c)
		}
		moved, err = db.ChangeStatus(context.Background(), storage.StatusChange{
			CaseID: c.ID, To: to, Actor: staff, Reason: reason,
		})
	}
	if err != nil {
		t.Fatalf("move %s to %s: %v", c.Number, to, err)
	}
	return moved
}

// caseNotices returns the case's notifications, oldest first, or fails the test.
func caseNotices(t *testing.T, db *DB, caseID int64) []*storage.Notification {
	t.Helper()
	found, err := db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &caseID})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// events returns the case's timeline or fails the test.
func events(t *testing.T, db *DB, caseID int64) []*storage.Event {
	t.Helper()
	found, err := db.ListEvents(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestChangeStatusWritesCaseEventAndNotice(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		advance(db, time.Minute)
		accepted := move(t, db, c, storage.StatusAccepted, "")
		if accepted.Status != storage.StatusAccepted || !accepted.UpdatedAt.Equal(db.Now()) ||
			!accepted.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("moved case = %+v, want accepted and updated now", accepted)
		}
		found, err := db.FindCaseByNumber(ctx, c.Number)
		if err != nil || *found != *accepted {
			t.Fatalf("stored case = %+v, %v; want %+v", found, err, accepted)
		}
		timeline := events(t, db, c.ID)
		e := timeline[len(timeline)-1]
		if len(timeline) != 2 || e.Kind != storage.EventStatusChange || e.Actor != staff ||
			e.Body != "待受理 → 已受理" {
			t.Fatalf("last event = %+v of %d, want the move by %s", e, len(timeline), staff)
		}
		notices := caseNotices(t, db, c.ID)
		want := storage.Notification{
			ID: notices[0].ID, CaseID: c.ID, OpenID: c.OpenID, Kind: storage.NoticeStatusChange,
			CaseNumber: c.Number, StatusLabel: "已受理", Summary: "好又多超市",
			State: storage.NotificationPending, NextAttemptAt: db.Now().UTC(), CreatedAt: db.Now().UTC(),
		}
		if len(notices) != 1 || *notices[0] != want {
			t.Fatalf("notices = %+v, want one\n%+v", notices, want)
		}
	})
}

func TestChangeStatusRefusedWritesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusMediating, Actor: staff})
		wantCode(t, err, storage.ECONFLICT)
		if msg := storage.ErrorMessage(err); !strings.Contains(msg, "待受理") || !strings.Contains(msg, "调解中") {
			t.Fatalf("message %q does not name both statuses", msg)
		}
		for _, ch := range []storage.StatusChange{
			{CaseID: c.ID, To: storage.StatusRejected, Actor: staff, Reason: "  "},
			{CaseID: c.ID, To: "bogus", Actor: staff},
			{CaseID: c.ID, To: storage.StatusAccepted},
			// Only closing with an outcome reaches these, only asking for material that.
			{CaseID: c.ID, To: storage.StatusResolved, Actor: staff},
			{CaseID: c.ID, To: storage.StatusTerminated, Actor: staff, Reason: "一方表示无法达成调解协议"},
			{CaseID: c.ID, To: storage.StatusAwaitingMaterial, Actor: staff, Reason: "发票"},
			{CaseID: c.ID, To: storage.StatusWithdrawn, Actor: staff, Closing: &storage.Closing{Outcome: storage.OutcomeWithdrawn}},
		} {
			_, err := db.ChangeStatus(ctx, ch)
			wantCode(t, err, storage.EINVALID)
		}
		_, err = db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID + 1, To: storage.StatusAccepted, Actor: staff})
		wantCode(t, err, storage.ENOTFOUND)
		assertUntouched(t, db, c)
	})
}

// assertUntouched fails the test unless c is stored as created, with only its
// submission event and no notification.
func assertUntouched(t *testing.T, db *DB, c *storage.Case) {
	t.Helper()
	found, err := db.FindCaseByNumber(context.Background(), c.Number)
	if err != nil || *found != *c {
		t.Fatalf("case = %+v, %v; want it unchanged", found, err)
	}
	if n := len(events(t, db, c.ID)); n != 1 {
		t.Fatalf("%d events, want only the submission", n)
	}
	if n := len(caseNotices(t, db, c.ID)); n != 0 {
		t.Fatalf("%d notifications, want none", n)
	}
}

func TestChangeStatusIsAtomic(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		// Without the outbox table the last write of the change fails; the case
		// update and the event written before it must go too.
		rename(t, db, "notifications", "notifications_away")
		_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusAccepted, Actor: staff})
		if err == nil {
			t.Fatal("ChangeStatus succeeded without an outbox")
		}
		rename(t, db, "notifications_away", "notifications")
		assertUntouched(t, db, c)
	})
}

// rename renames a table, to make the statements that use it fail.
func rename(t *testing.T, db *DB, from, to string) {
	t.Helper()
	if _, err := db.db.Exec("ALTER TABLE " + from + " RENAME TO " + to); err != nil {
		t.Fatal(err)
	}
}

func TestChangeStatusReasonAndRatingRequest(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		nc := newCase("k")
		nc.MerchantName = "某某市某某区某某街道某某路某某号某某电器有限公司"
		c := mustCreate(t, db, nc)
		move(t, db, c, storage.StatusRejected, " 已由法院受理 ")
		closed := move(t, db, c, storage.StatusClosed, "")
		if closed.Status != storage.StatusClosed {
			t.Fatalf("status %s, want closed", closed.Status)
		}
		timeline := events(t, db, c.ID)
		if body := timeline[1].Body; body != "待受理 → 不予受理：已由法院受理" {
			t.Fatalf("rejection event body %q", body)
		}
		notices := caseNotices(t, db, c.ID)
		var got []string
		for _, n := range notices {
			got = append(got, fmt.Sprintf("%s/%s/%s", n.Kind, n.StatusLabel, n.Text))
		}
		want := "[status_change/不予受理/已由法院受理 status_change/已办结/ rating_request/已办结/]"
		if fmt.Sprint(got) != want {
			t.Fatalf("notices %v, want %s", got, want)
		}
		if s := notices[0].Summary; len([]rune(s)) != summaryRunes || !strings.HasSuffix(s, "…") {
			t.Fatalf("summary %q, want the merchant cut to %d characters", s, summaryRunes)
		}
	})
}

func TestChangeStatusConcurrentMovesCheckedInTurn(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		dbs := []*DB{testenv.OpenMigrated(t, Open, target), testenv.Open(t, Open, target)}
		c := mustCreate(t, dbs[0], newCase("k"))
		// Accepting and rejecting at once: exactly one may win.
		tos := []storage.Status{storage.StatusAccepted, storage.StatusRejected}
		errs := make([]error, 10)
		for _, db := range dbs {
			warmPool(t, db, len(errs)/2)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				<-start
				_, errs[i] = dbs[i%2].ChangeStatus(context.Background(), storage.StatusChange{
					CaseID: c.ID, To: tos[i%2], Actor: staff, Reason: "重复投诉",
				})
			})
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if storage.ErrorCode(err) != storage.ECONFLICT {
				t.Fatalf("ChangeStatus: %v", err)
			}
		}
		if wins != 1 || len(events(t, dbs[0], c.ID)) != 2 || len(caseNotices(t, dbs[0], c.ID)) != 1 {
			t.Fatalf("%d moves won, want exactly one with one event and one notice", wins)
		}
	})
}

func TestReopenFinishedCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating, storage.StatusResolved, storage.StatusClosed} {
			move(t, db, c, to, "")
		}
		// The table alone does not allow it.
		_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusMediating, Actor: staff})
		wantCode(t, err, storage.ECONFLICT)
		advance(db, time.Hour)
		reopened, err := db.ChangeStatus(ctx, storage.StatusChange{
			CaseID: c.ID, To: storage.StatusMediating, Actor: staff, Reason: "消费者反映商家未履行", Reopen: true,
		})
		if err != nil || reopened.Status != storage.StatusMediating || !reopened.UpdatedAt.Equal(db.Now()) {
			t.Fatalf("reopened %+v, %v; want mediating now", reopened, err)
		}
		timeline := events(t, db, c.ID)
		if body := timeline[len(timeline)-1].Body; body != "已办结 → 调解中（重新调解）：消费者反映商家未履行" {
			t.Fatalf("event body %q", body)
		}
		notices := caseNotices(t, db, c.ID)
		if n := notices[len(notices)-1]; n.Kind != storage.NoticeStatusChange || n.StatusLabel != "调解中" {
			t.Fatalf("last notice %+v, want the reopening", n)
		}
		if a := caseAudit(t, db, c.ID)[0]; a.Action != storage.AuditStatusChange || a.Detail != "已办结 → 调解中（重新调解）" {
			t.Fatalf("audit %+v, want the reopening", a)
		}
	})
}

func TestReopenOnlyFinishedCasesToMediating(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		reopen := func(c *storage.Case, to storage.Status) error {
			_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: to, Actor: staff, Reopen: true})
			return err
		}
		open := mustCreate(t, db, newCase("open"))
		move(t, db, open, storage.StatusAccepted, "")
		move(t, db, open, storage.StatusMediating, "")
		move(t, db, open, storage.StatusReferred, "行政部门")
		// Referred → mediating is in the table, but it is no reopening.
		wantCode(t, reopen(open, storage.StatusMediating), storage.ECONFLICT)
		rejected := mustCreate(t, db, newCase("rejected"))
		move(t, db, rejected, storage.StatusRejected, "不属于受理范围")
		wantCode(t, reopen(rejected, storage.StatusMediating), storage.ECONFLICT)
		terminated := mustCreate(t, db, newCase("terminated"))
		for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating} {
			move(t, db, terminated, to, "")
		}
		move(t, db, terminated, storage.StatusTerminated, "经营者拒绝调解")
		wantCode(t, reopen(terminated, storage.StatusAccepted), storage.ECONFLICT)
		// A reopening to a status needing a reason still needs one.
		_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: terminated.ID, To: storage.StatusTerminated, Actor: staff, Reopen: true})
		wantCode(t, err, storage.EINVALID)
		if err := reopen(terminated, storage.StatusMediating); err != nil {
			t.Fatalf("reopening a terminated case: %v", err)
		}
		withdrawn := mustCreate(t, db, newCase("withdrawn"))
		move(t, db, withdrawn, storage.StatusWithdrawn, "")
		if err := reopen(withdrawn, storage.StatusMediating); err != nil {
			t.Fatalf("reopening a withdrawn case: %v", err)
		}
	})
}
