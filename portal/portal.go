// Package portal is the settlement platform (和解平台): a web surface for the
// staff of merchants on the platform (入驻企业), separate from the staff
// console. An account belongs to one merchant and sees only the cases referred
// to that merchant on the platform; anything else reads as not found.
//
// Accounts come from one-time invitations a supervisor makes in the console.
// Authentication is the console's (package internal/webauth: bcrypt, sessions
// in Redis under the portal's own key prefix, CSRF, throttling, security
// headers). The package imports storage and internal/webauth only.
package portal

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// Paths of the portal.
const (
	Prefix       = "/portal/"
	loginPath    = "/portal/login"
	casesPath    = "/portal/cases"
	apiCasesPath = "/portal/api/v1/cases"
	invitePath   = "/portal/invite/"
	maxFormBody  = 8 << 10
)

// Store is what the portal needs from the database; *sqlstore.DB is one.
type Store interface {
	storage.PortalStore
	storage.MerchantTokenStore
	storage.BlobStore
	ListEvidence(ctx context.Context, caseID int64) ([]*storage.Evidence, error)
	FindEvidence(ctx context.Context, id int64) (*storage.Evidence, error)
	ProposeSettlement(ctx context.Context, in storage.ProposalInput) (*storage.Proposal, error)
	CaseProposals(ctx context.Context, caseID int64) ([]*storage.Proposal, error)
	AddAudit(ctx context.Context, e storage.AuditEntry) error
	FindMerchant(ctx context.Context, id int64) (*storage.Merchant, error)
}

// Config configures the portal.
type Config struct {
	Store Store
	// Blobs is where evidence bytes are (the database's blobs table or a
	// directory, as for the console); nil means Store.
	Blobs storage.BlobStore
	// Sessions and Throttle must be the portal's own (a key prefix of their
	// own), so that a portal session id is never a console session.
	Sessions       storage.SessionStore
	Throttle       storage.LoginThrottle
	Logger         *slog.Logger
	OrgName        string
	SecureCookies  bool
	TrustProxy     bool
	TrustedOrigins []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is the portal's HTTP handler, built by New.
type Server struct {
	cfg     Config
	auth    *webauth.Auth
	tmpl    *template.Template
	handler http.Handler
}

//go:embed templates/*.html
var templateFS embed.FS

// New builds the portal.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Blobs == nil {
		cfg.Blobs = cfg.Store
	}
	tmpl, err := template.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, tmpl: tmpl, auth: webauth.New(webauth.Config{
		Sessions: cfg.Sessions, Throttle: cfg.Throttle, Logger: cfg.Logger,
		SessionCookie: "cb_portal_session", LoginCookie: "cb_portal_login", LoginPath: Prefix,
		SecureCookies: cfg.SecureCookies, TrustProxy: cfg.TrustProxy,
	})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /portal/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, casesPath, http.StatusSeeOther)
	})
	mux.HandleFunc("GET "+loginPath, s.showLogin)
	mux.HandleFunc("POST "+loginPath, s.login)
	mux.HandleFunc("GET "+invitePath+"{token}", s.showInvite)
	mux.HandleFunc("POST "+invitePath+"{token}", s.acceptInvite)
	mux.Handle("POST /portal/logout", s.signedIn(s.logout))
	mux.Handle("GET "+casesPath, s.signedIn(s.showCases))
	mux.Handle("GET "+casesPath+"/{number}", s.signedIn(s.showCase))
	mux.Handle("POST "+casesPath+"/{number}/proposal", s.signedIn(s.propose))
	mux.Handle("GET "+casesPath+"/{number}/evidence/{id}", s.signedIn(s.showEvidence))
	mux.Handle("GET "+passwordPath, s.signedIn(s.showPassword))
	mux.Handle("POST "+passwordPath, s.signedIn(s.changePassword))
	mux.Handle("GET "+tokensPath, s.signedIn(s.showTokens))
	mux.Handle("POST "+tokensPath, s.signedIn(s.createToken))
	mux.Handle("POST "+tokensPath+"/{id}/revoke", s.signedIn(s.revokeToken))
	mux.Handle("GET "+apiCasesPath, s.apiAuth(s.apiCases))
	mux.Handle("GET "+apiCasesPath+"/{number}", s.apiAuth(s.apiCase))
	mux.Handle("GET "+apiCasesPath+"/{number}/evidence", s.apiAuth(s.apiEvidence))
	mux.Handle("GET "+apiCasesPath+"/{number}/evidence/{id}", s.apiAuth(s.apiEvidenceFile))
	mux.Handle("POST "+apiCasesPath+"/{number}/proposal", s.apiAuth(s.apiPropose))
	mux.HandleFunc(Prefix, s.notFound)

	cop := http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	s.handler = webauth.SecurityHeaders(cop.Handler(mux))
	return s, nil
}

