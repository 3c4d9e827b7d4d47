package dialog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/redisbase"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// redisEnv is one server the Redis contract tests run on.
type redisEnv struct {
	rdb    redis.UniversalClient
	prefix string               // RedisStoreOptions.Prefix; "" (the default) on miniredis
	mini   *miniredis.Miniredis // nil on a real server
	hook   *CountingHook
}

// store returns a RedisStore on the environment with opts and the env's prefix.
func (e *redisEnv) store(opts RedisStoreOptions) *RedisStore {
	opts.Prefix = e.prefix
	return NewRedisStore(e.rdb, opts)
}

// forEachRedis runs the same test on miniredis and, when configured, a real Redis.
func forEachRedis(t *testing.T, test func(t *testing.T, e *redisEnv)) {
	t.Run("miniredis", func(t *testing.T) {
		m, rdb := testenv.NewMiniredis(t)
		hook := &CountingHook{}
		rdb.AddHook(hook)
		test(t, &redisEnv{rdb: rdb, mini: m, hook: hook})
	})
	t.Run("real", func(t *testing.T) {
		rdb, prefix := testenv.NewRealRedis(t)
		hook := &CountingHook{}
		rdb.AddHook(hook)
		test(t, &redisEnv{rdb: rdb, prefix: prefix, hook: hook})
	})
}

// testCtx bounds each Redis call as the bot does, well under WeChat's 5 seconds.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sampleState is a mid-intake state with every kind of field set.
func sampleState() State {
	return State{
		Stage:     StageAmount,
		IntakeKey: "ik-1",
		Editing:   true,
		Draft: Draft{
			Category:     "餐饮服务",
			MerchantName: "某某火锅店",
			PurchaseDate: "2026-11-20",
			AmountFen:    12800,
			Photos:       []Photo{{MediaID: "m1", PicURL: "http://example.invalid/1.jpg"}},
		},
		UpdatedAt: time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC),
	}
}

// mustCommit commits and fails the test unless the state was saved.
func mustCommit(t *testing.T, s *RedisStore, openID, msgKey string, prev int64, next State, reply string) {
	t.Helper()
	saved, dup, err := s.Commit(testCtx(t), openID, msgKey, prev, next, reply)
	if err != nil || dup || saved != "" {
		t.Fatalf("Commit(%s, prev %d) = %q, dup %v, %v; want saved", msgKey, prev, saved, dup, err)
	}
}

// mustLoad loads and fails the test on error.
func mustLoad(t *testing.T, s *RedisStore, openID, msgKey string) (State, string, bool) {
	t.Helper()
	st, saved, dup, err := s.Load(testCtx(t), openID, msgKey)
	if err != nil {
		t.Fatalf("Load(%s): %v", msgKey, err)
	}
	return st, saved, dup
}

// assertState compares states field by field (time by Equal, as JSON drops the
// monotonic clock and may change the *Location).
func assertState(t *testing.T, got, want State) {
	t.Helper()
	if !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("UpdatedAt = %v, want %v", got.UpdatedAt, want.UpdatedAt)
	}
	got.UpdatedAt, want.UpdatedAt = time.Time{}, time.Time{}
	if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
		t.Errorf("state = %#v\nwant %#v", got, want)
	}
}

func TestRedisStoreLoadEmpty(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		st, saved, dup := mustLoad(t, s, "oNobody000000000000000000000", "m1")
		if dup || saved != "" {
			t.Errorf("Load of a new consumer: saved %q, dup %v; want no reply", saved, dup)
		}
		assertState(t, st, State{})
		n, err := e.rdb.Exists(testCtx(t), s.keys.State("oNobody000000000000000000000")).Result()
		if err != nil || n != 0 {
			t.Errorf("Load created the state key (exists %d, %v); a read must not write", n, err)
		}
	})
}

func TestRedisStoreCommitThenLoad(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		const user = "oUser1_abcdefghijklmnopqrstu"
		want := sampleState()
		want.Version = 99 // managed by the store: must be ignored on Commit
		mustCommit(t, s, user, "m1", 0, want, "请输入金额")

		st, _, dup := mustLoad(t, s, user, "m2")
		if dup {
			t.Fatal("Load with a new msgKey reported a duplicate")
		}
		if st.Version != 1 {
			t.Errorf("Version after the first commit = %d, want 1", st.Version)
		}
		want.Version = 1
		assertState(t, st, want)

		want.Draft.Description = "菜里有异物"
		mustCommit(t, s, user, "m2", 1, want, "")
		st, _, _ = mustLoad(t, s, user, "m3")
		want.Version = 2
		assertState(t, st, want)
	})
}

