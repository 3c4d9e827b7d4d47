package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// pushFixture is a database with cases, a simulated WeChat platform and the real
// API client and Pusher between them.
type pushFixture struct {
	db       *sqlstore.DB
	platform *wechatsim.Platform
	api      *APIClient
	clock    *testenv.Clock       // the database's and the pusher's, movable by tests
	registry *prometheus.Registry // the metrics of the last pusher built
}

// openTestDB is PostgreSQL when the test environment names one, else SQLite.
func openTestDB(t testing.TB) *sqlstore.DB {
	if os.Getenv(testenv.EnvPostgresURL) != "" {
		return testenv.Postgres(t, sqlstore.Open)
	}
	return testenv.SQLite(t, sqlstore.Open)
}

func newPushFixture(t testing.TB) *pushFixture {
	return newPushFixtureOn(t, testenv.NewRedis(t), "")
}

// newPushFixtureOn is newPushFixture with the access token kept in rdb under
// prefix.
func newPushFixtureOn(t testing.TB, rdb redis.UniversalClient, prefix string) *pushFixture {
	f := &pushFixture{db: openTestDB(t), clock: testenv.NewWallClock()}
	f.db.Now = f.clock.Now
	f.platform = wechatsim.NewPlatform(wechatsim.PlatformConfig{AppID: testAppID, AppSecret: "push-secret"})
	srv := httptest.NewServer(f.platform.Handler())
	t.Cleanup(srv.Close)
	cfg := APIConfig{AppID: testAppID, AppSecret: "push-secret", APIBase: srv.URL}
	f.api = NewAPIClient(cfg, NewRedisTokenSource(rdb, cfg, RedisTokenOptions{Prefix: prefix}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	return f
}

func (f *pushFixture) pusher(workers int) *Pusher {
	return f.pusherOn(f.db, workers)
}

// pusherOn builds a pusher on store, which tests wrap to count calls.
func (f *pushFixture) pusherOn(store PushStore, workers int) *Pusher {
	cat, _ := dialog.NewCatalogue(dialog.Settings{OrgName: "测试消委会"})
	f.registry = prometheus.NewRegistry()
	return NewPusher(PushConfig{
		Workers: workers, BaseBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		PollInterval: 5 * time.Millisecond, Now: f.clock.Now,
		Template: Template{ID: "TMPL1", CaseNumberField: "character_string1", StatusField: "phrase2",
			TimeField: "time3", SummaryField: "thing4"},
	}, store, f.api, cat.Notice, slog.New(slog.NewTextHandler(io.Discard, nil)), NewPushMetrics(f.registry))
}

// outcomes is how many sends of the last pusher built ended with outcome.
func (f *pushFixture) outcomes(outcome string) int {
	families, err := f.registry.Gather()
	if err != nil {
		panic(err)
	}
	for _, fam := range families {
		for _, m := range fam.GetMetric() {
			if fam.GetName() == "complaintbot_push_outcomes_total" && m.GetLabel()[0].GetValue() == outcome {
				return int(m.GetCounter().GetValue())
			}
		}
	}
	return 0
}

// waitFor polls cond until it holds, or fails the test after 10 s saying what.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rows returns openID's outbox rows ("" for all), oldest first, in state (nil: any).
func (f *pushFixture) rows(t testing.TB, openID string, state *string) []*storage.Notification {
	t.Helper()
	filter := storage.NotificationFilter{State: state, Limit: 10000}
	if openID != "" {
		filter.OpenID = &openID
	}
	rows, err := f.db.FindNotifications(context.Background(), filter)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// fileCase files a case for a consumer who has just written to the account, so
// the 48-hour window is open.
func (f *pushFixture) fileCase(t testing.TB, openID string) *storage.Case {
	t.Helper()
	f.platform.ObserveInbound(openID, f.platform.Now())
	c, err := f.db.CreateCase(context.Background(), "TS", storage.NewCase{
		OpenID: openID, IntakeKey: "k-" + openID, Category: "食品", MerchantName: "某某超市",
		Description: "买到过期牛奶，要求退款。", Demand: "退款", ComplainantName: "张三", Phone: "13812345678",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *pushFixture) move(t testing.TB, c *storage.Case, to storage.Status) {
	t.Helper()
	reason := ""
	if to == storage.StatusRejected || to == storage.StatusTerminated {
		reason = "商家已关闭"
	}
	if _, err := f.db.ChangeStatus(context.Background(), storage.StatusChange{CaseID: c.ID, To: to, Actor: "staff:1", Reason: reason}); err != nil {
		t.Fatal(err)
	}
}

// runPusher runs the pusher until the test ends.
func runPusher(t testing.TB, p *Pusher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitSent waits until openID has received n messages and none of its outbox
// rows is pending any more (so no send is still under way that could repeat
// one), and returns the messages.
func (f *pushFixture) waitSent(t testing.TB, openID string, n int) []wechatsim.SentMessage {
	t.Helper()
	pending := storage.NotificationPending
	waitFor(t, fmt.Sprintf("%s has %d messages and nothing pending", openID, n), func() bool {
		return len(f.platform.SentTo(openID)) >= n && len(f.rows(t, openID, &pending)) == 0
	})
	return f.platform.SentTo(openID)
}

func TestPushDeliversStatusChanges(t *testing.T) {
	f := newPushFixture(t)
	c := f.fileCase(t, "oPush1")
	f.move(t, c, storage.StatusAccepted)
	runPusher(t, f.pusher(2))
	got := f.waitSent(t, "oPush1", 1)
	if len(got) != 1 || got[0].Kind != wechatsim.KindCustom || !strings.Contains(got[0].Content, c.Number) || !strings.Contains(got[0].Content, "已受理") {
		t.Fatalf("sent %+v", got)
	}
	sent := storage.NotificationSent
	rows, err := f.db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID, State: &sent})
	if err != nil || len(rows) != 1 || rows[0].Via != storage.ViaCustom {
		t.Fatalf("outbox rows %+v, %v", rows, err)
	}
}

func TestPushFallsBackToTemplateOutsideTheWindow(t *testing.T) {
	f := newPushFixture(t)
	c := f.fileCase(t, "oPush2")
	f.platform.Advance(49 * time.Hour)
	f.move(t, c, storage.StatusAccepted)
	runPusher(t, f.pusher(1))
	got := f.waitSent(t, "oPush2", 1)
	if len(got) != 1 || got[0].Kind != wechatsim.KindTemplate || got[0].TemplateID != "TMPL1" {
		t.Fatalf("sent %+v", got)
	}
	d := got[0].Data
	if d["character_string1"] != c.Number || d["phrase2"] != "已受理" || d["thing4"] != "某某超市" || d["time3"] == "" {
		t.Fatalf("template fields %v", d)
	}
}

func TestPushSurvivesAnOutageInOrderAndOnce(t *testing.T) {
	f := newPushFixture(t)
	c := f.fileCase(t, "oPush3")
	f.platform.SetDown(true)
	f.move(t, c, storage.StatusAccepted)
	f.move(t, c, storage.StatusMediating)
	if _, err := f.db.AddEvent(context.Background(), storage.NewEvent{CaseID: c.ID, Kind: storage.EventStaffReply, Actor: "staff:1",
		Body: "请提供购物小票。", Notify: &storage.NewNotification{OpenID: "oPush3", Kind: storage.NoticeStaffReply, Text: "请提供购物小票。", CaseNumber: c.Number}}); err != nil {
		t.Fatal(err)
	}
	runPusher(t, f.pusher(4))
	waitFor(t, "several failed rounds", func() bool { return f.outcomes("retry") >= 3 })
	if n := len(f.platform.SentTo("oPush3")); n != 0 {
		t.Fatalf("%d messages got through an outage", n)
	}
	f.platform.SetDown(false)
	got := f.waitSent(t, "oPush3", 3)
	if len(got) != 3 {
		t.Fatalf("want exactly 3 messages once each, got %d", len(got))
	}
	for i, want := range []string{"已受理", "调解中", "请提供购物小票"} {
		if !strings.Contains(got[i].Content, want) {
			t.Fatalf("message %d should say %s (order per consumer): %q", i, want, got[i].Content)
		}
	}
}

func TestPushRefreshesAnExpiredToken(t *testing.T) {
	f := newPushFixture(t)
	c := f.fileCase(t, "oPush4")
	f.move(t, c, storage.StatusAccepted)
	runPusher(t, f.pusher(1))
	f.waitSent(t, "oPush4", 1)
	f.platform.ExpireTokens()
	f.move(t, c, storage.StatusMediating)
	if got := f.waitSent(t, "oPush4", 2); !strings.Contains(got[1].Content, "调解中") {
		t.Fatalf("after the token expired: %+v", got)
	}
}

func TestPushRecoversFromAWorkerKilledBetweenClaimAndSend(t *testing.T) {
	f := newPushFixture(t)
	c := f.fileCase(t, "oPush5")
	f.move(t, c, storage.StatusAccepted)
	// A worker claims the row and dies before sending.
	claimed, err := f.db.ClaimNotifications(context.Background(), 10, DefaultPushLease)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	store := &countingStore{PushStore: f.db}
	runPusher(t, f.pusherOn(store, 1))
	waitFor(t, "the pusher looked three times", func() bool { return store.claims.Load() >= 3 })
	if n := len(f.platform.SentTo("oPush5")); n != 0 {
		t.Fatal("a leased row was sent before its lease expired")
	}
	f.clock.Advance(DefaultPushLease + time.Second)
	f.waitSent(t, "oPush5", 1)
}

// countingStore counts the pusher's claims.
type countingStore struct {
	PushStore
	claims atomic.Int64
}

func (s *countingStore) ClaimNotifications(ctx context.Context, limit int, lease time.Duration) ([]*storage.Notification, error) {
	defer s.claims.Add(1)
	return s.PushStore.ClaimNotifications(ctx, limit, lease)
}

// BenchmarkPush measures outbox delivery against the simulator: notices per second
// with 1 and 4 workers, and the lag from commit to send. Set
// COMPLAINTBOT_TEST_POSTGRES_URL to measure on PostgreSQL.
//
//	go test -run '^$' -bench Push -benchtime 2000x ./bot/
func BenchmarkPush(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("throughput/workers=%d", workers), func(b *testing.B) {
			benchmarkPushThroughput(b, workers)
		})
	}
	b.Run("lag/workers=4", benchmarkPushLag)
}

func benchmarkPushThroughput(b *testing.B, workers int) {
	f := newPushFixture(b)
	enqueue(b, f, b.N, 0)
	b.ResetTimer()
	runPusher(b, f.pusher(workers))
	waitAllSent(b, f, b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notices/s")
}

// benchmarkPushLag enqueues at a steady 200 notices/s and reports the delay from
// commit to send.
func benchmarkPushLag(b *testing.B) {
	f := newPushFixture(b)
	runPusher(b, f.pusher(4))
	b.ResetTimer()
	enqueue(b, f, b.N, 5*time.Millisecond)
	waitAllSent(b, f, b.N)
	b.StopTimer()
	sent := storage.NotificationSent
	rows, err := f.db.FindNotifications(context.Background(), storage.NotificationFilter{State: &sent, Limit: b.N})
	if err != nil {
		b.Fatal(err)
	}
	lags := make([]time.Duration, 0, len(rows))
	for _, r := range rows {
		lags = append(lags, r.SentAt.Sub(r.CreatedAt))
	}
	b.ReportMetric(percentile(lags, 50).Seconds()*1000, "p50-ms")
	b.ReportMetric(percentile(lags, 99).Seconds()*1000, "p99-ms")
}

// enqueue adds n notices for n/2 consumers (two each, so ordering is exercised),
// every consumer inside the 48-hour window.
func enqueue(b *testing.B, f *pushFixture, n int, every time.Duration) {
	for i := range n {
		openID := fmt.Sprintf("oBench%d", i/2)
		if i%2 == 0 {
			f.platform.ObserveInbound(openID, f.platform.Now())
		}
		if _, err := f.db.EnqueueNotification(context.Background(), storage.NewNotification{
			OpenID: openID, Kind: storage.NoticeDialogReply, Text: "您的投诉已收到"}); err != nil {
			b.Fatal(err)
		}
		if every > 0 {
			time.Sleep(every)
		}
	}
}

// waitAllSent counts send calls rather than copying Sent(), which would cost the
// benchmark more than the code it measures (no call fails in these runs).
func waitAllSent(b *testing.B, f *pushFixture, n int) {
	deadline := time.Now().Add(5 * time.Minute)
	for f.platform.Calls("message/custom/send") < n {
		if time.Now().After(deadline) {
			b.Fatalf("sent %d of %d", f.platform.Calls("message/custom/send"), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), d...)
	slices.Sort(sorted)
	return sorted[(len(sorted)-1)*p/100]
}

func TestPushTellsWhereToReadAStaffReplyOutsideTheWindow(t *testing.T) {
	f := newPushFixture(t)
	c := f.fileCase(t, "oPush7")
	f.platform.Advance(49 * time.Hour)
	if _, err := f.db.AddEvent(context.Background(), storage.NewEvent{CaseID: c.ID, Kind: storage.EventStaffReply, Actor: "staff:1",
		Body: "请提供购物小票。", Notify: &storage.NewNotification{OpenID: "oPush7", Kind: storage.NoticeStaffReply, Text: "请提供购物小票。"}}); err != nil {
		t.Fatal(err)
	}
	runPusher(t, f.pusher(1))
	got := f.waitSent(t, "oPush7", 1)
	if got[0].Kind != wechatsim.KindTemplate || got[0].Data["thing4"] != staffReplySummary || got[0].Data["character_string1"] != c.Number {
		t.Fatalf("template for a staff reply: %+v", got[0])
	}
}

// TestTemplateSummaryOfNewStatuses checks that outside the 48-hour window the
// template card of 待补正 points to where the consumer reads what to send, and
// that of 检测鉴定 says its time does not count; others keep their summary.
func TestTemplateSummaryOfNewStatuses(t *testing.T) {
	p := &Pusher{cfg: PushConfig{Template: Template{ID: "t", CaseNumberField: "c", StatusField: "s", TimeField: "tm", SummaryField: "sum"}}}
	for label, want := range map[string]string{
		storage.StatusAwaitingMaterial.Label(): materialSummary,
		storage.StatusAppraisal.Label():        appraisalSummary,
		storage.StatusAccepted.Label():         "某某电器店",
	} {
		m := p.templateMessage(&storage.Notification{Kind: storage.NoticeStatusChange, StatusLabel: label, Summary: "某某电器店"})
		if m.Data["sum"] != want || m.Data["s"] != label {
			t.Errorf("%s: template data %v, want summary %q", label, m.Data, want)
		}
	}
}
