package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// withEvidence files a case for key whose photo was downloaded into db under
// blobKey, and a consumer message naming the consumer's phone.
func withEvidence(t *testing.T, db *DB, key, blobKey string) *storage.Case {
	t.Helper()
	ctx := context.Background()
	nc := newCase(key)
	nc.Evidence = []storage.NewEvidence{{Kind: "image", MediaID: "media-" + key, PicURL: "http://pic/" + key}}
	c := mustCreate(t, db, nc)
	claimed, err := db.ClaimEvidence(ctx, 10, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim evidence: %v, %d", err, len(claimed))
	}
	if err := db.PutBlob(ctx, blobKey, []byte("photo of "+key)); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkEvidenceDownloaded(ctx, claimed[0].ID, claimed[0].LeaseToken, storage.DownloadedEvidence{
		ContentType: "image/jpeg", Size: 9, SHA256: "ab", BlobKey: blobKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddEvent(ctx, storage.NewEvent{CaseID: c.ID, Kind: storage.EventConsumerMessage,
		Actor: storage.ActorConsumer, Body: "请打 13800138000 找我"}); err != nil {
		t.Fatal(err)
	}
	return c
}

// retentionDesk files, on 2026-03-15, a refused case with evidence, a withdrawn
// one, a mediated one sharing the refused one's evidence bytes, a refused one
// under a legal hold, one referred to arbitration and an open one.
type retentionDesk struct {
	rejected, withdrawn, mediated, held, arbitration, open *storage.Case
}

func newRetentionDesk(t *testing.T, db *DB) retentionDesk {
	t.Helper()
	ctx := context.Background()
	var d retentionDesk
	d.rejected = withEvidence(t, db, "rej", "sha256/shared")
	move(t, db, d.rejected, storage.StatusRejected, storage.RejectReasons[0])
	d.withdrawn = mustCreate(t, db, newCase("wd"))
	if _, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: d.withdrawn.ID,
		To: storage.StatusWithdrawn, Actor: storage.ActorConsumer}); err != nil {
		t.Fatal(err)
	}
	d.mediated = withEvidence(t, db, "med", "sha256/shared")
	move(t, db, d.mediated, storage.StatusAccepted, "")
	move(t, db, d.mediated, storage.StatusMediating, "")
	if _, err := db.CloseCase(ctx, storage.Closing{CaseID: d.mediated.ID, Outcome: storage.OutcomeAgreement,
		RecoveredFen: 50_000, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	d.held = mustCreate(t, db, newCase("held"))
	move(t, db, d.held, storage.StatusRejected, storage.RejectReasons[0])
	if _, err := db.SetLegalHold(ctx, d.held.ID, true, storage.By{Actor: staff}); err != nil {
		t.Fatal(err)
	}
	d.arbitration = mediating(t, db, "arb")
	move(t, db, d.arbitration, storage.StatusReferred, storage.ArbitrationTarget)
	move(t, db, d.arbitration, storage.StatusTerminated, "")
	d.open = mustCreate(t, db, newCase("open"))
	return d
}

// numbers lists the case numbers of a run.
func numbers(cases []storage.RetentionCase) []string {
	var out []string
	for _, c := range cases {
		out = append(out, c.Number)
	}
	return out
}

func TestRetentionByOutcome(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		d := newRetentionDesk(t, db)
		setClock(db, time.Date(2027, 3, 14, 10, 0, 0, 0, cst))
		if run, err := db.RunRetention(ctx, nil, true); err != nil || len(run.Expired) != 0 {
			t.Fatalf("a day before a year: %+v, %v", run, err)
		}
		setClock(db, time.Date(2027, 3, 16, 10, 0, 0, 0, cst))
		dry, err := db.RunRetention(ctx, nil, true)
		want := []string{d.rejected.Number, d.withdrawn.Number}
		if err != nil || !slices.Equal(numbers(dry.Expired), want) || dry.Held != 1 {
			t.Fatalf("dry run = %+v, %v; want %v and one held", dry, err, want)
		}
		if c := storedCase(t, db, d.rejected.ID); c.Anonymised || c.ComplainantName != "张三" {
			t.Fatalf("a dry run changed the case: %+v", c)
		}
		run, err := db.RunRetention(ctx, nil, false)
		if err != nil || !slices.Equal(numbers(run.Expired), want) || run.Held != 1 || run.BlobsRemoved != 0 {
			t.Fatalf("run = %+v, %v", run, err)
		}
		assertAnonymised(t, db, d.rejected)
		// The mediated case still needs the shared bytes.
		if _, err := db.GetBlob(ctx, "sha256/shared"); err != nil {
			t.Fatalf("shared evidence bytes gone: %v", err)
		}
		for _, c := range []*storage.Case{d.mediated, d.held, d.arbitration, d.open} {
			if got := storedCase(t, db, c.ID); got.Anonymised || got.ComplainantName != "张三" {
				t.Errorf("%s anonymised too early: %+v", c.Number, got)
			}
		}
		assertAudited(t, db, storage.AuditAnonymise, d.rejected.ID, 1)
		assertAudited(t, db, storage.AuditRetentionRun, 0, 1)
		if again, err := db.RunRetention(ctx, nil, false); err != nil || len(again.Expired) != 0 {
			t.Fatalf("second run = %+v, %v", again, err)
		}

		setClock(db, time.Date(2029, 3, 16, 10, 0, 0, 0, cst))
		run, err = db.RunRetention(ctx, nil, false)
		if err != nil || !slices.Equal(numbers(run.Expired), []string{d.mediated.Number}) || run.BlobsRemoved != 1 {
			t.Fatalf("three years on: %+v, %v", run, err)
		}
		if got := storedCase(t, db, d.mediated.ID); got.RecoveredFen != 50_000 || got.Outcome != storage.OutcomeAgreement {
			t.Errorf("the outcome's figures changed: %+v", got)
		}
		if _, err := db.GetBlob(ctx, "sha256/shared"); err == nil {
			t.Error("evidence bytes kept after the last case needing them was anonymised")
		}
		setClock(db, time.Date(2031, 3, 16, 10, 0, 0, 0, cst))
		run, err = db.RunRetention(ctx, nil, false)
		if err != nil || !slices.Equal(numbers(run.Expired), []string{d.arbitration.Number}) ||
			run.Expired[0].Class != storage.RetentionArbitration {
			t.Fatalf("five years on: %+v, %v", run, err)
		}
		if got := storedCase(t, db, d.open.ID); got.Anonymised {
			t.Error("an open case was anonymised")
		}
	})
}

