package bot

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/storage"
)

// heldTurns holds every turn until released and reports each start, so a test
// knows exactly how many turns occupy a slot.
type heldTurns struct {
	started chan string
	release chan struct{}
	calls   atomic.Int64
	once    sync.Once
}

// releaseAll lets every held turn end; it may be called more than once, so a
// deferred call frees the turns (and the server's handlers) when a test fails.
func (h *heldTurns) releaseAll() { h.once.Do(func() { close(h.release) }) }

func newHeldTurns() *heldTurns {
	return &heldTurns{started: make(chan string, 16), release: make(chan struct{})}
}

func (h *heldTurns) Handle(ctx context.Context, openID, key string, in dialog.Input) (string, error) {
	h.calls.Add(1)
	h.started <- openID
	<-h.release
	return "收到：" + in.Text, nil
}

// waitStarted waits for n turn starts, failing the test after a generous timeout.
func (h *heldTurns) waitStarted(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for range n {
		select {
		case <-h.started:
		case <-timeout:
			t.Fatalf("fewer than %d turns started", n)
		}
	}
}

func newTestWebhook(t *testing.T, cfg WebhookConfig, turns TurnHandler) (*Webhook, *wechatsim.Client) {
	t.Helper()
	cfg.AppID, cfg.Token, cfg.EncodingAESKey, cfg.BusyReply = testAppID, testToken, testAESKey, testBusy
	wh := NewWebhook(cfg, turns, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(prometheus.NewRegistry()))
	srv := httptest.NewServer(wh)
	t.Cleanup(srv.Close)
	return wh, &wechatsim.Client{WebhookURL: srv.URL, Token: testToken, AppID: testAppID, EncodingAESKey: testAESKey, Safe: true}
}

func TestWebhookShedsCallbacksBeyondTheTurnLimit(t *testing.T) {
	turns := newHeldTurns()
	// A budget far past WeChat's 5 s: a callback that waited for a turn instead of
	// being shed would miss WeChat's deadline, however loaded the machine.
	_, c := newTestWebhook(t, WebhookConfig{ReplyBudget: 20 * time.Second, MaxTurns: 2, TurnWait: 50 * time.Millisecond, AllowPlain: true}, turns)
	patient := *c // the held callbacks wait for the test, not for WeChat
	patient.HTTP = &http.Client{Timeout: 20 * time.Second}
	defer turns.releaseAll()
	var held sync.WaitGroup
	for _, id := range []string{"oHeld1", "oHeld2"} {
		held.Go(func() {
			if r, err := patient.Text(context.Background(), id, "慢"); err != nil || r.Content != "收到：慢" {
				t.Errorf("%s: a held turn must still be answered: %s %v", id, brief(r), err)
			}
		})
	}
	turns.waitStarted(t, 2)

	// Safe and plain mode, and a URL without openid (so the sender is known only
	// once the message is decrypted).
	for _, tc := range []struct {
		safe bool
		opts []wechatsim.RequestOption
	}{{true, nil}, {false, nil}, {true, []wechatsim.RequestOption{wechatsim.WithoutQuery("openid")}}} {
		extra := *c
		extra.Safe = tc.safe
		start := time.Now()
		req, err := extra.BuildRequest(context.Background(), wechatsim.Message{FromUserName: "oExtra", MsgType: wechatsim.MsgText, Content: "你好"}, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		r, err := extra.Do(req)
		if err != nil || r.Content != testBusy {
			t.Fatalf("safe=%v: a callback beyond the limit must get the busy reply: %s %v", tc.safe, brief(r), err)
		}
		// Without admission control it would wait the whole 20 s budget for a
		// turn; shed, it comes after the 50 ms TurnWait, well within WeChat's 5 s.
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("safe=%v: busy reply took %v; it must come at once", tc.safe, took)
		}
	}
	if n := turns.calls.Load(); n != 2 {
		t.Fatalf("%d turns started, want only the 2 held ones", n)
	}
	turns.releaseAll()
	held.Wait()
	if r, err := c.Text(context.Background(), "oAfter", "你好"); err != nil || r.Content != "收到：你好" {
		t.Fatalf("freed slots must take turns again: %s %v", brief(r), err)
	}
}

