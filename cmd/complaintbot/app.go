package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/bot"
	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/redisbase"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// Credentials of the built-in simulator's account. They are not secrets: they only
// ever sign traffic between the simulator and the webhook of the same process.
const (
	simAppID     = "wx0000000000000000"
	simAppSecret = "simulator-secret"
	simToken     = "simulatortoken"
	simAESKey    = "c2ltdWxhdG9yLWtleS1mb3ItY29tcGxhaW50Ym90MDA"
	simAccount   = "gh_simulator"
)

// chinaTime is UTC+8 without tzdata, so the binary needs no zoneinfo on the host.
var chinaTime = time.FixedZone("CST", 8*60*60)

// Main is the running program: the wiring of every part, done by hand. Run builds
// and starts it, Close stops it in order: HTTP, workers, Redis, database. A DB set
// before Run is used (and migrated) instead of opening Config.Database.URL; tests
// use that.
type Main struct {
	Config configs.Config
	Logger *slog.Logger
	// Now is the service's clock for everything it stores and every due day it
	// judges; nil is the wall clock. The end-to-end tests set a fake one to let a
	// month of casework pass.
	Now func() time.Time

	DB        *sqlstore.DB
	Redis     redis.UniversalClient
	miniRedis *miniredis.Miniredis // the zero-setup run's in-process Redis, else nil
	Platform  *wechatsim.Platform  // nil unless in simulator mode
	webhook   *bot.Webhook

	catalogue   *dialog.Catalogue
	orgSettings *storage.OrgSettings    // last applied from the console, nil if none
	Calendar    *storage.CalendarHolder // the working-day calendar, reloaded when it changes

	stopWorkers context.CancelFunc
	workers     sync.WaitGroup
	closeBlobs  func() error // the evidence directory, when configured

	// Out receives what a person must read once (the first admin's password);
	// nil discards it.
	Out io.Writer

	listener net.Listener
	server   *http.Server
	served   chan error
	metrics  *metricsServer // nil unless http.metrics_addr is set

	blobs evidenceBlobs // where evidence bytes are: the retention job removes them

	// dialogStore is the chat's Redis store: the forget worker deletes erased
	// consumers' state there when the chat could not.
	dialogStore *dialog.RedisStore
}

// NewMain returns a Main for cfg; nothing is opened until Run.
func NewMain(cfg configs.Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger}
}

