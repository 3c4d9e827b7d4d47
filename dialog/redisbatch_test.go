package dialog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// holdPipelines holds every pipeline of the store's (the connection's own set-up
// passes) until the test releases it or the pipeline's context ends, and tells
// the test what it holds; stop lets the pipelines sent after it through.
type holdPipelines struct {
	held    chan *heldPipeline
	stopped atomic.Bool
}

// heldPipeline is one pipeline held by holdPipelines.
type heldPipeline struct {
	size        int       // commands
	deadline    time.Time // of the pipeline's context
	hasDeadline bool
	release     chan struct{}
	returned    chan error // what the hook returned, once it has
}

func newHoldPipelines(t *testing.T, rdb redis.UniversalClient) *holdPipelines {
	h := &holdPipelines{held: make(chan *heldPipeline, 16)}
	rdb.AddHook(h)
	t.Cleanup(h.stop)
	return h
}

func (h *holdPipelines) stop() { h.stopped.Store(true) }

func (h *holdPipelines) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *holdPipelines) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h *holdPipelines) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) (err error) {
		if h.stopped.Load() || !storesPipeline(cmds) {
			return next(ctx, cmds)
		}
		p := &heldPipeline{size: len(cmds), release: make(chan struct{}), returned: make(chan error, 1)}
		p.deadline, p.hasDeadline = ctx.Deadline()
		defer func() { p.returned <- err }()
		h.held <- p
		select {
		case <-p.release:
			return next(ctx, cmds)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// storesPipeline reports whether cmds are a batch of the store's Loads and
// Commits.
func storesPipeline(cmds []redis.Cmder) bool {
	for _, cmd := range cmds {
		switch cmd.Name() {
		case "hmget", "evalsha", "eval":
			return true
		}
	}
	return false
}

// next returns the next pipeline held.
func (h *holdPipelines) next(t *testing.T) *heldPipeline {
	t.Helper()
	select {
	case p := <-h.held:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no pipeline was sent")
		return nil
	}
}

// queueWatch counts the calls that joined a store's queue.
type queueWatch struct {
	ch chan struct{}
}

func watchQueue(s *RedisStore) *queueWatch {
	w := &queueWatch{ch: make(chan struct{}, 64)}
	s.batch.queued = func() { w.ch <- struct{}{} }
	return w
}

// wait returns once n more calls have joined the queue.
func (w *queueWatch) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-w.ch:
		case <-time.After(10 * time.Second):
			t.Fatal("a call did not queue")
		}
	}
}

// heldFirst starts a Load that goes out alone and is held, so the store's one
// batch in flight is taken and the calls made next queue behind it.
func heldFirst(t *testing.T, s *RedisStore, hold *holdPipelines) (*heldPipeline, <-chan error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, _, _, err := s.Load(testCtx(t), "oFirst_abcdefghijklmnopqrstu", "m1")
		done <- err
	}()
	return hold.next(t), done
}

// TestRedisBatchSharesOnePipeline: Loads and Commits made while a batch is on
// the wire go out together as one pipeline, one round trip for all of them,
// and each caller gets its own results.
func TestRedisBatchSharesOnePipeline(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{BatchesInFlight: 1})
		users := []string{"oShareA_abcdefghijklmnopqrs", "oShareB_abcdefghijklmnopqrs", "oShareC_abcdefghijklmnopqrs"}
		for i, u := range users {
			st := sampleState()
			st.IntakeKey = fmt.Sprint(i)
			mustCommit(t, s, u, "m1", 0, st, "r")
		}
		hold := newHoldPipelines(t, e.rdb)
		queue := watchQueue(s)
		e.hook.Reset()
		first, firstDone := heldFirst(t, s, hold)

		var wg sync.WaitGroup
		loaded := make([]State, len(users))
		for i, u := range users {
			wg.Go(func() {
				st, _, dup, err := s.Load(testCtx(t), u, "m2")
				if err != nil || dup {
					t.Errorf("Load %d: dup %v, %v", i, dup, err)
				}
				loaded[i] = st
			})
			wg.Go(func() {
				next := sampleState()
				next.IntakeKey = fmt.Sprint(i)
				next.Draft.Description = "batched"
				if saved, dup, err := s.Commit(testCtx(t), u, "m3", 1, next, "r3"); err != nil || dup || saved != "" {
					t.Errorf("Commit %d = %q, dup %v, %v; want saved", i, saved, dup, err)
				}
			})
		}
		queue.wait(t, 2*len(users))
		close(first.release)
		batch := hold.next(t)
		close(batch.release)
		wg.Wait()
		if err := <-firstDone; err != nil {
			t.Fatal(err)
		}

		hold.stop()
		if want := 3*2 + 3*1; batch.size != want {
			t.Errorf("the batch held %d commands, want %d (three Loads of two, three Commits of one)", batch.size, want)
		}
		if n := e.hook.RoundTrips(); n != 2 {
			t.Errorf("%d round trips, want 2: the first Load alone, then one for the six calls", n)
		}
		for i, u := range users {
			// Each Load ran in the pipeline before or after the Commits; either
			// way it read its own consumer's state.
			if loaded[i].IntakeKey != fmt.Sprint(i) || (loaded[i].Version != 1 && loaded[i].Version != 2) {
				t.Errorf("Load %d read %+v, another consumer's or none", i, loaded[i])
			}
			st, saved, dup := mustLoad(t, s, u, "m3")
			if st.Version != 2 || st.Draft.Description != "batched" || st.IntakeKey != fmt.Sprint(i) || !dup || saved != "r3" {
				t.Errorf("consumer %d after the batch: version %d, %+v, reply %q", i, st.Version, st.Draft, saved)
			}
		}
	})
}

