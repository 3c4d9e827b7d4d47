package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.BlobStore = (*DB)(nil)

// putBlobSQL stores a blob unless its key exists. Keys are content-addressed, so an
// existing row already holds these bytes; a concurrent put of the same key waits and
// then inserts nothing.
const putBlobSQL = `INSERT INTO blobs (key, data, created_at) VALUES (?, ?, ?)
	ON CONFLICT (key) DO NOTHING`

// PutBlob stores data under key in the blobs table, replacing nothing if the key
// exists. It suits the zero-setup run and small deployments; a blob directory (package
// blobdir) keeps large evidence out of the database. EINVALID for an empty key.
func (d *DB) PutBlob(ctx context.Context, key string, data []byte) error {
	if key == "" {
		return storage.Errorf(storage.EINVALID, "a blob needs a key")
	}
	if data == nil {
		data = []byte{} // the drivers would send nil as NULL
	}
	return d.inWriteTx(ctx, "put blob", func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(putBlobSQL), key, data, dbTime(d.now()))
		return err
	})
}

// GetBlob returns the bytes stored under key, ENOTFOUND if none.
func (d *DB) GetBlob(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	err := d.inReadTx(ctx, "get blob", func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &data, tx.Rebind("SELECT data FROM blobs WHERE key = ?"), key)
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ENOTFOUND, "blob %s not found", key)
		} else if err != nil {
			return fmt.Errorf("select blob: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{} // an empty blob, which some drivers scan as nil
	}
	return data, nil
}

// DeleteBlob removes the bytes stored under key; a missing key is no error
// (storage.BlobRemover). The caller checks that no evidence row needs them.
func (d *DB) DeleteBlob(ctx context.Context, key string) error {
	return d.inWriteTx(ctx, "delete blob", func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind("DELETE FROM blobs WHERE key = ?"), key)
		return err
	})
}