// Run assembles the service, one part after another, each from the parts before
// it, and starts it. It returns once the listener is bound, so URL is valid
// afterwards. On error the caller still calls Close, which closes what was opened.
func (m *Main) Run(ctx context.Context) (err error) {
	cfg := m.Config

	// Database: open and migrate it, or migrate the one a test set. Its clock is
	// China's, not UTC, for the year in case numbers: else cases filed before
	// 08:00 on 1 January would carry the previous year. The material wait is
	// set here, not in openDatabase, so a database a test set gets it too.
	if m.DB == nil {
		m.DB, err = openDatabase(ctx, cfg)
	} else {
		err = migrateDatabase(ctx, m.DB)
	}
	if err != nil {
		return err
	}
	m.DB.Now = m.now
	m.DB.MaterialWait = time.Duration(cfg.Casework.MaterialWait)
	m.DB.MassRule = storage.MassRule{
		Threshold: cfg.Casework.MassThreshold, Window: time.Duration(cfg.Casework.MassWindow)}
	m.DB.Retention = retentionPolicy(cfg)
	m.DB.DeletionDueDays = cfg.Privacy.DeletionDueWorkingDays
	m.Calendar = m.loadCalendar(ctx)
	m.recomputeDueDates(ctx) // the limits may have changed since the last start

	// Redis: the configured server, or an in-process one for the zero-setup run.
	if m.Redis, m.miniRedis, err = openRedis(ctx, cfg.Redis.URL); err != nil {
		return err
	}

	// The main listener, bound before the parts that need its address: in
	// simulator mode the API client and /sim reach this same process through it.
	if m.listener, err = net.Listen("tcp", cfg.HTTP.Addr); err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTP.Addr, err)
	}

	// Metrics: one registry the webhook and the pusher count into.
	reg := newRegistry()

	// Catalogue: everything the bot says, quoting the organisation details an
	// admin saved in the console, if any.
	if m.catalogue, err = newCatalogue(cfg, m.Logger); err != nil {
		return err
	}
	m.orgSettings = m.applyOrgSettings(ctx, nil)
	m.applyUnits(ctx)

	// Dialog: each consumer's state in Redis, cases in the database.
	engine, err := newEngine(ctx, cfg, m.Redis, m.DB, m.catalogue)
	if err != nil {
		return err
	}
	engine.Now = m.now // the rating window counts from stored closings
	m.dialogStore, _ = engine.Store.(*dialog.RedisStore)
	engine.Payments = m.DB

	// WeChat: in simulator mode a simulated platform stands in for WeChat's
	// servers; the API client calls it (or WeChat) and the webhook answers it.
	var sim *simulator
	if cfg.SimulatorMode() {
		m.Platform = wechatsim.NewPlatform(wechatsim.PlatformConfig{AppID: simAppID, AppSecret: simAppSecret})
		sim = newSimulator(m.Platform, m.localURL())
	}
	api := newAPIClient(apiConfig(cfg, m.localURL()), m.Redis, m.Logger)
	m.webhook = newWebhook(cfg, m.catalogue, engine, m.DB, m.Redis, m.Logger, reg)

	// Evidence: a directory when configured, else the database; the console
	// serves it and the fetcher fills it.
	blobs, closeBlobs, err := openBlobStore(cfg.Evidence.Dir, m.DB)
	if err != nil {
		return err
	}
	m.closeBlobs = closeBlobs
	m.blobs = blobs
	engine.Blobs = blobs // a consumer's erasure removes their evidence bytes too

	// Console: the staff pages and the JSON API.
	cons, err := newConsole(cfg, m.DB, blobs, m.Redis, m.Logger, m.Calendar, m.now)
	if err != nil {
		return err
	}

	// Portal: the merchants' settlement platform.
	port, err := newPortal(cfg, m.DB, blobs, m.Redis, m.Logger, m.now)
	if err != nil {
		return err
	}

	// HTTP: mount the handlers and serve on the main listener, then /metrics on
	// its own listener when one is configured.
	m.server = newHTTPServer(m.routes(handlers{webhook: m.webhook, console: cons, portal: port, metrics: reg, sim: sim}))
	m.served = serveInBackground(m.server, m.listener)
	if m.metrics, err = startMetrics(cfg.HTTP.MetricsAddr, reg); err != nil {
		return err
	}

	// Workers start once the server serves: in simulator mode they call it.
	pusher := newPusher(cfg, m.DB, api, m.catalogue, m.Logger, reg, m.now)
	fetcher := bot.NewEvidenceFetcher(bot.EvidenceConfig{MaxBytes: cfg.Evidence.MaxBytes, Now: m.now}, m.DB, blobs, api, m.Logger)
	m.startWorkers(pusher, fetcher)

	// The zero-setup run gets a first admin and, as `complaintbot wechat menu`
	// would install it, the menu /sim shows.
	if cfg.SimulatorMode() {
		if err := m.ensureAdmin(ctx); err != nil {
			return err
		}
		if err := api.CreateMenu(ctx, bot.DefaultMenu()); err != nil {
			m.Logger.Warn("simulator menu not installed", "err", err)
		}
	}
	m.Logger.Info("serving", "addr", m.listener.Addr().String(), "database", m.DB.Dialect(),
		"redis", m.redisKind(cfg.Redis.URL), "simulator", cfg.SimulatorMode(), "metrics", m.metricsNote())
	return nil
}

// now is the time in China by the service's clock.
func (m *Main) now() time.Time {
	if m.Now != nil {
		return m.Now().In(chinaTime)
	}
	return time.Now().In(chinaTime)
}

// ensureAdmin creates the first admin of a zero-setup run and prints its
// one-time password.
func (m *Main) ensureAdmin(ctx context.Context) error {
	out := m.Out
	if out == nil {
		out = io.Discard
	}
	return ensureFirstAdmin(ctx, m.DB, out)
}

// openDatabase opens the configured database and applies its migrations.
func openDatabase(ctx context.Context, cfg configs.Config) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, cfg.Database.URL)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := migrateDatabase(ctx, db); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// migrateDatabase applies the migrations db lacks, then seeds the official
// working-day calendar into the years db never held.
func migrateDatabase(ctx context.Context, db *sqlstore.DB) error {
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return seedCalendar(ctx, db)
}

// openRedis connects to the Redis at url (one server, a Redis Cluster or a master
// behind Sentinel: redisbase.ParseURL), or with no url starts an in-process one
// for the zero-setup run and returns it too. Short timeouts let the webhook answer
// "busy" in time when Redis is down instead of hanging past WeChat's 5 seconds.
func openRedis(ctx context.Context, url string) (redis.UniversalClient, *miniredis.Miniredis, error) {
	var mr *miniredis.Miniredis
	if url == "" {
		var err error
		if mr, err = miniredis.Run(); err != nil {
			return nil, nil, fmt.Errorf("start in-process redis: %w", err)
		}
		url = "redis://" + mr.Addr()
	}
	client, _, err := redisbase.NewClient(url, redisbase.ClientSettings{
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		PoolTimeout: time.Second, MaxRetries: 1,
		ContextTimeoutEnabled: true, // honour the reply budget on socket reads too
	})
	if err != nil {
		_ = closeRedis(nil, mr)
		return nil, nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		_ = closeRedis(client, mr)
		return nil, nil, fmt.Errorf("redis ping: %w", err)
	}
	return client, mr, nil
}

