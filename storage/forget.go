package storage

import (
	"context"
	"time"
)

// DialogForget is a pending deletion of one consumer's dialog state in Redis:
// their cases were erased in the database, and the chat's own keys (draft,
// saved replies) must still go. It holds the openid until that is done.
type DialogForget struct {
	ID        int64     `db:"id"`
	OpenID    string    `db:"open_id"`
	FiledAt   time.Time `db:"filed_at"`
	NextTryAt time.Time `db:"next_try_at"`
	Tries     int       `db:"tries"` // failed attempts of the worker so far
}

// ForgetStore keeps the pending dialog forgets durable, so a Redis failure
// after a consumer's erasure loses nothing: the chat files one, the forget
// worker retries it until Redis answers.
type ForgetStore interface {
	// FileDialogForget records that openid's dialog state must be deleted, due
	// after delay (long enough for the filing turn to commit first), and
	// returns its id. EINVALID for an empty openid.
	FileDialogForget(ctx context.Context, openid string, delay time.Duration) (int64, error)

	// DialogForgetDone removes forget id once the state is deleted. Removing
	// one already gone is not an error (the worker and the chat may both
	// have done it).
	DialogForgetDone(ctx context.Context, id int64) error

	// DueDialogForgets returns at most limit forgets whose next try is due,
	// oldest first.
	DueDialogForgets(ctx context.Context, limit int) ([]*DialogForget, error)

	// DialogForgetFailed counts a failed try of forget id and makes it due
	// again after retry. ENOTFOUND if it is gone.
	DialogForgetFailed(ctx context.Context, id int64, retry time.Duration) error
}