// assertAnonymised checks that c holds no personal data and kept its facts.
func assertAnonymised(t *testing.T, db *DB, c *storage.Case) {
	t.Helper()
	ctx := context.Background()
	got := storedCase(t, db, c.ID)
	if !got.Anonymised || got.ComplainantName != "" || got.Phone != "" || got.OpenID != "" ||
		got.Description != "" {
		t.Fatalf("personal data kept: %+v", got)
	}
	if got.Number != c.Number || got.Category != c.Category || got.MerchantName != c.MerchantName ||
		got.AmountFen != c.AmountFen || !got.CreatedAt.Equal(c.CreatedAt) || got.Demand != "退款" {
		t.Fatalf("facts changed: %+v", got)
	}
	for _, ev := range events(t, db, c.ID) {
		kept := ev.Kind == storage.EventStatusChange || ev.Kind == storage.EventReferral
		if kept != (ev.Body != "") {
			t.Errorf("%s entry body %q", ev.Kind, ev.Body)
		}
	}
	evs, err := db.ListEvidence(ctx, c.ID)
	if err != nil || len(evs) != 1 || evs[0].BlobKey != "" || evs[0].MediaID != "" || evs[0].PicURL != "" {
		t.Fatalf("evidence after anonymising: %+v, %v", evs, err)
	}
	for _, n := range caseNotices(t, db, c.ID) {
		if n.OpenID != "" || n.Text != "" || n.State == storage.NotificationPending {
			t.Errorf("notice kept: %+v", n)
		}
	}
}

// assertAudited checks that the log holds n entries of action about caseID (0:
// about no case).
func assertAudited(t *testing.T, db *DB, action string, caseID int64, n int) {
	t.Helper()
	f := storage.AuditFilter{Action: &action}
	if caseID != 0 {
		f.CaseID = &caseID
	}
	_, total, err := db.FindAudit(context.Background(), f)
	if err != nil || total != n {
		t.Fatalf("%s entries about case %d: %d, %v; want %d", action, caseID, total, err, n)
	}
}

func TestRetentionPolicyFromConfig(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		d := newRetentionDesk(t, db)
		db.Retention = storage.RetentionPolicy{RejectedMonths: 1, WithdrawnMonths: 24,
			MediatedMonths: 36, ArbitrationMonths: 60, OtherMonths: 36}
		setClock(db, time.Date(2026, 4, 16, 10, 0, 0, 0, cst))
		run, err := db.RunRetention(context.Background(), nil, true)
		if err != nil || !slices.Equal(numbers(run.Expired), []string{d.rejected.Number}) {
			t.Fatalf("with a month for refusals: %+v, %v", run, err)
		}
	})
}

