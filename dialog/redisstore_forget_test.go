package dialog

import (
	"testing"
	"time"
)

func TestRedisStoreForgetConsumer(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		ctx := testCtx(t)
		s := e.store(RedisStoreOptions{})
		// An openid with glob characters must match only itself.
		gone, kept := "o*Gone[1]", "o*Gone[1]x"
		mustCommit(t, s, gone, "m1", 0, sampleState(), "第一条回复")
		mustCommit(t, s, gone, "m2", 1, sampleState(), "第二条回复")
		mustCommit(t, s, kept, "m1", 0, sampleState(), "别人的回复")

		n, err := s.ForgetConsumer(ctx, gone)
		if err != nil || n != 4 {
			t.Fatalf("ForgetConsumer = %d, %v; want the state, two replies and their index", n, err)
		}
		for _, key := range []string{s.keys.State(gone), s.keys.Msg(gone, "m1"), s.keys.Msg(gone, "m2"), s.keys.Msgs(gone)} {
			if got := e.rdb.Exists(ctx, key).Val(); got != 0 {
				t.Errorf("%s still exists after forgetting", key)
			}
		}
		if st, reply, dup := mustLoad(t, s, gone, "m1"); dup || reply != "" || st.Version != 0 {
			t.Fatalf("after forgetting: state %+v, reply %q, dup %v", st, reply, dup)
		}
		if st, reply, dup := mustLoad(t, s, kept, "m1"); !dup || reply != "别人的回复" || st.Version != 1 {
			t.Fatalf("another consumer lost data: state %+v, reply %q, dup %v", st, reply, dup)
		}
		if got := e.rdb.ZCard(ctx, s.keys.Msgs(kept)).Val(); got != 1 {
			t.Errorf("another consumer's index holds %d replies, want 1", got)
		}
		if n, err := s.ForgetConsumer(ctx, gone); err != nil || n != 0 {
			t.Fatalf("second forget = %d, %v", n, err)
		}
	})
}

// TestRedisStoreForgetConsumerScansNothing: the erasure reads the consumer's
// own index and deletes; it never walks the node, so its cost does not grow with the node.
func TestRedisStoreForgetConsumerScansNothing(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		ctx := testCtx(t)
		s := e.store(RedisStoreOptions{})
		const user = "oNoScan_abcdefghijklmnopqrs"
		for i, key := range []string{"m1", "m2", "m3"} {
			mustCommit(t, s, user, key, int64(i), sampleState(), "回复")
		}
		e.hook.Reset()
		if n, err := s.ForgetConsumer(ctx, user); err != nil || n != 5 {
			t.Fatalf("ForgetConsumer = %d, %v; want 5 keys", n, err)
		}
		if got := e.hook.RoundTrips(); got != 2 {
			t.Errorf("round trips = %d; want two (ZRANGE of the index, one DEL)", got)
		}
	})
}

// TestRedisStoreReplyIndexStaysSmall: the index lives as long as its newest
// reply and drops the replies that expired, so it never grows past a
// de-duplication TTL's worth of messages.
func TestRedisStoreReplyIndexStaysSmall(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *redisEnv) {
		ctx := testCtx(t)
		s := e.store(RedisStoreOptions{DedupeTTL: 30 * time.Minute})
		const user = "oIndex_abcdefghijklmnopqrst"
		mustCommit(t, s, user, "m1", 0, sampleState(), "r1")
		assertPTTL(t, e, s.keys.Msgs(user), 30*time.Minute)
		if e.mini == nil {
			return // a real server's clock cannot be moved
		}
		// TIME in the script reads the set time; TTLs move with FastForward.
		now := time.Now()
		e.mini.SetTime(now.Add(31 * time.Minute))
		e.mini.FastForward(31 * time.Minute)
		if got := e.rdb.Exists(ctx, s.keys.Msgs(user)).Val(); got != 0 {
			t.Fatalf("index outlived its only reply")
		}
		mustCommit(t, s, user, "m2", 1, sampleState(), "r2")
		e.mini.SetTime(now.Add(50 * time.Minute))
		e.mini.FastForward(19 * time.Minute)
		mustCommit(t, s, user, "m3", 2, sampleState(), "r3")
		e.mini.SetTime(now.Add(62 * time.Minute)) // m2 (saved at 31m) expired at 61m
		e.mini.FastForward(12 * time.Minute)
		mustCommit(t, s, user, "m4", 3, sampleState(), "r4")
		got, err := e.rdb.ZRange(ctx, s.keys.Msgs(user), 0, -1).Result()
		if err != nil || len(got) != 2 || got[0] != "m3" || got[1] != "m4" {
			t.Errorf("index = %v, %v; want the unexpired m3 and m4", got, err)
		}
		assertPTTL(t, e, s.keys.Msgs(user), 30*time.Minute)
	})
}
