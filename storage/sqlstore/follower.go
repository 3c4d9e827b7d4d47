package sqlstore

import (
	"context"

	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.FollowerStore = (*DB)(nil)

// setFollowingSQL records a consumer's follow state at a time, unless a newer one
// is recorded already (the same SQL on both dialects). Arguments: open id,
// following, at.
const setFollowingSQL = `INSERT INTO followers (open_id, following, changed_at) VALUES (?, ?, ?)
	ON CONFLICT (open_id) DO UPDATE SET following = excluded.following, changed_at = excluded.changed_at
	WHERE followers.changed_at <= excluded.changed_at`

// SetFollowing records that openID followed or unfollowed the account at at,
// unless newer news is recorded. EINVALID without an openID.
func (d *DB) SetFollowing(ctx context.Context, openID string, following bool, at time.Time) error {
	if openID == "" {
		return storage.Errorf(storage.EINVALID, "a follower needs an open id")
	}
	return d.inWriteTx(ctx, "set following", func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(setFollowingSQL), openID, following, dbTime(at))
		return err
	})
}
