package redisstore

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/redisbase"
	"github.com/complaintbot/complaintbot/storage"
)

// RateLimitOptions configures RateLimit.
type RateLimitOptions struct {
	// Name tells one limit's counters from another's in the key
	// ("phone_search"); required.
	Name string
	// Limit is the uses allowed per key and window; at least 1.
	Limit int
	// Window is how long a series of uses is counted, from its first use; zero or
	// negative means an hour.
	Window time.Duration
	// Prefix starts every key; empty means "cb".
	Prefix string
}

// RateLimit is the storage.RateLimiter on Redis: a fixed window per key, opened
// by its first use, counted by one Lua script (the login throttle's reserve
// script) so that the check and the count are one atomic step on the server that
// every instance shares. A fixed window lets at most twice the limit through
// around a window's end, which is still three orders of magnitude below what an
// unlimited oracle allows. Build it with NewRateLimit; it is safe for concurrent
// use.
type RateLimit struct {
	rdb    redis.UniversalClient
	keys   redisbase.Keys
	name   string
	limit  int
	window time.Duration
}

// RateLimit is checked at compile time against the contract in storage.
var _ storage.RateLimiter = (*RateLimit)(nil)

// NewRateLimit returns a rate limit on rdb. A limit below 1 is taken as 1:
// configuration is validated before this, and a limit must never mean "none".
func NewRateLimit(rdb redis.UniversalClient, opts RateLimitOptions) *RateLimit {
	if opts.Window <= 0 {
		opts.Window = time.Hour
	}
	return &RateLimit{rdb: rdb, keys: redisbase.NewKeys(opts.Prefix), name: opts.Name,
		limit: max(opts.Limit, 1), window: opts.Window}
}

// Take implements storage.RateLimiter: one script, one round trip.
func (l *RateLimit) Take(ctx context.Context, key string) (bool, time.Duration, error) {
	res, err := reserveScript.Run(ctx, l.rdb, []string{l.keys.Rate(l.name, key)},
		redisbase.Millis(l.window), l.limit).Int64Slice()
	if err != nil {
		return false, 0, redisbase.MapError(owner+": take rate limit "+l.name, err)
	}
	if len(res) != 2 || res[0] < 0 {
		return false, 0, redisbase.Corruptf(owner, "rate limit counter is not an integer")
	}
	if res[0] == 1 {
		return true, 0, nil
	}
	wait := time.Duration(res[1]) * time.Millisecond
	if wait <= 0 {
		wait = l.window
	}
	return false, wait, nil
}
