// Package console is the staff web console of the case desk and its JSON API:
// server-rendered pages in Simplified Chinese (html/template, embedded templates
// and static files), sign-in with sessions shared through Redis, CSRF protection,
// roles, and an audit of every staff action. It reaches consumers only through the
// outbox rows the stores write; it never imports the bot or the dialog.
//
// # Where things are
//
// A file's prefix says which part of the console it belongs to, and a test file
// is named after the file whose behaviour it tests:
//
//   - console.go: Config, Server, New and the static files.
//   - page_*.go: the HTML pages, one page per file (page_case_list.go is the
//     queue, page_staff_new.go the form that adds an account); page_routes.go
//     registers every page. The typed view structs several pages share are in
//     view_*.go.
//   - api_*.go: the JSON API under /api/v1/ (docs/api.md); api_routes.go
//     registers every endpoint, api_json.go holds the response shapes.
//   - auth_*.go: who the caller is and how they prove it: sign-in and sign-out
//     (auth_routes.go registers them), identifying the caller by session cookie
//     or API token, the login form and its throttle, ending every session and
//     token of an account. The mechanisms underneath, which the merchant portal
//     needs as well — bcrypt passwords and the password and username rules,
//     session cookies and rotation over the Redis session store, CSRF tokens,
//     the throttle keys and reservations, the client address behind a proxy,
//     API token hashing, the security headers and CSP — are package
//     internal/webauth, which imports storage only. The auth_*.go files keep
//     what is the console's own: staff accounts and roles, the cookie names,
//     where sign-in leads, which pages an API token may not use, the audit.
//   - export*.go: the downloads (CSV and XLSX) of the queue, the statistics
//     and the audit log: export.go writes the formats, export_<name>.go builds
//     each download's tables and audits it, export_routes.go registers them.
//   - web_*.go: the plumbing the pages and the API share: the middleware chain
//     and the page/api wrappers (web_routes.go, web_middleware.go), rendering
//     and error pages (web_render.go), JSON writing (web_json.go), parsing and
//     cleaning input (web_input*.go), idempotency keys and the audited phone
//     search.
package console

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// Store is everything the console needs from the database; *sqlstore.DB is one.
type Store interface {
	storage.CaseStore
	storage.CaseQueueStore
	storage.ConversationStore
	storage.DeskStore
	storage.StaffStore
	storage.UnitAdminStore // the units and their changes (UnitStore included)
	storage.APITokenStore
	storage.AuditStore
	storage.BlobStore
	storage.SettingsStore
	storage.CalendarStore
	storage.ReportStore
	storage.ClockStore
	storage.ClassificationStore
	storage.TeamStore
	storage.TypicalCaseStore
	storage.UnitStore
	storage.CaseTransferStore
	storage.TeamChannelStore
	storage.MerchantStore
	storage.AgreementStore
	storage.ReferralStore
	storage.MassStore
	storage.PortalStore
	storage.PortalAccountAdmin
	storage.PrivacyStore
	storage.RightsStore
	FindNotifications(ctx context.Context, filter storage.NotificationFilter) ([]*storage.Notification, error)
	FindEvidence(ctx context.Context, id int64) (*storage.Evidence, error)
}

// Config configures the console.
type Config struct {
	Store    Store
	Blobs    storage.BlobStore // where evidence bytes are; nil means Store
	Sessions storage.SessionStore
	Throttle storage.LoginThrottle
	// PhoneSearches limits each staff member's searches by a whole phone number
	// (key "staff:<id>"); nil refuses every such search. See findCases.
	PhoneSearches storage.RateLimiter
	Logger        *slog.Logger

	OrgName    string
	CasePrefix string
	// DefaultOrg is what the settings page shows until an admin first saves the
	// organisation settings (from the config file).
	DefaultOrg OrgDefaults
	// SecureCookies marks cookies Secure; set it whenever the console is served
	// over TLS (directly or behind a proxy).
	SecureCookies bool
	// TrustedOrigins are extra origins allowed to make state-changing requests
	// (e.g. "https://desk.example.org" when a proxy rewrites Host).
	TrustedOrigins []string
	// TrustProxy takes the client address (for the login throttle and the audit
	// log) from the last entry of X-Forwarded-For, the address the proxy in front
	// saw; only set it behind one proxy that appends to that header.
	TrustProxy bool
	Now        func() time.Time
	// Calendar returns the working-day calendar the instance has loaded (a
	// storage.CalendarHolder's Calendar), for the days left on a clock; nil reads
	// it from Store when needed.
	Calendar func() *storage.Calendar
	// PortalSessions are the merchant portal's sessions (their own key
	// prefix): disabling a portal account or resetting its password ends them
	// at once. nil when the service runs no portal.
	PortalSessions storage.SessionStore
	// MaxInFlight is how many console and API requests do their work at once;
	// the others wait their turn in arrival order (web_gate.go). 0 means
	// DefaultMaxInFlight, one per core.
	MaxInFlight int
}

// OrgDefaults are the organisation details of the config file, shown on the
// settings page while none are stored.
type OrgDefaults struct {
	Name         string
	Hotline      string
	ServiceHours string
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server serves the console under /console/ and the API under /api/v1/.
type Server struct {
	cfg       Config
	auth      *webauth.Auth // passwords, sessions, CSRF, throttle, client address
	templates map[string]*template.Template
	handler   http.Handler
	reports   reportCache // the reports pages drew, for their charts
	gate      *gate       // the requests doing their work now, and the queue (web_gate.go)
}

// New parses the templates once and builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Blobs == nil {
		cfg.Blobs = cfg.Store
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Calendar == nil {
		cfg.Calendar = storeCalendar(cfg.Store, cfg.Logger)
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight()
	}
	s := &Server{cfg: cfg, auth: webauth.New(webauth.Config{
		Sessions: cfg.Sessions, Throttle: cfg.Throttle, Logger: cfg.Logger,
		SessionCookie: sessionCookie, LoginCookie: loginCookie, LoginPath: loginPath,
		SecureCookies: cfg.SecureCookies, TrustProxy: cfg.TrustProxy,
	}), gate: newGate(cfg.MaxInFlight)}
	var err error
	if s.templates, err = parseTemplates(templateFS); err != nil {
		return nil, err
	}
	s.handler, err = s.routes()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// staticFiles is the embedded static folder, served at /console/static/.
var staticFiles = func() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}()

// serveStatic serves one file of the static folder (GET
// /console/static/{file...}). A directory, the folder itself included, is a 404
// like a missing file: http.FileServer would list it, and a listing tells a
// stranger what the console is made of for no one's benefit.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	info, err := fs.Stat(staticFiles, name) // fs.Stat refuses "..", "" and other invalid names
	if name == "" || err != nil || info.IsDir() {
		s.notFound(w, r)
		return
	}
	http.ServeFileFS(w, r, staticFiles, name)
}
