package storage

import (
	"context"
	"time"
)

// FollowerStore records whether consumers follow the official account. WeChat
// refuses every message to a consumer who unfollowed (43004), so their notices
// are held, neither sent nor given up, until they follow again; then they go
// out in order. A consumer never recorded counts as following.
type FollowerStore interface {
	// SetFollowing records that openID followed (true) or unfollowed (false) the
	// account at at. News older than what is recorded is ignored, so an event
	// that arrives late cannot undo a newer one. EINVALID without an openID.
	SetFollowing(ctx context.Context, openID string, following bool, at time.Time) error
}
