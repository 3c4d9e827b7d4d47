package dialog

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// proxiedStores are the case store and a Redis reached through a fault proxy,
// so a test can take Redis down for real: SQLite with miniredis, and
// PostgreSQL with the test Redis when configured.
var proxiedStores = []struct {
	name string
	open func(t *testing.T) (*sqlstore.DB, *testenv.Proxy, *redis.Client, string)
}{
	{"sqlite+miniredis", func(t *testing.T) (*sqlstore.DB, *testenv.Proxy, *redis.Client, string) {
		m, _ := testenv.NewMiniredis(t)
		proxy := testenv.StartProxy(t, m.Addr())
		return testenv.SQLite(t, sqlstore.Open), proxy, proxiedClient(t, &redis.Options{}, proxy), ""
	}},
	{"postgres+redis", func(t *testing.T) (*sqlstore.DB, *testenv.Proxy, *redis.Client, string) {
		db := testenv.Postgres(t, sqlstore.Open)
		_, prefix := testenv.NewRealRedis(t) // skips (or fails) without a real Redis
		opt := testenv.RealRedisNode(t)
		proxy := testenv.StartProxy(t, opt.Addr)
		return db, proxy, proxiedClient(t, opt, proxy), prefix
	}},
}

// proxiedClient is a client on opt's server (its database, its credentials)
// through proxy that gives up quickly, as the bot's does.
func proxiedClient(t *testing.T, opt *redis.Options, proxy *testenv.Proxy) *redis.Client {
	opt.Addr, opt.ContextTimeoutEnabled = proxy.Addr(), true
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// downAfterCommit is a hook that takes Redis down (through the proxy) right
// after the next commit script has been answered, once armed: the database's
// erasure and the turn's commit succeed, the forget that follows meets a dead
// server.
type downAfterCommit struct {
	proxy *testenv.Proxy
	armed atomic.Bool
}

func (h *downAfterCommit) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *downAfterCommit) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}

// ProcessPipelineHook: the store sends its commits in pipelines (redisBatcher).
func (h *downAfterCommit) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if hasCommit(cmds) && h.armed.CompareAndSwap(true, false) {
			h.proxy.Down()
		}
		return err
	}
}

// hasCommit reports whether cmds hold the store's commit script.
func hasCommit(cmds []redis.Cmder) bool {
	for _, cmd := range cmds {
		if name := cmd.Name(); name == "evalsha" || name == "eval" {
			return true
		}
	}
	return false
}

// TestEngineEraseSurvivesRedisOutage: Redis goes down after the database's
// erasure and the turn's commit. The consumer still gets the erasure's reply
// (not the busy one), in time; the forget waits in the database, fails while
// Redis is down, and once Redis is back the worker's pass deletes the state.
func TestEngineEraseSurvivesRedisOutage(t *testing.T) {
	for _, ps := range proxiedStores {
		t.Run(ps.name, func(t *testing.T) {
			db, proxy, rdb, prefix := ps.open(t)
			hook := &downAfterCommit{proxy: proxy}
			rdb.AddHook(hook)
			store := NewRedisStore(rdb, RedisStoreOptions{Prefix: prefix})
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Catalogue: mustCatalogue(t, Settings{Hotline: "12315"}),
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now, Rights: db}
			ctx := context.Background()
			const who = "oOutage"
			closed := fileAndClose(t, db, who, "甲商店")

			say(t, e, who, "o1", text("我要投诉"))
			say(t, e, who, "o2", text("同意"))
			say(t, e, who, "o3", text("删除我的信息"))
			hook.armed.Store(true)
			start := time.Now()
			done, err := e.Handle(ctx, who, "o4", text("确认删除"))
			if err != nil {
				t.Fatalf("确认删除 with Redis down after the commit: %v (the consumer would get the busy reply)", err)
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("the turn took %v, past WeChat's budget", took)
			}
			wantIn(t, "确认删除", done, "已删除投诉 "+closed.Number, "投诉草稿和对话记录已删除")
			if c, err := db.FindCaseByNumber(ctx, closed.Number); err != nil || !c.Anonymised {
				t.Fatalf("closed case: %+v, %v", c, err)
			}

			// Still down a minute later: the worker's try fails and is put off.
			clock.Advance(2 * time.Minute)
			if run, err := store.RetryForgets(ctx, db, 10, time.Minute); err == nil || run.Failed != 1 || run.Done != 0 {
				t.Fatalf("retry with Redis down = %+v, %v; want one failure", run, err)
			}
			if due, err := db.DueDialogForgets(ctx, 10); err != nil || len(due) != 0 {
				t.Fatalf("a failed forget is due again at once: %+v, %v", due, err)
			}

			proxy.Up()
			if st, _, _, err := store.Load(ctx, who, "probe"); err != nil || st.Version == 0 {
				t.Fatalf("the state should still be there before the worker runs: %+v, %v", st, err)
			}
			clock.Advance(2 * time.Minute)
			run, err := store.RetryForgets(ctx, db, 10, time.Minute)
			if err != nil || run.Done != 1 {
				t.Fatalf("retry with Redis back = %+v, %v", run, err)
			}
			st, saved, dup, err := store.Load(ctx, who, "o4")
			if err != nil || dup || saved != "" || st.Version != 0 {
				t.Fatalf("after the worker: state %+v, saved reply %q (%v), %v", st, saved, dup, err)
			}
			for _, key := range []string{store.keys.Msg(who, "o3"), store.keys.Msgs(who)} {
				if n := rdb.Exists(ctx, key).Val(); n != 0 {
					t.Errorf("%s survived the worker", key)
				}
			}
			if due, err := db.DueDialogForgets(ctx, 10); err != nil || len(due) != 0 {
				t.Fatalf("forgets left after the worker: %+v, %v", due, err)
			}
		})
	}
}

// TestEngineEraseForgetsAtOnceAndLeavesNothingFiled: with Redis up, the turn
// forgets the consumer itself and removes the forget it filed, so the worker
// has nothing to do (it would otherwise delete a draft begun since).
func TestEngineEraseForgetsAtOnceAndLeavesNothingFiled(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Catalogue: mustCatalogue(t, Settings{Hotline: "12315"}),
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now, Rights: db}
			fileAndClose(t, db, "oAtOnce", "甲商店")
			say(t, e, "oAtOnce", "a1", text("删除我的信息"))
			if done := say(t, e, "oAtOnce", "a2", text("确认删除")); !strings.Contains(done, "已删除投诉") {
				t.Fatalf("确认删除:\n%s", done)
			}
			clock.Advance(time.Hour)
			if due, err := db.DueDialogForgets(context.Background(), 10); err != nil || len(due) != 0 {
				t.Fatalf("forgets left after a turn that forgot: %+v, %v", due, err)
			}
		})
	}
}
