package bot

import (
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"

	"github.com/complaintbot/complaintbot/internal/testenv"
)

var _ cache.Cache = (*RedisCache)(nil)

func TestRedisCacheRoundTrip(t *testing.T) {
	wxRedisBackends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		c := NewRedisCache(rdb, prefix)
		want := prefix
		if want == "" {
			want = DefaultWeChatKeyPrefix
		}
		if v := c.Get("ticket"); v != nil {
			t.Fatalf("Get of a missing key = %#v, want nil", v)
		}
		if err := c.Set("ticket", "abc", time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, ok := c.Get("ticket").(string); !ok || v != "abc" || !c.IsExist("ticket") {
			t.Fatalf("Get = %#v, IsExist = %v", c.Get("ticket"), c.IsExist("ticket"))
		}
		ttl := rdb.TTL(t.Context(), want+"ticket").Val()
		if ttl <= 59*time.Minute || ttl > time.Hour {
			t.Fatalf("key %q has TTL %v, want an hour", want+"ticket", ttl)
		}
		if err := c.Delete("ticket"); err != nil || c.IsExist("ticket") || c.Get("ticket") != nil {
			t.Fatalf("after Delete: %v, IsExist %v", err, c.IsExist("ticket"))
		}
		if err := c.Delete("ticket"); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
	})
}

func TestRedisCacheNegativeTimeoutStoresNothing(t *testing.T) {
	rdb := testenv.NewRedis(t)
	c := NewRedisCache(rdb, "")
	if err := c.Set("t", "old", time.Hour); err != nil {
		t.Fatal(err)
	}
	// The library passes expires_in minus a margin, negative for a short-lived
	// value: it must not be kept forever, nor the old value kept.
	if err := c.Set("t", "short-lived", -300*time.Second); err != nil {
		t.Fatal(err)
	}
	if v := c.Get("t"); v != nil {
		t.Fatalf("Get = %#v after a negative timeout", v)
	}
	if err := c.Set("t", "forever", 0); err != nil || rdb.TTL(t.Context(), DefaultWeChatKeyPrefix+"t").Val() != -1 {
		t.Fatalf("zero timeout: %v, TTL %v; want no expiry", err, rdb.TTL(t.Context(), DefaultWeChatKeyPrefix+"t").Val())
	}
}

func TestRedisCacheValueTypes(t *testing.T) {
	c := NewRedisCache(testenv.NewRedis(t), "")
	for _, v := range []any{"s", []byte("b"), 42, int64(7), time.Second} {
		if err := c.Set("k", v, time.Minute); err != nil {
			t.Errorf("Set(%T): %v", v, err)
		}
	}
	if got := c.Get("k"); got != "1s" {
		t.Errorf("a Stringer came back as %#v", got)
	}
	if err := c.Set("k", struct{ A int }{1}, time.Minute); err == nil {
		t.Error("a struct was stored; Get could not give it back")
	}
}

func TestRedisCacheGivesUpOnAStalledRedis(t *testing.T) {
	// A server that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = conn.Close() })
		}
	}()
	rdb := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	c := NewRedisCache(rdb, "")
	if c.timeout != redisCacheTimeout {
		t.Fatalf("per-command bound %v", c.timeout)
	}
	c.timeout = 100 * time.Millisecond
	start := time.Now()
	if v := c.Get("k"); v != nil || c.IsExist("k") || c.Set("k", "v", time.Minute) == nil || c.Delete("k") == nil {
		t.Fatal("a stalled Redis answered")
	}
	// Without the per-command bound each call waits out the client's own
	// timeouts, seconds each (20 s for the four here); 5 s leaves the 100 ms
	// bounds room on a loaded machine.
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("four calls took %v", took)
	}
}