// TestRedisBatchErrorsGoToTheirCallers puts calls that fail in every way the
// store knows into one pipeline with calls that succeed: each caller gets its
// own answer, and a missing saved reply (redis.Nil) fails nobody.
func TestRedisBatchErrorsGoToTheirCallers(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{BatchesInFlight: 1})
		ctx := testCtx(t)
		const (
			ok       = "oOk_abcdefghijklmnopqrstuvwx"
			corrupt  = "oCorrupt_abcdefghijklmnopqrs"
			wrongTyp = "oWrongType_abcdefghijklmnopq"
			fresh    = "oFresh_abcdefghijklmnopqrstu"
			nobody   = "oNobody_abcdefghijklmnopqrs"
		)
		mustCommit(t, s, ok, "m1", 0, sampleState(), "r1")
		if err := e.rdb.HSet(ctx, s.keys.State(corrupt), "v", "1", "s", "not json").Err(); err != nil {
			t.Fatal(err)
		}
		if err := e.rdb.Set(ctx, s.keys.State(wrongTyp), "a string", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		usedSig := &ReplayClaim{Key: s.keys.Msg(ok, "sig"), BodySum: "first", TTL: time.Minute}
		if _, _, _, err := s.LoadClaiming(ctx, fresh, "c0", usedSig); err != nil {
			t.Fatal(err)
		}
		hold := newHoldPipelines(t, e.rdb)
		queue := watchQueue(s)
		first, firstDone := heldFirst(t, s, hold)

		replayed := &ReplayClaim{Key: usedSig.Key, BodySum: "forged", TTL: time.Minute}
		newClaim := &ReplayClaim{Key: s.keys.Msg(ok, "sig2"), BodySum: "b", TTL: time.Minute}
		calls := map[string]func() error{
			"Load of a corrupt state": func() error {
				_, _, _, err := s.Load(testCtx(t), corrupt, "m")
				return wantCode(err, storage.EINTERNAL)
			},
			"Load of a key of another type": func() error {
				_, _, _, err := s.Load(testCtx(t), wrongTyp, "m")
				return wantCode(err, storage.EINTERNAL)
			},
			"Load of a new consumer": func() error {
				st, saved, dup, err := s.Load(testCtx(t), nobody, "m")
				if err != nil || dup || saved != "" || st.Version != 0 {
					return fmt.Errorf("version %d, %q, dup %v, %v; want nothing", st.Version, saved, dup, err)
				}
				return nil
			},
			"Load of a handled message": func() error {
				st, saved, dup, err := s.Load(testCtx(t), ok, "m1")
				if err != nil || !dup || saved != "r1" || st.Version != 1 {
					return fmt.Errorf("version %d, %q, dup %v, %v; want the saved reply", st.Version, saved, dup, err)
				}
				return nil
			},
			"Load with a replayed claim": func() error {
				_, _, _, err := s.LoadClaiming(testCtx(t), ok, "m9", replayed)
				if !errors.Is(err, ErrReplayed) || !replayed.Checked() {
					return fmt.Errorf("%v (checked %v); want ErrReplayed", err, replayed.Checked())
				}
				return nil
			},
			"Load with a new claim": func() error {
				_, _, _, err := s.LoadClaiming(testCtx(t), ok, "m8", newClaim)
				if err != nil || !newClaim.Checked() {
					return fmt.Errorf("%v (checked %v); want the claim made", err, newClaim.Checked())
				}
				return nil
			},
			"Commit on a stale version": func() error {
				_, _, err := s.Commit(testCtx(t), ok, "m2", 0, sampleState(), "r2")
				if !errors.Is(err, ErrVersionConflict) {
					return fmt.Errorf("%v; want ErrVersionConflict", err)
				}
				return nil
			},
			"Commit of a handled message": func() error {
				saved, dup, err := s.Commit(testCtx(t), ok, "m1", 1, sampleState(), "again")
				if err != nil || !dup || saved != "r1" {
					return fmt.Errorf("%q, dup %v, %v; want the first reply", saved, dup, err)
				}
				return nil
			},
			"Commit of a new consumer": func() error {
				saved, dup, err := s.Commit(testCtx(t), fresh, "m3", 0, sampleState(), "r3")
				if err != nil || dup || saved != "" {
					return fmt.Errorf("%q, dup %v, %v; want saved", saved, dup, err)
				}
				return nil
			},
		}
		var wg sync.WaitGroup
		for name, call := range calls {
			wg.Go(func() {
				if err := call(); err != nil {
					t.Errorf("%s in a batch: %v", name, err)
				}
			})
		}
		queue.wait(t, len(calls))
		close(first.release)
		batch := hold.next(t)
		close(batch.release)
		wg.Wait()
		if err := <-firstDone; err != nil {
			t.Fatal(err)
		}
		if want := 4*2 + 2*3 + 3; batch.size != want {
			t.Errorf("the batch held %d commands, want %d: all the calls in one pipeline", batch.size, want)
		}
	})
}

