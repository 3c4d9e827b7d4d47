package bot

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// replayBackends runs f on the in-process Redis and on the real one (skipped
// unless COMPLAINTBOT_TEST_REDIS_URL is set).
func replayBackends(t *testing.T, f func(t *testing.T, rdb redis.UniversalClient, prefix string)) {
	t.Run("miniredis", func(t *testing.T) { f(t, testenv.NewRedis(t), "") })
	t.Run("redis", func(t *testing.T) {
		rdb, prefix := testenv.NewRealRedis(t)
		f(t, rdb, prefix)
	})
}

// newTestEngine is the real dialog on rdb, so WeChat's retries meet the real
// MsgId de-duplication.
func newTestEngine(t *testing.T, rdb redis.UniversalClient, prefix string) *dialog.Engine {
	t.Helper()
	cat, err := dialog.NewCatalogue(dialog.Settings{OrgName: "测试消委会"})
	if err != nil {
		t.Fatal(err)
	}
	store := dialog.NewRedisStore(rdb, dialog.RedisStoreOptions{Prefix: prefix})
	return &dialog.Engine{Store: store, Cases: testenv.SQLite(t, sqlstore.Open), Catalogue: cat, CasePrefix: "TS"}
}

func plainClient(c *wechatsim.Client) *wechatsim.Client {
	p := *c
	p.Safe = false
	return &p
}

func TestWebhookPlainModeRefusesASignedURLWithAnotherBody(t *testing.T) {
	replayBackends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		engine := newTestEngine(t, rdb, prefix)
		cfg := WebhookConfig{AllowPlain: true, Replay: NewRedisReplayGuard(rdb, prefix)}
		_, first := newTestWebhook(t, cfg, engine)
		_, second := newTestWebhook(t, cfg, engine) // another instance on the same Redis
		a, b := plainClient(first), plainClient(second)
		ctx := context.Background()
		signed := []wechatsim.RequestOption{wechatsim.WithTimestamp(time.Now()), wechatsim.WithNonce("captured-1")}
		send := func(c *wechatsim.Client, m wechatsim.Message, opts ...wechatsim.RequestOption) (*wechatsim.Reply, error) {
			t.Helper()
			req, err := c.BuildRequest(ctx, m, append(signed, opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			return c.Do(req)
		}

		genuine := a.Fill(wechatsim.Message{FromUserName: "oVictim", MsgType: wechatsim.MsgText, Content: "帮助"})
		r1, err := send(a, genuine)
		if err != nil || r1.Content == "" {
			t.Fatalf("the genuine callback: %s %v", brief(r1), err)
		}
		if r, err := send(b, genuine); err != nil || r.Content != r1.Content {
			t.Fatalf("WeChat's identical retry must get the saved reply %q: %s %v", r1.Content, brief(r), err)
		}
		forged := map[string]struct {
			m    wechatsim.Message
			opts []wechatsim.RequestOption
		}{
			"other text, same sender": {wechatsim.Message{FromUserName: "oVictim", MsgType: wechatsim.MsgText, Content: "撤回 TS-2026-000001"}, nil},
			"other sender, URL openid kept": {wechatsim.Message{FromUserName: "oOther", MsgType: wechatsim.MsgText, Content: "帮助"},
				[]wechatsim.RequestOption{wechatsim.WithQuery("openid", "oVictim")}},
			"other sender, URL without openid": {wechatsim.Message{FromUserName: "oOther", MsgType: wechatsim.MsgText, Content: "帮助"},
				[]wechatsim.RequestOption{wechatsim.WithoutQuery("openid")}},
		}
		for name, f := range forged {
			for i, c := range []*wechatsim.Client{a, b} {
				if _, err := send(c, f.m, f.opts...); !isStatus(err, http.StatusForbidden) {
					t.Errorf("%s, instance %d: want 403, got %v", name, i+1, err)
				}
			}
		}
		// A freshly signed callback for the same text is taken.
		other := forged["other sender, URL without openid"].m
		if r, err := a.Send(ctx, other); err != nil || r.Content == "" {
			t.Fatalf("a new signature is not a replay: %s %v", brief(r), err)
		}
	})
}

