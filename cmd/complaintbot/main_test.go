package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// The account the end-to-end tests pretend to be: a real one (not simulator mode),
// so the webhook verifies exactly what it would in production.
const (
	e2eAppID  = "wx5e2e000000000001"
	e2eToken  = "e2etoken2026"
	e2eAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

var caseNumberPattern = regexp.MustCompile(`TS-\d{4}-\d{6}`)

// runMain starts the real Main on :0 the way `complaintbot serve` does, on SQLite
// and an in-process Redis, or on the real servers named by the test environment. Its
// WeChat API is a simulator platform (m.Platform) served apart, as the real one is.
func runMain(t *testing.T) *Main {
	t.Helper()
	return runMainWith(t, func(*configs.Config) {})
}

// runPlainMain runs an account configured for plaintext mode (no EncodingAESKey).
func runPlainMain(t *testing.T) *Main {
	t.Helper()
	return runMainWith(t, func(c *configs.Config) { c.WeChat.EncodingAESKey = "" })
}

// runMainWith runs Main with the test configuration changed by adjust, and closes
// it when the test ends.
func runMainWith(t *testing.T, adjust func(*configs.Config)) *Main {
	t.Helper()
	m := startMain(t, adjust)
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return m
}

// startMain is runMainWith for a test that closes Main itself.
func startMain(t *testing.T, adjust func(*configs.Config)) *Main {
	t.Helper()
	return startMainOn(t, adjust, nil)
}

// startMainOn is startMain on the given clock (nil: the wall clock).
func startMainOn(t *testing.T, adjust func(*configs.Config), now func() time.Time) *Main {
	t.Helper()
	platform := wechatsim.NewPlatform(wechatsim.PlatformConfig{AppID: e2eAppID, AppSecret: "e2e-secret"})
	api := httptest.NewServer(platform.Handler())
	t.Cleanup(api.Close)
	cfg := configs.Default()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Database.URL = filepath.Join(t.TempDir(), "complaintbot.db")
	cfg.Redis.URL = os.Getenv(testenv.EnvRedisURL)
	cfg.WeChat = configs.WeChatConfig{AppID: e2eAppID, AppSecret: "e2e-secret", Token: e2eToken, EncodingAESKey: e2eAESKey,
		APIBase: api.URL, Template: configs.Default().WeChat.Template}
	cfg.WeChat.Template.ID = "TMPL_E2E"
	cfg.Push.PollInterval = configs.Duration(20 * time.Millisecond)
	adjust(&cfg)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.Now = now
	if os.Getenv(testenv.EnvPostgresURL) != "" {
		m.DB = testenv.Postgres(t, sqlstore.Open)
	} else if testenv.Required() {
		t.Fatalf("%s must be set when %s=1", testenv.EnvPostgresURL, testenv.EnvRequire)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.Platform = platform
	return m
}

func newClient(m *Main, safe bool) *wechatsim.Client {
	return &wechatsim.Client{
		WebhookURL: m.URL() + "/wechat", Token: e2eToken, AppID: e2eAppID,
		EncodingAESKey: e2eAESKey, Safe: safe, Platform: m.Platform,
	}
}

// uniqueOpenID keeps consumers of different runs apart on a shared real Redis.
func uniqueOpenID(name string) string {
	return fmt.Sprintf("o%s%d", name, time.Now().UnixNano())
}

// consumer is one person chatting with the account through the simulator.
type consumer struct {
	t      *testing.T
	c      *wechatsim.Client
	openID string
}

func (p consumer) send(m wechatsim.Message) *wechatsim.Reply {
	p.t.Helper()
	m.FromUserName = p.openID
	r, err := p.c.Send(context.Background(), m)
	if err != nil {
		p.t.Fatalf("send %s %q: %v", m.MsgType, m.Content, err)
	}
	return r
}

func (p consumer) say(text string) string {
	p.t.Helper()
	return p.send(wechatsim.Message{MsgType: wechatsim.MsgText, Content: text}).Content
}

func (p consumer) expect(text, want string) string {
	p.t.Helper()
	got := p.say(text)
	if !strings.Contains(got, want) {
		p.t.Fatalf("after %q the reply should contain %q, got:\n%s", text, want, got)
	}
	return got
}

// fileComplaint walks the whole intake and returns the case number.
func fileComplaint(t *testing.T, p consumer, photo string) string {
	t.Helper()
	if r := p.send(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: wechatsim.EventSubscribe}); !strings.Contains(r.Content, "感谢关注") {
		t.Fatalf("welcome: %q", r.Content)
	}
	if r := p.send(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: "CLICK", EventKey: dialog.MenuComplain}); !strings.Contains(r.Content, "同意") {
		t.Fatalf("privacy notice: %q", r.Content)
	}
	p.expect("同意", "（1/10）")
	p.expect("1", "（2/10）")
	p.expect("襄阳某某电器有限公司", "（3/10）")
	r := p.send(wechatsim.Message{MsgType: wechatsim.MsgLocation, LocationX: 32.04, LocationY: 112.14, Label: "湖北省襄阳市樊城区人民路1号"})
	if !strings.Contains(r.Content, "（4/10）") {
		t.Fatalf("location should answer the address: %q", r.Content)
	}
	p.expect("昨天", "（5/10）")
	p.expect("3999.5元", "（6/10）")
	p.expect("购买的冰箱不制冷，商家拒绝退货，已经协商三次没有结果。", "（7/10）")
	p.expect("1", "（8/10）")
	r = p.send(wechatsim.Message{MsgType: wechatsim.MsgImage, MediaID: photo, PicURL: "http://sim.invalid/p.jpg"})
	if !strings.Contains(r.Content, "第1张") {
		t.Fatalf("photo ack: %q", r.Content)
	}
	p.expect("完成", "（9/10）")
	p.expect("张三", "（10/10）")
	p.expect("13812345678", "13812345678")
	confirm := p.send(wechatsim.Message{MsgType: wechatsim.MsgText, Content: "确认"})
	number := caseNumberPattern.FindString(confirm.Content)
	if number == "" {
		t.Fatalf("no case number in %q", confirm.Content)
	}
	// WeChat retries the same MsgId when our answer is slow: the retries get the same
	// reply and file nothing.
	for range 2 {
		retry := p.send(confirm.Sent)
		if retry.Content != confirm.Content {
			t.Fatalf("retry got %q, first reply was %q", retry.Content, confirm.Content)
		}
	}
	return number
}

