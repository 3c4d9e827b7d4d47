package dialog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/redisbase"
	"github.com/complaintbot/complaintbot/storage"
)

// Defaults for RedisStoreOptions.
const (
	// DefaultStateTTL keeps a consumer's state a week after their last message. It
	// must outlive the draft TTL by a wide margin: the step function expires drafts
	// itself from State.UpdatedAt and tells the consumer so, which it can only do
	// while the state is still there.
	DefaultStateTTL = 7 * 24 * time.Hour

	// DefaultDedupeTTL keeps a handled message's reply for a day. WeChat retries
	// within seconds; the long margin covers instances whose clocks or queues lag.
	DefaultDedupeTTL = 24 * time.Hour
)

// RedisStoreOptions configures a RedisStore. The zero value is usable.
type RedisStoreOptions struct {
	// StateTTL is how long a consumer's state lives after its last change;
	// zero or negative means DefaultStateTTL.
	StateTTL time.Duration

	// DedupeTTL is how long a handled message key and its reply are kept;
	// zero or negative means DefaultDedupeTTL.
	DedupeTTL time.Duration

	// Prefix starts every key, so several deployments or tests can share one Redis;
	// empty means "cb".
	Prefix string

	// BatchesInFlight bounds the pipelines of Loads and Commits the store has
	// on the wire at once; calls made while they are out wait and go together
	// in the next (see redisBatcher). Zero or negative means
	// DefaultBatchesInFlight.
	BatchesInFlight int
}

// RedisStore is the Store on Redis (go-redis v9): one pipelined round trip per Load
// and one Lua script per Commit, so any number of bot instances can share it. Build
// it with NewRedisStore; it is safe for concurrent use.
//
// Loads and Commits of concurrent turns share round trips: a call goes out at
// once while fewer than BatchesInFlight pipelines are on the wire, and calls
// made while they are out wait and leave together as one pipeline when one
// comes back (redisBatcher). Each call still has its own results and errors,
// and its caller returns by its own deadline. With many turns waiting on Redis
// at once, this saves the write and read system calls, on both sides, that
// dominated the webhook's CPU (docs/webhookbench.md); an idle store sends each
// call at once, as it would unbatched.
type RedisStore struct {
	rdb       redis.UniversalClient
	keys      redisbase.Keys // the key layout is documented in package redisbase
	stateTTL  time.Duration
	dedupeTTL time.Duration
	// boundedByDeadline: rdb was built with ContextTimeoutEnabled, so a call
	// given a context with a deadline returns by that deadline by itself (see
	// call).
	boundedByDeadline bool
	batch             *redisBatcher // Loads and Commits
}

// Names the store gives redisbase for its errors: a failed call reads "dialog state
// store failed", data it did not write "dialog: unexpected redis data: …".
const (
	redisOp    = "dialog state store"
	redisOwner = "dialog"
)

// Store is satisfied at compile time so a signature drift in dialog.go fails here.
var _ Store = (*RedisStore)(nil)

// NewRedisStore returns a Store on rdb, which may be a single node, a Sentinel
// failover client or a Cluster. Build rdb with ContextTimeoutEnabled: true so a
// caller's deadline also frees the connection; the store returns at the deadline
// either way.
func NewRedisStore(rdb redis.UniversalClient, opts RedisStoreOptions) *RedisStore {
	if opts.StateTTL <= 0 {
		opts.StateTTL = DefaultStateTTL
	}
	if opts.DedupeTTL <= 0 {
		opts.DedupeTTL = DefaultDedupeTTL
	}
	bounded := honoursDeadlines(rdb)
	return &RedisStore{
		rdb:       rdb,
		keys:      redisbase.NewKeys(opts.Prefix),
		stateTTL:  opts.StateTTL,
		dedupeTTL: opts.DedupeTTL,

		boundedByDeadline: bounded,
		batch:             newRedisBatcher(rdb, opts.BatchesInFlight, bounded),
	}
}

// honoursDeadlines reports whether rdb bounds its socket reads and writes, its
// pool wait, its dials and its retries by a context's deadline
// (ContextTimeoutEnabled), for the client types whose options tell.
func honoursDeadlines(rdb redis.UniversalClient) bool {
	switch c := rdb.(type) {
	case *redis.Client: // one server, or a Sentinel failover client
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	}
	return false
}

