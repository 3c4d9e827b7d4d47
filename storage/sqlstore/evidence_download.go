package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.EvidenceStore = (*DB)(nil)

// dueEvidenceSQL selects the ids of the evidence to claim for download, oldest first:
// pending, its next attempt come, no live lease. Arguments: now, now, limit.
// skipLocked's suffix is appended per dialect.
const dueEvidenceSQL = `SELECT id FROM evidence
	WHERE download_state = 'pending' AND next_attempt_at <= ?
	AND (lease_until IS NULL OR lease_until < ?)
	ORDER BY id LIMIT ?`

// evidenceQueue is evidence awaiting download as a leased work queue.
var evidenceQueue = leaseQueue{
	table:   "evidence",
	noun:    "evidence",
	pending: "download_state = 'pending'",
	columns: evidenceColumns,
}

// ClaimEvidence leases up to limit pending evidence records that are due (NextAttemptAt
// has come, no live lease) and returns them, oldest first, with a fresh LeaseToken and
// Attempts incremented. Concurrent claimers never get the same record. Returns
// EINVALID for a limit or lease that is not positive.
func (d *DB) ClaimEvidence(
	ctx context.Context, limit int, lease time.Duration,
) ([]*storage.Evidence, error) {
	if err := checkClaim(limit, lease); err != nil {
		return nil, err
	}
	now := dbTime(d.now())
	var rows []evidenceRow
	err := d.inWriteTx(ctx, "claim evidence", func(tx *sqlx.Tx) error {
		return evidenceQueue.claim(ctx, tx, dueEvidenceSQL,
			[]any{now, now, limit}, dbTime(now.Add(lease)), &rows)
	})
	if err != nil {
		return nil, err
	}
	out := evidenceList(rows)
	slices.SortFunc(out, func(a, b *storage.Evidence) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// MarkEvidenceDownloaded records where the bytes were stored and sets DownloadDone,
// ending the lease. ECONFLICT if leaseToken no longer holds the record; EINVALID
// without a SHA-256 or blob key, or with a negative size.
func (d *DB) MarkEvidenceDownloaded(
	ctx context.Context, id int64, leaseToken string, dl storage.DownloadedEvidence,
) error {
	if dl.SHA256 == "" || dl.BlobKey == "" || dl.Size < 0 {
		return storage.Errorf(storage.EINVALID,
			"downloaded evidence needs a SHA-256, a blob key and a size")
	}
	return d.inWriteTx(ctx, "mark evidence downloaded", func(tx *sqlx.Tx) error {
		return evidenceQueue.finish(ctx, tx, id, leaseToken,
			"download_state = ?, sha256 = ?, content_type = ?, size = ?, blob_key = ?, last_error = ''",
			storage.DownloadDone, dl.SHA256, dl.ContentType, dl.Size, dl.BlobKey)
	})
}

// RetryEvidence records a failed attempt with its error and makes the record due again
// at next, ending the lease. ECONFLICT if leaseToken no longer holds the record.
func (d *DB) RetryEvidence(
	ctx context.Context, id int64, leaseToken, lastErr string, next time.Time,
) error {
	return d.inWriteTx(ctx, "retry evidence", func(tx *sqlx.Tx) error {
		return evidenceQueue.finish(ctx, tx, id, leaseToken,
			"last_error = ?, next_attempt_at = ?", lastError(lastErr), dbTime(next))
	})
}

// FailEvidence gives up on the record (DownloadFailed) with the last error, ending the
// lease; staff see it on the case. ECONFLICT if leaseToken no longer holds the record.
func (d *DB) FailEvidence(ctx context.Context, id int64, leaseToken, lastErr string) error {
	return d.inWriteTx(ctx, "fail evidence", func(tx *sqlx.Tx) error {
		return evidenceQueue.finish(ctx, tx, id, leaseToken,
			"download_state = ?, last_error = ?", storage.DownloadFailed, lastError(lastErr))
	})
}

// FindEvidence returns one evidence record, ENOTFOUND if none.
func (d *DB) FindEvidence(ctx context.Context, id int64) (*storage.Evidence, error) {
	var row evidenceRow
	err := d.inReadTx(ctx, "find evidence", func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT " + evidenceColumns + " FROM evidence WHERE id = ?")
		err := tx.GetContext(ctx, &row, q, id)
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ENOTFOUND, "evidence %d not found", id)
		} else if err != nil {
			return fmt.Errorf("select evidence: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return row.evidence(), nil
}