// wantCode is nil when err has the storage code want.
func wantCode(err error, want string) error {
	if got := storage.ErrorCode(err); got != want {
		return fmt.Errorf("code %q (%v), want %q", got, err, want)
	}
	return nil
}

// TestRedisBatchMembersLeaveAtTheirOwnDeadlines: a batch stuck on the wire
// keeps its runner, the member whose deadline is the latest, until that
// deadline at most (the batch's context carries it), while a member with an
// earlier deadline returns at its own.
func TestRedisBatchMembersLeaveAtTheirOwnDeadlines(t *testing.T) {
	_, rdb := testenv.NewMiniredis(t)
	s := NewRedisStore(rdb, RedisStoreOptions{BatchesInFlight: 1})
	hold := newHoldPipelines(t, rdb)
	queue := watchQueue(s)
	first, firstDone := heldFirst(t, s, hold)

	// Long enough to be sure it is still waiting when its batch is sent.
	soonCtx, cancelSoon := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancelSoon()
	lateCtx, cancelLate := context.WithTimeout(t.Context(), time.Minute)
	defer cancelLate()
	lateDeadline, _ := lateCtx.Deadline()
	soon, late := make(chan error, 1), make(chan error, 1)
	go func() { _, _, _, err := s.Load(soonCtx, "oSoon_abcdefghijklmnopqrstuv", "m"); soon <- err }()
	queue.wait(t, 1)
	go func() { _, _, _, err := s.Load(lateCtx, "oLate_abcdefghijklmnopqrstuv", "m"); late <- err }()
	queue.wait(t, 1)
	close(first.release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	batch := hold.next(t)
	if batch.size != 4 {
		t.Fatalf("the batch held %d commands, want both Loads", batch.size)
	}
	if !batch.hasDeadline || !batch.deadline.Equal(lateDeadline) {
		t.Errorf("the batch's deadline is %v (%v), want its latest member's, %v", batch.deadline, batch.hasDeadline, lateDeadline)
	}
	// The batch is held: the member with the earlier deadline returns at it.
	if err := <-soon; storage.ErrorCode(err) != storage.EUNAVAILABLE || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("member past its deadline: %v; want unavailable, deadline exceeded", err)
	}
	select {
	case err := <-late:
		t.Fatalf("the runner returned (%v) while its batch was on the wire", err)
	default:
	}
	close(batch.release)
	if err := <-late; err != nil {
		t.Errorf("runner once the batch was answered: %v", err)
	}
}

