package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/internal/testenv"
)

const (
	wxTestAppID  = "wxapitest0123456"
	wxTestSecret = "sim-secret-5f1e2d3c4b5a69788796a5b4"
)

// wxSpy wraps an API handler: it counts requests by path and keeps every
// access token handed out or presented, so tests can look for them in
// errors and logs.
type wxSpy struct {
	next   http.Handler
	mu     sync.Mutex
	hits   map[string]int
	tokens map[string]bool
}

func newWXSpy(next http.Handler) *wxSpy {
	return &wxSpy{next: next, hits: map[string]int{}, tokens: map[string]bool{}}
}

func (s *wxSpy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	if tok := r.URL.Query().Get("access_token"); tok != "" {
		s.tokens[tok] = true
	}
	s.mu.Unlock()
	if !strings.HasSuffix(r.URL.Path, "token") {
		s.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	s.next.ServeHTTP(rec, r)
	var answer tokenAnswer
	if json.Unmarshal(rec.Body.Bytes(), &answer) == nil && answer.AccessToken != "" {
		s.mu.Lock()
		s.tokens[answer.AccessToken] = true
		s.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (s *wxSpy) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// TokenFetches counts calls to both token endpoints.
func (s *wxSpy) TokenFetches() int {
	return s.Hits("/cgi-bin/token") + s.Hits("/cgi-bin/stable_token")
}

func (s *wxSpy) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for t := range s.tokens {
		out = append(out, t)
	}
	return out
}

// wxLogs is a slog destination safe for concurrent writes.
type wxLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *wxLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *wxLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// wxFixture is a simulated WeChat platform behind a spy, a Redis shared by
// the "instances" a test builds, and captured logs.
type wxFixture struct {
	platform *wechatsim.Platform
	clock    *testenv.Clock // the simulated platform's, moved by tests to expire tokens
	spy      *wxSpy
	server   *httptest.Server
	rdb      redis.UniversalClient
	prefix   string
	logs     *wxLogs
	log      *slog.Logger
}

func newWXFixture(t *testing.T) *wxFixture {
	t.Helper()
	return newWXFixtureOn(t, testenv.NewRedis(t), "")
}

func newWXFixtureOn(t *testing.T, rdb redis.UniversalClient, prefix string) *wxFixture {
	t.Helper()
	clock := testenv.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	p := wechatsim.NewPlatform(wechatsim.PlatformConfig{AppID: wxTestAppID, AppSecret: wxTestSecret, Now: clock.Now})
	f := &wxFixture{platform: p, clock: clock, spy: newWXSpy(p.Handler()), rdb: rdb, prefix: prefix, logs: &wxLogs{}}
	f.server = httptest.NewServer(f.spy)
	t.Cleanup(f.server.Close)
	f.log = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return f
}

func (f *wxFixture) config(stable bool) APIConfig {
	return APIConfig{AppID: wxTestAppID, AppSecret: wxTestSecret, APIBase: f.server.URL, UseStableToken: stable}
}

// instance builds what one bot instance has: its own token source and client
// on the shared Redis.
func (f *wxFixture) instance(cfg APIConfig) (*APIClient, *RedisTokenSource) {
	tokens := NewRedisTokenSource(f.rdb, cfg, RedisTokenOptions{Prefix: f.prefix, Log: f.log})
	return NewAPIClient(cfg, tokens, f.log), tokens
}

// follower is a consumer who has just written to the account, so
// customer-service messages to them are within WeChat's 48-hour window.
func (f *wxFixture) follower(openID string) string {
	f.platform.ObserveInbound(openID, f.clock.Now())
	return openID
}

func (f *wxFixture) client(stable bool) *APIClient {
	c, _ := f.instance(f.config(stable))
	return c
}

// assertNoSecrets fails if text holds an access token the platform handed
// out, or the app secret.
func (f *wxFixture) assertNoSecrets(t *testing.T, what, text string) {
	t.Helper()
	if strings.Contains(text, wxTestSecret) {
		t.Errorf("%s holds the app secret:\n%s", what, text)
	}
	for _, tok := range f.spy.Tokens() {
		if strings.Contains(text, tok) {
			t.Errorf("%s holds an access token:\n%s", what, text)
		}
	}
}

func apiErrorCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

func TestAPISendTextIsRecorded(t *testing.T) {
	f := newWXFixture(t)
	const text = "您的投诉 TS-2026-000123 已受理 <调解员 & 您联系>"
	if err := f.client(false).SendText(t.Context(), f.follower("oConsumer1"), text); err != nil {
		t.Fatal(err)
	}
	sent := f.platform.SentTo("oConsumer1")
	if len(sent) != 1 || sent[0].Kind != wechatsim.KindCustom || sent[0].MsgType != "text" || sent[0].Content != text {
		t.Fatalf("platform recorded %+v", sent)
	}
	if !bytes.Contains(sent[0].Payload, []byte("& 您联系>")) {
		t.Errorf("the body escapes HTML characters: %s", sent[0].Payload)
	}
}

func TestTemplateSendIsRecordedWithItsFields(t *testing.T) {
	f := newWXFixture(t)
	msg := TemplateMessage{
		ToUser: "oConsumer2", TemplateID: "tmpl-status", URL: "https://example.org/c/1",
		Data: map[string]string{"character_string1": "TS-2026-000123", "phrase2": "调解中", "thing3": "调解员已联系商家"},
	}
	id, err := f.client(false).SendTemplate(t.Context(), msg)
	if err != nil {
		t.Fatal(err)
	}
	sent := f.platform.SentTo("oConsumer2")
	if len(sent) != 1 {
		t.Fatalf("platform recorded %d messages", len(sent))
	}
	got := sent[0]
	if got.Kind != wechatsim.KindTemplate || got.TemplateID != msg.TemplateID || got.URL != msg.URL || got.MsgID != id || id == 0 {
		t.Fatalf("recorded %+v, msgid %d", got, id)
	}
	if fmt.Sprint(got.Data) != fmt.Sprint(msg.Data) {
		t.Fatalf("fields %v, want %v", got.Data, msg.Data)
	}
}

func TestTemplateSendRefusedFieldIsAnAPIError(t *testing.T) {
	f := newWXFixture(t)
	_, err := f.client(false).SendTemplate(t.Context(), TemplateMessage{
		ToUser: "oConsumer3", TemplateID: "tmpl-status", Data: map[string]string{"phrase2": "调解已经成功结束"},
	})
	if apiErrorCode(err) != 47003 || IsRetryable(err) {
		t.Fatalf("an over-long phrase field: %v", err)
	}
}

func TestAPIDownloadMedia(t *testing.T) {
	f := newWXFixture(t)
	c := f.client(false)
	photo := append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte("photo"), 1000)...)
	id := f.platform.AddMedia("image/jpeg", photo)

	ct, data, err := c.DownloadMedia(t.Context(), id, 1<<20)
	if err != nil || ct != "image/jpeg" || !bytes.Equal(data, photo) {
		t.Fatalf("DownloadMedia = %q, %d bytes, %v", ct, len(data), err)
	}

	_, _, err = c.DownloadMedia(t.Context(), "no-such-media", 1<<20)
	if apiErrorCode(err) != 40007 || IsRetryable(err) || IsTokenError(err) {
		t.Fatalf("unknown media: %v", err)
	}

	_, data, err = c.DownloadMedia(t.Context(), id, int64(len(photo)-1))
	if !errors.Is(err, ErrMediaTooLarge) || IsRetryable(err) || data != nil {
		t.Fatalf("media over the limit: %d bytes, %v", len(data), err)
	}
}