func TestRedisStoreKeyLayout(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		const user = "oLayout_abcdefghijklmnopqrst"
		mustCommit(t, s, user, "12345", 0, sampleState(), "好的")

		prefix := e.prefix
		if prefix == "" {
			prefix = "cb" // the documented default
		}
		ctx := testCtx(t)
		h, err := e.rdb.HGetAll(ctx, prefix+":{"+user+"}:state").Result()
		if err != nil || h["v"] != "1" || !strings.HasPrefix(h["s"], "{") || len(h) != 2 {
			t.Errorf("state hash = %v, %v; want fields v=1 and s=JSON", h, err)
		}
		if strings.Contains(h["s"], "Version") || strings.Contains(h["s"], "99") {
			t.Errorf("state JSON holds the version: %s", h["s"])
		}
		reply, err := e.rdb.Get(ctx, prefix+":{"+user+"}:msg:12345").Result()
		if err != nil || reply != "好的" {
			t.Errorf("msg key = %q, %v; want the reply", reply, err)
		}
	})
}

func TestRedisStoreStaleVersion(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		const user = "oStale_abcdefghijklmnopqrstu"
		first := sampleState()
		mustCommit(t, s, user, "m1", 0, first, "r1")

		other := sampleState()
		other.Stage = StagePhone
		for _, prev := range []int64{0, 2, -1} {
			saved, dup, err := s.Commit(testCtx(t), user, "m2", prev, other, "r2")
			if !errors.Is(err, ErrVersionConflict) || dup || saved != "" {
				t.Errorf("Commit with stale version %d = %q, dup %v, %v; want ErrVersionConflict", prev, saved, dup, err)
			}
		}
		st, saved, dup := mustLoad(t, s, user, "m2")
		if dup || saved != "" {
			t.Errorf("a refused commit recorded its msgKey (saved %q, dup %v)", saved, dup)
		}
		first.Version = 1
		assertState(t, st, first)

		// The refused message can still be handled once it steps on the new state.
		mustCommit(t, s, user, "m2", 1, other, "r2")
	})
}

func TestRedisStoreConflictOnMissingState(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		// The state expired (or was never there) after the caller loaded version 3.
		_, _, err := s.Commit(testCtx(t), "oGone_abcdefghijklmnopqrstuv", "m1", 3, sampleState(), "r")
		if !errors.Is(err, ErrVersionConflict) {
			t.Fatalf("Commit on a missing state with prev 3: %v; want ErrVersionConflict", err)
		}
	})
}

func TestRedisStoreDuplicateMessage(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		const user = "oDup_abcdefghijklmnopqrstuvw"
		first := sampleState()
		mustCommit(t, s, user, "m1", 0, first, "第一次的回复")

		// WeChat's retry of m1, stepped by another instance on the current version.
		second := sampleState()
		second.Stage = StageConfirm
		saved, dup, err := s.Commit(testCtx(t), user, "m1", 1, second, "第二次的回复")
		if err != nil || !dup || saved != "第一次的回复" {
			t.Errorf("second Commit of m1 = %q, dup %v, %v; want the first reply as a duplicate", saved, dup, err)
		}

		st, saved, dup := mustLoad(t, s, user, "m1")
		if !dup || saved != "第一次的回复" {
			t.Errorf("Load of handled m1: saved %q, dup %v; want the first reply", saved, dup)
		}
		first.Version = 1
		assertState(t, st, first)
	})
}

func TestRedisStoreDuplicateEmptyReply(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		const user = "oQuiet_abcdefghijklmnopqrstu"
		// An unsubscribe has nothing to say, but its retry must still be a duplicate.
		mustCommit(t, s, user, "unsub", 0, State{}, "")
		_, saved, dup := mustLoad(t, s, user, "unsub")
		if !dup || saved != "" {
			t.Errorf("Load of a handled message with an empty reply: %q, dup %v; want dup", saved, dup)
		}
	})
}

