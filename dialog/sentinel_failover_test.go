//go:build sentinelfailover

// This file holds a fault test for Redis Sentinel only: it promotes the
// replica and so reshapes the servers it runs on. .ci/run's Sentinel pass runs
// it last, with -tags sentinelfailover, against CI's own master, replica and
// Sentinel (.ci/servers.sh); no other pass builds it.

package dialog

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/redisbase"
	"github.com/complaintbot/complaintbot/internal/testenv"
)

// TestDialogStateSurvivesSentinelFailover commits a consumer's draft through
// the failover client, lets Sentinel promote the replica, and checks that the
// same client, with nothing restarted, finds the new master: the draft is
// still there and the next turn commits. A turn that meets the switch itself
// may fail (the webhook answers it with the busy reply and WeChat's retry or
// the consumer's next message lands on the new master); the test allows that
// for up to the 30 s a promotion may take, not after.
func TestDialogStateSurvivesSentinelFailover(t *testing.T) {
	sentinelAddr, master := sentinelOf(t, os.Getenv(testenv.EnvRedisURL))
	rdb, prefix := testenv.NewRealRedis(t)
	store := NewRedisStore(rdb, RedisStoreOptions{Prefix: prefix})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	before := State{Stage: StageMerchantAddress, Draft: Draft{MerchantName: "好又多电器城"}, UpdatedAt: time.Now().UTC()}
	if _, dup, err := store.Commit(ctx, "o-failover-a", "m1", 0, before, "请告诉我们商家的地址"); err != nil || dup {
		t.Fatalf("commit before the failover: dup=%v err=%v", dup, err)
	}
	// A failover loses what the replica has not received; WAIT makes the
	// test about the client finding the new master, not about that window.
	if n, err := rdb.Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica: %d replicas, err=%v", n, err)
	}

	sentinel := redis.NewSentinelClient(&redis.Options{Addr: sentinelAddr})
	defer sentinel.Close()
	old := masterAddr(ctx, t, sentinel, master)
	if err := sentinel.Failover(ctx, master).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER %s: %v", master, err)
	}
	promoted := awaitNewMaster(ctx, t, sentinel, master, old)
	t.Logf("Sentinel moved %s from %s to %s", master, old, promoted)

	next := commitOnceAvailable(ctx, t, store, "o-failover-b")
	t.Logf("the first commit after the failover succeeded after %d failed tries", next)
	st, _, dup, err := store.Load(ctx, "o-failover-a", "m2")
	if err != nil || dup {
		t.Fatalf("load after the failover: dup=%v err=%v", dup, err)
	}
	if st.Stage != StageMerchantAddress || st.Draft.MerchantName != "好又多电器城" {
		t.Fatalf("after the failover the draft reads %+v, want the one committed before", st)
	}
	if addr, err := rdb.Do(ctx, "ROLE").Slice(); err != nil || len(addr) == 0 || addr[0] != "master" {
		t.Fatalf("the client talks to a server whose ROLE is %v (err %v), want the new master", addr, err)
	}
}

// sentinelOf returns the Sentinel address and master name of a
// redis+sentinel:// URL, and fails the test for any other form.
func sentinelOf(t *testing.T, raw string) (addr, master string) {
	t.Helper()
	ep, err := redisbase.ParseURL(raw)
	if err != nil || ep.Topology != redisbase.Sentinel {
		t.Fatalf("%s must name a Sentinel (redis+sentinel://…?master_name=…) for this test; got %q (err %v)",
			testenv.EnvRedisURL, raw, err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host, u.Query().Get("master_name")
}

// masterAddr asks Sentinel where the master is now.
func masterAddr(ctx context.Context, t *testing.T, s *redis.SentinelClient, master string) string {
	t.Helper()
	hp, err := s.GetMasterAddrByName(ctx, master).Result()
	if err != nil || len(hp) != 2 {
		t.Fatalf("SENTINEL GET-MASTER-ADDR-BY-NAME %s: %v %v", master, hp, err)
	}
	return hp[0] + ":" + hp[1]
}

// awaitNewMaster polls Sentinel until it names a master other than old.
func awaitNewMaster(ctx context.Context, t *testing.T, s *redis.SentinelClient, master, old string) string {
	t.Helper()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		if now := masterAddr(ctx, t, s, master); now != old {
			return now
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("Sentinel still names %s as the master 30 s after SENTINEL FAILOVER", old)
		}
	}
}

// commitOnceAvailable commits a new consumer's first turn, retrying while the
// client has not yet followed the switch, and returns how many tries failed.
func commitOnceAvailable(ctx context.Context, t *testing.T, store *RedisStore, openID string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	st := State{Stage: StagePrivacy, UpdatedAt: time.Now().UTC()}
	for failed := 0; ; failed++ {
		// A try that failed may still have been applied; its retry then
		// finds the saved reply (dup), which is the turn committed once.
		_, _, err := store.Commit(ctx, openID, "m1", 0, st, "请阅读隐私说明")
		if err == nil {
			return failed
		}
		if time.Now().After(deadline) {
			t.Fatalf("no commit succeeded within 30 s of the failover (%d tries); last: %v", failed+1, err)
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
}
