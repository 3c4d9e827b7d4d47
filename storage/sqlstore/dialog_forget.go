package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// JobDialogForget is the forget worker's row in job_leases (migration 00031):
// one instance at a time retries the pending dialog forgets.
const JobDialogForget = "dialog_forget"

// The store keeps pending forgets (see storage.ForgetStore).
var _ storage.ForgetStore = (*DB)(nil)

// FileDialogForget implements storage.ForgetStore.
func (d *DB) FileDialogForget(ctx context.Context, openid string, delay time.Duration) (int64, error) {
	if openid == "" {
		return 0, storage.Errorf(storage.EINVALID, "file dialog forget: empty openid")
	}
	var id int64
	err := d.inWriteTx(ctx, "file dialog forget", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		return tx.GetContext(ctx, &id, tx.Rebind(`INSERT INTO dialog_forgets (open_id, filed_at, next_try_at)
			VALUES (?, ?, ?) RETURNING id`), openid, now, now.Add(delay))
	})
	return id, err
}

// DialogForgetDone implements storage.ForgetStore.
func (d *DB) DialogForgetDone(ctx context.Context, id int64) error {
	return d.inWriteTx(ctx, "finish dialog forget", func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM dialog_forgets WHERE id = ?`), id)
		return err
	})
}

// DueDialogForgets implements storage.ForgetStore.
func (d *DB) DueDialogForgets(ctx context.Context, limit int) ([]*storage.DialogForget, error) {
	out := []*storage.DialogForget{}
	err := d.inReadTx(ctx, "list dialog forgets", func(tx *sqlx.Tx) error {
		err := tx.SelectContext(ctx, &out, tx.Rebind(`SELECT id, open_id, filed_at, next_try_at, tries
			FROM dialog_forgets WHERE next_try_at <= ? ORDER BY next_try_at, id LIMIT ?`), dbTime(d.now()), limit)
		if err != nil {
			return fmt.Errorf("list dialog forgets: %w", err)
		}
		return nil
	})
	return out, err
}

// DialogForgetFailed implements storage.ForgetStore.
func (d *DB) DialogForgetFailed(ctx context.Context, id int64, retry time.Duration) error {
	return d.inWriteTx(ctx, "retry dialog forget", func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE dialog_forgets SET tries = tries + 1, next_try_at = ?
			WHERE id = ?`), dbTime(d.now()).Add(retry), id)
		return changedRow(res, err, storage.ENOTFOUND, "dialog forget %d not found", id)
	})
}
