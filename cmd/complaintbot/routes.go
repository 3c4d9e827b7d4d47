package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/complaintbot/complaintbot/bot"
	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/storage/redisstore"
)

// simAPIPrefix is where the simulator's WeChat API endpoints are mounted in
// zero-setup mode; the bot's API base points here instead of api.weixin.qq.com.
const simAPIPrefix = "/simwx"

// routes builds every handler of the service.
func (m *Main) routes(ctx context.Context) (http.Handler, error) {
	cfg := m.Config
	catalogue, err := dialog.NewCatalogue(dialog.Settings{
		OrgName: cfg.Org.Name, Hotline: cfg.Org.Hotline, ServiceHours: cfg.Org.ServiceHours,
		Overrides: cfg.Dialog.Messages, AcceptDays: cfg.Cases.AcceptWorkingDays,
		MediationDays: cfg.Cases.MediationWorkingDays,
	})
	if err != nil {
		return nil, fmt.Errorf("dialog messages: %w", err)
	}
	store := dialog.NewRedisStore(m.Redis, dialog.RedisStoreOptions{
		StateTTL: stateTTL(time.Duration(cfg.Dialog.DraftTTL)),
	})
	// With the script cached on the server every message costs two round trips.
	if err := store.LoadScripts(ctx); err != nil {
		return nil, err
	}
	m.Engine = &dialog.Engine{
		Store:      store,
		Cases:      m.DB,
		Catalogue:  catalogue,
		CasePrefix: cfg.Cases.Prefix,
		DraftTTL:   time.Duration(cfg.Dialog.DraftTTL),
	}
	reg := newRegistry()
	account := m.wechatAccount()
	m.webhook = bot.NewWebhook(bot.WebhookConfig{
		AppID: account.AppID, Token: account.Token, EncodingAESKey: account.EncodingAESKey,
		BusyReply: catalogue.Busy(), ReplyBudget: time.Duration(cfg.Dialog.ReplyBudget),
		Late: m.DB,
	}, bot.TrackFollows(m.Engine, m.DB, m.Logger), m.Logger, bot.NewMetrics(reg))
	m.API = m.newAPIClient()
	m.catalogue, m.registry = catalogue, reg
	m.orgSettings = m.applyOrgSettings(ctx, nil)

	cons, err := m.newConsole()
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/wechat", m.webhook)
	mux.Handle("/console/", cons)
	mux.Handle("/api/v1/", cons)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", m.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if cfg.SimulatorMode() {
		m.mountSimulator(mux, account.AppSecret)
	}
	mux.HandleFunc("GET /{$}", m.index)
	return mux, nil
}

// newConsole builds the staff console and its API; sessions and the login
// throttle live in Redis so every instance shares them.
func (m *Main) newConsole() (*console.Server, error) {
	blobs, err := m.blobStore()
	if err != nil {
		return nil, err
	}
	cfg := m.Config
	return console.New(console.Config{
		Store: m.DB, Blobs: blobs,
		Sessions: redisstore.NewSessions(m.Redis, redisstore.SessionOptions{}),
		Throttle: redisstore.NewLoginThrottle(m.Redis, redisstore.ThrottleOptions{}),
		Logger:   m.Logger, OrgName: cfg.Org.Name, CasePrefix: cfg.Cases.Prefix,
		DefaultOrg:     console.OrgDefaults{Name: cfg.Org.Name, Hotline: cfg.Org.Hotline, ServiceHours: cfg.Org.ServiceHours},
		SecureCookies:  strings.HasPrefix(cfg.HTTP.PublicURL, "https://"),
		TrustedOrigins: trustedOrigins(cfg.HTTP.PublicURL),
		TrustProxy:     cfg.HTTP.TrustProxy,
	})
}

// trustedOrigins lets a proxy that rewrites Host still pass the cross-origin
// check for the console's public address.
func trustedOrigins(publicURL string) []string {
	u, err := url.Parse(publicURL)
	if publicURL == "" || err != nil || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}

// stateTTL keeps a consumer's dialog state well past the draft's idle limit, so the
// step function can still tell them their draft expired.
func stateTTL(draftTTL time.Duration) time.Duration {
	return max(7*24*time.Hour, 2*draftTTL)
}

// mountSimulator serves the simulated WeChat API under simAPIPrefix and the /sim page
// whose messages are signed and encrypted like WeChat's and posted to our webhook.
func (m *Main) mountSimulator(mux *http.ServeMux, appSecret string) {
	m.Platform = wechatsim.NewPlatform(wechatsim.PlatformConfig{AppID: simAppID, AppSecret: appSecret})
	mux.Handle(simAPIPrefix+"/", http.StripPrefix(simAPIPrefix, m.Platform.Handler()))
	client := &wechatsim.Client{
		WebhookURL: m.localURL() + "/wechat", Token: simToken, AppID: simAppID,
		EncodingAESKey: simAESKey, Safe: true, Account: simAccount,
		HTTP: &http.Client{Timeout: 10 * time.Second}, Platform: m.Platform,
	}
	page := wechatsim.NewPage(wechatsim.PageConfig{Client: client, Platform: m.Platform, BasePath: "/sim"})
	mux.Handle("/sim", page)
	mux.Handle("/sim/", page)
}

// readyz reports whether the database and Redis answer; load balancers use it.
func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "redis": "ok"}
	status := http.StatusOK
	if err := m.DB.Ping(ctx); err != nil {
		checks["database"], status = "unavailable", http.StatusServiceUnavailable
	}
	if err := m.Redis.Ping(ctx).Err(); err != nil {
		checks["redis"], status = "unavailable", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(checks)
}

// index points a person at the right page.
func (m *Main) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "complaintbot — 消费投诉公众号服务")
	fmt.Fprintln(w, "WeChat webhook: /wechat")
	if m.Config.SimulatorMode() {
		fmt.Fprintln(w, "WeChat simulator: /sim")
	}
}