// commitScript is Commit's check-and-write. Doing the duplicate check, the version
// check and the writes in one script makes them atomic across instances and costs
// one round trip.
//
// KEYS[1] -> <prefix>:{<openid>}:state          (hash: v = version, s = State JSON)
// KEYS[2] -> <prefix>:{<openid>}:msg:<msgKey>   (string: the saved reply)
// KEYS[3] -> <prefix>:{<openid>}:msgs           (sorted set: msgKey -> expiry, Unix ms)
//
// ARGV[1] -> prevVersion, decimal; "0" when the caller loaded no state
// ARGV[2] -> the next State as JSON
// ARGV[3] -> the reply to save for msgKey
// ARGV[4] -> state TTL in milliseconds
// ARGV[5] -> de-duplication TTL in milliseconds
// ARGV[6] -> msgKey, the member KEYS[2] is indexed under in KEYS[3]
//
// Returns a two-element array {code, value}:
//
//	{0, newVersion}    committed
//	{1, savedReply}    msgKey was handled before; nothing changed
//	{2, storedVersion} the stored version is not prevVersion; nothing changed
//
// Versions are compared as strings: HINCRBY writes canonical decimals and Go sends
// strconv.FormatInt, so there is no float rounding in Lua's number type.
//
// The index lets ForgetConsumer find the consumer's saved replies without a
// SCAN of the node. Each member's score is when its reply expires, on the
// server's clock (TIME, so instances' clocks do not matter); members whose reply
// has expired are dropped on every commit, and the index itself expires with
// the newest reply, so it holds at most a de-duplication TTL's worth of one
// consumer's messages. A script may write after TIME only under effects
// replication, Redis 5's default and Redis 7's only mode: the store needs
// Redis 5 or later.
var commitScript = redis.NewScript(`
local saved = redis.call("GET", KEYS[2])
if saved then
	return {1, saved}
end
local v = redis.call("HGET", KEYS[1], "v") or "0"
if v ~= ARGV[1] then
	return {2, v}
end
redis.call("HSET", KEYS[1], "s", ARGV[2])
local nv = redis.call("HINCRBY", KEYS[1], "v", 1)
redis.call("PEXPIRE", KEYS[1], ARGV[4])
redis.call("SET", KEYS[2], ARGV[3], "PX", ARGV[5])
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call("ZREMRANGEBYSCORE", KEYS[3], "-inf", now)
redis.call("ZADD", KEYS[3], now + tonumber(ARGV[5]), ARGV[6])
redis.call("PEXPIRE", KEYS[3], ARGV[5])
return {0, nv}
`)

// Result codes of commitScript.
const (
	commitOK       = 0
	commitDup      = 1
	commitConflict = 2
)

// LoadScripts caches the store's Lua script on the server (on every master of a
// Cluster). Commit works without it, but its first call on a server whose script
// cache is empty costs an extra round trip (EVALSHA answered NOSCRIPT, then EVAL);
// call LoadScripts at start-up to keep every Commit at one.
func (s *RedisStore) LoadScripts(ctx context.Context) error {
	err := s.call(ctx, func() error {
		return commitScript.Load(ctx, s.rdb).Err()
	})
	if err != nil {
		return fmt.Errorf("dialog: redis script load: %w", redisbase.MapError(redisOp, err))
	}
	return nil
}

// Load implements Store. It reads the state hash and the message's reply in one
// plain pipeline (not MULTI/EXEC, not a script): both commands go out together and
// are answered in one round trip, both keys share the consumer's hash tag so a
// Cluster sends them to one node, and unlike EVALSHA it can never cost a second
// trip after a script-cache flush or a failover. The two reads are not atomic:
// another instance's Commit may run between them. That needs no snapshot, because
// Commit re-checks the duplicate and the version atomically: a Load that saw the
// old state and no saved reply ends in ErrVersionConflict or a duplicate at
// Commit, and one that found the saved reply returns it without using the state.
func (s *RedisStore) Load(ctx context.Context, openID, msgKey string) (State, string, bool, error) {
	return s.LoadClaiming(ctx, openID, msgKey, nil)
}

