package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/redisbase"
	"github.com/complaintbot/complaintbot/storage"
)

// Defaults for SessionOptions.
const (
	// DefaultIdle signs a person out after half an hour without a request: a desk
	// computer left unlocked in a shared office should not stay signed in all day.
	DefaultIdle = 30 * time.Minute
	// DefaultAbsolute ends every session after twelve hours however busy it is, so
	// a stolen cookie is worth one working day at most.
	DefaultAbsolute = 12 * time.Hour
)

// idBytes is the entropy of session ids and CSRF tokens: 256 bits.
const idBytes = 32

// SessionOptions configures Sessions. The zero value is usable.
type SessionOptions struct {
	// Idle is how long a session lives without use; each FindSession extends it
	// (PeekSession does not).
	// Zero or negative means DefaultIdle.
	Idle time.Duration
	// Absolute is how long a session lives after sign-in, used or not. Zero or
	// negative means DefaultAbsolute.
	Absolute time.Duration
	// Prefix starts every key; empty means "cb". Tests sharing a real Redis use a
	// random one.
	Prefix string
	// Now is the clock for the absolute and idle expiry; nil means time.Now.
	// Redis's own key TTLs back it up.
	Now func() time.Time
}

// Sessions is the storage.SessionStore on Redis. Build it with NewSessions; it is
// safe for concurrent use.
type Sessions struct {
	rdb      redis.UniversalClient
	keys     redisbase.Keys
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
}

// Sessions is checked at compile time against the contract in storage.
var _ storage.SessionStore = (*Sessions)(nil)

// NewSessions returns a session store on rdb (a single node, Sentinel or Cluster).
func NewSessions(rdb redis.UniversalClient, opts SessionOptions) *Sessions {
	if opts.Idle <= 0 {
		opts.Idle = DefaultIdle
	}
	if opts.Absolute <= 0 {
		opts.Absolute = DefaultAbsolute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Sessions{rdb: rdb, keys: redisbase.NewKeys(opts.Prefix), idle: opts.Idle, absolute: opts.Absolute, now: opts.Now}
}

// createSessionScript stores a new session and adds it to its owner's set. The
// owner's set is pruned of sessions that expired on their own, so it stays as
// small as the number of live sessions without a background sweeper.
//
// KEYS[1] -> <prefix>:console:{sessions}:<id hash>        (the new session)
// KEYS[2] -> <prefix>:console:{sessions}:staff:<staffID>  (the owner's set)
//
// ARGV[1] -> staff id
// ARGV[2] -> CSRF token
// ARGV[3] -> now, Unix milliseconds
// ARGV[4] -> the session's TTL in milliseconds (the idle expiry)
// ARGV[5] -> the set's TTL in milliseconds (the absolute expiry: no member outlives it)
// ARGV[6] -> the id hash, the set's new member
// ARGV[7] -> "<prefix>:console:{sessions}:", to name members' keys
//
// Returns 1. Members' keys are built in the script rather than passed in KEYS;
// they share the "{sessions}" hash tag, so they live on the same Cluster slot.
var createSessionScript = redis.NewScript(`
redis.call("HSET", KEYS[1], "staff", ARGV[1], "csrf", ARGV[2], "created", ARGV[3], "seen", ARGV[3])
redis.call("PEXPIRE", KEYS[1], ARGV[4])
for _, member in ipairs(redis.call("SMEMBERS", KEYS[2])) do
	if redis.call("EXISTS", ARGV[7] .. member) == 0 then
		redis.call("SREM", KEYS[2], member)
	end
end
redis.call("SADD", KEYS[2], ARGV[6])
redis.call("PEXPIRE", KEYS[2], ARGV[5])
return 1
`)

// findSessionScript reads a session, ends it if it has expired by the caller's
// clock, and otherwise, unless told only to peek, extends its idle expiry, never
// past the absolute one.
//
// KEYS[1] -> <prefix>:console:{sessions}:<id hash>
//
// ARGV[1] -> now, Unix milliseconds
// ARGV[2] -> idle expiry in milliseconds
// ARGV[3] -> absolute expiry in milliseconds
// ARGV[4] -> "1" to extend the idle expiry (FindSession), "0" not to (PeekSession)
//
// Returns {staff, csrf, created, seen} as they were before this call, or nil if
// there is no live session.
var findSessionScript = redis.NewScript(`
local h = redis.call("HMGET", KEYS[1], "staff", "csrf", "created", "seen")
if not (h[1] and h[2] and h[3] and h[4]) then
	return false
end
local now, idle = tonumber(ARGV[1]), tonumber(ARGV[2])
local left = tonumber(h[3]) + tonumber(ARGV[3]) - now
if left <= 0 or now - tonumber(h[4]) >= idle then
	redis.call("DEL", KEYS[1])
	return false
end
if ARGV[4] == "1" then
	redis.call("PEXPIRE", KEYS[1], math.floor(math.min(idle, left)))
	redis.call("HSET", KEYS[1], "seen", ARGV[1])
end
return h
`)

// deleteStaffSessionsScript ends every session of one person at once, so a
// password change or a disabled account leaves no window in which an old cookie
// still works on some instance.
//
// KEYS[1] -> <prefix>:console:{sessions}:staff:<staffID>
//
// ARGV[1] -> "<prefix>:console:{sessions}:", to name members' keys
//
// Returns the number of set members (sessions, some possibly expired already).
var deleteStaffSessionsScript = redis.NewScript(`
local members = redis.call("SMEMBERS", KEYS[1])
for _, member in ipairs(members) do
	redis.call("DEL", ARGV[1] .. member)
end
redis.call("DEL", KEYS[1])
return #members
`)

// CreateSession implements storage.SessionStore: a fresh random id and CSRF token
// for every sign-in (the id is never reused, which is what rotation means).
func (s *Sessions) CreateSession(ctx context.Context, staffID int64) (*storage.Session, error) {
	if staffID <= 0 {
		return nil, storage.Errorf(storage.EINVALID, "redisstore: session for staff id %d", staffID)
	}
	now := s.now()
	se := &storage.Session{ID: randomToken(), StaffID: staffID, CSRFToken: randomToken(), CreatedAt: now, LastSeenAt: now}
	idHash := hashID(se.ID)
	staff := strconv.FormatInt(staffID, 10)
	err := createSessionScript.Run(ctx, s.rdb,
		[]string{s.keys.Session(idHash), s.keys.StaffSessions(staff)},
		staff, se.CSRFToken, now.UnixMilli(), redisbase.Millis(min(s.idle, s.absolute)), redisbase.Millis(s.absolute),
		idHash, s.keys.SessionPrefix()).Err()
	if err != nil {
		return nil, redisbase.MapError(owner+": create session", err)
	}
	return se, nil
}

// FindSession implements storage.SessionStore. Ids that cannot be ours are
// refused without asking Redis, so junk cookies cost nothing.
func (s *Sessions) FindSession(ctx context.Context, id string) (*storage.Session, error) {
	return s.findSession(ctx, id, true)
}

// PeekSession implements storage.SessionStore: FindSession that leaves the idle
// expiry (and LastSeenAt) as it is. An expired session is ended all the same.
func (s *Sessions) PeekSession(ctx context.Context, id string) (*storage.Session, error) {
	return s.findSession(ctx, id, false)
}

// findSession looks a session up, extending its idle expiry if touch.
func (s *Sessions) findSession(ctx context.Context, id string, touch bool) (*storage.Session, error) {
	if !validID(id) {
		return nil, errNoSession()
	}
	flag := "0"
	if touch {
		flag = "1"
	}
	res, err := findSessionScript.Run(ctx, s.rdb, []string{s.keys.Session(hashID(id))},
		s.now().UnixMilli(), redisbase.Millis(s.idle), redisbase.Millis(s.absolute), flag).Slice()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, errNoSession()
	case err != nil:
		return nil, redisbase.MapError(owner+": find session", err)
	}
	se, err := decodeSession(res)
	if err != nil {
		return nil, err
	}
	se.ID = id
	return se, nil
}