func TestRedisStoreTTL(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{StateTTL: 2 * time.Hour, DedupeTTL: 30 * time.Minute})
		const user = "oTTL_abcdefghijklmnopqrstuvw"
		mustCommit(t, s, user, "m1", 0, sampleState(), "r1")
		assertPTTL(t, e, s.keys.State(user), 2*time.Hour)
		assertPTTL(t, e, s.keys.Msg(user, "m1"), 30*time.Minute)

		if e.mini == nil {
			return // a real server's clock cannot be moved
		}
		e.mini.FastForward(31 * time.Minute)
		st, _, dup := mustLoad(t, s, user, "m1")
		if dup || st.Version != 1 {
			t.Errorf("after the dedupe TTL: dup %v, version %d; want the key gone, the state kept", dup, st.Version)
		}

		// A commit renews the state's life: it counts from the last change.
		mustCommit(t, s, user, "m2", 1, sampleState(), "r2")
		e.mini.FastForward(time.Hour + 45*time.Minute) // 2h16m after the first commit
		if st, _, _ := mustLoad(t, s, user, "m3"); st.Version != 2 {
			t.Errorf("state renewed 1h45m ago: version %d, want 2", st.Version)
		}
		e.mini.FastForward(20 * time.Minute)
		if st, _, _ := mustLoad(t, s, user, "m3"); st.Version != 0 {
			t.Errorf("state idle past its TTL: version %d, want 0 (gone)", st.Version)
		}
	})
}

func TestRedisStoreDefaultTTL(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		const user = "oDefTTL_abcdefghijklmnopqrst"
		mustCommit(t, s, user, "m1", 0, sampleState(), "r1")
		assertPTTL(t, e, s.keys.State(user), DefaultStateTTL)
		assertPTTL(t, e, s.keys.Msg(user, "m1"), DefaultDedupeTTL)
	})
}

// assertPTTL checks that key expires in want, give or take the test's own run time.
func assertPTTL(t *testing.T, e *redisEnv, key string, want time.Duration) {
	t.Helper()
	got, err := e.rdb.PTTL(testCtx(t), key).Result()
	if err != nil || got > want || got < want-time.Minute {
		t.Errorf("PTTL = %v, %v; want about %v", got, err, want)
	}
}

// TestRedisStoreConcurrentCommits has every worker load the same version before
// any commits, so all but one of the first commits must be refused as conflicts,
// and each worker's update must still land exactly once.
func TestRedisStoreConcurrentCommits(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		const user = "oRace_abcdefghijklmnopqrstuv"
		const workers = 50
		var wg, loaded sync.WaitGroup
		loaded.Add(workers)
		var conflicts sync.Map
		for i := range workers {
			wg.Go(func() {
				n, err := appendWithRetry(t.Context(), s, user, i, func() { loaded.Done(); loaded.Wait() })
				conflicts.Store(i, n)
				if err != nil {
					t.Errorf("worker %d: %v", i, err)
				}
			})
		}
		wg.Wait()

		st, _, _ := mustLoad(t, s, user, "final")
		if st.Version != workers {
			t.Errorf("version = %d, want %d (one per message)", st.Version, workers)
		}
		for i := range workers {
			if c := strings.Count(st.Draft.Description, fmt.Sprintf("[%d]", i)); c != 1 {
				t.Errorf("worker %d's update appears %d times, want once", i, c)
			}
		}
		total := 0
		conflicts.Range(func(_, v any) bool { total += v.(int); return true })
		if total < workers-1 {
			t.Errorf("%d version conflicts, want at least %d: the workers all loaded version 0, so only one "+
				"first commit may win", total, workers-1)
		}
	})
}

// appendWithRetry is the Engine's loop in miniature: load, modify, commit, and on a
// conflict start over from the fresh state. It calls firstLoaded once, after its
// first Load, and returns how many conflicts Commit reported.
func appendWithRetry(ctx context.Context, s *RedisStore, user string, i int, firstLoaded func()) (int, error) {
	msgKey := fmt.Sprintf("msg-%d", i)
	for conflicts := 0; conflicts < 10_000; conflicts++ {
		st, _, dup, err := s.Load(ctx, user, msgKey)
		if conflicts == 0 {
			firstLoaded()
		}
		if err != nil || dup {
			return conflicts, err
		}
		st.Draft.Description += fmt.Sprintf("[%d]", i)
		_, _, err = s.Commit(ctx, user, msgKey, st.Version, st, "ok")
		if !errors.Is(err, ErrVersionConflict) {
			return conflicts, err
		}
	}
	return 0, errors.New("gave up after 10000 conflicts")
}

