package redisstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

func (e *env) rateLimit(limit int) *RateLimit {
	return NewRateLimit(e.rdb, RateLimitOptions{Name: "phone_search", Limit: limit, Prefix: e.prefix})
}

// take counts n uses for key, each of which must be allowed.
func take(t *testing.T, l *RateLimit, key string, n int) {
	t.Helper()
	for i := range n {
		if ok, _, err := l.Take(t.Context(), key); !ok || err != nil {
			t.Fatalf("Take(%s) #%d = %v, %v; want allowed", key, i+1, ok, err)
		}
	}
}

// Two instances (two RateLimit values on one Redis) share each key's count, and
// one key's uses do not count against another's.
func TestRateLimitIsSharedByInstancesAndPerKey(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		a, b := e.rateLimit(20), e.rateLimit(20)
		take(t, a, "staff:1", 10)
		take(t, b, "staff:1", 10)
		ok, wait, err := a.Take(t.Context(), "staff:1")
		if ok || err != nil || wait <= 59*time.Minute || wait > time.Hour {
			t.Fatalf("21st use over two instances = %v, %v, %v; want refused for about an hour", ok, wait, err)
		}
		take(t, b, "staff:2", 20)
		other := NewRateLimit(e.rdb, RateLimitOptions{Name: "other", Limit: 20, Prefix: e.prefix})
		take(t, other, "staff:1", 1)
	})
}

// Parallel uses cannot all pass a check made before any was counted: with a
// limit of 20, exactly 20 of 60 simultaneous uses are allowed.
func TestRateLimitCountsConcurrentUsesExactly(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		l := e.rateLimit(20)
		var wg sync.WaitGroup
		var mu sync.Mutex
		allowed := 0
		for range 60 {
			wg.Go(func() {
				ok, _, err := l.Take(context.Background(), "staff:{7}")
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("Take: %v", err)
				} else if ok {
					allowed++
				}
			})
		}
		wg.Wait()
		if allowed != 20 {
			t.Fatalf("%d of 60 parallel uses allowed, want 20", allowed)
		}
		if ttl := e.rdb.PTTL(t.Context(), l.keys.Rate("phone_search", "staff:{7}")).Val(); ttl <= 0 {
			t.Fatalf("counter has no expiry (%v): the limit would never lift", ttl)
		}
	})
}

func TestRateLimitWindowEnds(t *testing.T) {
	m, rdb := testenv.NewMiniredis(t)
	l := NewRateLimit(rdb, RateLimitOptions{Name: "phone_search", Limit: 2})
	take(t, l, "staff:3", 2)
	m.FastForward(59 * time.Minute)
	if ok, wait, _ := l.Take(t.Context(), "staff:3"); ok || wait > time.Minute {
		t.Fatalf("3rd use within the hour = %v, wait %v; want refused for the minute left", ok, wait)
	}
	m.FastForward(time.Minute + time.Second)
	take(t, l, "staff:3", 2)
}

func TestRateLimitFailsClosed(t *testing.T) {
	m, rdb := testenv.NewMiniredis(t)
	l := NewRateLimit(rdb, RateLimitOptions{Name: "phone_search", Limit: 0}) // taken as 1, never "no limit"
	take(t, l, "staff:4", 1)
	if ok, _, err := l.Take(t.Context(), "staff:4"); ok || err != nil {
		t.Fatalf("a limit of 0 let a 2nd use through (%v, %v)", ok, err)
	}
	if err := rdb.Set(t.Context(), l.keys.Rate("phone_search", "staff:5"), "x", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := l.Take(t.Context(), "staff:5"); ok || storage.ErrorCode(err) != storage.EINTERNAL {
		t.Fatalf("Take on a corrupt counter = %v, %v; want refused, internal", ok, err)
	}
	m.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if ok, _, err := l.Take(ctx, "staff:4"); ok || storage.ErrorCode(err) != storage.EUNAVAILABLE {
		t.Fatalf("Take with Redis down = %v, %v; want refused, unavailable", ok, err)
	}
}
