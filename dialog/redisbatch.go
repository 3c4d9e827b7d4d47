package dialog

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of the store's batcher (RedisStoreOptions.BatchesInFlight and
// maxBatchCalls).
const (
	// DefaultBatchesInFlight bounds the pipelines the store has on the wire at
	// once. While that many are out, further calls wait and leave together in the
	// next one. Measured with .ci/webhookbench (docs/webhookbench.md).
	DefaultBatchesInFlight = 2

	// maxBatchCalls bounds one pipeline's calls (a Load is two or three commands,
	// a Commit one), so a burst becomes several pipelines of bounded size rather
	// than one that holds a connection's buffers and the server for long.
	maxBatchCalls = 32
)

// redisBatcher sends the store's calls that meet in time as one pipeline: one
// write and one read on each side for all of them instead of one per call.
//
// A call that finds fewer than limit batches in flight and nobody waiting goes
// out at once, alone, on its caller's goroutine: an idle store adds no latency
// and no timer. A call that finds the limit reached waits in the queue. When a
// batch ends, the caller that ran it forms the next batch from the queue (up to
// maxBatchCalls) and hands it to one of its members, the one whose deadline is
// the latest, which runs it on its own goroutine (on a client that bounds its
// I/O by deadlines, as complaintbot builds it): no goroutine is started per
// call or per batch, and the others wait for their results. The batch's
// context carries the runner's deadline, the latest of its members', so the
// runner returns by it and every member by its own.
//
// A caller whose context ends while it waits returns at once. If its call is
// still queued, it is dropped and never sent; if its batch is on the wire, the
// batch goes on for the others (the caller's Commit then has an unknown
// outcome, as after any timeout); if it was to run its batch and had not
// started, the batch goes to the member with the latest deadline still
// waiting. A batch whose members have all left is cancelled, which frees its
// connection as soon as go-redis notices.
type redisBatcher struct {
	rdb   redis.UniversalClient
	limit int // batches in flight at most
	// inline: run a batch on the runner's goroutine when the runner has a
	// deadline, because rdb bounds its I/O by it (RedisStore.boundedByDeadline).
	// Otherwise the batch runs on a goroutine of its own and the runner waits
	// for it like any member, as redisCall does.
	inline bool

	mu       sync.Mutex
	inFlight int // batches formed and not yet ended (started or not)
	queue    []*batchCall
	// queued, when set (tests), is called after a call joins the queue.
	queued func()
}

// batchCall is one caller's part of a batch.
type batchCall struct {
	ctx context.Context
	// add queues the call's commands on the batch's pipeline; the caller reads
	// their results once do returns nil.
	add func(ctx context.Context, p redis.Pipeliner)
	// wake tells a waiting caller that its batch ended or that it is to run it;
	// each call is told at most once.
	wake chan batchWake

	// Guarded by redisBatcher.mu.
	batch *redisBatch // nil while queued
	left  bool        // the caller returned before its batch ended
}

type batchWake int

const (
	wakeDone batchWake = iota + 1 // the batch ended: the results are in the commands
	wakeRun                       // run the batch
)

// redisBatch is one pipeline's worth of calls.
type redisBatch struct {
	calls   []*batchCall
	runner  *batchCall
	started bool
	cancel  context.CancelFunc // ends the batch's context; set when it starts
}

func newRedisBatcher(rdb redis.UniversalClient, limit int, inline bool) *redisBatcher {
	if limit <= 0 {
		limit = DefaultBatchesInFlight
	}
	return &redisBatcher{rdb: rdb, limit: limit, inline: inline}
}

// do sends add's commands to Redis in a batch and returns when their results
// are in, or with ctx's error when ctx ends first. A nil error says nothing
// about the commands: each carries its own result and error.
func (b *redisBatcher) do(ctx context.Context, add func(context.Context, redis.Pipeliner)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &batchCall{ctx: ctx, add: add}
	b.mu.Lock()
	if b.inFlight < b.limit && len(b.queue) == 0 {
		bt := &redisBatch{calls: []*batchCall{c}, runner: c}
		c.batch = bt
		b.inFlight++
		bctx := bt.beginLocked()
		b.mu.Unlock()
		return b.run(bctx, bt)
	}
	c.wake = make(chan batchWake, 1)
	b.queue = append(b.queue, c)
	queued := b.queued
	b.mu.Unlock()
	if queued != nil {
		queued()
	}
	return b.wait(c)
}

// wait blocks until c's batch ended, c is to run it, or c's context ended.
func (b *redisBatcher) wait(c *batchCall) error {
	select {
	case w := <-c.wake:
		if w == wakeDone {
			return nil
		}
		return b.start(c)
	case <-c.ctx.Done():
		b.leave(c)
		return c.ctx.Err()
	}
}

// start runs c's batch, which was handed to c, unless c's context has ended
// meanwhile: then c leaves and the batch goes to another member.
func (b *redisBatcher) start(c *batchCall) error {
	b.mu.Lock()
	if err := c.ctx.Err(); err != nil {
		next := b.leaveLocked(c)
		b.mu.Unlock()
		signal(next, wakeRun)
		return err
	}
	ctx := c.batch.beginLocked()
	b.mu.Unlock()
	return b.run(ctx, c.batch)
}