func TestWebhookRefusesAURLOpenIDOtherThanTheSender(t *testing.T) {
	_, c := newTestWebhook(t, WebhookConfig{AllowPlain: true}, &fakeTurns{})
	for _, safe := range []bool{false, true} {
		c.Safe = safe
		req, err := c.BuildRequest(context.Background(), wechatsim.Message{FromUserName: "oAttacker", MsgType: wechatsim.MsgText, Content: "hi"},
			wechatsim.WithQuery("openid", "oVictim"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Do(req); !isStatus(err, http.StatusForbidden) {
			t.Fatalf("safe=%v: want 403, got %v", safe, err)
		}
	}
}

func TestReplayGuardKeyLivesAsLongAsTheSignature(t *testing.T) {
	replayBackends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		g := NewRedisReplayGuard(rdb, prefix)
		ctx := context.Background()
		sum := sha256.Sum256([]byte("<xml/>"))
		if err := g.Claim(ctx, "abc123", sum, 5*time.Minute); err != nil {
			t.Fatal(err)
		}
		key := prefix + ":{sig:abc123}"
		if prefix == "" {
			key = "cb:{sig:abc123}"
		}
		ttl, err := rdb.PTTL(ctx, key).Result()
		if err != nil || ttl <= 4*time.Minute || ttl > 5*time.Minute {
			t.Fatalf("PTTL %s = %v, %v; want about 5m", key, ttl, err)
		}
		if err := g.Claim(ctx, "abc123", sum, 5*time.Minute); err != nil {
			t.Fatalf("same body again: %v", err)
		}
		if err := g.Claim(ctx, "abc123", sha256.Sum256([]byte("<xml>x</xml>")), 5*time.Minute); !errors.Is(err, ErrReplayed) {
			t.Fatalf("other body: %v, want ErrReplayed", err)
		}
	})
}

func TestWebhookSafeModeNeedsNoGuardRoundTrip(t *testing.T) {
	rdb := testenv.NewRedis(t)
	hook := &dialog.CountingHook{}
	rdb.AddHook(hook)
	_, c := newTestWebhook(t, WebhookConfig{AllowPlain: true, Replay: NewRedisReplayGuard(rdb, "")}, &fakeTurns{})
	for _, tc := range []struct {
		safe  bool
		trips int64
	}{{true, 0}, {false, 1}} {
		c.Safe = tc.safe
		hook.Reset()
		if r, err := c.Text(context.Background(), "oTrips", "你好"); err != nil || r.Content != "收到：你好" {
			t.Fatalf("safe=%v: %s %v", tc.safe, brief(r), err)
		}
		if got := hook.RoundTrips(); got != tc.trips {
			t.Errorf("safe=%v: %d guard round trips, want %d", tc.safe, got, tc.trips)
		}
	}
}

func TestWebhookPlainModeAnswersBusyWhenRedisStalls(t *testing.T) {
	_, prefix := testenv.NewRealRedis(t) // skips or fails without a real server; cleans prefix:*
	opt := testenv.RealRedisNode(t)
	proxy := testenv.StartProxy(t, opt.Addr)
	opt.Addr = proxy.Addr()
	opt.ContextTimeoutEnabled = false // a client that ignores deadlines on reads
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	// A budget far past WeChat's 5 s: a guard that waited for the budget rather
	// than giving up after its second would miss the bound below.
	_, c := newTestWebhook(t, WebhookConfig{AllowPlain: true, ReplyBudget: 20 * time.Second,
		Replay: NewRedisReplayGuard(rdb, prefix)}, &fakeTurns{})
	c = plainClient(c)
	if r, err := c.Text(context.Background(), "oStall", "你好"); err != nil || r.Content != "收到：你好" {
		t.Fatalf("before the stall: %s %v", brief(r), err)
	}
	proxy.Pause()
	defer proxy.Resume()
	start := time.Now()
	r, err := c.Text(context.Background(), "oStall", "你好")
	if err != nil || r.Content != testBusy {
		t.Fatalf("with Redis stalled the callback gets the busy reply: %s %v", brief(r), err)
	}
	// The guard gives up after a second, leaving the default budget three more
	// to answer; the bound is that budget, which holds on a loaded machine.
	if took := time.Since(start); took > DefaultReplyBudget {
		t.Fatalf("busy reply after %v; the guard must give up within a second", took)
	}
	if proxy.Held() == 0 {
		t.Fatal("the guard's command never reached the stalled proxy")
	}
}

func TestWebhookPlainModeAnswersBusyWhenRedisIsDown(t *testing.T) {
	mr, rdb := testenv.NewMiniredis(t)
	_, c := newTestWebhook(t, WebhookConfig{AllowPlain: true, Replay: NewRedisReplayGuard(rdb, "")}, &fakeTurns{})
	c = plainClient(c)
	mr.Close()
	if r, err := c.Text(context.Background(), "oDown", "你好"); err != nil || r.Content != testBusy {
		t.Fatalf("with Redis down the callback gets the busy reply: %s %v", brief(r), err)
	}
}