// decodeSession turns findSessionScript's {staff, csrf, created, seen} into a
// Session without its id.
func decodeSession(res []any) (*storage.Session, error) {
	if len(res) != 4 {
		return nil, redisbase.Corruptf(owner, "session has %d fields", len(res))
	}
	var f [4]string
	for i, v := range res {
		s, ok := v.(string)
		if !ok {
			return nil, redisbase.Corruptf(owner, "session field %d is %T", i, v)
		}
		f[i] = s
	}
	staff, err1 := strconv.ParseInt(f[0], 10, 64)
	created, err2 := strconv.ParseInt(f[2], 10, 64)
	seen, err3 := strconv.ParseInt(f[3], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, redisbase.Corruptf(owner, "session field is not an integer")
	}
	return &storage.Session{StaffID: staff, CSRFToken: f[1],
		CreatedAt: time.UnixMilli(created), LastSeenAt: time.UnixMilli(seen)}, nil
}

// DeleteSession implements storage.SessionStore. The owner's set keeps the dead
// member until the next sign-in prunes it; that saves a script here.
func (s *Sessions) DeleteSession(ctx context.Context, id string) error {
	if !validID(id) {
		return nil
	}
	if err := s.rdb.Del(ctx, s.keys.Session(hashID(id))).Err(); err != nil {
		return redisbase.MapError(owner+": delete session", err)
	}
	return nil
}

// DeleteStaffSessions implements storage.SessionStore.
func (s *Sessions) DeleteStaffSessions(ctx context.Context, staffID int64) error {
	staff := strconv.FormatInt(staffID, 10)
	err := deleteStaffSessionsScript.Run(ctx, s.rdb, []string{s.keys.StaffSessions(staff)}, s.keys.SessionPrefix()).Err()
	if err != nil {
		return redisbase.MapError(owner+": delete staff sessions", err)
	}
	return nil
}

// LoadScripts caches the scripts on the server, so that the first request after
// a start does not pay an extra round trip (EVALSHA refused, then EVAL). Optional.
func (s *Sessions) LoadScripts(ctx context.Context) error {
	for _, sc := range []*redis.Script{createSessionScript, findSessionScript, deleteStaffSessionsScript} {
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			return redisbase.MapError(owner+": load session scripts", err)
		}
	}
	return nil
}

// errNoSession is FindSession's answer for a missing, expired or malformed id.
func errNoSession() error {
	return storage.Errorf(storage.ENOTFOUND, "no such session")
}

// randomToken returns idBytes random bytes, base64url without padding.
func randomToken() string {
	b := make([]byte, idBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validID reports whether id has the shape randomToken gives.
func validID(id string) bool {
	b, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil && len(b) == idBytes
}

// hashID is the form of a session id that appears in Redis.
func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}
