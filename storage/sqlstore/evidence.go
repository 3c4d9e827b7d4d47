package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// evidenceColumns lists the evidence columns in storage.Evidence order.
const evidenceColumns = `id, case_id, kind, media_id, pic_url, download_state, sha256,
	created_at, content_type, size, blob_key, attempts, next_attempt_at, lease_until,
	lease_token, last_error`

// evidenceRow scans an evidence row; its field overrides the embedded Evidence's for
// the nullable column (sqlx prefers the shallower field).
type evidenceRow struct {
	storage.Evidence
	LeaseUntil sql.NullTime `db:"lease_until"`
}

// evidence converts the row, NULL to the zero time and times to UTC.
func (r *evidenceRow) evidence() *storage.Evidence {
	e := r.Evidence
	e.LeaseUntil = nullTime(r.LeaseUntil)
	e.CreatedAt, e.NextAttemptAt = e.CreatedAt.UTC(), e.NextAttemptAt.UTC()
	return &e
}

// evidenceList converts rows, keeping their order.
func evidenceList(rows []evidenceRow) []*storage.Evidence {
	out := make([]*storage.Evidence, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].evidence())
	}
	return out
}

// ListEvidence returns the case's evidence, oldest first. ENOTFOUND if no such case.
func (d *DB) ListEvidence(ctx context.Context, caseID int64) ([]*storage.Evidence, error) {
	var evidence []*storage.Evidence
	err := d.inReadTx(ctx, "list evidence", func(tx *sqlx.Tx) error {
		if err := caseExists(ctx, tx, caseID); err != nil {
			return err
		}
		var err error
		evidence, err = listEvidence(ctx, tx, caseID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return evidence, nil
}

func listEvidence(ctx context.Context, tx *sqlx.Tx, caseID int64) ([]*storage.Evidence, error) {
	var rows []evidenceRow
	q := tx.Rebind("SELECT " + evidenceColumns + " FROM evidence WHERE case_id = ?" +
		" ORDER BY created_at, id")
	if err := tx.SelectContext(ctx, &rows, q, caseID); err != nil {
		return nil, fmt.Errorf("select evidence: %w", err)
	}
	return evidenceList(rows), nil
}

// insertEvidence records evidence sent with a case or an event as pending download and
// due at once (WeChat drops temporary media after 3 days), in the order given, which
// is the order ListEvidence returns.
func insertEvidence(
	ctx context.Context, tx *sqlx.Tx, caseID int64, evidence []storage.NewEvidence, now time.Time,
) error {
	q := tx.Rebind(`INSERT INTO evidence (case_id, kind, media_id, pic_url, download_state,
		created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	for _, e := range evidence {
		_, err := tx.ExecContext(ctx, q, caseID, e.Kind, e.MediaID, e.PicURL,
			storage.DownloadPending, now, now)
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
	}
	return nil
}
