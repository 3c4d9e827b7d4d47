package bot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/storage"
)

const (
	testAppID  = "wx2c2769f8efd9abc2"
	testToken  = "spamtest"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	testBusy   = "系统繁忙，请稍后再试"
)

// fakeTurns records the turns it is asked for and answers with a function.
type fakeTurns struct {
	mu     sync.Mutex
	calls  []turnCall
	answer func(in dialog.Input) (string, error)
}

type turnCall struct {
	openID, key string
	in          dialog.Input
}

func (f *fakeTurns) Handle(ctx context.Context, openID, key string, in dialog.Input) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, turnCall{openID, key, in})
	f.mu.Unlock()
	if f.answer != nil {
		return f.answer(in)
	}
	return "收到：" + in.Text, nil
}

func (f *fakeTurns) Calls() []turnCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]turnCall(nil), f.calls...)
}

type webhookFixture struct {
	turns  *fakeTurns
	logs   *bytes.Buffer
	server *httptest.Server
}

func newWebhookFixture(t *testing.T, budget time.Duration) *webhookFixture {
	t.Helper()
	f := &webhookFixture{turns: &fakeTurns{}, logs: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: f.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	wh := NewWebhook(WebhookConfig{
		AppID: testAppID, Token: testToken, EncodingAESKey: testAESKey, AllowPlain: true,
		BusyReply: testBusy, ReplyBudget: budget,
	}, f.turns, logger, NewMetrics(prometheus.NewRegistry()))
	f.server = httptest.NewServer(wh)
	t.Cleanup(f.server.Close)
	return f
}

func (f *webhookFixture) client(safe bool) *wechatsim.Client {
	return &wechatsim.Client{WebhookURL: f.server.URL, Token: testToken, AppID: testAppID, EncodingAESKey: testAESKey, Safe: safe}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestWebhookVerifiesURL(t *testing.T) {
	f := newWebhookFixture(t, time.Second)
	got, err := f.client(false).VerifyURL(context.Background(), "echo-123")
	if err != nil || got != "echo-123" {
		t.Fatalf("VerifyURL = %q, %v", got, err)
	}
	bad := f.client(false)
	bad.Token = "wrongtoken"
	if _, err := bad.VerifyURL(context.Background(), "echo-123"); !isStatus(err, http.StatusForbidden) {
		t.Fatalf("bad signature on the URL check: %v", err)
	}
}

func TestWebhookAnswersInPlainAndSafeMode(t *testing.T) {
	f := newWebhookFixture(t, time.Second)
	for _, safe := range []bool{false, true} {
		r, err := f.client(safe).Text(context.Background(), "oUser1", "你好")
		if err != nil {
			t.Fatalf("safe=%v: %v", safe, err)
		}
		if r.MsgType != "text" || r.Content != "收到：你好" {
			t.Fatalf("safe=%v: reply %+v", safe, r)
		}
		last := f.turns.Calls()[len(f.turns.Calls())-1]
		if last.openID != "oUser1" || last.key != "m"+itoa(r.Sent.MsgID) || last.in.Kind != dialog.InputText {
			t.Fatalf("safe=%v: turn %+v", safe, last)
		}
	}
}

func TestWebhookMapsMessageTypes(t *testing.T) {
	f := newWebhookFixture(t, time.Second)
	c := f.client(true)
	ctx := context.Background()
	mustSend := func(m wechatsim.Message) *wechatsim.Reply {
		t.Helper()
		m.FromUserName = "oTypes"
		r, err := c.Send(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	mustSend(wechatsim.Message{MsgType: wechatsim.MsgVoice, MediaID: "v1", Format: "amr", Recognition: "我要投诉"})
	mustSend(wechatsim.Message{MsgType: wechatsim.MsgImage, MediaID: "img1", PicURL: "http://x/p.jpg"})
	mustSend(wechatsim.Message{MsgType: wechatsim.MsgLocation, LocationX: 32.1, LocationY: 112.2, Label: "人民路1号"})
	mustSend(wechatsim.Message{MsgType: wechatsim.MsgVideo, MediaID: "vid"})
	ev := mustSend(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: wechatsim.EventClick, EventKey: dialog.MenuQuery})
	if r := mustSend(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: wechatsim.EventView, EventKey: "https://example.org"}); !r.Success {
		t.Fatalf("a VIEW event needs no answer: %+v", r)
	}
	calls := f.turns.Calls()
	want := []dialog.Input{
		{Kind: dialog.InputVoice, Text: "我要投诉", MediaID: "v1"},
		{Kind: dialog.InputImage, MediaID: "img1", PicURL: "http://x/p.jpg"},
		{Kind: dialog.InputLocation, Lat: 32.1, Lng: 112.2, Label: "人民路1号"},
		{Kind: dialog.InputUnsupported},
		{Kind: dialog.InputMenuClick, EventKey: dialog.MenuQuery},
	}
	if len(calls) != len(want) {
		t.Fatalf("%d turns, want %d (the VIEW event must not reach the dialog)", len(calls), len(want))
	}
	for i, w := range want {
		if calls[i].in != w {
			t.Errorf("turn %d: %+v, want %+v", i, calls[i].in, w)
		}
	}
	wantKey := "e" + itoa(ev.Sent.CreateTime) + ":CLICK:" + dialog.MenuQuery
	if calls[4].key != wantKey {
		t.Errorf("event key %q, want %q", calls[4].key, wantKey)
	}
}

func TestWebhookRefusesBadRequests(t *testing.T) {
	f := newWebhookFixture(t, time.Second)
	ctx := context.Background()
	msg := wechatsim.Message{FromUserName: "oBad", MsgType: wechatsim.MsgText, Content: "hi"}
	huge := bytes.Repeat([]byte("x"), DefaultMaxBodyBytes+1)
	cases := []struct {
		name string
		safe bool
		opts []wechatsim.RequestOption
		want int
	}{
		{"body over 64 KiB", false, []wechatsim.RequestOption{wechatsim.WithBody(huge)}, http.StatusRequestEntityTooLarge},
		{"bad signature", false, []wechatsim.RequestOption{wechatsim.WithQuery("signature", "0000")}, http.StatusForbidden},
		{"no signature", false, []wechatsim.RequestOption{wechatsim.WithoutQuery("signature")}, http.StatusForbidden},
		{"timestamp 6 minutes old", false, []wechatsim.RequestOption{wechatsim.WithTimestamp(time.Now().Add(-6 * time.Minute))}, http.StatusForbidden},
		{"timestamp 6 minutes ahead", false, []wechatsim.RequestOption{wechatsim.WithTimestamp(time.Now().Add(6 * time.Minute))}, http.StatusForbidden},
		{"malformed XML", false, []wechatsim.RequestOption{wechatsim.WithPlainXML([]byte("<xml><MsgType>text"))}, http.StatusBadRequest},
		{"malformed XML, safe mode", true, []wechatsim.RequestOption{wechatsim.WithPlainXML([]byte("<xml><MsgType>text"))}, http.StatusBadRequest},
		{"tampered encrypted body", true, []wechatsim.RequestOption{wechatsim.WithBody([]byte("<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>"))}, http.StatusForbidden},
		{"bad msg_signature", true, []wechatsim.RequestOption{wechatsim.WithQuery("msg_signature", "0000")}, http.StatusForbidden},
		{"not an envelope", true, []wechatsim.RequestOption{wechatsim.WithBody([]byte("garbage"))}, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.turns.Calls())
			req, err := f.client(tc.safe).BuildRequest(ctx, msg, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.client(tc.safe).Do(req)
			if !isStatus(err, tc.want) {
				t.Fatalf("want HTTP %d, got %v", tc.want, err)
			}
			if len(f.turns.Calls()) != before {
				t.Fatal("a refused request reached the dialog")
			}
		})
	}
}

func TestWebhookDoesNotEchoOnPost(t *testing.T) {
	f := newWebhookFixture(t, time.Second)
	c := f.client(false)
	req, err := c.BuildRequest(context.Background(), wechatsim.Message{FromUserName: "oEcho", MsgType: wechatsim.MsgText, Content: "hi"},
		wechatsim.WithQuery("echostr", "ECHOED"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Do(req)
	if err != nil || r.Content != "收到：hi" {
		t.Fatalf("a POST carrying echostr must be handled as a message: %+v %v", r, err)
	}
}

func TestWebhookBusyWhenTurnFailsOrIsSlow(t *testing.T) {
	f := newWebhookFixture(t, 300*time.Millisecond)
	release := make(chan struct{})
	defer close(release)
	f.turns.answer = func(in dialog.Input) (string, error) {
		switch in.Text {
		case "slow":
			<-release // a backing service that ignores every deadline
			return "late", nil
		case "fail":
			return "", errors.New("redis: connection refused")
		}
		return "", nil
	}
	for _, safe := range []bool{false, true} {
		for _, text := range []string{"slow", "fail"} {
			start := time.Now()
			r, err := f.client(safe).Text(context.Background(), "oBusy", text)
			if err != nil {
				t.Fatal(err)
			}
			// The slow turn never ends on its own, so any answer proves the budget
			// cut it; the bound is only WeChat's 5 s, which holds on a loaded machine.
			if took := time.Since(start); took > 5*time.Second {
				t.Fatalf("%s: answered after %v", text, took)
			}
			if r.Content != testBusy {
				t.Fatalf("safe=%v %s: want the busy reply, got %+v", safe, text, r)
			}
		}
		r, err := f.client(safe).Text(context.Background(), "oBusy", "nothing to say")
		if err != nil || !r.Success || string(r.Body) != "success" {
			t.Fatalf("safe=%v: an empty answer must be a plain \"success\": %+v %v", safe, r, err)
		}
	}
}

func TestWebhookLogsNoPersonalData(t *testing.T) {
	f := newWebhookFixture(t, time.Second)
	const openID, phone = "oSecretOpenID12345", "13812345678"
	f.turns.answer = func(in dialog.Input) (string, error) { return "", errors.New("boom " + "failure") }
	for _, safe := range []bool{false, true} {
		if _, err := f.client(safe).Text(context.Background(), openID, "我叫张三，电话"+phone); err != nil {
			t.Fatal(err)
		}
	}
	logs := f.logs.String()
	for _, secret := range []string{openID, phone, "张三"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("logs hold %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, MaskOpenID(openID)) {
		t.Fatalf("logs should name the consumer by its masked id:\n%s", logs)
	}
}

func isStatus(err error, status int) bool {
	var se *wechatsim.StatusError
	return errors.As(err, &se) && se.Status == status
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// lateOutbox records the answers queued for late turns.
type lateOutbox struct {
	mu   sync.Mutex
	sent []storage.NewNotification
}

func (l *lateOutbox) EnqueueNotification(ctx context.Context, n storage.NewNotification) (*storage.Notification, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, n)
	return &storage.Notification{OpenID: n.OpenID, Kind: n.Kind, Text: n.Text}, nil
}

func (l *lateOutbox) queued() []storage.NewNotification {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]storage.NewNotification(nil), l.sent...)
}

func TestWebhookPushesTheAnswerOfALateTurn(t *testing.T) {
	f := newWebhookFixture(t, time.Second)
	outbox := &lateOutbox{}
	wh := NewWebhook(WebhookConfig{
		AppID: testAppID, Token: testToken, EncodingAESKey: testAESKey,
		BusyReply: testBusy, ReplyBudget: 200 * time.Millisecond, Late: outbox,
	}, f.turns, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(prometheus.NewRegistry()))
	srv := httptest.NewServer(wh)
	defer srv.Close()
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock() // before srv.Close, which waits for the handlers
	f.turns.answer = func(in dialog.Input) (string, error) {
		<-release // a slow database, until both callbacks have been answered
		if in.Text == "fail" {
			return "", errors.New("database timeout")
		}
		return "迟到的回答", nil
	}
	c := &wechatsim.Client{WebhookURL: srv.URL, Token: testToken, AppID: testAppID, EncodingAESKey: testAESKey, Safe: true}
	for _, text := range []string{"slow", "fail"} {
		start := time.Now()
		r, err := c.Text(context.Background(), "oLate", text)
		if err != nil || !r.Success {
			t.Fatalf("%s: a late turn must answer \"success\" at once: %+v %v", text, r, err)
		}
		// The turn is still blocked, so the answer came from the budget; the
		// bound is WeChat's 5 s.
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("%s: answered after %v", text, took)
		}
	}
	unblock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wh.WaitLate(ctx); err != nil {
		t.Fatal(err)
	}
	got := outbox.queued()
	if len(got) != 2 {
		t.Fatalf("queued %d late answers, want 2", len(got))
	}
	texts := map[string]bool{got[0].Text: true, got[1].Text: true}
	if !texts["迟到的回答"] || !texts[testBusy] || got[0].OpenID != "oLate" || got[0].Kind != storage.NoticeDialogReply {
		t.Fatalf("late answers: %+v", got)
	}
}

func TestWebhookRefusesPlaintextWhenAKeyIsSet(t *testing.T) {
	turns := &fakeTurns{}
	wh := NewWebhook(WebhookConfig{AppID: testAppID, Token: testToken, EncodingAESKey: testAESKey, BusyReply: testBusy},
		turns, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(prometheus.NewRegistry()))
	srv := httptest.NewServer(wh)
	defer srv.Close()
	c := &wechatsim.Client{WebhookURL: srv.URL, Token: testToken, AppID: testAppID, EncodingAESKey: testAESKey}
	// A correctly signed URL (as seen in a proxy log) with a plaintext body of the
	// attacker's choosing must not reach the dialog.
	if _, err := c.Text(context.Background(), "oVictim", "撤回 TS-2026-000001"); !isStatus(err, http.StatusForbidden) {
		t.Fatalf("plaintext in safe mode: %v", err)
	}
	c.Safe = true
	if r, err := c.Text(context.Background(), "oVictim", "你好"); err != nil || r.Content != "收到：你好" {
		t.Fatalf("safe mode still works: %+v %v", r, err)
	}
	if n := len(turns.Calls()); n != 1 {
		t.Fatalf("%d turns, want only the safe-mode one", n)
	}
}

func TestWebhookWaitLateWaitsForLateTurns(t *testing.T) {
	f := newWebhookFixture(t, time.Second)
	outbox := &lateOutbox{}
	wh := NewWebhook(WebhookConfig{AppID: testAppID, Token: testToken, EncodingAESKey: testAESKey,
		BusyReply: testBusy, ReplyBudget: 100 * time.Millisecond, Late: outbox},
		f.turns, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(prometheus.NewRegistry()))
	srv := httptest.NewServer(wh)
	defer srv.Close()
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock()
	f.turns.answer = func(in dialog.Input) (string, error) {
		<-release // the turn outlives its passive reply until the test lets it end
		return "晚到的答复", nil
	}
	c := &wechatsim.Client{WebhookURL: srv.URL, Token: testToken, AppID: testAppID, EncodingAESKey: testAESKey, Safe: true}
	if r, err := c.Text(context.Background(), "oShutdown", "hi"); err != nil || !r.Success {
		t.Fatalf("%+v %v", r, err)
	}
	if len(outbox.queued()) != 0 {
		t.Fatal("the answer was queued before the turn ended")
	}
	// While the turn runs, WaitLate waits: it returns only when its context ends.
	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	if err := wh.WaitLate(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitLate = %v while a late turn still runs; want it to wait", err)
	}
	unblock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wh.WaitLate(ctx); err != nil {
		t.Fatal(err)
	}
	if q := outbox.queued(); len(q) != 1 || q[0].Text != "晚到的答复" {
		t.Fatalf("after WaitLate the late answer must be queued: %+v", q)
	}
}
