package testenv

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// NewRedis returns a client on a fresh in-process miniredis that is closed when
// the test ends.
func NewRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	_, rdb := NewMiniredis(t)
	return rdb
}

// NewMiniredis is NewRedis that also returns the server, for tests that move its
// clock (FastForward) or stop it to play a dead Redis.
func NewMiniredis(t testing.TB) (*miniredis.Miniredis, redis.UniversalClient) {
	t.Helper()
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = rdb.Close() })
	return m, rdb
}

// NewRealRedis returns a client on the Redis named by EnvRedisURL and a fresh
// random key prefix for the code under test to write under (a store's Prefix
// option). The server is shared with other tests, so nothing is flushed: when the
// test ends, the keys under the prefix are deleted. With the variable unset the
// test is skipped, or fails when EnvRequire is "1" (SkipOrFail).
func NewRealRedis(t testing.TB) (rdb redis.UniversalClient, prefix string) {
	t.Helper()
	url := os.Getenv(EnvRedisURL)
	if url == "" {
		SkipOrFail(t, "%s is not set", EnvRedisURL)
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("%s: %v", EnvRedisURL, err)
	}
	opt.ContextTimeoutEnabled = true
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("ping test redis: %v", err)
	}
	prefix = "cbtest-" + randomHex(8)
	t.Cleanup(func() { deleteKeys(t, client, prefix+":*") })
	return client, prefix
}

// deleteKeys removes the keys matching pattern with SCAN, never KEYS or FLUSHDB,
// which would block or wipe a server other tests are using.
func deleteKeys(t testing.TB, rdb *redis.Client, pattern string) {
	// t.Context is already cancelled while cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, pattern, 1000).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Unlink(ctx, iter.Val()).Err(); err != nil {
			t.Errorf("clean up test key: %v", err)
			return
		}
	}
	if err := iter.Err(); err != nil {
		t.Errorf("scan test keys: %v", err)
	}
}