// fakeWX is a small WeChat API of our own, for answers the simulator does
// not give: it hands out one fixed token and serves the rest with handle.
func fakeWX(t *testing.T, handle http.HandlerFunc) (*httptest.Server, string) {
	t.Helper()
	token := "FAKE-TOKEN-" + newLockOwner()
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/token", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"access_token":%q,"expires_in":7200}`, token)
	})
	mux.HandleFunc("/", handle)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, token
}

func fakeClient(t *testing.T, srv *httptest.Server, httpClient *http.Client, log *slog.Logger) *APIClient {
	cfg := APIConfig{AppID: wxTestAppID, AppSecret: wxTestSecret, APIBase: srv.URL, HTTP: httpClient}
	return NewAPIClient(cfg, NewRedisTokenSource(testenv.NewRedis(t), cfg, RedisTokenOptions{}), log)
}

func TestAPIDownloadMediaReadsErrorBodies(t *testing.T) {
	var calls atomic.Int64
	srv, _ := fakeWX(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch r.URL.Query().Get("media_id") {
		case "plain":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, `{"errcode":40007,"errmsg":"invalid media_id"}`)
		case "huge":
			w.Header().Set("Content-Type", "image/png")
			w.(http.Flusher).Flush() // chunked: no Content-Length to check up front
			_, _ = w.Write(bytes.Repeat([]byte{0x89}, 5000))
		case "untyped":
			_, _ = w.Write([]byte("GIF89a...."))
		}
	})
	c := fakeClient(t, srv, nil, nil)
	if _, _, err := c.DownloadMedia(t.Context(), "plain", 1<<20); apiErrorCode(err) != 40007 {
		t.Errorf("a text/plain error body: %v", err)
	}
	if _, _, err := c.DownloadMedia(t.Context(), "huge", 4000); !errors.Is(err, ErrMediaTooLarge) || IsRetryable(err) {
		t.Errorf("a chunked body over the limit: %v", err)
	}
	if ct, _, err := c.DownloadMedia(t.Context(), "untyped", 1<<20); err != nil || ct != "image/gif" {
		t.Errorf("no Content-Type: %q, %v", ct, err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d media calls, want 3 (no retries)", n)
	}
}

