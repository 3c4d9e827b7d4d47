package bot

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// countingCases counts the case lookups a turn makes (FindCases: open,
// finished, closed cases) on the real store it wraps.
type countingCases struct {
	dialog.CaseBackend
	finds atomic.Int64
}

func (c *countingCases) FindCases(ctx context.Context, f storage.CaseFilter) ([]*storage.Case, int, error) {
	c.finds.Add(1)
	return c.CaseBackend.FindCases(ctx, f)
}

// hotPathMix is the webhook benchmark's mix: help, free text from a consumer
// with no draft, and every answer of an intake up to the summary.
var hotPathMix = []string{"帮助", "你好，我想问一下退款的事情", "我要投诉", "同意", "1", "某某电器商城",
	"人民路1号", "昨天", "1999", "电视机买回来三天就黑屏了，商家不肯换。", "2", "跳过", "王五", "13712345678"}

// TestWebhookMessageCostsAtMostTwoRoundTrips sends the mix through the webhook,
// the real engine and store, in safe and plain mode (where the replay guard
// rides in the Load), and fails if a message costs more than two Redis round
// trips, if help or a known no-case consumer's text costs more than one, or
// if a message but the first from a consumer with no case looks cases up.
// The messages go one at a time, so each batch of the store's carries only
// that turn's calls and the count is the turn's own.
func TestWebhookMessageCostsAtMostTwoRoundTrips(t *testing.T) {
	replayBackends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hook := &dialog.CountingHook{}
		rdb.AddHook(hook)
		engine := newTestEngine(t, rdb, prefix)
		cases := &countingCases{CaseBackend: engine.Cases}
		engine.Cases = cases
		_, c := newTestWebhook(t, WebhookConfig{AllowPlain: true, Replay: NewRedisReplayGuard(rdb, prefix)}, engine)
		for _, safe := range []bool{true, false} {
			c.Safe = safe
			openID := fmt.Sprintf("oTrips%v", safe)
			if r, err := c.Text(context.Background(), openID, "你好"); err != nil || strings.HasPrefix(r.Content, testBusy) {
				t.Fatalf("safe=%v: first message: %s %v", safe, brief(r), err)
			}
			finds := cases.finds.Load()
			for _, text := range hotPathMix {
				hook.Reset()
				r, err := c.Text(context.Background(), openID, text)
				if err != nil || r.Content == "" || strings.HasPrefix(r.Content, testBusy) {
					t.Fatalf("safe=%v %q: %s %v", safe, text, brief(r), err)
				}
				limit := int64(2)
				if text == hotPathMix[0] || text == hotPathMix[1] {
					limit = 1 // nothing changes, nothing is saved
				}
				if got := hook.RoundTrips(); got > limit {
					t.Errorf("safe=%v %q: %d Redis round trips, want at most %d", safe, text, got, limit)
				}
			}
			if got := cases.finds.Load() - finds; got != 0 {
				t.Errorf("safe=%v: %d case lookups after the consumer was known to have none", safe, got)
			}
		}
	})
}

// TestWebhookPlainModeAsksToResendWhenRedisStallsInTheTurn: with the replay
// check riding in the turn's Load, a stalled Redis gets the resend reply soon
// after the guard's timeout, and the message is not handled.
func TestWebhookPlainModeAsksToResendWhenRedisStallsInTheTurn(t *testing.T) {
	_, prefix := testenv.NewRealRedis(t) // skips or fails without a real server; cleans prefix:*
	opt := testenv.RealRedisNode(t)      // the proxy stands in front of one node
	proxy := testenv.StartProxy(t, opt.Addr)
	opt.Addr = proxy.Addr()
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	const resend = "请重新发送"
	_, c := newTestWebhook(t, WebhookConfig{AllowPlain: true, ReplyBudget: 20 * time.Second, ResendReply: resend,
		Replay: NewRedisReplayGuard(rdb, prefix)}, newTestEngine(t, rdb, prefix))
	c = plainClient(c)
	if r, err := c.Text(context.Background(), "oStall", "帮助"); err != nil || strings.HasPrefix(r.Content, testBusy) {
		t.Fatalf("before the stall: %s %v", brief(r), err)
	}
	proxy.Pause()
	defer proxy.Resume()
	start := time.Now()
	r, err := c.Text(context.Background(), "oStall", "我要投诉")
	if err != nil || r.Content != resend {
		t.Fatalf("with Redis stalled the callback gets the resend reply: %s %v", brief(r), err)
	}
	if took := time.Since(start); took > DefaultReplyBudget {
		t.Fatalf("resend reply after %v; the guard must give up soon", took)
	}
	if proxy.Held() == 0 {
		t.Fatal("the Load never reached the stalled proxy")
	}
}
