package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// Anonymisation removes a case's personal data field by field and keeps what the
// published figures and the case's history need (docs/privacy.md lists each
// field and why). It never changes status, outcome, money, dates, category,
// nature, merchant, unit, team or the status-change and referral entries of the
// timeline, which the report reads; it does not touch updated_at either, so
// nothing that sorts or counts by it moves.

// anonymiseStatements clear, for one case (the single placeholder), the personal
// data held outside the cases row. Timeline entries of the consumer and of staff
// may quote anything; status-change and referral entries carry the move and a
// reason from the fixed lists, and the report counts them, so they stay.
var anonymiseStatements = []string{
	`UPDATE case_events SET body = '' WHERE case_id = ? AND kind IN ('` +
		string(storage.EventSubmitted) + `', '` + string(storage.EventConsumerMessage) + `', '` +
		string(storage.EventStaffReply) + `', '` + string(storage.EventNote) + `', '` +
		string(storage.EventEvidence) + `')`,
	// An undelivered notice of the case can no longer reach anyone: it dies.
	`UPDATE notifications SET open_id = '', text = '', summary = '',
		last_error = CASE WHEN state = 'pending' THEN 'anonymised' ELSE last_error END,
		state = CASE WHEN state = 'pending' THEN 'dead' ELSE state END WHERE case_id = ?`,
	`UPDATE case_ratings SET comment = '' WHERE case_id = ?`,
	`UPDATE material_requests SET material = '' WHERE case_id = ?`,
	`UPDATE referrals SET note = '', result_note = '' WHERE case_id = ?`,
	`UPDATE case_agreements SET terms = '' WHERE case_id = ?`,
	`UPDATE settlement_proposals SET reasons = '' WHERE case_id = ?`,
}

// evidenceAnonymiseSQL forgets where the evidence came from and where its bytes
// are; the kind, size and type stay (they say what was sent, not what it showed).
// A download still pending fails, as it has nothing left to fetch.
const evidenceAnonymiseSQL = `UPDATE evidence SET media_id = '', pic_url = '', blob_key = '',
	sha256 = '', download_state = CASE WHEN download_state = 'pending' THEN 'failed' ELSE download_state END
	WHERE case_id = ?`

// anonymiseCase removes the personal data of case id in tx, if it is finished,
// not anonymised and not held (else it returns false and changes nothing), and
// audits it with detail. It returns the evidence blob keys the case referred to;
// the caller removes those no other evidence row needs once tx commits.
func anonymiseCase(
	ctx context.Context, tx *sqlx.Tx, id int64, by storage.By, detail string, now time.Time,
) (done bool, keys []string, err error) {
	c, err := findCaseByID(ctx, tx, id, forUpdate(tx))
	if err != nil {
		return false, nil, err
	}
	if c.Anonymised || c.LegalHold || !c.Status.Final() {
		return false, nil, nil
	}
	if err := tx.SelectContext(ctx, &keys, tx.Rebind(
		`SELECT DISTINCT blob_key FROM evidence WHERE case_id = ? AND blob_key <> ''`), id); err != nil {
		return false, nil, fmt.Errorf("read evidence keys: %w", err)
	}
	if err := clearCaseRow(ctx, tx, c, now); err != nil {
		return false, nil, err
	}
	for _, stmt := range append(anonymiseStatements, evidenceAnonymiseSQL) {
		if _, err := tx.ExecContext(ctx, tx.Rebind(stmt), id); err != nil {
			return false, nil, fmt.Errorf("anonymise case %d: %w", id, err)
		}
	}
	staffID, _ := storage.StaffIDFromActor(by.Actor)
	err = insertAudit(ctx, tx, &storage.AuditEntry{StaffID: staffID, Action: storage.AuditAnonymise,
		CaseID: id, Detail: detail, IP: by.IP, CreatedAt: now})
	return err == nil, keys, err
}

