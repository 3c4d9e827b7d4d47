package storage

import "time"

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
}

// NewEvidence is evidence submitted with a new case.
type NewEvidence struct {
	Kind    string
	MediaID string
	PicURL  string
}
