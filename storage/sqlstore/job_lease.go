package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// Periodic jobs that must run on one instance at a time (the retention job) take
// a row of job_leases. Taking it is one UPDATE that matches only a free, due row,
// so of several instances trying at once exactly one gets it, on PostgreSQL
// (the row lock orders them and the loser re-checks the condition) and on
// SQLite (one writer at a time). Nothing lives in the database session, so a
// pooler in transaction mode in front of PostgreSQL changes nothing; a holder
// that dies loses the job when its lease ends.

// JobRetention is the retention job's row (migration 00025).
const JobRetention = "retention"

// TakeJob gives job to holder until now+lease if no one holds it and it is due
// (its next run time has come), and reports whether it did. ENOTFOUND for a job
// without a row.
func (d *DB) TakeJob(ctx context.Context, job, holder string, lease time.Duration) (bool, error) {
	var took bool
	err := d.inWriteTx(ctx, "take job", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE job_leases SET holder = ?, lease_until = ?
			WHERE name = ? AND (lease_until IS NULL OR lease_until < ?)
			AND (next_run_at IS NULL OR next_run_at <= ?)`), holder, now.Add(lease), job, now, now)
		if err != nil {
			return fmt.Errorf("take job %s: %w", job, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if took = n == 1; took {
			return nil
		}
		return jobExists(ctx, tx, job)
	})
	return took, err
}

// jobExists returns ENOTFOUND if job has no row.
func jobExists(ctx context.Context, tx *sqlx.Tx, job string) error {
	var n int
	if err := tx.GetContext(ctx, &n, tx.Rebind("SELECT count(*) FROM job_leases WHERE name = ?"), job); err != nil {
		return fmt.Errorf("find job %s: %w", job, err)
	}
	if n == 0 {
		return storage.Errorf(storage.ENOTFOUND, "job %s not found", job)
	}
	return nil
}

// FinishJob ends holder's lease of job and sets when it is next due. ECONFLICT
// if holder no longer holds it (its lease ended and another instance took it):
// that instance's next run time wins.
func (d *DB) FinishJob(ctx context.Context, job, holder string, next time.Time) error {
	return d.inWriteTx(ctx, "finish job", func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE job_leases SET lease_until = NULL, next_run_at = ?
			WHERE name = ? AND holder = ? AND lease_until IS NOT NULL`), dbTime(next), job, holder)
		return changedRow(res, err, storage.ECONFLICT, "job %s is no longer held by %s", job, holder)
	})
}

// JobNextRun returns when job is next due; zero if it never ran.
func (d *DB) JobNextRun(ctx context.Context, job string) (time.Time, error) {
	var rows []struct {
		Next sql.NullTime `db:"next_run_at"`
	}
	err := d.inReadTx(ctx, "read job", func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, tx.Rebind("SELECT next_run_at FROM job_leases WHERE name = ?"), job)
	})
	if err != nil {
		return time.Time{}, err
	}
	if len(rows) == 0 {
		return time.Time{}, storage.Errorf(storage.ENOTFOUND, "job %s not found", job)
	}
	return nullTime(rows[0].Next), nil
}
