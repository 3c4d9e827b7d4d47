package sqlstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// consumerWithTwoCases files a refused case and an open one for one consumer.
func consumerWithTwoCases(t *testing.T, db *DB) (closed, open *storage.Case) {
	t.Helper()
	open = withEvidence(t, db, "d2", "sha256/d2")
	move(t, db, open, storage.StatusAccepted, "")
	nc := newCase("d1")
	nc.OpenID = open.OpenID
	closed = mustCreate(t, db, nc)
	move(t, db, closed, storage.StatusRejected, storage.RejectReasons[0])
	return closed, open
}

func TestRequestErasureFilesOpenCasesWithAClock(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		closed, open := consumerWithTwoCases(t, db)
		by := storage.By{Actor: storage.ActorConsumer}
		got, err := db.RequestErasure(ctx, closed.OpenID, nil, by)
		if err != nil || !slices.Equal(got.Erased, []string{closed.Number}) || len(got.Requested) != 1 {
			t.Fatalf("erasure = %+v, %v", got, err)
		}
		if c := storedCase(t, db, closed.ID); !c.Anonymised || c.Phone != "" {
			t.Fatalf("closed case kept its data: %+v", c)
		}
		req := got.Requested[0]
		// Sunday 2026-03-15 10:00: fifteen working days on the seeded calendar
		// (no holiday in between) end on Friday 2026-04-03.
		if req.CaseNumber != open.Number || req.Status != storage.DeletionPending || req.DueOn != "2026-04-03" {
			t.Fatalf("request = %+v", req)
		}
		if c := storedCase(t, db, open.ID); c.Anonymised || c.Phone != "13800138000" {
			t.Fatalf("open case changed at once: %+v", c)
		}
		again, err := db.RequestErasure(ctx, closed.OpenID, nil, by)
		if err != nil || len(again.Requested) != 1 || again.Requested[0].ID != req.ID {
			t.Fatalf("second request = %+v, %v (want the same pending request)", again, err)
		}
		assertAudited(t, db, storage.AuditDeletionRequest, open.ID, 1)
		evs := events(t, db, open.ID)
		if last := evs[len(evs)-1]; !strings.Contains(last.Body, "2026-04-03") {
			t.Fatalf("timeline does not show the request: %+v", last)
		}
		list, err := db.DeletionRequests(ctx, storage.DeletionFilter{UnitIDs: []int64{open.UnitID + 1000}})
		if err != nil || len(list) != 0 {
			t.Fatalf("another unit's list = %+v, %v", list, err)
		}
		list, err = db.DeletionRequests(ctx, storage.DeletionFilter{UnitIDs: []int64{open.UnitID}})
		if err != nil || len(list) != 1 || !list[0].Overdue("2026-04-04") || list[0].Overdue("2026-04-03") {
			t.Fatalf("own unit's list = %+v, %v", list, err)
		}
	})
}

func TestCarryOutDeletionWithdrawsAndAnonymises(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		closed, open := consumerWithTwoCases(t, db)
		got, err := db.RequestErasure(ctx, closed.OpenID, nil, storage.By{Actor: storage.ActorConsumer})
		if err != nil {
			t.Fatal(err)
		}
		id := got.Requested[0].ID
		done, err := db.CarryOutDeletion(ctx, id, nil, storage.By{Actor: staff})
		if err != nil || done.Status != storage.DeletionDone || done.HandledBy != 7 || done.HandledAt.IsZero() ||
			done.CaseStatus != storage.StatusWithdrawn {
			t.Fatalf("carried out = %+v, %v", done, err)
		}
		assertAnonymised(t, db, open)
		if _, err := db.GetBlob(ctx, "sha256/d2"); err == nil {
			t.Error("evidence bytes kept")
		}
		assertAudited(t, db, storage.AuditDeletionDone, open.ID, 1)
		if _, err := db.CarryOutDeletion(ctx, id, nil, storage.By{Actor: staff}); storage.ErrorCode(err) != storage.ECONFLICT {
			t.Fatalf("second carry-out: %v, want ECONFLICT", err)
		}
		openid := closed.OpenID
		pending := storage.NotificationPending
		notes, err := db.FindNotifications(ctx, storage.NotificationFilter{OpenID: &openid, State: &pending})
		if err != nil || len(notes) != 1 || notes[0].Kind != storage.NoticeErasure || notes[0].CaseNumber != open.Number {
			t.Fatalf("consumer's pending notices = %+v, %v (want the erasure notice only)", notes, err)
		}
	})
}

