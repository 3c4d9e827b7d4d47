package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/bot"
	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/redisbase"
	"github.com/complaintbot/complaintbot/portal"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/blobdir"
	"github.com/complaintbot/complaintbot/storage/redisstore"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// This file holds the constructors of the parts Main.Run assembles. Each builds
// one part from the configuration and the parts it needs, and returns it.

// newCatalogue builds what the bot says, from the organisation's details and
// the configured overrides.
func newCatalogue(cfg configs.Config, logger *slog.Logger) (*dialog.Catalogue, error) {
	catalogue, err := dialog.NewCatalogue(dialog.Settings{
		OrgName: cfg.Org.Name, Hotline: cfg.Org.Hotline, ServiceHours: cfg.Org.ServiceHours,
		Overrides: cfg.Dialog.Messages, AcceptDays: cfg.Cases.AcceptWorkingDays,
		MediationDays: cfg.Cases.MediationWorkingDays, Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("dialog messages: %w", err)
	}
	return catalogue, nil
}

// newEngine builds the intake dialog: each consumer's state in Redis, cases in
// the database. It loads the store's script, so every message costs two round
// trips with the script cached on the server.
func newEngine(ctx context.Context, cfg configs.Config, rdb redis.UniversalClient, db *sqlstore.DB, catalogue *dialog.Catalogue) (*dialog.Engine, error) {
	store := dialog.NewRedisStore(rdb, dialog.RedisStoreOptions{
		StateTTL: stateTTL(time.Duration(cfg.Dialog.DraftTTL)),
	})
	if err := store.LoadScripts(ctx); err != nil {
		return nil, err
	}
	return &dialog.Engine{
		Store:      store,
		Cases:      db,
		Catalogue:  catalogue,
		CasePrefix: cfg.Cases.Prefix,
		DraftTTL:   time.Duration(cfg.Dialog.DraftTTL),
		// The chat asks for a closed case's rating within this window.
		RatingWindow: time.Duration(cfg.Dialog.RatingWindow),
		// The chat records the answer to the arbitration question.
		Referrals: db,
		Proposals: db,
		// 我的信息, 更正 and 删除我的信息.
		Rights:    db,
		Retention: retentionPolicy(cfg),
	}, nil
}

// stateTTL keeps a consumer's dialog state well past the draft's idle limit, so the
// step function can still tell them their draft expired.
func stateTTL(draftTTL time.Duration) time.Duration {
	return max(7*24*time.Hour, 2*draftTTL)
}

// apiConfig is how this instance reaches the WeChat API: the real one, or in
// simulator mode the simulator's endpoints in this same process, at selfURL.
func apiConfig(cfg configs.Config, selfURL string) bot.APIConfig {
	account := wechatAccount(cfg)
	base := cfg.WeChat.APIBase
	if cfg.SimulatorMode() {
		base = selfURL + simAPIPrefix
	}
	return bot.APIConfig{
		AppID: account.AppID, AppSecret: account.AppSecret, APIBase: base,
		UseStableToken: cfg.WeChat.UseStableToken,
		HTTP:           &http.Client{Timeout: 10 * time.Second},
	}
}

// newAPIClient builds the outbound WeChat client; its access token lives in Redis
// so every instance shares one.
func newAPIClient(cfg bot.APIConfig, rdb redis.UniversalClient, logger *slog.Logger) *bot.APIClient {
	tokens := bot.NewRedisTokenSource(rdb, cfg, bot.RedisTokenOptions{})
	return bot.NewAPIClient(cfg, tokens, logger)
}

// newWebhook builds the handler WeChat posts consumers' messages to. It verifies
// them for the configured account (or the simulator's), turns them through the
// engine and keeps replay protection in Redis under the dialog store's prefix.
func newWebhook(cfg configs.Config, catalogue *dialog.Catalogue, engine *dialog.Engine, db *sqlstore.DB,
	rdb redis.UniversalClient, logger *slog.Logger, reg prometheus.Registerer) *bot.Webhook {
	account := wechatAccount(cfg)
	return bot.NewWebhook(bot.WebhookConfig{
		AppID: account.AppID, Token: account.Token, EncodingAESKey: account.EncodingAESKey,
		BusyReply: catalogue.Busy(), ResendReply: catalogue.BusyResend(), ReplyBudget: time.Duration(cfg.Dialog.ReplyBudget),
		Late: db, MaxTurns: cfg.Dialog.MaxTurns, TurnWait: time.Duration(cfg.Dialog.TurnWait),
		Replay: bot.NewRedisReplayGuard(rdb, ""), // same prefix as the dialog store's
	}, bot.TrackFollows(engine, db, logger), logger, bot.NewMetrics(reg))
}

// simulator is the zero-setup run's stand-in for WeChat: its API endpoints and
// the /sim page, whose messages are signed and encrypted like WeChat's and posted
// to our webhook.
type simulator struct {
	api  http.Handler // WeChat's API, served under simAPIPrefix
	page http.Handler // the /sim page a person plays the consumer on
}

// newSimulator builds the simulator around platform; the page posts to the
// webhook of this process at selfURL.
func newSimulator(platform *wechatsim.Platform, selfURL string) *simulator {
	client := &wechatsim.Client{
		WebhookURL: selfURL + "/wechat", Token: simToken, AppID: simAppID,
		EncodingAESKey: simAESKey, Safe: true, Account: simAccount,
		HTTP: &http.Client{Timeout: 10 * time.Second}, Platform: platform,
	}
	return &simulator{
		api:  platform.Handler(),
		page: wechatsim.NewPage(wechatsim.PageConfig{Client: client, Platform: platform, BasePath: "/sim"}),
	}
}

// evidenceBlobs is where evidence bytes are kept: read and written by the
// console and the fetcher, removed by the privacy work.
type evidenceBlobs interface {
	storage.BlobStore
	storage.BlobRemover
}

// openBlobStore opens where evidence bytes go: the directory dir when set, else
// the database. The function it returns closes the directory; it is nil for the
// database, which closes with the rest.
func openBlobStore(dir string, db *sqlstore.DB) (evidenceBlobs, func() error, error) {
	if dir == "" {
		return db, nil, nil
	}
	store, err := blobdir.New(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("evidence directory: %w", err)
	}
	return store, store.Close, nil
}

// newConsole builds the staff console and its API; sessions, the login throttle
// and the whole-phone search limit live in Redis so every instance shares them.
func newConsole(
	cfg configs.Config, db *sqlstore.DB, blobs storage.BlobStore, rdb redis.UniversalClient, logger *slog.Logger,
	cal *storage.CalendarHolder, now func() time.Time,
) (*console.Server, error) {
	return console.New(console.Config{
		Store: db, Blobs: blobs,
		Sessions:       redisstore.NewSessions(rdb, redisstore.SessionOptions{}),
		Throttle:       redisstore.NewLoginThrottle(rdb, redisstore.ThrottleOptions{}),
		PortalSessions: redisstore.NewSessions(rdb, redisstore.SessionOptions{Prefix: redisbase.PortalPrefix}),
		PhoneSearches: redisstore.NewRateLimit(rdb, redisstore.RateLimitOptions{
			Name: "phone_search", Limit: cfg.Console.PhoneSearchesPerHour, Window: time.Hour}),
		Logger: logger, OrgName: cfg.Org.Name, CasePrefix: cfg.Cases.Prefix,
		DefaultOrg:     console.OrgDefaults{Name: cfg.Org.Name, Hotline: cfg.Org.Hotline, ServiceHours: cfg.Org.ServiceHours},
		SecureCookies:  servesHTTPS(cfg.HTTP.PublicURL),
		TrustedOrigins: trustedOrigins(cfg.HTTP.PublicURL),
		TrustProxy:     cfg.HTTP.TrustProxy,
		Calendar:       cal.Calendar,
		Now:            now,
		MaxInFlight:    cfg.Console.MaxInFlight,
	})
}

// newPortal builds the merchants' settlement platform. Its sessions and
// throttles live under their own key prefix (PortalRedisPrefix), so a portal
// session id is never a console session and a merchant's username never shares
// a throttle counter with a staff member's. It serves the evidence of a
// merchant's cases from blobs, where the console reads it.
func newPortal(
	cfg configs.Config, db *sqlstore.DB, blobs storage.BlobStore, rdb redis.UniversalClient, logger *slog.Logger,
	now func() time.Time,
) (*portal.Server, error) {
	return portal.New(portal.Config{
		Store:          db,
		Blobs:          blobs,
		Sessions:       redisstore.NewSessions(rdb, redisstore.SessionOptions{Prefix: redisbase.PortalPrefix}),
		Throttle:       redisstore.NewLoginThrottle(rdb, redisstore.ThrottleOptions{Prefix: redisbase.PortalPrefix}),
		Logger:         logger,
		OrgName:        cfg.Org.Name,
		SecureCookies:  servesHTTPS(cfg.HTTP.PublicURL),
		TrustedOrigins: trustedOrigins(cfg.HTTP.PublicURL),
		TrustProxy:     cfg.HTTP.TrustProxy,
		Now:            now,
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

// newHTTPServer serves handler on the main listener, with timeouts that keep a
// slow client from holding a connection for ever.
func newHTTPServer(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       90 * time.Second,
	}
}

// serveInBackground runs s on ln; the channel receives what Serve returns.
func serveInBackground(s *http.Server, ln net.Listener) chan error {
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	return served
}
