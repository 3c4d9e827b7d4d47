package dialog

import (
	"testing"
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
		if err != nil || n != 3 {
			t.Fatalf("ForgetConsumer = %d, %v; want the state and two replies", n, err)
		}
		if st, reply, dup := mustLoad(t, s, gone, "m1"); dup || reply != "" || st.Version != 0 {
			t.Fatalf("after forgetting: state %+v, reply %q, dup %v", st, reply, dup)
		}
		if st, reply, dup := mustLoad(t, s, kept, "m1"); !dup || reply != "别人的回复" || st.Version != 1 {
			t.Fatalf("another consumer lost data: state %+v, reply %q, dup %v", st, reply, dup)
		}
		if n, err := s.ForgetConsumer(ctx, gone); err != nil || n != 0 {
			t.Fatalf("second forget = %d, %v", n, err)
		}
	})
}