// clearCaseRow clears the personal fields of the cases row and marks it. The
// merchant's address stays: it is the business's, and the registry matches by it.
// A demand stays when it is one of the fixed choices (it is then no free text).
func clearCaseRow(ctx context.Context, tx *sqlx.Tx, c *storage.Case, now time.Time) error {
	demand := ""
	if slices.Contains(storage.Remedies, c.Demand) || c.Demand == "其他" {
		demand = c.Demand
	}
	q := tx.Rebind(`UPDATE cases SET open_id = '', complainant_name = '', phone = '',
		description = '', demand = ?, anonymised = ?, anonymised_at = ? WHERE id = ?`)
	if _, err := tx.ExecContext(ctx, q, demand, true, now, c.ID); err != nil {
		return fmt.Errorf("anonymise case row: %w", err)
	}
	return nil
}

// removeUnusedBlobs removes, through blobs, each key no evidence row refers to
// any more (keys are content-addressed: another case may hold the same bytes),
// and returns how many it removed. A blob that cannot be removed is reported;
// its evidence rows no longer name it, so a later erasure of the same key or a
// sweep finds it again by its absence from every row.
func (d *DB) removeUnusedBlobs(ctx context.Context, blobs storage.BlobRemover, keys []string) (int, error) {
	if blobs == nil {
		blobs = d
	}
	removed := 0
	for _, key := range keys {
		var n int
		err := d.inReadTx(ctx, "count blob users", func(tx *sqlx.Tx) error {
			return tx.GetContext(ctx, &n, tx.Rebind(`SELECT count(*) FROM evidence WHERE blob_key = ?`), key)
		})
		if err != nil {
			return removed, err
		}
		if n > 0 {
			continue
		}
		if err := blobs.DeleteBlob(ctx, key); err != nil {
			return removed, fmt.Errorf("remove evidence bytes: %w", err)
		}
		removed++
	}
	return removed, nil
}

// forgetConsumerSQL removes what is kept on one consumer (the placeholders: the
// openid, twice) outside their cases once no case of theirs holds it any more:
// whether they follow the account, and the chat answers the outbox delivered
// late, which belong to no case. A consumer with a case still holding their
// data keeps both, for that case's notices.
var forgetConsumerSQL = []string{
	`DELETE FROM followers WHERE open_id = ? AND NOT EXISTS (SELECT 1 FROM cases WHERE open_id = ?)`,
	`UPDATE notifications SET open_id = '', text = '', summary = '',
		last_error = CASE WHEN state = 'pending' THEN 'anonymised' ELSE last_error END,
		state = CASE WHEN state = 'pending' THEN 'dead' ELSE state END
		WHERE case_id IS NULL AND open_id = ? AND NOT EXISTS (SELECT 1 FROM cases WHERE open_id = ?)`,
}

// forgetConsumer runs forgetConsumerSQL for openid.
func (d *DB) forgetConsumer(ctx context.Context, openid string) error {
	return d.inWriteTx(ctx, "forget consumer", func(tx *sqlx.Tx) error {
		for _, stmt := range forgetConsumerSQL {
			if _, err := tx.ExecContext(ctx, tx.Rebind(stmt), openid, openid); err != nil {
				return fmt.Errorf("forget consumer: %w", err)
			}
		}
		return nil
	})
}

// sweepCaselessSQL clears, in the retention run, the chat answers that belong to
// no case and were delivered (or given up) before the cutoff, the placeholder:
// the shortest retention counted back from now. Nothing else in them is needed.
const sweepCaselessSQL = `UPDATE notifications SET open_id = '', text = '', summary = ''
	WHERE case_id IS NULL AND state <> 'pending' AND created_at < ? AND open_id <> ''`

// sweepCaseless runs sweepCaselessSQL and returns how many rows it cleared.
func (d *DB) sweepCaseless(ctx context.Context, now time.Time) (int64, error) {
	p := d.retention()
	shortest := min(p.RejectedMonths, p.WithdrawnMonths, p.MediatedMonths, p.ArbitrationMonths, p.OtherMonths)
	var n int64
	err := d.inWriteTx(ctx, "sweep caseless notices", func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(sweepCaselessSQL), dbTime(now.AddDate(0, -shortest, 0)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
