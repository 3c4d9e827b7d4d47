package dialog

import (
	"context"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// CountingHook is a go-redis hook that counts round trips: each command and each
// pipeline or MULTI/EXEC the client is asked to send is one. Tests and the bot
// benchmark add it with rdb.AddHook to check the "one round trip per Load and per
// Commit" promise. The zero value is ready; it is safe for concurrent use.
//
// Commands go-redis sends by itself while opening a connection (HELLO, CLIENT
// SETINFO, …) pass through hooks too, nested inside the command that needed the
// connection. They are counted apart, in SetupRoundTrips, because they are paid once
// per pooled connection, not per message. A command go-redis retries after a network
// error counts once, and a Cluster-wide command (SCRIPT LOAD) counts once though it
// reaches every master.
//
// RedisStore sends its Loads and Commits in pipelines that may carry several
// turns' calls (redisBatcher): such a pipeline is one round trip for all of
// them, as it is on the wire. Under concurrency the count per message is then
// below one turn's own; to measure a turn's round trips, send one message at a
// time.
type CountingHook struct {
	calls atomic.Int64
	setup atomic.Int64
}

// countingHookNested marks a context as inside a call counted by hook h; keyed by
// the hook so two CountingHooks on one client do not see each other's marks.
type countingHookNested struct{ h *CountingHook }

// RoundTrips returns the commands and pipelines counted since the hook was added or
// last Reset, connection setup excluded.
func (h *CountingHook) RoundTrips() int64 { return h.calls.Load() }

// SetupRoundTrips returns the round trips go-redis spent opening connections since
// the hook was added or last Reset.
func (h *CountingHook) SetupRoundTrips() int64 { return h.setup.Load() }

// Reset sets both counts back to zero, e.g. after a warm-up.
func (h *CountingHook) Reset() {
	h.calls.Store(0)
	h.setup.Store(0)
}

// DialHook implements redis.Hook; dialling itself is not a round trip to Redis.
func (h *CountingHook) DialHook(next redis.DialHook) redis.DialHook {
	return next
}

// ProcessHook implements redis.Hook, counting one round trip per command.
func (h *CountingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return next(h.count(ctx), cmd)
	}
}

// ProcessPipelineHook implements redis.Hook, counting one round trip per pipeline
// or transaction, however many commands it holds.
func (h *CountingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		return next(h.count(ctx), cmds)
	}
}

// count adds one to the right counter and marks ctx, so that setup commands run
// inside this call are recognised as nested.
func (h *CountingHook) count(ctx context.Context) context.Context {
	key := countingHookNested{h}
	if ctx.Value(key) != nil {
		h.setup.Add(1)
		return ctx
	}
	h.calls.Add(1)
	return context.WithValue(ctx, key, true)
}