func TestEndToEndIntake(t *testing.T) {
	for _, safe := range []bool{false, true} {
		t.Run(fmt.Sprintf("safe=%v", safe), func(t *testing.T) {
			run := runMain
			if !safe {
				run = runPlainMain
			}
			m := run(t)
			p := consumer{t: t, c: newClient(m, safe), openID: uniqueOpenID("e2e")}
			number := fileComplaint(t, p, "MEDIA_e2e_1")

			c, err := m.DB.FindCaseByNumber(context.Background(), number)
			if err != nil {
				t.Fatal(err)
			}
			want := storage.Case{OpenID: p.openID, Status: storage.StatusSubmitted, MerchantName: "襄阳某某电器有限公司",
				MerchantAddress: "湖北省襄阳市樊城区人民路1号", AmountFen: 399950, Demand: "退货",
				ComplainantName: "张三", Phone: "13812345678"}
			got := storage.Case{OpenID: c.OpenID, Status: c.Status, MerchantName: c.MerchantName,
				MerchantAddress: c.MerchantAddress, AmountFen: c.AmountFen, Demand: c.Demand,
				ComplainantName: c.ComplainantName, Phone: c.Phone}
			if got != want {
				t.Fatalf("stored case:\n got %+v\nwant %+v", got, want)
			}
			_, total, err := m.DB.FindCases(context.Background(), storage.CaseFilter{OpenID: &p.openID})
			if err != nil || total != 1 {
				t.Fatalf("cases of the consumer: %d, %v (want exactly 1 despite the retries)", total, err)
			}
			ev, err := m.DB.ListEvidence(context.Background(), c.ID)
			if err != nil || len(ev) != 1 || ev[0].MediaID != "MEDIA_e2e_1" || ev[0].DownloadState != storage.DownloadPending {
				t.Fatalf("evidence: %+v, %v", ev, err)
			}

			p.expect("查询", number)
			p.expect("查询 "+strings.ToLower(strings.ReplaceAll(number, "-", "")), "襄阳某某电器有限公司")
			stranger := consumer{t: t, c: p.c, openID: uniqueOpenID("stranger")}
			if reply := stranger.say("查询 " + number); strings.Contains(reply, "襄阳某某") || !strings.Contains(reply, number) {
				t.Fatalf("another consumer's case must read as not found, got %q", reply)
			}
		})
	}
}