func TestEraseConsumerKeepsOpenAndHeldCases(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		closed := withEvidence(t, db, "c1", "sha256/c1")
		openid := closed.OpenID
		move(t, db, closed, storage.StatusRejected, storage.RejectReasons[0])
		nc := newCase("c2")
		nc.OpenID = openid
		open := mustCreate(t, db, nc)
		other := mustCreate(t, db, newCase("c3"))

		if err := db.SetFollowing(ctx, openid, false, db.now()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EnqueueNotification(ctx, storage.NewNotification{OpenID: openid,
			Kind: storage.NoticeDialogReply, Text: "张三，您的投诉已提交"}); err != nil {
			t.Fatal(err)
		}
		recs, err := db.ConsumerRecords(ctx, openid)
		if err != nil || len(recs) != 2 || recs[0].Number != closed.Number || recs[0].Until.IsZero() ||
			!recs[1].Until.IsZero() || recs[1].Phone != "13800138000" {
			t.Fatalf("records = %+v, %v", recs, err)
		}
		erased, err := db.EraseConsumer(ctx, openid, nil, storage.By{Actor: storage.ActorSystem})
		if err != nil || !slices.Equal(erased.Erased, []string{closed.Number}) || len(erased.Open) != 1 ||
			erased.Open[0].Number != open.Number || erased.BlobsRemoved != 1 {
			t.Fatalf("erasure = %+v, %v", erased, err)
		}
		assertAnonymised(t, db, closed)
		if _, err := db.GetBlob(ctx, "sha256/c1"); err == nil {
			t.Error("evidence bytes kept")
		}
		if got := storedCase(t, db, open.ID); got.Anonymised || got.ComplainantName != "张三" {
			t.Errorf("open case touched: %+v", got)
		}
		if got := storedCase(t, db, other.ID); got.Anonymised {
			t.Error("another consumer's case anonymised")
		}
		assertAudited(t, db, storage.AuditConsumerErase, 0, 1)
		recs, err = db.ConsumerRecords(ctx, openid)
		if err != nil || len(recs) != 1 || recs[0].Number != open.Number {
			t.Fatalf("records after erasure = %+v, %v", recs, err)
		}
		// The open case still needs the follow state and the chat answers.
		if n := caselessNotices(t, db, openid); n != 1 {
			t.Fatalf("%d caseless notices kept while a case is open, want 1", n)
		}
		move(t, db, open, storage.StatusWithdrawn, "")
		if _, err := db.EraseConsumer(ctx, openid, nil, storage.By{Actor: storage.ActorSystem}); err != nil {
			t.Fatal(err)
		}
		if n := caselessNotices(t, db, openid); n != 0 {
			t.Fatalf("%d caseless notices kept after the last case was erased", n)
		}
		var followers int
		if err := db.db.Get(&followers, db.db.Rebind("SELECT count(*) FROM followers WHERE open_id = ?"), openid); err != nil || followers != 0 {
			t.Fatalf("follower rows after erasure: %d, %v", followers, err)
		}
	})
}

func TestAnonymisedCaseIsHistory(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("w"))
		if _, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusWithdrawn,
			Actor: storage.ActorConsumer}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EraseConsumer(ctx, c.OpenID, nil, storage.By{Actor: storage.ActorConsumer}); err != nil {
			t.Fatal(err)
		}
		_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusMediating,
			Actor: staff, Reopen: true})
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.AddEvent(ctx, storage.NewEvent{CaseID: c.ID, Kind: storage.EventNote, Actor: staff, Body: "张三来电"})
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.SetLegalHold(ctx, c.ID, true, storage.By{Actor: staff})
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.SetLegalHold(ctx, 999_999, true, storage.By{Actor: staff})
		wantCode(t, err, storage.ENOTFOUND)
	})
}

