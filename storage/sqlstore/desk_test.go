package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// storedCase returns the stored case with the id or fails the test.
func storedCase(t *testing.T, db *DB, id int64) *storage.Case {
	t.Helper()
	found, _, err := db.FindCases(context.Background(), storage.CaseFilter{ID: &id})
	if err != nil || len(found) != 1 {
		t.Fatalf("case %d: %v, %v", id, found, err)
	}
	return found[0]
}

func TestAssignCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		boss := mustStaff(t, db, "boss", "主管甲", storage.RoleSupervisor)
		zhao := mustStaff(t, db, "zhao", "赵调解", storage.RoleMediator)
		c := mustCreate(t, db, newCase("k"))
		advance(db, time.Minute)
		assigned, err := db.AssignCase(ctx, c.ID, &zhao.ID, storage.By{Actor: boss.Actor()})
		if err != nil {
			t.Fatal(err)
		}
		if assigned.AssigneeID != zhao.ID || !assigned.UpdatedAt.Equal(db.Now()) {
			t.Fatalf("assigned %+v, want to %d, updated now", assigned, zhao.ID)
		}
		if stored := storedCase(t, db, c.ID); *stored != *assigned {
			t.Fatalf("stored %+v, want %+v", stored, assigned)
		}
		// Again to the same mediator: nothing changes, nothing is audited.
		if _, err := db.AssignCase(ctx, c.ID, &zhao.ID, storage.By{Actor: boss.Actor()}); err != nil {
			t.Fatal(err)
		}
		cleared, err := db.AssignCase(ctx, c.ID, nil, storage.By{Actor: boss.Actor()})
		if err != nil || cleared.AssigneeID != 0 || storedCase(t, db, c.ID).AssigneeID != 0 {
			t.Fatalf("cleared %+v, %v; want unassigned", cleared, err)
		}
		got := auditSummary(caseAudit(t, db, c.ID))
		want := []string{fmt.Sprintf("assign %d 取消指派", boss.ID), fmt.Sprintf("assign %d 指派给 赵调解", boss.ID)}
		if !slices.Equal(got, want) {
			t.Fatalf("audit %v, want %v", got, want)
		}
	})
}

func TestAssignCaseRefusals(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		boss := mustStaff(t, db, "boss", "主管甲", storage.RoleSupervisor)
		gone := mustStaff(t, db, "gone", "已离职", storage.RoleMediator)
		if err := db.SetStaffDisabled(ctx, gone.ID, true); err != nil {
			t.Fatal(err)
		}
		c := mustCreate(t, db, newCase("k"))
		nobody := gone.ID + 100
		_, err := db.AssignCase(ctx, c.ID, &gone.ID, storage.By{Actor: boss.Actor()})
		wantCode(t, err, storage.EINVALID)
		_, err = db.AssignCase(ctx, c.ID, &nobody, storage.By{Actor: boss.Actor()})
		wantCode(t, err, storage.EINVALID)
		_, err = db.AssignCase(ctx, c.ID, &boss.ID, storage.By{Actor: ""})
		wantCode(t, err, storage.EINVALID)
		_, err = db.AssignCase(ctx, c.ID+1, &boss.ID, storage.By{Actor: boss.Actor()})
		wantCode(t, err, storage.ENOTFOUND)
		if stored := storedCase(t, db, c.ID); *stored != *c {
			t.Fatalf("stored %+v, want it unchanged", stored)
		}
		if n := len(caseAudit(t, db, c.ID)); n != 0 {
			t.Fatalf("%d audit entries after refused assignments, want none", n)
		}
	})
}

func TestRecordOutcome(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		move(t, db, c, storage.StatusAccepted, "")
		move(t, db, c, storage.StatusMediating, "")
		advance(db, time.Hour)
		got, err := db.RecordOutcome(ctx, storage.Outcome{
			CaseID: c.ID, Outcome: storage.OutcomeAgreement, RecoveredFen: 123_450,
			DoubleCompensation: true, Note: " 商家退一赔一 ", Actor: staff,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Outcome != storage.OutcomeAgreement || got.RecoveredFen != 123_450 || !got.DoubleCompensation ||
			got.Status != storage.StatusMediating || !got.UpdatedAt.Equal(db.Now()) {
			t.Fatalf("case %+v, want the outcome stored and the status left alone", got)
		}
		if stored := storedCase(t, db, c.ID); *stored != *got {
			t.Fatalf("stored %+v, want %+v", stored, got)
		}
		timeline := events(t, db, c.ID)
		note := timeline[len(timeline)-1]
		if note.Kind != storage.EventNote || note.Actor != staff ||
			note.Body != "调解结果：达成调解协议，挽回经济损失 ¥1234.50，加倍赔偿。商家退一赔一" {
			t.Fatalf("last event %+v, want the outcome note", note)
		}
		audit := auditSummary(caseAudit(t, db, c.ID))
		if audit[0] != "outcome 7 达成调解协议，挽回经济损失 ¥1234.50，加倍赔偿" {
			t.Fatalf("audit %v, want the outcome first, without the note", audit)
		}

		// A later outcome replaces it; nothing recovered is not mentioned.
		got, err = db.RecordOutcome(ctx, storage.Outcome{CaseID: c.ID, Outcome: storage.OutcomeTerminated, Actor: staff})
		if err != nil || got.Outcome != storage.OutcomeTerminated || got.RecoveredFen != 0 || got.DoubleCompensation {
			t.Fatalf("second outcome %+v, %v", got, err)
		}
		if body := events(t, db, c.ID)[len(timeline)].Body; body != "调解结果：终止调解" {
			t.Fatalf("second note %q", body)
		}
	})
}

