package redisstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/storage"
)

// Defaults for ThrottleOptions.
const (
	// DefaultWindow is how long failures are remembered, counted from the first.
	DefaultWindow = 15 * time.Minute
	// DefaultMaxFailures is the limit for a key whose kind has none in Limits.
	DefaultMaxFailures = 5
)

// DefaultLimits are the failures allowed per window by key kind: five guesses at
// one account, thirty from one address (an office behind one NAT address has
// several people who mistype now and then).
var DefaultLimits = map[string]int{"user": 5, "ip": 30}

// ThrottleOptions configures LoginThrottle. The zero value is usable.
type ThrottleOptions struct {
	// Limits maps a key's kind — the part before its first ":", as in
	// "user:alice" or "ip:10.0.0.1" — to the failures allowed per window. Nil
	// means DefaultLimits.
	Limits map[string]int
	// MaxFailures is the limit for kinds missing from Limits; zero or negative
	// means DefaultMaxFailures.
	MaxFailures int
	// Window is how long failures count, from the first failure of a series;
	// zero or negative means DefaultWindow.
	Window time.Duration
	// Prefix starts every key; empty means "cb".
	Prefix string
}

// LoginThrottle is the storage.LoginThrottle on Redis: a fixed window per key,
// opened by its first failure. Build it with NewLoginThrottle; it is safe for
// concurrent use.
type LoginThrottle struct {
	rdb    redis.UniversalClient
	keys   keys
	limits map[string]int
	max    int
	window time.Duration
}

// LoginThrottle is checked at compile time against the contract in storage.
var _ storage.LoginThrottle = (*LoginThrottle)(nil)

// NewLoginThrottle returns a throttle on rdb.
func NewLoginThrottle(rdb redis.UniversalClient, opts ThrottleOptions) *LoginThrottle {
	if opts.Limits == nil {
		opts.Limits = DefaultLimits
	}
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = DefaultMaxFailures
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	return &LoginThrottle{rdb: rdb, keys: newKeys(opts.Prefix), limits: opts.Limits, max: opts.MaxFailures, window: opts.Window}
}

// failScript counts a failure. INCR and PEXPIRE in one script, so that a crash
// between them cannot leave a counter that never expires (which would lock the
// account out for good).
//
// KEYS[1] -> <prefix>:console:throttle:{<key>}
//
// ARGV[1] -> window in milliseconds
//
// Returns the number of failures in the window, this one included.
var failScript = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 or redis.call("PTTL", KEYS[1]) < 0 then
	redis.call("PEXPIRE", KEYS[1], ARGV[1])
end
return n
`)

// LoginAllowed implements storage.LoginThrottle. The count and the time left are
// read in one MULTI so they belong to the same window.
func (t *LoginThrottle) LoginAllowed(ctx context.Context, key string) (bool, time.Duration, error) {
	k := t.keys.throttle(key)
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	_, err := t.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		get, ttl = p.Get(ctx, k), p.PTTL(ctx, k)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, 0, redisError("read login throttle", err)
	}
	n, err := get.Int()
	switch {
	case errors.Is(err, redis.Nil):
		return true, 0, nil
	case err != nil:
		return false, 0, corrupt("throttle counter is not an integer")
	case n < t.limit(key):
		return true, 0, nil
	}
	wait := ttl.Val()
	if wait <= 0 {
		wait = t.window // the key is about to expire or has no TTL; be safe
	}
	return false, wait, nil
}

// LoginFailed implements storage.LoginThrottle.
func (t *LoginThrottle) LoginFailed(ctx context.Context, key string) error {
	err := failScript.Run(ctx, t.rdb, []string{t.keys.throttle(key)}, millis(t.window)).Err()
	if err != nil {
		return redisError("count login failure", err)
	}
	return nil
}

// LoginSucceeded implements storage.LoginThrottle.
func (t *LoginThrottle) LoginSucceeded(ctx context.Context, key string) error {
	if err := t.rdb.Del(ctx, t.keys.throttle(key)).Err(); err != nil {
		return redisError("reset login throttle", err)
	}
	return nil
}

// limit is the failures allowed for key, by its kind.
func (t *LoginThrottle) limit(key string) int {
	kind, _, _ := strings.Cut(key, ":")
	if n, ok := t.limits[kind]; ok && n > 0 {
		return n
	}
	return t.max
}
