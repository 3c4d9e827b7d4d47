package dialog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// TestEngineLooksUpAConsumerWithNoCaseOnce: free text from a consumer with no
// case asks the database once; later messages are answered from the state,
// and filing a case makes the next message look again and reach that case.
func TestEngineLooksUpAConsumerWithNoCaseOnce(t *testing.T) {
	e, cases := newTestEngine(t)
	wantIn(t, "first", say(t, e, "oA", "f1", text("你好")), "投诉 —— 开始投诉")
	first := cases.callCount()
	if first == 0 {
		t.Fatal("the first message must look the consumer's cases up")
	}
	for i, in := range []Input{text("在吗"), imageIn("p1"), text("同意"), text("接受"), text("已到账"), text("满意")} {
		say(t, e, "oA", fmt.Sprintf("f%d", i+2), in)
	}
	if got := cases.callCount(); got != first {
		t.Fatalf("%d case store calls after the first message; want none", got-first)
	}
	n := walkToSummary(t, e, "oA")
	wantIn(t, "confirm", say(t, e, "oA", fmt.Sprint("m", n), text("确认")), "TS-2026-")
	before := cases.callCount()
	wantIn(t, "after filing", say(t, e, "oA", "f9", text("商家还是没回复")), "已转给")
	if cases.callCount() == before || len(cases.added) != 1 {
		t.Fatalf("after filing the message must reach the new case: %d calls, %d events", cases.callCount()-before, len(cases.added))
	}
}

// TestEngineLooksAgainWhenTheConsumerHasACase: a consumer with a case is looked
// up on every message; the marker is only learnt from an empty result.
func TestEngineLooksAgainWhenTheConsumerHasACase(t *testing.T) {
	e, cases := newTestEngine(t)
	cases.add("oA", "甲商店", storage.StatusClosed)
	say(t, e, "oA", "f1", text("你好"))
	before := cases.callCount()
	say(t, e, "oA", "f2", text("在吗"))
	if cases.callCount() == before {
		t.Fatal("a consumer with a finished case must still be looked up")
	}
}

// TestEngineSavesNothingForATurnThatChangesNothing counts round trips: help and
// a known no-case consumer's text cost the Load alone; an intake answer costs
// Load and Commit; a retry of a no-op message gets the same reply.
func TestEngineSavesNothingForATurnThatChangesNothing(t *testing.T) {
	forEachRedis(t, func(t *testing.T, r *redisEnv) {
		hook := r.hook
		e, _ := newTestEngine(t)
		e.Store = NewRedisStore(r.rdb, RedisStoreOptions{Prefix: r.prefix})
		say(t, e, "oA", "w1", text("你好")) // learns that oA has no case
		for _, tc := range []struct {
			in    Input
			trips int64
		}{{text("帮助"), 1}, {text("你好"), 1}, {text("我要投诉"), 2}, {text("同意"), 2}} {
			hook.Reset()
			say(t, e, "oA", "k-"+tc.in.Text+fmt.Sprint(tc.trips), tc.in)
			if got := hook.RoundTrips(); got != tc.trips {
				t.Errorf("%q: %d round trips, want %d", tc.in.Text, got, tc.trips)
			}
		}
		a := say(t, e, "oB", "same", text("帮助"))
		if b := say(t, e, "oB", "same", text("帮助")); a != b {
			t.Errorf("a retried no-op message got %q, first %q", b, a)
		}
	})
}

// TestEngineMakesTheReplayClaimInItsLoad: the claim rides in the Load's round
// trip; the same body again passes (WeChat's retry), another body is refused
// before the turn does anything, and a store that cannot claim fails the turn.
func TestEngineMakesTheReplayClaimInItsLoad(t *testing.T) {
	forEachRedis(t, func(t *testing.T, r *redisEnv) {
		hook := r.hook
		e, cases := newTestEngine(t)
		prefix := r.prefix
		if prefix == "" {
			prefix = "cb"
		}
		e.Store = NewRedisStore(r.rdb, RedisStoreOptions{Prefix: r.prefix})
		hook.Reset()
		claim := func(body string) *ReplayClaim {
			sum := sha256.Sum256([]byte(body))
			return &ReplayClaim{Key: prefix + ":{sig:s1}", BodySum: hex.EncodeToString(sum[:]),
				TTL: time.Minute, Deadline: time.Now().Add(time.Second)}
		}
		c1 := claim("a")
		if _, err := e.Handle(WithReplayClaim(context.Background(), c1), "oA", "m1", text("帮助")); err != nil || !c1.Checked() {
			t.Fatalf("first claim: %v, checked %v", err, c1.Checked())
		}
		if hook.RoundTrips() != 1 {
			t.Errorf("help with a claim: %d round trips, want 1", hook.RoundTrips())
		}
		if _, err := e.Handle(WithReplayClaim(context.Background(), claim("a")), "oA", "m1", text("帮助")); err != nil {
			t.Fatalf("same body again: %v", err)
		}
		calls := cases.callCount()
		_, err := e.Handle(WithReplayClaim(context.Background(), claim("b")), "oA", "m2", text("撤回 TS-2026-000001"))
		if !errors.Is(err, ErrReplayed) || cases.callCount() != calls {
			t.Fatalf("another body: %v and %d case calls; want ErrReplayed and none", err, cases.callCount()-calls)
		}
		e.Store = failingStore{}
		if _, err := e.Handle(WithReplayClaim(context.Background(), claim("c")), "oA", "m3", text("帮助")); err == nil {
			t.Fatal("a store that cannot make the claim must fail the turn")
		}
	})
}