// TestRedisBatchLeftByAllIsCancelled: on a client that does not bound its
// reads by deadlines, a batch runs on a goroutine of its own; once every
// member has left, its context is cancelled so its connection is freed.
func TestRedisBatchLeftByAllIsCancelled(t *testing.T) {
	m, _ := testenv.NewMiniredis(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()}) // ContextTimeoutEnabled: false
	t.Cleanup(func() { _ = rdb.Close() })
	s := NewRedisStore(rdb, RedisStoreOptions{BatchesInFlight: 1})
	hold := newHoldPipelines(t, rdb)
	queue := watchQueue(s)
	first, firstDone := heldFirst(t, s, hold)

	ctxA, cancelA := context.WithCancel(t.Context())
	ctxB, cancelB := context.WithCancel(t.Context())
	errA, errB := make(chan error, 1), make(chan error, 1)
	go func() { _, _, _, err := s.Load(ctxA, "oLeaveA_abcdefghijklmnopqrs", "m"); errA <- err }()
	go func() { _, _, _, err := s.Load(ctxB, "oLeaveB_abcdefghijklmnopqrs", "m"); errB <- err }()
	queue.wait(t, 2)
	close(first.release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	batch := hold.next(t)
	if batch.hasDeadline {
		t.Errorf("members without deadlines, batch with deadline %v", batch.deadline)
	}
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled member: %v", err)
	}
	select {
	case err := <-batch.returned:
		t.Fatalf("the batch ended (%v) while a member still waited", err)
	default:
	}
	cancelB()
	if err := <-errB; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled runner: %v", err)
	}
	select {
	case err := <-batch.returned:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the abandoned batch ended with %v, want its context cancelled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the batch went on after every member had left")
	}
}

// TestRedisBatchCancellingOneCallerKeepsTheOthers: a caller who leaves while
// its batch is on the wire does not take the others' commands with it; one
// who leaves while still queued is not sent at all.
func TestRedisBatchCancellingOneCallerKeepsTheOthers(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{BatchesInFlight: 1})
		if err := s.LoadScripts(testCtx(t)); err != nil { // one pipeline per commit
			t.Fatal(err)
		}
		hold := newHoldPipelines(t, e.rdb)
		queue := watchQueue(s)
		const (
			gone   = "oGone_abcdefghijklmnopqrstuv"
			leaver = "oLeaver_abcdefghijklmnopqrs"
			stayer = "oStayer_abcdefghijklmnopqrs"
		)
		commit := func(ctx context.Context, user string) <-chan error {
			done := make(chan error, 1)
			go func() { _, _, err := s.Commit(ctx, user, "m1", 0, sampleState(), "r"); done <- err }()
			return done
		}

		// Queued, then gone before its batch formed: never sent.
		first, firstDone := heldFirst(t, s, hold)
		goneCtx, cancelGone := context.WithCancel(testCtx(t))
		goneDone := commit(goneCtx, gone)
		queue.wait(t, 1)
		cancelGone()
		if err := <-goneDone; !errors.Is(err, context.Canceled) {
			t.Fatalf("queued caller cancelled: %v", err)
		}
		close(first.release)
		if err := <-firstDone; err != nil {
			t.Fatal(err)
		}

		// In a batch on the wire, then gone: the batch goes on for the other.
		first, firstDone = heldFirst(t, s, hold)
		leaverCtx, cancelLeaver := context.WithTimeout(t.Context(), 4*time.Second) // earlier than the stayer's
		defer cancelLeaver()
		leaverDone := commit(leaverCtx, leaver)
		queue.wait(t, 1)
		stayerDone := commit(testCtx(t), stayer)
		queue.wait(t, 1)
		close(first.release)
		if err := <-firstDone; err != nil {
			t.Fatal(err)
		}
		batch := hold.next(t)
		cancelLeaver()
		if err := <-leaverDone; !errors.Is(err, context.Canceled) {
			t.Errorf("member cancelled while its batch was out: %v", err)
		}
		close(batch.release)
		if err := <-stayerDone; err != nil {
			t.Errorf("the other member: %v", err)
		}
		hold.stop()
		if batch.size != 2 {
			t.Errorf("the batch held %d commands, want both commits", batch.size)
		}
		if st, _, _ := mustLoad(t, s, stayer, "m2"); st.Version != 1 {
			t.Errorf("the staying member's commit: version %d, want 1", st.Version)
		}
		if st, _, _ := mustLoad(t, s, gone, "m2"); st.Version != 0 {
			t.Errorf("the commit of a caller gone before its batch was sent: version %d, want 0 (never sent)", st.Version)
		}
	})
}

