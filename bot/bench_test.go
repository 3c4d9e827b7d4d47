package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	wxconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	wxcontext "github.com/silenceper/wechat/v2/officialaccount/context"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/officialaccount/server"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// BenchmarkWebhook compares a full dialog turn through our webhook (signature and
// timestamp checks, AES, de-duplication and state in Redis) with a bare
// silenceper/wechat handler that echoes the text, over the same HTTP path and
// simulator client. Set COMPLAINTBOT_TEST_REDIS_URL to measure on a real Redis.
//
//	go test -run '^$' -bench Webhook -benchtime 5s ./bot/
func BenchmarkWebhook(b *testing.B) {
	for _, safe := range []bool{false, true} {
		mode := map[bool]string{false: "plain", true: "safe"}[safe]
		b.Run("bare-echo/"+mode, func(b *testing.B) {
			benchmarkMessages(b, bareEchoHandler(), safe, nil)
		})
		b.Run("dialog-turn/"+mode, func(b *testing.B) {
			hook := &dialog.CountingHook{}
			benchmarkMessages(b, dialogWebhook(b, hook), safe, hook)
		})
	}
}

// benchSenders is the number of concurrent senders per CPU.
const benchSenders = 16

func benchmarkMessages(b *testing.B, h http.Handler, safe bool, hook *dialog.CountingHook) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &wechatsim.Client{WebhookURL: srv.URL, Token: testToken, AppID: testAppID, EncodingAESKey: testAESKey, Safe: safe,
		HTTP: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	var consumer atomic.Int64
	if hook != nil {
		hook.Reset()
	}
	// Many consumers write at once; with only GOMAXPROCS senders the turn would be
	// measured as Redis latency instead of the server's throughput.
	b.SetParallelism(benchSenders)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		openID := fmt.Sprintf("oBench%d-%d", os.Getpid(), consumer.Add(1))
		for pb.Next() {
			r, err := client.Text(context.Background(), openID, "帮助")
			if err != nil || r.Content == "" {
				b.Errorf("reply %+v, %v", r, err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if hook != nil {
		b.ReportMetric(float64(hook.RoundTrips())/float64(b.N), "redis-trips/msg")
	}
}

// bareEchoHandler is the library used the simplest way, doing no work of ours.
func bareEchoHandler() http.Handler {
	wx := &wxcontext.Context{Config: &wxconfig.Config{AppID: testAppID, Token: testToken, EncodingAESKey: testAESKey}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv := server.NewServer(wx)
		srv.Request, srv.Writer = r, w
		srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(m.Content)}
		})
		if err := srv.Serve(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		_ = srv.Send()
	})
}

func dialogWebhook(b *testing.B, hook *dialog.CountingHook) http.Handler {
	SilenceLibraryLogs()
	var rdb redis.UniversalClient
	prefix := ""
	if os.Getenv(testenv.EnvRedisURL) != "" {
		rdb, prefix = testenv.NewRealRedis(b)
	} else {
		rdb = testenv.NewRedis(b)
	}
	store := dialog.NewRedisStore(rdb, dialog.RedisStoreOptions{Prefix: prefix})
	if err := store.LoadScripts(context.Background()); err != nil {
		b.Fatal(err)
	}
	rdb.AddHook(hook)
	cat, err := dialog.NewCatalogue(dialog.Settings{OrgName: "测试消委会"})
	if err != nil {
		b.Fatal(err)
	}
	engine := &dialog.Engine{Store: store, Cases: testenv.SQLite(b, sqlstore.Open), Catalogue: cat, CasePrefix: "TS"}
	// With the replay guard, as deployed: plain mode costs one more round trip.
	return NewWebhook(WebhookConfig{AppID: testAppID, Token: testToken, EncodingAESKey: testAESKey, AllowPlain: true, BusyReply: testBusy,
		Replay: NewRedisReplayGuard(rdb, prefix)},
		engine, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(prometheus.NewRegistry()))
}