// TestEndToEndConcurrentMessages sends one consumer's photos all at once: every
// message is answered and none is lost from the draft.
func TestEndToEndConcurrentMessages(t *testing.T) {
	m := runMain(t)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("burst")}
	p.send(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: "CLICK", EventKey: dialog.MenuComplain})
	for _, answer := range []string{"同意", "2", "某某超市", "某某路2号", "2026-01-05", "88", "买到的牛奶已经过期变质，要求退款。", "3"} {
		p.say(answer)
	}
	const photos = 8
	var wg sync.WaitGroup
	for i := range photos {
		wg.Go(func() {
			r := p.send(wechatsim.Message{MsgType: wechatsim.MsgImage, MediaID: fmt.Sprintf("MEDIA_burst_%d", i)})
			t.Logf("photo %d: %s", i, r.Content)
			if !strings.Contains(r.Content, "张照片") {
				t.Errorf("photo %d: %q", i, r.Content)
			}
		})
	}
	wg.Wait()
	p.expect("完成", "（9/10）")
	p.expect("李四", "（10/10）")
	p.expect("13912345678", "确认")
	number := caseNumberPattern.FindString(p.say("确认"))
	c, err := m.DB.FindCaseByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := m.DB.ListEvidence(context.Background(), c.ID)
	if err != nil || len(ev) != photos {
		t.Fatalf("want %d photos kept from concurrent messages, got %d (%v)", photos, len(ev), err)
	}
}

// TestEndToEndRedisDown stops Redis mid-intake: the consumer is told the system
// is busy within the reply budget, and the draft is intact afterwards. On the
// in-process Redis the server itself stops; a real one is shared by other tests,
// so it is reached through a proxy that plays the crash.
func TestEndToEndRedisDown(t *testing.T) {
	var proxy *testenv.Proxy
	m := runMainWith(t, func(c *configs.Config) {
		if c.Redis.URL != "" {
			proxy, c.Redis.URL = proxyRedis(t, c.Redis.URL)
		}
	})
	down, up := func() { m.miniRedis.Close() }, func() {
		if err := m.miniRedis.Restart(); err != nil {
			t.Fatal(err)
		}
	}
	if proxy != nil {
		down, up = proxy.Down, proxy.Up
	}
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("down")}
	p.send(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: "CLICK", EventKey: dialog.MenuComplain})
	p.expect("同意", "（1/10）")
	p.expect("1", "（2/10）")

	down()
	start := time.Now()
	reply := p.say("某某商场")
	// WeChat waits 5 s; the product promises an answer within its 4.5 s ceiling.
	if took := time.Since(start); took > 4500*time.Millisecond {
		t.Fatalf("busy reply took %v", took)
	}
	if !strings.HasPrefix(reply, "系统繁忙，请稍后再试") {
		t.Fatalf("want the busy reply, got %q", reply)
	}
	up()
	p.expect("某某商场", "（3/10）") // the draft survived: still at the merchant question
}

// proxyRedis puts a fault proxy in front of the real Redis at rawURL and returns
// it with the URL that reaches Redis through it.
func proxyRedis(t *testing.T, rawURL string) (*testenv.Proxy, string) {
	t.Helper()
	testenv.RealRedisNode(t) // skips on a cluster or Sentinel, which a proxy cannot stand in for
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("%s: %v", testenv.EnvRedisURL, err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "6379")
	}
	proxy := testenv.StartProxy(t, target)
	u.Host = proxy.Addr()
	return proxy, u.String()
}

func TestHealthAndReadiness(t *testing.T) {
	m := runMain(t)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		resp, err := http.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
}
