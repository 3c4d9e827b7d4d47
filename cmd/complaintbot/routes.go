package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

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
		MediationDays: cfg.Cases.MediationWorkingDays, Logger: m.Logger,
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
		// The chat asks for a closed case's rating within this window.
		RatingWindow: time.Duration(cfg.Dialog.RatingWindow),
	}
	reg := newRegistry()
	account := m.wechatAccount()
	m.webhook = bot.NewWebhook(bot.WebhookConfig{
		AppID: account.AppID, Token: account.Token, EncodingAESKey: account.EncodingAESKey,
		BusyReply: catalogue.Busy(), ReplyBudget: time.Duration(cfg.Dialog.ReplyBudget),
		Late: m.DB, MaxTurns: cfg.Dialog.MaxTurns, TurnWait: time.Duration(cfg.Dialog.TurnWait),
		Replay: bot.NewRedisReplayGuard(m.Redis, ""), // same prefix as the dialog store's
	}, m.Engine, m.Logger, bot.NewMetrics(reg))
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
	if m.metricsOnMain() {
		mux.Handle("GET /metrics", m.metricsHandler())
	}
	if cfg.SimulatorMode() {
		m.mountSimulator(mux, account.AppSecret)
	}
	mux.HandleFunc("GET /{$}", m.index)
	return strictTransport(mux, cfg.HTTP.PublicURL), nil
}

// hstsValue keeps browsers on HTTPS for a year (at least 180 days is what
// scanners ask for). It leaves subdomains alone: the association's other hosts
// are not ours to commit to HTTPS.
const hstsValue = "max-age=31536000"

// strictTransport sends Strict-Transport-Security on every response of the
// service (webhook, console, API, health and the rest) when it is published over
// HTTPS, so a browser that once reached the console never again sends a session
// cookie over plain HTTP. Over plain HTTP the header would be ignored by browsers
// and would wrongly promise HTTPS, so it is not sent.
func strictTransport(next http.Handler, publicURL string) http.Handler {
	if !servesHTTPS(publicURL) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", hstsValue)
		next.ServeHTTP(w, r)
	})
}

// servesHTTPS reports whether the public URL is an https one (TLS on the
// service itself or on the proxy in front of it).
func servesHTTPS(publicURL string) bool {
	return strings.HasPrefix(strings.ToLower(publicURL), "https://")
}

// newConsole builds the staff console and its API; sessions, the login throttle
// and the whole-phone search limit live in Redis so every instance shares them.
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
		PhoneSearches: redisstore.NewRateLimit(m.Redis, redisstore.RateLimitOptions{
			Name: "phone_search", Limit: cfg.Console.PhoneSearchesPerHour, Window: time.Hour}),
		Logger: m.Logger, OrgName: cfg.Org.Name, CasePrefix: cfg.Cases.Prefix,
		DefaultOrg:     console.OrgDefaults{Name: cfg.Org.Name, Hotline: cfg.Org.Hotline, ServiceHours: cfg.Org.ServiceHours},
		SecureCookies:  servesHTTPS(cfg.HTTP.PublicURL),
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