// LoadClaiming is Load that also makes claim, when not nil, in the same pipeline:
// SET NX GET of the signature's key, so two instances receiving one signature
// agree on which body came first. A replayed signature fails with ErrReplayed
// whatever else was read. The pipeline may carry other turns' calls too
// (redisBatcher); only this call's commands are read here.
func (s *RedisStore) LoadClaiming(ctx context.Context, openID, msgKey string, claim *ReplayClaim) (State, string, bool, error) {
	if err := checkRedisIDs(openID, msgKey); err != nil {
		return State{}, "", false, err
	}
	var hm *redis.SliceCmd
	var get *redis.StringCmd
	var set *redis.StatusCmd
	err := s.batch.do(ctx, func(ctx context.Context, p redis.Pipeliner) {
		hm = p.HMGet(ctx, s.keys.State(openID), "v", "s")
		get = p.Get(ctx, s.keys.Msg(openID, msgKey))
		if claim != nil {
			set = p.SetArgs(ctx, claim.Key, claim.BodySum,
				redis.SetArgs{Mode: "NX", TTL: max(claim.TTL, time.Millisecond), Get: true})
		}
	})
	if err == nil {
		err = firstCmdErr(hm, get, set)
	}
	// As Pipelined would for these commands alone: the first failed command's
	// error, where a missing msg key "fails" with redis.Nil; the commands' own
	// errors are checked below.
	if err != nil && !errors.Is(err, redis.Nil) {
		return State{}, "", false, fmt.Errorf("dialog: redis load for %s: %w", redisLogID(openID), redisbase.MapError(redisOp, err))
	}
	if err := claimResult(set, claim); err != nil {
		return State{}, "", false, fmt.Errorf("dialog: redis load for %s: %w", redisLogID(openID), err)
	}
	if err := hm.Err(); err != nil {
		return State{}, "", false, fmt.Errorf("dialog: redis load for %s: %w", redisLogID(openID), redisbase.MapError(redisOp, err))
	}
	st, err := decodeRedisState(hm.Val())
	if err != nil {
		return State{}, "", false, fmt.Errorf("dialog: redis load for %s: %w", redisLogID(openID), err)
	}
	switch reply, err := get.Result(); {
	case errors.Is(err, redis.Nil):
		return st, "", false, nil
	case err != nil:
		return State{}, "", false, fmt.Errorf("dialog: redis load for %s: %w", redisLogID(openID), redisbase.MapError(redisOp, err))
	default:
		return st, reply, true, nil
	}
}

// firstCmdErr returns the error of the first of a call's commands that failed,
// as Pipelined does for a pipeline of them alone. set is nil without a claim.
func firstCmdErr(hm *redis.SliceCmd, get *redis.StringCmd, set *redis.StatusCmd) error {
	if err := hm.Err(); err != nil {
		return err
	}
	if err := get.Err(); err != nil {
		return err
	}
	if set != nil {
		return set.Err()
	}
	return nil
}

// claimResult reads the answer of a claim's SET NX GET: nil when the signature
// is new (redis.Nil) or came with the same body before (WeChat's retry).
func claimResult(set *redis.StatusCmd, claim *ReplayClaim) error {
	if claim == nil {
		return nil
	}
	prev, err := set.Result()
	switch {
	case errors.Is(err, redis.Nil):
		claim.checked.Store(true)
		return nil
	case err != nil:
		return fmt.Errorf("replay claim: %w", redisbase.MapError(redisOp, err))
	}
	claim.checked.Store(true)
	if prev != claim.BodySum {
		return ErrReplayed
	}
	return nil
}

// decodeRedisState turns HMGET's [v, s] into a State. Both nil means no state yet.
func decodeRedisState(vals []any) (State, error) {
	if len(vals) != 2 {
		return State{}, redisbase.Corruptf(redisOwner, "HMGET returned %d values", len(vals))
	}
	if vals[0] == nil && vals[1] == nil {
		return State{}, nil
	}
	v, vok := vals[0].(string)
	data, sok := vals[1].(string)
	if !vok || !sok {
		return State{}, redisbase.Corruptf(redisOwner, "state hash lacks a field")
	}
	version, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return State{}, redisbase.Corruptf(redisOwner, "state version is not an integer")
	}
	var st State
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		return State{}, fmt.Errorf("%w: %w", redisbase.Corruptf(redisOwner, "state is not valid JSON"), err)
	}
	st.Version = version
	return st, nil
}