func TestRecordOutcomeRefusals(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		for _, o := range []storage.Outcome{
			{CaseID: c.ID, Outcome: "won", Actor: staff},
			{CaseID: c.ID, Outcome: "", Actor: staff},
			{CaseID: c.ID, Outcome: storage.OutcomeSettled, RecoveredFen: -1, Actor: staff},
			{CaseID: c.ID, Outcome: storage.OutcomeSettled},
		} {
			_, err := db.RecordOutcome(ctx, o)
			wantCode(t, err, storage.EINVALID)
		}
		_, err := db.RecordOutcome(ctx, storage.Outcome{CaseID: c.ID + 1, Outcome: storage.OutcomeSettled, Actor: staff})
		wantCode(t, err, storage.ENOTFOUND)
		assertUntouched(t, db, c)
		if n := len(caseAudit(t, db, c.ID)); n != 0 {
			t.Fatalf("%d audit entries after refused outcomes, want none", n)
		}
	})
}

func TestConsumerMessagesMarkCaseUnread(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		if c.Unread {
			t.Fatal("a new case is unread")
		}
		add := func(kind storage.EventKind, actor string) {
			t.Helper()
			if _, err := db.AddEvent(ctx, storage.NewEvent{CaseID: c.ID, Kind: kind, Actor: actor, Body: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		// Staff writing and the system do not make a case unread.
		add(storage.EventStaffReply, staff)
		add(storage.EventNote, staff)
		add(storage.EventNote, storage.ActorSystem)
		if storedCase(t, db, c.ID).Unread {
			t.Fatal("staff events made the case unread")
		}
		for _, kind := range []storage.EventKind{storage.EventConsumerMessage, storage.EventEvidence} {
			add(kind, storage.ActorConsumer)
			if got := storedCase(t, db, c.ID); !got.Unread || !got.UpdatedAt.Equal(c.UpdatedAt) {
				t.Fatalf("after a consumer's %s: %+v, want unread", kind, got)
			}
			if err := db.MarkCaseRead(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			if storedCase(t, db, c.ID).Unread {
				t.Fatal("MarkCaseRead left the case unread")
			}
		}
		wantCode(t, db.MarkCaseRead(ctx, c.ID+1), storage.ENOTFOUND)
	})
}

func TestCannedReplies(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := mustStaff(t, db, "zhao", "赵", storage.RoleMediator)
		receipt, err := db.CreateCannedReply(ctx, " 索要小票 ", "请上传购物小票或订单截图。", s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := storage.CannedReply{ID: receipt.ID, Title: "索要小票", Body: "请上传购物小票或订单截图。",
			CreatedBy: s.ID, UpdatedAt: db.Now().UTC()}
		if *receipt != want {
			t.Fatalf("created %+v, want %+v", *receipt, want)
		}
		if _, err := db.CreateCannedReply(ctx, "受理通知", "您的投诉已受理。", 0); err != nil {
			t.Fatal(err)
		}
		advance(db, time.Hour)
		if err := db.UpdateCannedReply(ctx, receipt.ID, "补充材料", "请补充材料。"); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListCannedReplies(ctx)
		if err != nil || len(list) != 2 || list[0].Title != "受理通知" || list[0].CreatedBy != 0 {
			t.Fatalf("ListCannedReplies = %v, %v", list, err)
		}
		want.Title, want.Body, want.UpdatedAt = "补充材料", "请补充材料。", db.Now().UTC()
		if *list[1] != want {
			t.Fatalf("updated %+v, want %+v", *list[1], want)
		}
		if err := db.DeleteCannedReply(ctx, receipt.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.ListCannedReplies(ctx); len(list) != 1 {
			t.Fatalf("%d replies after delete, want 1", len(list))
		}
		wantCode(t, db.DeleteCannedReply(ctx, receipt.ID), storage.ENOTFOUND)
		wantCode(t, db.UpdateCannedReply(ctx, receipt.ID, "t", "b"), storage.ENOTFOUND)
	})
}

func TestCannedReplyLimits(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		long := func(n int) string { return string(slices.Repeat([]rune{'字'}, n)) }
		if _, err := db.CreateCannedReply(ctx, long(50), long(1000), 0); err != nil {
			t.Fatalf("a reply at the limits: %v", err)
		}
		for _, tb := range [][2]string{{"", "b"}, {" ", "b"}, {long(51), "b"}, {"t", ""}, {"t", long(1001)}} {
			_, err := db.CreateCannedReply(ctx, tb[0], tb[1], 0)
			wantCode(t, err, storage.EINVALID)
			wantCode(t, db.UpdateCannedReply(ctx, 1, tb[0], tb[1]), storage.EINVALID)
		}
		_, err := db.CreateCannedReply(ctx, "t", "b", 999)
		wantCode(t, err, storage.EINVALID)
	})
}

func TestClaimCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		boss := mustStaff(t, db, "boss", "主管甲", storage.RoleSupervisor)
		zhao := mustStaff(t, db, "zhao", "赵调解", storage.RoleMediator)
		qian := mustStaff(t, db, "qian", "钱调解", storage.RoleMediator)
		c := mustCreate(t, db, newCase("k"))
		advance(db, time.Minute)
		claimed, err := db.ClaimCase(ctx, c.ID, zhao.ID, storage.By{Actor: zhao.Actor()})
		if err != nil || claimed.AssigneeID != zhao.ID || !claimed.UpdatedAt.Equal(db.Now()) {
			t.Fatalf("claim = %+v, %v; want assigned to %d, updated now", claimed, err, zhao.ID)
		}
		// Claiming one's own case again is no change; someone else's, a conflict.
		if again, err := db.ClaimCase(ctx, c.ID, zhao.ID, storage.By{Actor: zhao.Actor()}); err != nil || *again != *claimed {
			t.Fatalf("claim again = %+v, %v; want %+v", again, err, claimed)
		}
		_, err = db.ClaimCase(ctx, c.ID, qian.ID, storage.By{Actor: qian.Actor()})
		wantCode(t, err, storage.ECONFLICT)
		if got := storedCase(t, db, c.ID).AssigneeID; got != zhao.ID {
			t.Fatalf("assignee %d after a refused claim, want %d", got, zhao.ID)
		}
		// A supervisor still reassigns freely.
		if _, err := db.AssignCase(ctx, c.ID, &qian.ID, storage.By{Actor: boss.Actor()}); err != nil {
			t.Fatal(err)
		}
		_, err = db.ClaimCase(ctx, c.ID, zhao.ID, storage.By{Actor: zhao.Actor()})
		wantCode(t, err, storage.ECONFLICT)

		_, err = db.ClaimCase(ctx, c.ID+1, zhao.ID, storage.By{Actor: zhao.Actor()})
		wantCode(t, err, storage.ENOTFOUND)
		_, err = db.ClaimCase(ctx, c.ID, zhao.ID, storage.By{Actor: ""})
		wantCode(t, err, storage.EINVALID)
		got := auditSummary(caseAudit(t, db, c.ID))
		want := []string{fmt.Sprintf("assign %d 指派给 钱调解", boss.ID), fmt.Sprintf("assign %d 指派给 赵调解", zhao.ID)}
		if !slices.Equal(got, want) {
			t.Fatalf("audit %v, want %v", got, want)
		}
	})
}

// TestClaimCaseConcurrent races mediators claiming the same free case: the check
// is made on the locked row, so exactly one wins and the others get ECONFLICT.
func TestClaimCaseConcurrent(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		const racers = 8
		var mediators []*storage.Staff
		for i := range racers {
			mediators = append(mediators,
				mustStaff(t, db, fmt.Sprintf("med%d", i), fmt.Sprintf("调解员%d", i), storage.RoleMediator))
		}
		warmPool(t, db, racers)
		for round := range 3 {
			c := mustCreate(t, db, newCase(fmt.Sprintf("k%d", round)))
			errs := make([]error, racers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, m := range mediators {
				wg.Go(func() {
					<-start
					_, errs[i] = db.ClaimCase(context.Background(), c.ID, m.ID, storage.By{Actor: m.Actor()})
				})
			}
			close(start)
			wg.Wait()
			winner := int64(0)
			for i, err := range errs {
				switch storage.ErrorCode(err) {
				case "":
					if winner != 0 {
						t.Fatalf("round %d: both %d and %d claimed the case", round, winner, mediators[i].ID)
					}
					winner = mediators[i].ID
				case storage.ECONFLICT:
				default:
					t.Fatalf("round %d: claim by %d: %v", round, mediators[i].ID, err)
				}
			}
			if winner == 0 {
				t.Fatalf("round %d: nobody claimed the case", round)
			}
			if got := storedCase(t, db, c.ID).AssigneeID; got != winner {
				t.Fatalf("round %d: assignee %d, want the winner %d", round, got, winner)
			}
			if n := len(caseAudit(t, db, c.ID)); n != 1 {
				t.Fatalf("round %d: %d audit entries, want 1", round, n)
			}
		}
	})
}
