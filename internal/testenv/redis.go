package testenv

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/redisbase"
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
// option). The URL takes every form redis.url does (redisbase.ParseURL), so the
// same tests run on one server, a Redis Cluster or a master behind Sentinel. The
// server is shared with other tests, so nothing is flushed: when the test ends,
// the keys under the prefix are deleted. With the variable unset the test is
// skipped, or fails when EnvRequire is "1" (SkipOrFail).
func NewRealRedis(t testing.TB) (rdb redis.UniversalClient, prefix string) {
	t.Helper()
	url := os.Getenv(EnvRedisURL)
	if url == "" {
		SkipOrFail(t, "%s is not set", EnvRedisURL)
	}
	client, _, err := redisbase.NewClient(url, redisbase.ClientSettings{ContextTimeoutEnabled: true})
	if err != nil {
		t.Fatalf("%s: %v", EnvRedisURL, err)
	}
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
// which would block or wipe a server other tests are using. On a Redis Cluster
// SCAN sees one node only, so every master is scanned.
func deleteKeys(t testing.TB, rdb redis.UniversalClient, pattern string) {
	// t.Context is already cancelled while cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	if cluster, ok := rdb.(*redis.ClusterClient); ok {
		err = cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return deleteNodeKeys(ctx, node, pattern)
		})
	} else {
		err = deleteNodeKeys(ctx, rdb, pattern)
	}
	if err != nil {
		t.Errorf("clean up test keys: %v", err)
	}
}

// deleteNodeKeys removes the keys matching pattern that one server holds.
func deleteNodeKeys(ctx context.Context, rdb redis.Cmdable, pattern string) error {
	iter := rdb.Scan(ctx, 0, pattern, 1000).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Unlink(ctx, iter.Val()).Err(); err != nil {
			return err
		}
	}
	return iter.Err()
}

// RealRedisNode returns the options of the single Redis server EnvRedisURL
// names, for fault tests that put a proxy in front of it. A cluster or Sentinel
// client learns its nodes' own addresses from the servers and would go around
// such a proxy, so with those URLs the test is skipped, with a message saying
// so (CI's cluster pass allows exactly these skips). Call NewRealRedis first.
func RealRedisNode(t testing.TB) *redis.Options {
	t.Helper()
	e, err := redisbase.ParseURL(os.Getenv(EnvRedisURL))
	if err != nil {
		t.Fatalf("%s: %v", EnvRedisURL, err)
	}
	opt, ok := e.SingleOptions()
	if !ok {
		t.Skipf("%s: fault proxy needs a single Redis node; %s names a %s", SingleNodeSkip, EnvRedisURL, e.Topology)
	}
	return opt
}

// SingleNodeSkip starts the message of a test skipped by RealRedisNode.
const SingleNodeSkip = "single-node fault test"