// ServeHTTP serves the portal's paths.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// accountKey carries the signed-in account in a request's context.
type accountKey struct{}

// signedInUser is the signed-in account and its session.
type signedInUser struct {
	Account *storage.MerchantAccount
	Session *storage.Session
}

// userFrom returns the signed-in account of a request that went through signedIn.
func userFrom(ctx context.Context) *signedInUser {
	u, _ := ctx.Value(accountKey{}).(*signedInUser)
	return u
}

// signedIn lets the handler run only for a live session of an enabled account,
// with the session's CSRF token on state-changing requests; anyone else goes
// to the sign-in form.
func (s *Server) signedIn(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		se, err := s.auth.Session(r)
		if storage.ErrorCode(err) == storage.ENOTFOUND {
			s.signInFirst(w, r)
			return
		} else if err != nil {
			s.pageError(w, r, err)
			return
		}
		acc, err := s.cfg.Store.FindMerchantAccount(r.Context(), se.StaffID)
		if err != nil || acc.Disabled {
			s.auth.ClearSessionCookie(w)
			s.signInFirst(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		if !webauth.CheckCSRF(r, se) {
			s.renderError(w, r, http.StatusForbidden, "页面已过期，请刷新后重试。")
			return
		}
		if acc.MustChange && !passwordGateOpen(r) {
			s.changePasswordFirst(w, r)
			return
		}
		ctx := context.WithValue(r.Context(), accountKey{}, &signedInUser{Account: acc, Session: se})
		next(w, r.WithContext(ctx))
	})
}

// changePasswordFirst sends an account whose password a supervisor reset to
// the password form (an API request is refused 403): nothing else is theirs
// until the password is their own.
func (s *Server) changePasswordFirst(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/portal/api/") {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "password_change_required",
			"message": "请先在和解平台修改密码"})
		return
	}
	http.Redirect(w, r, passwordPath, http.StatusSeeOther)
}

// signInFirst sends a page request to the sign-in form and answers an API
// request 401.
func (s *Server) signInFirst(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/portal/api/") {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized", "message": "请先登录"})
		return
	}
	http.Redirect(w, r, loginPath, http.StatusSeeOther)
}

// audit records a portal action; the actor is written into the detail
// ("merchant:<account id> …"), since the audit log's actor column is staff.
// A failure is logged, not shown: the action is done.
func (s *Server) audit(r *http.Request, action string, caseID int64, detail string) {
	if err := s.recordAudit(r, action, caseID, detail); err != nil {
		s.cfg.Logger.Error("portal audit entry not written", "action", action, "err", err)
	}
}

// recordAudit writes a portal audit entry, as audit does, and returns its
// failure, for an action that must not happen unrecorded.
func (s *Server) recordAudit(r *http.Request, action string, caseID int64, detail string) error {
	e := storage.AuditEntry{Action: action, CaseID: caseID, Detail: detail, IP: s.auth.ClientIP(r)}
	return s.cfg.Store.AddAudit(r.Context(), e)
}