func TestWebhookLateTurnsKeepTheirSlot(t *testing.T) {
	turns := newHeldTurns()
	wh, c := newTestWebhook(t, WebhookConfig{ReplyBudget: 100 * time.Millisecond, MaxTurns: 1,
		TurnWait: 20 * time.Millisecond, Late: &lateOutbox{}}, turns)
	if r, err := c.Text(context.Background(), "oSlow", "慢"); err != nil || !r.Success {
		t.Fatalf("a late turn answers success: %s %v", brief(r), err)
	}
	turns.waitStarted(t, 1)
	// The late turn still works on the database; starting more would pile on it.
	if r, err := c.Text(context.Background(), "oNext", "你好"); err != nil || r.Content != testBusy {
		t.Fatalf("while the late turn runs, the next callback is shed: %s %v", brief(r), err)
	}
	close(turns.release)
	if err := wh.WaitLate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if wh.admit.inFlight() != 0 {
		t.Fatalf("%d slots still held after the late turn ended", wh.admit.inFlight())
	}
}

// flakyOutbox fails every enqueue until recovered, as a database during an
// outage would, and reports each failed attempt.
type flakyOutbox struct {
	lateOutbox
	down     atomic.Bool
	failures chan struct{}
}

func (f *flakyOutbox) EnqueueNotification(ctx context.Context, n storage.NewNotification) (*storage.Notification, error) {
	if f.down.Load() {
		select {
		case f.failures <- struct{}{}:
		default:
		}
		return nil, storage.Errorf(storage.EUNAVAILABLE, "database unreachable")
	}
	return f.lateOutbox.EnqueueNotification(ctx, n)
}

func TestWebhookRetriesALateAnswerUntilTheOutboxRecovers(t *testing.T) {
	outbox := &flakyOutbox{failures: make(chan struct{})}
	outbox.down.Store(true)
	turns := newHeldTurns()
	wh, c := newTestWebhook(t, WebhookConfig{ReplyBudget: 100 * time.Millisecond, Late: outbox,
		LateRetry: 10 * time.Millisecond}, turns)
	if r, err := c.Text(context.Background(), "oOutage", "进度"); err != nil || !r.Success {
		t.Fatalf("a late turn answers success: %s %v", brief(r), err)
	}
	turns.waitStarted(t, 1)
	close(turns.release)
	for range 3 { // the answer is tried, and tried again, while the outbox is down
		select {
		case <-outbox.failures:
		case <-time.After(5 * time.Second):
			t.Fatal("the late answer was not tried again after a failure")
		}
	}
	outbox.down.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wh.WaitLate(ctx); err != nil {
		t.Fatal(err)
	}
	if q := outbox.queued(); len(q) != 1 || q[0].Text != "收到：进度" || q[0].OpenID != "oOutage" {
		t.Fatalf("after the outage the late answer must be queued once: %+v", q)
	}
}

// brief is a reply as a failure message shows it: the text, or success.
func brief(r *wechatsim.Reply) string {
	switch {
	case r == nil:
		return "no reply"
	case r.Success:
		return "success"
	}
	return "text " + strconv.Quote(r.Content)
}

func TestWebhookShedsAtOnceWhenTheQueueIsFull(t *testing.T) {
	turns := newHeldTurns()
	// A TurnWait far past WeChat's 5 s: an overflow that queued instead of being
	// shed would miss WeChat's deadline, however loaded the machine.
	wh, c := newTestWebhook(t, WebhookConfig{ReplyBudget: 20 * time.Second, MaxTurns: 1, TurnWait: 20 * time.Second}, turns)
	var pending sync.WaitGroup
	defer pending.Wait()
	defer close(turns.release)
	pending.Go(func() { _, _ = c.Text(context.Background(), "oHeld", "慢") })
	turns.waitStarted(t, 1)
	pending.Go(func() { _, _ = c.Text(context.Background(), "oQueued", "等") })
	waitFor(t, "a callback waiting for the slot", func() bool { return wh.admit.waiting.Load() == 1 })

	start := time.Now()
	r, err := c.Text(context.Background(), "oOverflow", "你好")
	if err != nil || r.Content != testBusy {
		t.Fatalf("beyond a full queue the callback must get the busy reply: %s %v", brief(r), err)
	}
	// Without the bound on waiters it would wait the 20 s TurnWait like the queued one.
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("busy reply took %v; with the queue full it must come at once", took)
	}
}
