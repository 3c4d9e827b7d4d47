package redisstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/redisbase"
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
// one account from one address ("userip"), thirty from one address across
// accounts (an office behind one NAT address has several people who mistype now
// and then), and fifty at one account from anywhere ("user"): ten times the
// pair's, so that someone else's failures from a few addresses do not lock the
// owner out, yet guessing spread over many addresses still meets a ceiling.
var DefaultLimits = map[string]int{"userip": 5, "ip": 30, "user": 50}

// ThrottleOptions configures LoginThrottle. The zero value is usable.
type ThrottleOptions struct {
	// Limits maps a key's kind — the part before its first ":", as in
	// "user:alice", "ip:10.0.0.1" or "userip:10.0.0.1/alice" — to the failures
	// allowed per window. Nil means DefaultLimits.
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
// opened by its first counted attempt. An attempt is counted when it is reserved,
// before its password is checked, and stays counted as a failure unless it is
// released or the key forgotten. Build it with NewLoginThrottle; it is safe for
// concurrent use.
type LoginThrottle struct {
	rdb    redis.UniversalClient
	keys   redisbase.Keys
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
	return &LoginThrottle{rdb: rdb, keys: redisbase.NewKeys(opts.Prefix), limits: opts.Limits, max: opts.MaxFailures, window: opts.Window}
}

// reserveScript reserves an attempt: it refuses when the key has used up its
// attempts, and otherwise counts this one, in one step, so that parallel attempts
// cannot all slip under the limit between a read and a write. INCR and PEXPIRE in
// one script, so that a crash between them cannot leave a counter that never
// expires (which would lock the account out for good); for the same reason a full
// counter found without a TTL gets one.
//
// RateLimit.Take runs it too: a use is an attempt that is never given back.
//
// KEYS[1] -> <prefix>:console:throttle:{<key>} (or <prefix>:console:rate:<name>:{<key>})
//
// ARGV[1] -> window in milliseconds
// ARGV[2] -> the attempts allowed per window
//
// Returns {1, 0} when the attempt is reserved, {0, ms} when it is refused (ms:
// the time left in the window), {-1, 0} when the counter is not an integer.
var reserveScript = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
local n = 0
if v then
	if not string.match(v, "^%d+$") then
		return {-1, 0}
	end
	n = tonumber(v)
end
if n >= tonumber(ARGV[2]) then
	local ttl = redis.call("PTTL", KEYS[1])
	if ttl < 0 then
		redis.call("PEXPIRE", KEYS[1], ARGV[1])
		ttl = tonumber(ARGV[1])
	end
	return {0, ttl}
end
n = redis.call("INCR", KEYS[1])
if n == 1 or redis.call("PTTL", KEYS[1]) < 0 then
	redis.call("PEXPIRE", KEYS[1], ARGV[1])
end
return {1, 0}
`)

// releaseScript gives back one reserved attempt, never going below zero; the
// window (the TTL) is kept.
//
// KEYS[1] -> <prefix>:console:throttle:{<key>}
//
// Returns the attempts left counted, or -1 when the counter is not an integer.
var releaseScript = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
if not v then
	return 0
end
if not string.match(v, "^%d+$") then
	return -1
end
if tonumber(v) <= 1 then
	redis.call("DEL", KEYS[1])
	return 0
end
return redis.call("DECR", KEYS[1])
`)

// LoginAllowed reports, without counting anything, whether key has attempts left
// and if not how long to wait. It is a look only: a sign-in must reserve its
// attempt with ReserveLogin, or parallel attempts would all pass this check. The
// count and the time left are read in one MULTI so they belong to the same window.
func (t *LoginThrottle) LoginAllowed(ctx context.Context, key string) (bool, time.Duration, error) {
	k := t.keys.Throttle(key)
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	_, err := t.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		get, ttl = p.Get(ctx, k), p.PTTL(ctx, k)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, 0, redisbase.MapError(owner+": read login throttle", err)
	}
	n, err := get.Int()
	switch {
	case errors.Is(err, redis.Nil):
		return true, 0, nil
	case err != nil:
		return false, 0, redisbase.Corruptf(owner, "throttle counter is not an integer")
	case n < t.limit(key):
		return true, 0, nil
	}
	return false, t.wait(ttl.Val()), nil
}

// ReserveLogin implements storage.LoginThrottle: one script, one round trip.
func (t *LoginThrottle) ReserveLogin(ctx context.Context, key string) (bool, time.Duration, error) {
	res, err := reserveScript.Run(ctx, t.rdb, []string{t.keys.Throttle(key)},
		redisbase.Millis(t.window), t.limit(key)).Int64Slice()
	if err != nil {
		return false, 0, redisbase.MapError(owner+": reserve login attempt", err)
	}
	if len(res) != 2 || res[0] < 0 {
		return false, 0, redisbase.Corruptf(owner, "throttle counter is not an integer")
	}
	if res[0] == 1 {
		return true, 0, nil
	}
	return false, t.wait(time.Duration(res[1]) * time.Millisecond), nil
}

// ReleaseLogin implements storage.LoginThrottle. Released after its window
// ended, an attempt is taken off the next window's count: at worst one attempt
// more in that window.
func (t *LoginThrottle) ReleaseLogin(ctx context.Context, key string) error {
	n, err := releaseScript.Run(ctx, t.rdb, []string{t.keys.Throttle(key)}).Int64()
	if err != nil {
		return redisbase.MapError(owner+": release login attempt", err)
	}
	if n < 0 {
		return redisbase.Corruptf(owner, "throttle counter is not an integer")
	}
	return nil
}

// wait is how long a refused key must wait: the time left in its window, or the
// whole window when the key is about to expire or has no TTL (to be safe).
func (t *LoginThrottle) wait(left time.Duration) time.Duration {
	if left <= 0 {
		return t.window
	}
	return left
}

// LoginSucceeded implements storage.LoginThrottle.
func (t *LoginThrottle) LoginSucceeded(ctx context.Context, key string) error {
	if err := t.rdb.Del(ctx, t.keys.Throttle(key)).Err(); err != nil {
		return redisbase.MapError(owner+": reset login throttle", err)
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