func TestRedisStoreOneRoundTrip(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		const user = "oTrips_abcdefghijklmnopqrstu"
		if err := s.LoadScripts(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name string
			run  func() error
		}{
			{"Load of a new consumer", func() error { _, _, _, err := s.Load(testCtx(t), user, "m1"); return err }},
			{"Commit", func() error { _, _, err := s.Commit(testCtx(t), user, "m1", 0, sampleState(), "r"); return err }},
			{"Load of a duplicate", func() error { _, _, _, err := s.Load(testCtx(t), user, "m1"); return err }},
			{"Commit of a duplicate", func() error { _, _, err := s.Commit(testCtx(t), user, "m1", 1, sampleState(), "r"); return err }},
			{"Commit in conflict", func() error {
				_, _, err := s.Commit(testCtx(t), user, "m2", 0, sampleState(), "r")
				if errors.Is(err, ErrVersionConflict) {
					return nil
				}
				return err
			}},
			{"Load of a saved state", func() error { _, _, _, err := s.Load(testCtx(t), user, "m2"); return err }},
		}
		for _, step := range steps {
			e.hook.Reset()
			if err := step.run(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			if n := e.hook.RoundTrips(); n != 1 {
				t.Errorf("%s took %d round trips, want 1", step.name, n)
			}
		}
	})
}

// TestRedisStoreScriptCacheMiss documents what LoadScripts saves: on a server that
// does not know the script yet, the first Commit needs EVALSHA then EVAL.
func TestRedisStoreScriptCacheMiss(t *testing.T) {
	_, rdb := testenv.NewMiniredis(t) // a fresh server: the real one is shared, its cache unknown
	hook := &CountingHook{}
	rdb.AddHook(hook)
	s := NewRedisStore(rdb, RedisStoreOptions{})
	mustCommit(t, s, "oCold_abcdefghijklmnopqrstuv", "m1", 0, State{}, "r")
	if n := hook.RoundTrips(); n != 2 {
		t.Errorf("first Commit on a cold script cache: %d round trips, want 2", n)
	}
	hook.Reset()
	mustCommit(t, s, "oCold_abcdefghijklmnopqrstuv", "m2", 1, State{}, "r")
	if n := hook.RoundTrips(); n != 1 {
		t.Errorf("second Commit: %d round trips, want 1", n)
	}
}

func TestRedisStoreAwkwardOpenIDs(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		// Each would break or share a hash tag if braces went into keys unescaped.
		users := []string{"o{x}y", "o%7Bx%7Dy", "}{", "{", "o}", "o-_=+/:9"}
		for i, user := range users {
			st := State{Stage: StageName, IntakeKey: fmt.Sprint(i)}
			mustCommit(t, s, user, "m{1}", 0, st, fmt.Sprint(i))
		}
		for i, user := range users {
			st, saved, dup := mustLoad(t, s, user, "m{1}")
			if st.Version != 1 || st.IntakeKey != fmt.Sprint(i) || !dup || saved != fmt.Sprint(i) {
				t.Errorf("openid %q: version %d, intake %q, reply %q; its keys mix with another consumer's",
					user, st.Version, st.IntakeKey, saved)
			}
			stateTag, msgTag := redisbase.HashTag(s.keys.State(user)), redisbase.HashTag(s.keys.Msg(user, "m{1}"))
			if stateTag == "" || stateTag != msgTag {
				t.Errorf("openid %q: hash tags %q and %q; want one non-empty slot", user, stateTag, msgTag)
			}
		}
	})
}

func TestRedisKeysBraceInPrefix(t *testing.T) {
	k := NewRedisStore(nil, RedisStoreOptions{Prefix: "a{b}"}).keys
	if got := redisbase.HashTag(k.State("oUser")); got != "oUser" {
		t.Errorf("hash tag with prefix a{b} = %q, want the openid", got)
	}
}

func TestRedisStoreRefusesEmptyIDs(t *testing.T) {
	s := NewRedisStore(testenv.NewRedis(t), RedisStoreOptions{})
	ctx := testCtx(t)
	for _, ids := range [][2]string{{"", "m1"}, {"oUser", ""}} {
		_, _, _, err := s.Load(ctx, ids[0], ids[1])
		if storage.ErrorCode(err) != storage.EINVALID {
			t.Errorf("Load(%q, %q): %v; want EINVALID", ids[0], ids[1], err)
		}
		_, _, err = s.Commit(ctx, ids[0], ids[1], 0, State{}, "")
		if storage.ErrorCode(err) != storage.EINVALID {
			t.Errorf("Commit(%q, %q): %v; want EINVALID", ids[0], ids[1], err)
		}
	}
}

