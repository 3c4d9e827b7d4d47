package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// evidenceColumns lists the evidence columns in storage.Evidence order.
const evidenceColumns = `id, case_id, kind, media_id, pic_url, download_state, sha256, created_at`

// ListEvidence returns the case's evidence, oldest first. ENOTFOUND if no such case.
func (d *DB) ListEvidence(ctx context.Context, caseID int64) ([]*storage.Evidence, error) {
	tx, err := d.beginRead(ctx)
	if err != nil {
		return nil, wrapErr("list evidence", err)
	}
	defer tx.Rollback()
	if err := caseExists(ctx, tx, caseID); err != nil {
		return nil, wrapErr("list evidence", err)
	}
	evidence, err := listEvidence(ctx, tx, caseID)
	return evidence, wrapErr("list evidence", err)
}

func listEvidence(ctx context.Context, tx *sqlx.Tx, caseID int64) ([]*storage.Evidence, error) {
	evidence := []*storage.Evidence{}
	q := tx.Rebind("SELECT " + evidenceColumns + " FROM evidence WHERE case_id = ?" +
		" ORDER BY created_at, id")
	if err := tx.SelectContext(ctx, &evidence, q, caseID); err != nil {
		return nil, fmt.Errorf("select evidence: %w", err)
	}
	for _, e := range evidence {
		e.CreatedAt = e.CreatedAt.UTC()
	}
	return evidence, nil
}

// insertEvidence records evidence sent with a case as pending download, in the order
// given, which is the order ListEvidence returns.
func insertEvidence(
	ctx context.Context, tx *sqlx.Tx, caseID int64, evidence []storage.NewEvidence, now time.Time,
) error {
	q := tx.Rebind(`INSERT INTO evidence (case_id, kind, media_id, pic_url, download_state,
		created_at) VALUES (?, ?, ?, ?, ?, ?)`)
	for _, e := range evidence {
		_, err := tx.ExecContext(ctx, q, caseID, e.Kind, e.MediaID, e.PicURL,
			storage.DownloadPending, now)
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
	}
	return nil
}