// closeRedis closes the client, then the in-process server if there is one;
// either may be nil.
func closeRedis(client redis.UniversalClient, mr *miniredis.Miniredis) error {
	var err error
	if client != nil {
		if err = client.Close(); err != nil {
			err = fmt.Errorf("redis close: %w", err)
		}
	}
	if mr != nil {
		mr.Close()
	}
	return err
}

// redisKind names the Redis in the start-up log: "in-process", or the topology
// url names ("single", "cluster", "sentinel"), which openRedis has parsed already.
func (m *Main) redisKind(url string) string {
	if m.miniRedis != nil {
		return "in-process"
	}
	e, err := redisbase.ParseURL(url)
	if err != nil {
		return "external"
	}
	return string(e.Topology)
}

// wechatAccount returns the account the webhook verifies callbacks for: the real one,
// or the simulator's.
func wechatAccount(cfg configs.Config) configs.WeChatConfig {
	if cfg.SimulatorMode() {
		return configs.WeChatConfig{AppID: simAppID, AppSecret: simAppSecret, Token: simToken, EncodingAESKey: simAESKey}
	}
	return cfg.WeChat
}

// URL is the base URL the service is reachable at from this machine.
func (m *Main) URL() string {
	if m.Config.HTTP.PublicURL != "" {
		return m.Config.HTTP.PublicURL
	}
	port := m.listener.Addr().(*net.TCPAddr).Port
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// localURL is how this process reaches itself (the simulator posts to the webhook).
func (m *Main) localURL() string {
	port := m.listener.Addr().(*net.TCPAddr).Port
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// PrintURLs tells a person where to go.
func (m *Main) PrintURLs(w io.Writer) {
	fmt.Fprintf(w, "complaintbot is running at %s\n", m.URL())
	fmt.Fprintf(w, "  WeChat webhook:   %s/wechat\n", m.URL())
	fmt.Fprintf(w, "  Staff console:    %s/console/  (JSON API under %s/api/v1/)\n", m.URL(), m.URL())
	if m.Config.SimulatorMode() {
		fmt.Fprintf(w, "  WeChat simulator: %s/sim  (open it in a browser and play the consumer)\n", m.URL())
	}
	fmt.Fprintf(w, "  health: %s/healthz  readiness: %s/readyz\n", m.URL(), m.URL())
	fmt.Fprintf(w, "  metrics: %s\n", m.metricsNote())
}

// Close shuts down in order: HTTP (letting in-flight replies finish), turns that
// outlived their reply, the workers (letting sends in flight be recorded), Redis,
// database.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(m.Config.HTTP.ShutdownTimeout))
		defer cancel()
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("http serve: %w", err))
		}
		if err := m.closeMetrics(ctx); err != nil { // part of HTTP: same deadline
			errs = append(errs, err)
		}
	} else if m.listener != nil {
		_ = m.listener.Close()
	}
	if m.webhook != nil {
		// Late turns still write to Redis and the outbox; let them finish first.
		ctx, cancel := context.WithTimeout(context.Background(), bot.DefaultTurnTimeout+5*time.Second)
		if err := m.webhook.WaitLate(ctx); err != nil {
			errs = append(errs, err)
		}
		cancel()
	}
	if m.stopWorkers != nil {
		m.stopWorkers()
		m.workers.Wait()
	}
	if m.closeBlobs != nil {
		if err := m.closeBlobs(); err != nil {
			errs = append(errs, fmt.Errorf("evidence directory close: %w", err))
		}
	}
	if err := closeRedis(m.Redis, m.miniRedis); err != nil {
		errs = append(errs, err)
	}
	if m.DB != nil {
		if err := m.DB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("database close: %w", err))
		}
	}
	return errors.Join(errs...)
}

// newRegistry is the service's metrics registry, with the Go runtime's and the
// process's collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// redisLogger sends go-redis's internal messages (pool dial failures and the like,
// which carry addresses but no personal data) to slog at debug level; the failures
// that matter reach the log through the errors the callers see.
// It is set once per process, by setLibraryLogs.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