// Commit implements Store with commitScript, sent as EVALSHA in a batch. A
// server whose script cache lacks it (flushed, or a replica promoted by a
// failover) answers NOSCRIPT without running it; the commit is then sent again
// as EVAL, which also caches the script.
func (s *RedisStore) Commit(ctx context.Context, openID, msgKey string, prevVersion int64, next State, reply string) (string, bool, error) {
	if err := checkRedisIDs(openID, msgKey); err != nil {
		return "", false, err
	}
	data, err := json.Marshal(next)
	if err != nil {
		return "", false, fmt.Errorf("dialog: encode state for %s: %w", redisLogID(openID), err)
	}
	keys := []string{s.keys.State(openID), s.keys.Msg(openID, msgKey), s.keys.Msgs(openID)}
	args := []any{strconv.FormatInt(prevVersion, 10), data, reply,
		redisbase.Millis(s.stateTTL), redisbase.Millis(s.dedupeTTL), msgKey}
	var cmd *redis.Cmd
	err = s.batch.do(ctx, func(ctx context.Context, p redis.Pipeliner) {
		cmd = commitScript.EvalSha(ctx, p, keys, args...)
	})
	if err == nil && redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		err = s.batch.do(ctx, func(ctx context.Context, p redis.Pipeliner) {
			cmd = commitScript.Eval(ctx, p, keys, args...)
		})
	}
	var res []any
	if err == nil {
		res, err = cmd.Slice()
	}
	if err != nil {
		return "", false, fmt.Errorf("dialog: redis commit for %s: %w", redisLogID(openID), redisbase.MapError(redisOp, err))
	}
	return redisCommitResult(res)
}

// redisCommitResult interprets commitScript's {code, value}.
func redisCommitResult(res []any) (string, bool, error) {
	if len(res) != 2 {
		return "", false, redisbase.Corruptf(redisOwner, "commit script returned %d values", len(res))
	}
	code, ok := res[0].(int64)
	if !ok { // never read a malformed reply as commitOK, the zero value
		return "", false, redisbase.Corruptf(redisOwner, "commit script returned a non-integer code")
	}
	switch code {
	case commitOK:
		return "", false, nil
	case commitDup:
		saved, ok := res[1].(string)
		if !ok {
			return "", false, redisbase.Corruptf(redisOwner, "saved reply is not a string")
		}
		return saved, true, nil
	case commitConflict:
		return "", false, ErrVersionConflict
	default:
		return "", false, redisbase.Corruptf(redisOwner, "commit script returned code %v", res[0])
	}
}

// checkRedisIDs refuses keys that cannot be stored safely: an empty openid would make
// the hash tag empty (Redis then hashes the whole key, splitting a consumer's keys
// across Cluster slots), and an empty msgKey would de-duplicate unrelated messages.
func checkRedisIDs(openID, msgKey string) error {
	if openID == "" {
		return storage.Errorf(storage.EINVALID, "dialog: empty openid")
	}
	if msgKey == "" {
		return storage.Errorf(storage.EINVALID, "dialog: empty message key")
	}
	return nil
}

// call runs f, bounded by ctx: f returns by ctx's deadline by itself when the
// client honours deadlines and ctx has one (every turn's context does), and f
// then runs on the caller's goroutine. Otherwise redisCall races it against ctx.
// A fresh goroutine per call, in the webhook's hot path, grew its stack again
// through go-redis on every Load and Commit (runtime.copystack, about a twentieth
// of the webhook's CPU); redisBatcher, which sends the Loads and Commits, keeps
// to the same rule. call serves the store's other, unbatched calls.
func (s *RedisStore) call(ctx context.Context, f func() error) error {
	if _, ok := ctx.Deadline(); !ok || !s.boundedByDeadline {
		return redisCall(ctx, f)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return f()
}

// redisCall runs f but returns as soon as ctx is done. go-redis bounds socket
// reads by the context only when the client has ContextTimeoutEnabled; without it a
// silent server (a partition, a paused VM) holds the call for ReadTimeout plus
// retries, past WeChat's 5-second budget. The abandoned call ends in the background
// and its result is dropped: for Commit the outcome is then unknown, as after any
// timeout, and WeChat's retry of the message is answered by the de-duplication.
func redisCall(ctx context.Context, f func() error) error {
	if ctx.Done() == nil {
		return f() // no deadline and not cancellable: nothing to race
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1) // buffered: an abandoned f must not block forever
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// redisLogID is the form of an openid that may appear in errors and logs: its first six
// characters, enough to find the consumer in an operator's search, too few to
// identify them elsewhere (CONVENTIONS 3).
func redisLogID(openID string) string {
	const keep = 6
	if r := []rune(openID); len(r) > keep {
		openID = string(r[:keep])
	}
	return openID + "…"
}