func TestAPIErrorClassification(t *testing.T) {
	cases := []struct {
		name                       string
		answer                     func(w http.ResponseWriter, r *http.Request)
		outside, retryable, tokErr bool
	}{
		{"45015 out of time", errcode(45015), true, false, false},
		{"45047 out of count", errcode(45047), true, false, false},
		{"45009 rate limited", errcode(45009), false, true, false},
		{"45011 minute quota", errcode(45011), false, true, false},
		{"-1 system busy", errcode(-1), false, true, false},
		{"40003 bad openid", errcode(40003), false, false, false},
		{"40001 twice", errcode(40001), false, false, true},
		{"HTTP 502", httpStatus(http.StatusBadGateway), false, true, false},
		{"HTTP 503", httpStatus(http.StatusServiceUnavailable), false, true, false},
		{"HTTP 404", httpStatus(http.StatusNotFound), false, false, false},
		{"timeout", slowAnswer(), false, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			srv, token := fakeWX(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tc.answer(w, r)
			})
			logs := &wxLogs{}
			// Only the timeout case may time out: with 100 ms for every case a slow
			// machine would turn an HTTP 404 into a retryable timeout.
			timeout := 5 * time.Second
			if tc.name == "timeout" {
				timeout = 100 * time.Millisecond
			}
			c := fakeClient(t, srv, &http.Client{Timeout: timeout}, slog.New(slog.NewTextHandler(logs, nil)))
			err := c.SendText(t.Context(), "oClassify", "hi")
			if err == nil {
				t.Fatal("no error")
			}
			if IsOutsideWindow(err) != tc.outside || IsRetryable(err) != tc.retryable || IsTokenError(err) != tc.tokErr {
				t.Fatalf("%v: outside=%v retryable=%v token=%v", err, IsOutsideWindow(err), IsRetryable(err), IsTokenError(err))
			}
			wantCalls := int64(1)
			if tc.tokErr {
				wantCalls = 2 // retried once with a fresh token, then given up
			}
			if n := calls.Load(); n != wantCalls {
				t.Fatalf("%d calls, want %d", n, wantCalls)
			}
			for what, text := range map[string]string{"error": err.Error(), "logs": logs.String()} {
				if strings.Contains(text, token) || strings.Contains(text, wxTestSecret) {
					t.Fatalf("%s leaks a secret: %s", what, text)
				}
			}
		})
	}
}

func errcode(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"errcode":%d,"errmsg":"code %d, access_token=%s"}`, code, code, r.URL.Query().Get("access_token"))
	}
}

func httpStatus(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>bad gateway</html>", status)
	}
}

// slowAnswer never answers: it returns only once the client hangs up, so the
// client's timeout or cancellation, not a timer here, decides how the call ends.
func slowAnswer() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The server notices the client hanging up only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}
}

func TestAPICancelledCallIsRetryable(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	srv, _ := fakeWX(t, func(w http.ResponseWriter, r *http.Request) {
		cancel() // the caller gives up while WeChat holds the request
		slowAnswer()(w, r)
	})
	c := fakeClient(t, srv, nil, nil)
	err := c.SendText(ctx, "oCancel", "hi")
	// Not sent yet is not refused: the outbox must keep the message.
	if !errors.Is(err, context.Canceled) || !IsRetryable(err) {
		t.Fatalf("cancelled send: %v", err)
	}
}

func TestAPITransportErrorsHoldNoToken(t *testing.T) {
	srv, token := fakeWX(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close() // drop the connection without an answer
		}
	})
	c := fakeClient(t, srv, nil, nil)
	err := c.SendText(t.Context(), "oDropped", "hi")
	if err == nil || !IsRetryable(err) {
		t.Fatalf("dropped connection: %v", err)
	}
	msg := err.Error()
	if strings.Contains(msg, token) || !strings.Contains(msg, "access_token=REDACTED") {
		t.Fatalf("error %q: want the URL with the token redacted", msg)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), token) {
			t.Fatalf("a wrapped error holds the token: %q", e.Error())
		}
	}
}

func TestAPIRedactsTokenFromErrmsg(t *testing.T) {
	srv, token := fakeWX(t, errcode(40003))
	err := fakeClient(t, srv, nil, nil).SendText(t.Context(), "oEcho", "hi")
	if apiErrorCode(err) != 40003 || strings.Contains(err.Error(), token) {
		t.Fatalf("an errmsg echoing the token: %v", err)
	}
}
