package main

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestEndToEndRetentionJobAnonymisesExpiredCase files a complaint through the
// chat with a photo, refuses it, and lets thirteen months pass on the service's
// clock: the serve job, polling every second, anonymises the case (name, phone,
// openid, what happened, the photo's bytes) and logs the run, while the case
// number, category and status stay.
func TestEndToEndRetentionJobAnonymisesExpiredCase(t *testing.T) {
	clock := testenv.NewWallClock()
	m := startMainOn(t, func(c *configs.Config) { c.Privacy.RetentionPoll = configs.Duration(time.Second) }, clock.Now)
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	ctx := context.Background()
	started := waitForRetentionRun(t, m, time.Time{}) // the run at start
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("ret")}
	c := fileCase(t, m, p)
	var blobKey string
	eventually(t, "evidence download", func() bool {
		ev, err := m.DB.ListEvidence(ctx, c.ID)
		if err != nil || len(ev) != 1 || ev[0].DownloadState != storage.DownloadDone {
			return false
		}
		blobKey = ev[0].BlobKey
		return true
	})
	if _, err := m.DB.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusRejected,
		Reason: storage.RejectReasons[0], Actor: storage.ActorSystem}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(11 * 30 * 24 * time.Hour) // within the year: a run keeps the case
	next := waitForRetentionRun(t, m, started)
	if got, _ := m.DB.FindCaseByNumber(ctx, c.Number); got.Anonymised {
		t.Fatal("anonymised before its year was up")
	}

	clock.Advance(2 * 30 * 24 * time.Hour)
	waitForRetentionRun(t, m, next)
	got, err := m.DB.FindCaseByNumber(ctx, c.Number)
	if err != nil || !got.Anonymised || got.ComplainantName != "" || got.Phone != "" || got.OpenID != "" ||
		got.Description != "" {
		t.Fatalf("after the run: %+v, %v", got, err)
	}
	if got.Status != storage.StatusRejected || got.Category != c.Category || got.MerchantName != c.MerchantName {
		t.Fatalf("facts changed: %+v", got)
	}
	if _, err := m.DB.GetBlob(ctx, blobKey); err == nil {
		t.Error("the photo's bytes are still stored")
	}
	action := storage.AuditAnonymise
	if _, n, err := m.DB.FindAudit(ctx, storage.AuditFilter{CaseID: &c.ID, Action: &action}); err != nil || n != 1 {
		t.Errorf("anonymise entries: %d, %v", n, err)
	}
}

// waitForRetentionRun waits until the retention job has run after its next run
// time was after (zero: any run), and returns the new next run time.
func waitForRetentionRun(t *testing.T, m *Main, after time.Time) time.Time {
	t.Helper()
	var next time.Time
	eventually(t, "a retention run", func() bool {
		var err error
		next, err = m.DB.JobNextRun(context.Background(), "retention")
		return err == nil && next.After(after) && !next.IsZero()
	})
	return next
}
