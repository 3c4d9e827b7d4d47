package storage

import (
	"context"
	"time"
)

// RateLimiter bounds how often something sensitive is done per key (a staff
// member), in a window shared by every instance of the program.
type RateLimiter interface {
	// Take counts one use for key if key has uses left in the current window, in
	// one step with the check, so that parallel uses cannot all pass a check made
	// before any of them was counted. It reports false, and how long until the
	// window ends, if key has none left; the refused use is not counted. Errors
	// are EUNAVAILABLE (the counter cannot be reached) or EINTERNAL.
	Take(ctx context.Context, key string) (bool, time.Duration, error)
}