func TestLegalHoldIsAuditedAndCleared(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		boss := mustStaff(t, db, "boss", "主管", storage.RoleSupervisor)
		c := mustCreate(t, db, newCase("h"))
		move(t, db, c, storage.StatusRejected, storage.RejectReasons[0])
		by := storage.By{Actor: boss.Actor(), IP: "10.0.0.9"}
		if got, err := db.SetLegalHold(ctx, c.ID, true, by); err != nil || !got.LegalHold {
			t.Fatalf("hold: %+v, %v", got, err)
		}
		setClock(db, time.Date(2028, 1, 1, 10, 0, 0, 0, cst))
		if run, err := db.RunRetention(ctx, nil, false); err != nil || len(run.Expired) != 0 || run.Held != 1 {
			t.Fatalf("held run = %+v, %v", run, err)
		}
		if _, err := db.SetLegalHold(ctx, c.ID, false, by); err != nil {
			t.Fatal(err)
		}
		if run, err := db.RunRetention(ctx, nil, false); err != nil || len(run.Expired) != 1 {
			t.Fatalf("run after clearing = %+v, %v", run, err)
		}
		assertAudited(t, db, storage.AuditLegalHold, c.ID, 2)
	})
}

func TestJobLeaseOneHolderAtATime(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		start := time.Date(2026, 3, 15, 10, 0, 0, 0, cst)
		if took, err := db.TakeJob(ctx, JobRetention, "a", time.Hour); err != nil || !took {
			t.Fatalf("first take: %v, %v", took, err)
		}
		if took, err := db.TakeJob(ctx, JobRetention, "b", time.Hour); err != nil || took {
			t.Fatalf("second holder took a held job: %v, %v", took, err)
		}
		// a dies; its lease ends and b takes over; a's late finish is refused.
		setClock(db, start.Add(61*time.Minute))
		if took, err := db.TakeJob(ctx, JobRetention, "b", time.Hour); err != nil || !took {
			t.Fatalf("take after the lease ended: %v, %v", took, err)
		}
		wantCode(t, db.FinishJob(ctx, JobRetention, "a", start.Add(24*time.Hour)), storage.ECONFLICT)
		if err := db.FinishJob(ctx, JobRetention, "b", start.Add(25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if next, err := db.JobNextRun(ctx, JobRetention); err != nil || !next.Equal(start.Add(25*time.Hour)) {
			t.Fatalf("next run %v, %v", next, err)
		}
		setClock(db, start.Add(24*time.Hour))
		if took, err := db.TakeJob(ctx, JobRetention, "c", time.Hour); err != nil || took {
			t.Fatalf("took a job before it was due: %v, %v", took, err)
		}
		setClock(db, start.Add(25*time.Hour))
		if took, err := db.TakeJob(ctx, JobRetention, "c", time.Hour); err != nil || !took {
			t.Fatalf("due job not taken: %v, %v", took, err)
		}
		_, err := db.TakeJob(ctx, "nope", "c", time.Hour)
		wantCode(t, err, storage.ENOTFOUND)
	})
}

func TestRetentionClassOfHistory(t *testing.T) {
	for _, tc := range []struct {
		row  retentionRow
		want storage.RetentionClass
	}{
		{retentionRow{Status: storage.StatusRejected}, storage.RetentionRejected},
		{retentionRow{Status: storage.StatusClosed, EverRejected: true}, storage.RetentionRejected},
		{retentionRow{Status: storage.StatusClosed, Outcome: storage.OutcomeWithdrawn}, storage.RetentionWithdrawn},
		{retentionRow{Status: storage.StatusClosed, Outcome: storage.OutcomeSettled, EverRejected: true}, storage.RetentionMediated},
		{retentionRow{Status: storage.StatusTerminated, Outcome: storage.OutcomeTerminated}, storage.RetentionOther},
		{retentionRow{Status: storage.StatusResolved, Outcome: storage.OutcomeAgreement, Arbitration: true}, storage.RetentionArbitration},
	} {
		if got := tc.row.class(); got != tc.want {
			t.Errorf("%+v: class %s, want %s", tc.row, got, tc.want)
		}
	}
}

// caselessNotices counts the outbox rows addressed to openid.
func caselessNotices(t *testing.T, db *DB, openid string) int {
	t.Helper()
	found, err := db.FindNotifications(context.Background(), storage.NotificationFilter{OpenID: &openid})
	if err != nil {
		t.Fatal(err)
	}
	return len(found)
}

func TestJobLeaseConcurrentTakersOneWins(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		const takers = 8
		results := make(chan bool, takers)
		errs := make(chan error, takers)
		start := make(chan struct{})
		for i := range takers {
			go func() {
				<-start
				took, err := db.TakeJob(ctx, JobRetention, fmt.Sprintf("instance-%d", i), time.Hour)
				results <- took
				errs <- err
			}()
		}
		close(start)
		won := 0
		for range takers {
			if <-results {
				won++
			}
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if won != 1 {
			t.Fatalf("%d instances took the job at once, want 1", won)
		}
	})
}