// beginLocked marks bt started and returns its context: the runner's own when
// it runs alone (as an unbatched call would), otherwise one with none of the
// members' values or cancellation and the runner's deadline if it has one.
// bt.cancel ends it when the batch ends or every member has left.
func (bt *redisBatch) beginLocked() context.Context {
	bt.started = true
	if len(bt.calls) == 1 {
		bt.cancel = func() {}
		return bt.runner.ctx
	}
	var ctx context.Context
	if d, ok := bt.runner.ctx.Deadline(); ok {
		ctx, bt.cancel = context.WithDeadline(context.Background(), d)
	} else {
		ctx, bt.cancel = context.WithCancel(context.Background())
	}
	return ctx
}

// run sends bt as one pipeline, bounded by its runner's deadline, on the
// runner's goroutine when rdb honours that deadline, and otherwise on a
// goroutine of its own while the runner waits like a member.
func (b *redisBatcher) run(ctx context.Context, bt *redisBatch) error {
	if _, ok := bt.runner.ctx.Deadline(); ok && b.inline {
		b.send(ctx, bt)
		b.end(bt, bt.runner)
		return nil
	}
	if bt.runner.wake == nil { // it went out at once, without queueing
		bt.runner.wake = make(chan batchWake, 1)
	}
	go func() {
		b.send(ctx, bt)
		b.end(bt, nil)
	}()
	return b.wait(bt.runner)
}

// send runs bt's calls as one pipeline (go-redis splits it by node on a
// Cluster). The calls whose callers left before it was sent are not in it:
// nobody waits for their answers. go-redis stamps a failure to send or read
// onto every command it concerns; an error it returns without stamping any (a
// hook's) is stamped on all, so no caller reads an unanswered command as an
// answer.
func (b *redisBatcher) send(ctx context.Context, bt *redisBatch) {
	calls := b.stillWaiting(bt)
	if len(calls) == 0 {
		return
	}
	cmds, err := b.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, c := range calls {
			c.add(ctx, p)
		}
		return nil
	})
	if err != nil && !anyCmdFailed(cmds) {
		for _, cmd := range cmds {
			cmd.SetErr(err)
		}
	}
}

// stillWaiting returns bt's calls whose callers have not left. A batch of one
// is its runner's, which is here.
func (b *redisBatcher) stillWaiting(bt *redisBatch) []*batchCall {
	if len(bt.calls) == 1 {
		return bt.calls
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	calls := make([]*batchCall, 0, len(bt.calls))
	for _, c := range bt.calls {
		if !c.left {
			calls = append(calls, c)
		}
	}
	return calls
}

func anyCmdFailed(cmds []redis.Cmder) bool {
	for _, cmd := range cmds {
		if cmd.Err() != nil {
			return true
		}
	}
	return false
}

// end closes bt: its members still waiting but skip learn that their results
// are in, and the freed slot goes to the next batch from the queue.
func (b *redisBatcher) end(bt *redisBatch, skip *batchCall) {
	b.mu.Lock()
	bt.cancel()
	var done []*batchCall
	for _, c := range bt.calls {
		if !c.left && c != skip {
			done = append(done, c)
		}
	}
	next := b.releaseLocked()
	b.mu.Unlock()
	for _, c := range done {
		c.wake <- wakeDone
	}
	signal(next, wakeRun)
}

// leave takes c out of what it waited for: its caller returns now.
func (b *redisBatcher) leave(c *batchCall) {
	b.mu.Lock()
	next := b.leaveLocked(c)
	b.mu.Unlock()
	signal(next, wakeRun)
}

// leaveLocked takes c out of the queue, or out of its batch; it returns the
// call that now has to run a batch, if any.
func (b *redisBatcher) leaveLocked(c *batchCall) *batchCall {
	bt := c.batch
	if bt == nil {
		b.dequeueLocked(c)
		return nil
	}
	c.left = true
	if bt.started {
		if !anyWaiting(bt.calls) {
			bt.cancel() // nobody waits for the answers: free the connection
		}
		return nil
	}
	if bt.runner != c {
		return nil
	}
	if bt.runner = latestDeadline(bt.calls); bt.runner != nil {
		return bt.runner
	}
	return b.releaseLocked() // every member left before it started: drop it
}

// dequeueLocked removes c, which left, from the queue.
func (b *redisBatcher) dequeueLocked(c *batchCall) {
	for i, q := range b.queue {
		if q == c {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			return
		}
	}
}

// releaseLocked frees a batch's slot and, if calls are queued, forms the next
// batch and returns its runner, to be told to run it.
func (b *redisBatcher) releaseLocked() *batchCall {
	b.inFlight--
	if len(b.queue) == 0 {
		return nil
	}
	n := min(len(b.queue), maxBatchCalls)
	bt := &redisBatch{calls: make([]*batchCall, n)}
	copy(bt.calls, b.queue)
	b.queue = append(b.queue[:0], b.queue[n:]...)
	for _, c := range bt.calls {
		c.batch = bt
	}
	bt.runner = latestDeadline(bt.calls)
	b.inFlight++
	return bt.runner
}

// anyWaiting reports whether a member of calls has not left.
func anyWaiting(calls []*batchCall) bool {
	for _, c := range calls {
		if !c.left {
			return true
		}
	}
	return false
}

// latestDeadline returns the member still waiting whose context ends last (no
// deadline counts as latest), or nil if all have left.
func latestDeadline(calls []*batchCall) *batchCall {
	var best *batchCall
	var bestAt time.Time
	for _, c := range calls {
		if c.left {
			continue
		}
		d, ok := c.ctx.Deadline()
		if !ok {
			return c
		}
		if best == nil || d.After(bestAt) {
			best, bestAt = c, d
		}
	}
	return best
}

// signal tells c, if any, w.
func signal(c *batchCall, w batchWake) {
	if c != nil {
		c.wake <- w
	}
}