func TestRedisStoreCorruptState(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		s := e.store(RedisStoreOptions{})
		const user = "oBroken_abcdefghijklmnopqrst"
		if err := e.rdb.HSet(testCtx(t), s.keys.State(user), "v", "1", "s", "not json").Err(); err != nil {
			t.Fatal(err)
		}
		_, _, _, err := s.Load(testCtx(t), user, "m1")
		if storage.ErrorCode(err) != storage.EINTERNAL {
			t.Errorf("Load of a corrupt state: %v; want EINTERNAL", err)
		}
	})
}

func TestRedisStoreDeadServer(t *testing.T) {
	closed, _ := testenv.NewMiniredis(t)
	closedAddr := closed.Addr()
	closed.Close()
	servers := map[string]*redis.Options{
		// A client that honours contexts, on a stopped server.
		"stopped miniredis": {Addr: closedAddr, ContextTimeoutEnabled: true},
		// Nothing listens on port 1: the connection is refused at once.
		"refused port": {Addr: "127.0.0.1:1"},
		// Accepts and never answers, like a partitioned server; the client would
		// wait 30 s per read, so only the store's own deadline handling can help.
		"silent server": {Addr: silentServer(t), ReadTimeout: 30 * time.Second},
	}
	const user = "oDead_secretsecretsecretsecr"
	for name, opt := range servers {
		t.Run(name, func(t *testing.T) {
			rdb := redis.NewClient(opt)
			t.Cleanup(func() { _ = rdb.Close() })
			s := NewRedisStore(rdb, RedisStoreOptions{})
			calls := map[string]func(context.Context) error{
				"Load": func(ctx context.Context) error {
					_, _, _, err := s.Load(ctx, user, "m1")
					return err
				},
				"Commit": func(ctx context.Context) error {
					_, _, err := s.Commit(ctx, user, "m1", 0, sampleState(), "r")
					return err
				},
				"LoadScripts": s.LoadScripts,
			}
			for call, run := range calls {
				assertPromptFailure(t, call, run, user)
			}
		})
	}
}

// assertPromptFailure runs call under a 300 ms deadline and checks that it fails
// in time, as "unavailable", without the full openid in the error. "In time" is
// within WeChat's whole 5 s wait of the deadline: what the store must not do is
// wait out the client's 30 s read timeout, and a tighter bound would measure the
// test machine's load, not the store.
func assertPromptFailure(t *testing.T, name string, call func(context.Context) error, user string) {
	t.Helper()
	const deadline, overrun = 300 * time.Millisecond, 5 * time.Second
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	start := time.Now()
	err := call(ctx)
	took := time.Since(start)
	if err == nil {
		t.Fatalf("%s on a dead server succeeded", name)
	}
	if took > deadline+overrun {
		t.Errorf("%s took %v, past its %v deadline", name, took, deadline)
	}
	if code := storage.ErrorCode(err); code != storage.EUNAVAILABLE {
		t.Errorf("%s: code %q, want %q (%v)", name, code, storage.EUNAVAILABLE, err)
	}
	if strings.Contains(err.Error(), user) || strings.Contains(err.Error(), "secret") {
		t.Errorf("%s: error shows the openid: %v", name, err)
	}
}

// silentServer listens on a local port, accepts connections and never answers.
func silentServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	// Closing the connections ends the reads the store abandoned at its deadline.
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

func TestRedisStoreCancelledContext(t *testing.T) {
	s := NewRedisStore(testenv.NewRedis(t), RedisStoreOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, _, err := s.Load(ctx, "oUser_abcdefghijklmnopqrstuv", "m1")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context: %v; want context.Canceled", err)
	}
}

// stallCommitHook lets the next commit script run on the server, then passes the
// caller's deadline and holds the answer until the context ends: the Commit was
// applied, but the caller only sees its deadline pass, as when Redis answers just
// too late.
type stallCommitHook struct {
	armed    atomic.Bool
	deadline *testDeadline
}

func (h *stallCommitHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *stallCommitHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

// ProcessPipelineHook: the store sends its commits in pipelines (redisBatcher).
func (h *stallCommitHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if err == nil && hasCommit(cmds) && h.armed.CompareAndSwap(true, false) {
			h.deadline.pass()
			<-ctx.Done()
			return ctx.Err()
		}
		return err
	}
}