func TestLegalHoldRefusesDeletion(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		closed, open := consumerWithTwoCases(t, db)
		got, err := db.RequestErasure(ctx, closed.OpenID, nil, storage.By{Actor: storage.ActorConsumer})
		if err != nil {
			t.Fatal(err)
		}
		id := got.Requested[0].ID
		if _, err := db.RefuseDeletion(ctx, id, "诉讼中", storage.By{Actor: staff}); storage.ErrorCode(err) != storage.ECONFLICT {
			t.Fatalf("refusing without a hold: %v, want ECONFLICT", err)
		}
		if _, err := db.SetLegalHold(ctx, open.ID, true, storage.By{Actor: staff}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CarryOutDeletion(ctx, id, nil, storage.By{Actor: staff}); storage.ErrorCode(err) != storage.ECONFLICT {
			t.Fatalf("carrying out under a hold: %v, want ECONFLICT", err)
		}
		if _, err := db.RefuseDeletion(ctx, id, " ", storage.By{Actor: staff}); storage.ErrorCode(err) != storage.EINVALID {
			t.Fatalf("refusing without a reason: %v, want EINVALID", err)
		}
		refused, err := db.RefuseDeletion(ctx, id, "案件涉及诉讼，依法保存", storage.By{Actor: staff})
		if err != nil || refused.Status != storage.DeletionRefused || refused.RefusalReason != "案件涉及诉讼，依法保存" {
			t.Fatalf("refused = %+v, %v", refused, err)
		}
		if c := storedCase(t, db, open.ID); c.Anonymised || c.Status != storage.StatusAccepted {
			t.Fatalf("held case changed: %+v", c)
		}
		assertAudited(t, db, storage.AuditDeletionRefused, open.ID, 1)
		notes := caseNotices(t, db, open.ID)
		if last := notes[len(notes)-1]; last.Kind != storage.NoticeErasure || last.Text != "案件涉及诉讼，依法保存" {
			t.Fatalf("consumer not told: %+v", last)
		}
	})
}

func TestCorrectContactChangesOpenCasesOnly(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c1 := mustCreate(t, db, newCase("k1"))
		move(t, db, c1, storage.StatusRejected, storage.RejectReasons[0])
		nc := newCase("k2")
		nc.OpenID = c1.OpenID
		open := mustCreate(t, db, nc)
		got, err := db.CorrectContact(ctx, c1.OpenID, storage.ContactPhone, "13912345678")
		if err != nil || !slices.Equal(got.Corrected, []string{open.Number}) || !slices.Equal(got.Closed, []string{c1.Number}) {
			t.Fatalf("correction = %+v, %v", got, err)
		}
		if c := storedCase(t, db, open.ID); c.Phone != "13912345678" {
			t.Fatalf("phone = %q", c.Phone)
		}
		if c := storedCase(t, db, c1.ID); c.Phone != "13800138000" {
			t.Fatalf("closed case's phone changed to %q", c.Phone)
		}
		evs := events(t, db, open.ID)
		last := evs[len(evs)-1]
		if last.Actor != storage.ActorConsumer || !strings.Contains(last.Body, "138****8000") ||
			strings.Contains(last.Body, "13800138000") {
			t.Fatalf("timeline entry = %+v (want the old phone masked)", last)
		}
		assertAudited(t, db, storage.AuditContactCorrect, open.ID, 1)
		if _, err := db.CorrectContact(ctx, c1.OpenID, storage.ContactName, "李四"); err != nil {
			t.Fatal(err)
		}
		if c := storedCase(t, db, open.ID); c.ComplainantName != "李四" {
			t.Fatalf("name = %q", c.ComplainantName)
		}
	})
}