// TestRedisBatchRecoversFromNoScript: commits batched on a server whose script
// cache was flushed are answered NOSCRIPT, not run, and are sent again with
// the script itself.
func TestRedisBatchRecoversFromNoScript(t *testing.T) {
	_, rdb := testenv.NewMiniredis(t) // the real server is shared: its cache is not ours to flush
	hook := &CountingHook{}
	rdb.AddHook(hook)
	s := NewRedisStore(rdb, RedisStoreOptions{BatchesInFlight: 1})
	users := []string{"oNoScriptA_abcdefghijklmnopq", "oNoScriptB_abcdefghijklmnopq", "oNoScriptC_abcdefghijklmnopq"}
	if err := s.LoadScripts(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		mustCommit(t, s, u, "m1", 0, State{}, "r1")
	}
	if err := rdb.ScriptFlush(testCtx(t)).Err(); err != nil {
		t.Fatal(err)
	}
	hold := newHoldPipelines(t, rdb)
	queue := watchQueue(s)
	first, firstDone := heldFirst(t, s, hold)
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() { mustCommit(t, s, u, "m2", 1, sampleState(), "r2") })
	}
	queue.wait(t, len(users))
	close(first.release)
	// The batch of EVALSHAs, then the EVALs: released as they come.
	go func() {
		for {
			select {
			case p := <-hold.held:
				close(p.release)
			case <-t.Context().Done():
				return
			}
		}
	}()
	wg.Wait()
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if st, saved, dup := mustLoad(t, s, u, "m2"); st.Version != 2 || !dup || saved != "r2" {
			t.Errorf("%s after NOSCRIPT: version %d, reply %q", u[:10], st.Version, saved)
		}
	}
	hook.Reset()
	mustCommit(t, s, users[0], "m3", 2, sampleState(), "r3")
	if n := hook.RoundTrips(); n != 1 {
		t.Errorf("a commit after the recovery took %d round trips, want 1 (the script cached again)", n)
	}
}

// TestRedisBatchHandsTheRunToAMemberStillWaiting: the member chosen to run a
// batch (the latest deadline) may leave before it starts; the batch then goes
// to the latest of those still waiting, and is dropped, its slot freed for the
// queue, when none is.
func TestRedisBatchHandsTheRunToAMemberStillWaiting(t *testing.T) {
	b := newRedisBatcher(nil, 1, true)
	now := time.Now()
	call := func(in time.Duration) *batchCall {
		ctx, cancel := context.WithDeadline(t.Context(), now.Add(in))
		t.Cleanup(cancel)
		return &batchCall{ctx: ctx, wake: make(chan batchWake, 1)}
	}
	early, middle, late, next := call(time.Minute), call(2*time.Minute), call(3*time.Minute), call(time.Minute)
	b.inFlight = 1 // a batch is out; these wait
	b.queue = []*batchCall{early, late, middle}

	b.mu.Lock()
	runner := b.releaseLocked() // the batch out ended: the three form the next
	b.queue = append(b.queue, next)
	b.mu.Unlock()
	if runner != late {
		t.Fatal("the runner is not the member with the latest deadline")
	}
	for _, want := range []*batchCall{middle, early} {
		b.leave(runner)
		if w := wakeOf(want); w != wakeRun {
			t.Fatalf("after the runner left, the next latest was told %v, want to run", w)
		}
		runner = want
	}
	b.leave(runner) // the last member leaves: the batch is dropped
	if w := wakeOf(next); w != wakeRun || b.inFlight != 1 || len(b.queue) != 0 || next.batch == nil {
		t.Fatalf("after the batch was dropped: queued call told %v, %d in flight, %d queued; want it to run its own",
			w, b.inFlight, len(b.queue))
	}
}

// wakeOf is what c was told, or 0 if nothing.
func wakeOf(c *batchCall) batchWake {
	select {
	case w := <-c.wake:
		return w
	default:
		return 0
	}
}
