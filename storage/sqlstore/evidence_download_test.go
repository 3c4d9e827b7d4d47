package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// claimEvidence claims up to limit evidence records for an hour or fails the test.
func claimEvidence(t *testing.T, db *DB, limit int) []*storage.Evidence {
	t.Helper()
	got, err := db.ClaimEvidence(context.Background(), limit, time.Hour)
	if err != nil {
		t.Fatalf("claim evidence: %v", err)
	}
	return got
}

// mediaIDs returns the MediaID of each record, in order.
func mediaIDs(evidence []*storage.Evidence) []string {
	var out []string
	for _, e := range evidence {
		out = append(out, e.MediaID)
	}
	return out
}

// findEvidence returns the record or fails the test.
func findEvidence(t *testing.T, db *DB, id int64) *storage.Evidence {
	t.Helper()
	e, err := db.FindEvidence(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEvidenceDownloadLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		nc := newCase("k")
		nc.Evidence = []storage.NewEvidence{{Kind: "image", MediaID: "m1"}, {Kind: "image", MediaID: "m2"}, {Kind: "voice", MediaID: "m3"}}
		mustCreate(t, db, nc)
		first := claimEvidence(t, db, 2)
		if got := mediaIDs(first); len(got) != 2 || got[0] != "m1" || got[1] != "m2" {
			t.Fatalf("first claim %v, want m1, m2", got)
		}
		if e := first[0]; e.Attempts != 1 || e.LeaseToken == "" || !e.LeaseUntil.Equal(db.Now().Add(time.Hour)) {
			t.Fatalf("claimed %+v, want attempt 1 leased for an hour", e)
		}
		third := claimEvidence(t, db, 10)
		if got := mediaIDs(third); len(got) != 1 || got[0] != "m3" {
			t.Fatalf("second claim %v, want m3 only", got)
		}
		m1, m2, m3 := first[0], first[1], third[0]

		done := storage.DownloadedEvidence{ContentType: "image/jpeg", Size: 2048, SHA256: "ab12", BlobKey: "sha256/ab12"}
		if err := db.MarkEvidenceDownloaded(ctx, m1.ID, m1.LeaseToken, done); err != nil {
			t.Fatal(err)
		}
		got := findEvidence(t, db, m1.ID)
		if got.DownloadState != storage.DownloadDone || got.SHA256 != "ab12" || got.ContentType != "image/jpeg" ||
			got.Size != 2048 || got.BlobKey != "sha256/ab12" || got.LeaseToken != "" || !got.LeaseUntil.IsZero() {
			t.Fatalf("downloaded = %+v", got)
		}

		next := db.Now().Add(5 * time.Minute)
		if err := db.RetryEvidence(ctx, m2.ID, m2.LeaseToken, "timeout", next); err != nil {
			t.Fatal(err)
		}
		if err := db.FailEvidence(ctx, m3.ID, m3.LeaseToken, "40007 invalid media_id"); err != nil {
			t.Fatal(err)
		}
		if got := claimEvidence(t, db, 10); len(got) != 0 {
			t.Fatalf("claimed %v before the retry is due", mediaIDs(got))
		}
		advance(db, 5*time.Minute)
		again := claimEvidence(t, db, 10)
		if len(again) != 1 || again[0].ID != m2.ID || again[0].Attempts != 2 || again[0].LastError != "timeout" {
			t.Fatalf("claimed %+v, want m2 on attempt 2 with its error", again)
		}
		failed := findEvidence(t, db, m3.ID)
		if failed.DownloadState != storage.DownloadFailed || failed.LastError != "40007 invalid media_id" {
			t.Fatalf("failed = %+v", failed)
		}
		_, err := db.FindEvidence(ctx, m3.ID+100)
		wantCode(t, err, storage.ENOTFOUND)
	})
}

func TestEvidenceLeaseTokens(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		nc := newCase("k")
		nc.Evidence = []storage.NewEvidence{{Kind: "image", MediaID: "m1"}}
		mustCreate(t, db, nc)
		first, err := db.ClaimEvidence(ctx, 10, time.Minute)
		if err != nil || len(first) != 1 {
			t.Fatalf("claim = %v, %v", first, err)
		}
		advance(db, 2*time.Minute) // the downloader died
		again := claimEvidence(t, db, 10)
		if len(again) != 1 || again[0].LeaseToken == first[0].LeaseToken || again[0].Attempts != 2 {
			t.Fatalf("reclaimed %+v, want a new lease on attempt 2", again)
		}
		id, old := first[0].ID, first[0].LeaseToken
		done := storage.DownloadedEvidence{SHA256: "ab", BlobKey: "sha256/ab", Size: 1}
		wantCode(t, db.MarkEvidenceDownloaded(ctx, id, old, done), storage.ECONFLICT)
		wantCode(t, db.RetryEvidence(ctx, id, old, "x", db.Now()), storage.ECONFLICT)
		wantCode(t, db.FailEvidence(ctx, id, old, "x"), storage.ECONFLICT)
		wantCode(t, db.MarkEvidenceDownloaded(ctx, id, again[0].LeaseToken, storage.DownloadedEvidence{}), storage.EINVALID)
		_, err = db.ClaimEvidence(ctx, 10, -time.Second)
		wantCode(t, err, storage.EINVALID)
	})
}

// TestMigrationMakesOldEvidenceDue checks that evidence filed before migration 00002
// gets sensible download bookkeeping: due since it was filed, no attempts, no lease.
func TestMigrationMakesOldEvidenceDue(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		ctx := context.Background()
		db := testenv.Open(t, Open, target)
		p, err := db.newMigrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 1); err != nil {
			t.Fatal(err)
		}
		filed := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		insertV1Evidence(t, db, filed)
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		setClock(db, filed.Add(time.Hour))
		claimed := claimEvidence(t, db, 10)
		if len(claimed) != 1 {
			t.Fatalf("claimed %d records filed before the migration, want 1", len(claimed))
		}
		e := findEvidence(t, db, claimed[0].ID)
		if !e.NextAttemptAt.Equal(filed) || e.Attempts != 1 || e.DownloadState != storage.DownloadPending {
			t.Fatalf("old evidence = %+v, want due since %v", e, filed)
		}
	})
}

// insertV1Evidence inserts a case and one evidence record as version 1 of the schema
// had them.
func insertV1Evidence(t *testing.T, db *DB, filed time.Time) {
	t.Helper()
	var caseID int64
	err := db.db.Get(&caseID, db.db.Rebind(`INSERT INTO cases (number, open_id, status, category,
		merchant_name, description, demand, complainant_name, phone, intake_key, created_at,
		updated_at) VALUES ('TS-2026-000001', 'o', 'submitted', 'c', 'm', 'd', 'x', 'n', 'p', 'k', ?, ?)
		RETURNING id`), filed, filed)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.db.Exec(db.db.Rebind(`INSERT INTO evidence (case_id, kind, media_id, created_at)
		VALUES (?, 'image', 'old-media', ?)`), caseID, filed)
	if err != nil {
		t.Fatal(err)
	}
}
