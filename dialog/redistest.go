package dialog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Environment variables of the real-server tests (CONVENTIONS 7).
const (
	// TestRedisURLEnv names a Redis for tests, e.g. redis://127.0.0.1:6379/0.
	TestRedisURLEnv = "COMPLAINTBOT_TEST_REDIS_URL"
	// TestRequireEnv set to "1" (as in CI) turns a missing test server into a failure.
	TestRequireEnv = "COMPLAINTBOT_TEST_REQUIRE"
)

// NewTestRedis returns a client on a fresh in-process miniredis that is closed when
// the test ends. It lives outside _test.go files so other packages' tests (the
// bot's) can use it.
func NewTestRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	_, rdb := NewTestMiniredis(t)
	return rdb
}

// NewTestMiniredis is NewTestRedis that also returns the server, for tests that
// move its clock (FastForward) or stop it to play a dead Redis.
func NewTestMiniredis(t testing.TB) (*miniredis.Miniredis, redis.UniversalClient) {
	t.Helper()
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = rdb.Close() })
	return m, rdb
}

// NewRealTestRedis returns a client on the Redis named by COMPLAINTBOT_TEST_REDIS_URL
// and a fresh random key prefix to use as RedisStoreOptions.Prefix. The server is
// shared with other tests, so nothing is flushed: when the test ends, the keys
// under the prefix are deleted. With the variable unset the test is skipped, or
// fails when COMPLAINTBOT_TEST_REQUIRE=1.
func NewRealTestRedis(t testing.TB) (rdb redis.UniversalClient, prefix string) {
	t.Helper()
	url := os.Getenv(TestRedisURLEnv)
	if url == "" {
		if os.Getenv(TestRequireEnv) == "1" {
			t.Fatalf("%s is not set and %s=1", TestRedisURLEnv, TestRequireEnv)
		}
		t.Skipf("%s is not set", TestRedisURLEnv)
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("%s: %v", TestRedisURLEnv, err)
	}
	opt.ContextTimeoutEnabled = true
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("ping test redis: %v", err)
	}
	prefix = "cbtest-" + redisTestHex(8)
	t.Cleanup(func() { deleteRedisTestKeys(t, client, prefix+":*") })
	return client, prefix
}

// deleteRedisTestKeys removes the keys matching pattern with SCAN, never KEYS or FLUSHDB,
// which would block or wipe a server other tests are using.
func deleteRedisTestKeys(t testing.TB, rdb *redis.Client, pattern string) {
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

// redisTestHex returns n random bytes in hex.
func redisTestHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