// TestRedisStoreCommitAppliedPastItsDeadline runs a turn whose Commit reaches
// Redis but answers after the turn's deadline. The state has moved on, so the
// consumer must get the reply that was saved, not "busy": told busy, they would
// type their answer again and it would fill the next question.
func TestRedisStoreCommitAppliedPastItsDeadline(t *testing.T) {
	forEachRedis(t, func(t *testing.T, env *redisEnv) {
		stall := &stallCommitHook{}
		env.rdb.AddHook(stall)
		e, _ := newTestEngine(t)
		s := env.store(RedisStoreOptions{})
		e.Store = s
		const user = "oLate_abcdefghijklmnopqrstuv"
		say(t, e, user, "m1", Input{Kind: InputMenuClick, EventKey: MenuComplain})

		stall.deadline = newTestDeadline(t.Context())
		stall.armed.Store(true)
		reply, err := e.Handle(stall.deadline, user, "m2", text("同意"))
		if stall.armed.Load() {
			t.Fatal("the commit was not stalled")
		}
		if err != nil || !strings.Contains(reply, "请选择投诉类别") {
			t.Fatalf("turn whose commit answered late: %q, %v; want the category question", reply, err)
		}
		st, saved, dup := mustLoad(t, s, user, "m2")
		if st.Stage != StageCategory || !dup || saved != reply {
			t.Errorf("stored: stage %q, reply %q (dup %v); want the category question saved", st.Stage, saved, dup)
		}
	})
}

// testDeadline is a context whose deadline passes when pass is called rather than
// on the wall clock: a turn on a loaded machine may take longer than any short
// timeout to reach the moment a test is about.
type testDeadline struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newTestDeadline(parent context.Context) *testDeadline {
	return &testDeadline{Context: parent, done: make(chan struct{})}
}

// pass makes the deadline pass now.
func (d *testDeadline) pass() { d.once.Do(func() { close(d.done) }) }

// Done is closed once the deadline has passed.
func (d *testDeadline) Done() <-chan struct{} { return d.done }

// Err is context.DeadlineExceeded once the deadline has passed.
func (d *testDeadline) Err() error {
	select {
	case <-d.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// TestRedisStoreCommitLostStillFails is the other side: a Commit that failed and
// was not applied still fails the turn, after the recheck finds nothing.
func TestRedisStoreCommitLostStillFails(t *testing.T) {
	forEachRedis(t, func(t *testing.T, env *redisEnv) {
		e, _ := newTestEngine(t)
		s := env.store(RedisStoreOptions{})
		e.Store = &lossyStore{Store: s, lose: 1}
		const user = "oLost_abcdefghijklmnopqrstuv"
		if _, err := e.Handle(testCtx(t), user, "m1", Input{Kind: InputMenuClick, EventKey: MenuComplain}); err == nil {
			t.Fatal("a lost commit must fail the turn")
		}
		if st, _, dup := mustLoad(t, s, user, "m1"); dup || st.Stage != StageIdle {
			t.Errorf("stage %q, dup %v after a lost commit", st.Stage, dup)
		}
	})
}

// A commit reply whose code is not an integer is corrupt, not a success: the
// zero value of the code is commitOK.
func TestRedisCommitResultRefusesANonIntegerCode(t *testing.T) {
	if _, _, err := redisCommitResult([]any{"0", ""}); err == nil {
		t.Fatal("a string code was read as a commit")
	}
	if _, dup, err := redisCommitResult([]any{int64(commitOK), ""}); err != nil || dup {
		t.Fatalf("a real commit: dup %v, err %v", dup, err)
	}
}

// TestRedisStoreRunsCallsInlineOnlyOnClientsThatHonourDeadlines: a client built
// with ContextTimeoutEnabled returns by a context's deadline by itself, so the
// store calls it on the turn's goroutine; any other client is raced against the
// context on a goroutine of its own.
func TestRedisStoreRunsCallsInlineOnlyOnClientsThatHonourDeadlines(t *testing.T) {
	for _, tc := range []struct {
		name string
		rdb  redis.UniversalClient
		want bool
	}{
		{"client with deadlines", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}), true},
		{"client without", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), false},
		{"cluster with deadlines", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true}), true},
		{"cluster without", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}), false},
	} {
		t.Cleanup(func() { _ = tc.rdb.Close() })
		if got := NewRedisStore(tc.rdb, RedisStoreOptions{}).boundedByDeadline; got != tc.want {
			t.Errorf("%s: bounded by deadline %v, want %v", tc.name, got, tc.want)
		}
	}
}
