package storage

import (
	"context"
	"time"
)

// Download states of an evidence record. WeChat keeps temporary media for 3 days, so a
// worker fetches pending evidence soon after the case is filed.
const (
	DownloadPending = "pending"
	DownloadDone    = "done"
	DownloadFailed  = "failed"
)

// Evidence is a photo or voice message the consumer sent for a case.
type Evidence struct {
	ID            int64     `db:"id"`
	CaseID        int64     `db:"case_id"`
	Kind          string    `db:"kind"` // "image" or "voice"
	MediaID       string    `db:"media_id"`
	PicURL        string    `db:"pic_url"`
	DownloadState string    `db:"download_state"`
	SHA256        string    `db:"sha256"` // hex, set once downloaded
	CreatedAt     time.Time `db:"created_at"`

	// Set once downloaded: the bytes live in a BlobStore under BlobKey.
	ContentType string `db:"content_type"`
	Size        int64  `db:"size"`
	BlobKey     string `db:"blob_key"`

	// Download bookkeeping, like the outbox's.
	Attempts      int       `db:"attempts"`
	NextAttemptAt time.Time `db:"next_attempt_at"`
	LeaseUntil    time.Time `db:"lease_until"`
	LeaseToken    string    `db:"lease_token"`
	LastError     string    `db:"last_error"`
}

// DownloadedEvidence describes the bytes fetched for an evidence record.
type DownloadedEvidence struct {
	ContentType string
	Size        int64
	SHA256      string // hex
	BlobKey     string
}

// EvidenceStore tracks the download of evidence media. WeChat keeps temporary
// media for 3 days, so pending evidence is fetched at once and retried within
// that window.
type EvidenceStore interface {
	// ClaimEvidence leases up to limit pending evidence records that are due
	// (NextAttemptAt has come, no live lease), with a fresh LeaseToken and
	// Attempts incremented; concurrent claimers never get the same record.
	ClaimEvidence(ctx context.Context, limit int, lease time.Duration) ([]*Evidence, error)

	// MarkEvidenceDownloaded records the stored bytes and sets DownloadDone.
	// ECONFLICT if leaseToken no longer holds the record.
	MarkEvidenceDownloaded(ctx context.Context, id int64, leaseToken string, d DownloadedEvidence) error

	// RetryEvidence records a failed attempt; due again at next. ECONFLICT as above.
	RetryEvidence(ctx context.Context, id int64, leaseToken, lastErr string, next time.Time) error

	// FailEvidence gives up (DownloadFailed) with the last error. ECONFLICT as above.
	FailEvidence(ctx context.Context, id int64, leaseToken, lastErr string) error

	// FindEvidence returns one evidence record, ENOTFOUND if none.
	FindEvidence(ctx context.Context, id int64) (*Evidence, error)
}

// BlobStore keeps bytes by key: evidence photos and voice. Keys are
// content-addressed ("sha256/<hex>"), so storing the same bytes twice is harmless.
type BlobStore interface {
	// PutBlob stores data under key, replacing nothing if it exists.
	PutBlob(ctx context.Context, key string, data []byte) error
	// GetBlob returns the bytes under key, ENOTFOUND if none.
	GetBlob(ctx context.Context, key string) ([]byte, error)
}

// NewEvidence is evidence submitted with a new case.
type NewEvidence struct {
	Kind    string
	MediaID string
	PicURL  string
}
