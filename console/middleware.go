package console

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// Cookie and header names.
const (
	sessionCookie = "cb_session"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
	// backgroundHeader ("X-Background: 1") marks a request the page makes on its
	// own, such as the case page's polling: it must not count as use of the
	// session, or an unattended desk with a case open would never idle out.
	backgroundHeader = "X-Background"
)

// isBackground reports whether r is a background request (see backgroundHeader).
func isBackground(r *http.Request) bool {
	return r.Header.Get(backgroundHeader) == "1"
}

// contentSecurityPolicy forbids inline script and style and any foreign origin:
// with it, even a complaint text that slipped past escaping could not run.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

type ctxKey int

const (
	staffKey ctxKey = iota + 1
	sessionKey
)

// staffFrom returns the signed-in staff member, or nil.
func staffFrom(ctx context.Context) *storage.Staff {
	st, _ := ctx.Value(staffKey).(*storage.Staff)
	return st
}

// sessionFrom returns the cookie session, or nil (no session, or an API token).
func sessionFrom(ctx context.Context) *storage.Session {
	se, _ := ctx.Value(sessionKey).(*storage.Session)
	return se
}

// securityHeaders sets the headers every console and API response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// authenticate finds who is calling: a session cookie, or a personal API token in
// "Authorization: Bearer …". A disabled account is nobody.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if st, se := s.identify(r); st != nil && !st.Disabled {
			ctx = context.WithValue(ctx, staffKey, st)
			if se != nil {
				ctx = context.WithValue(ctx, sessionKey, se)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) identify(r *http.Request) (*storage.Staff, *storage.Session) {
	if token, ok := bearerToken(r); ok {
		t, err := s.cfg.Store.FindAPITokenByHash(r.Context(), HashToken(token))
		if err != nil {
			return nil, nil
		}
		st, _ := s.cfg.Store.FindStaffByID(r.Context(), t.StaffID)
		return st, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	find := s.cfg.Sessions.FindSession
	if isBackground(r) {
		find = s.cfg.Sessions.PeekSession // checked, expiry and all, but not extended
	}
	se, err := find(r.Context(), c.Value)
	if err != nil {
		return nil, nil
	}
	st, err := s.cfg.Store.FindStaffByID(r.Context(), se.StaffID)
	if err != nil {
		return nil, nil
	}
	return st, se
}

func bearerToken(r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return strings.TrimSpace(token), ok && strings.TrimSpace(token) != ""
}

// HashToken is how API tokens are stored: hex SHA-256. Tokens are 256 random bits,
// so a fast hash is enough (no password-style stretching needed).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// checkCSRF refuses a state-changing request made with a session cookie unless it
// carries the session's CSRF token (form field or header). Requests with an API
// token carry no ambient credential, so they need none. Cross-origin requests were
// already refused by http.CrossOriginProtection.
func checkCSRF(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	se := sessionFrom(r.Context())
	if se == nil {
		return true // API token, or nobody (then the role check refuses)
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(se.CSRFToken)) == 1
}

// maxFormBody bounds a console form post. The longest form, a note of 5,000
// Chinese characters, is about 45 KiB once URL-encoded.
const maxFormBody = 64 << 10

// page wraps an HTML handler: sign-in required (else a redirect to the login
// page), the role required (else 403), a form post within maxFormBody (else 413),
// and the CSRF token on state changes.
func (s *Server) page(min storage.Role, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := staffFrom(r.Context())
		switch {
		case st == nil && isBackground(r):
			// A poll has no use for the login page; the page's next real request
			// goes there.
			writeJSONError(w, http.StatusUnauthorized, "unauthorized", "登录已过期，请重新登录")
		case st == nil:
			http.Redirect(w, r, "/console/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case !st.Role.AtLeast(min):
			s.renderError(w, r, http.StatusForbidden, "您没有权限进行此操作。")
		case !s.readForm(w, r):
			// answered: too large or unreadable
		case !checkCSRF(r):
			s.renderError(w, r, http.StatusForbidden, "页面已过期或请求来源不可信，请刷新页面后重试。")
		default:
			h(w, r)
		}
	})
}

// readForm bounds the body of a state-changing request to maxFormBody and parses
// its form before anything else reads it; GET and HEAD are left alone. On failure
// it answers 413 (too large) or 400 (unreadable, or text with a NUL or invalid
// UTF-8) and returns false.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	err := r.ParseForm()
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "提交的内容过长，请删减后重试。")
		return false
	case err != nil:
		s.renderError(w, r, http.StatusBadRequest, "无法读取提交的表单，请刷新页面后重试。")
		return false
	}
	return s.cleanForm(w, r)
}

// api wraps a JSON handler the same way, answering with JSON errors.
func (s *Server) api(min storage.Role, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := staffFrom(r.Context())
		switch {
		case st == nil:
			writeJSONError(w, http.StatusUnauthorized, "unauthorized", "请先登录或提供有效的 API 令牌")
		case !st.Role.AtLeast(min):
			writeJSONError(w, http.StatusForbidden, "forbidden", "没有权限进行此操作")
		case !checkCSRF(r):
			writeJSONError(w, http.StatusForbidden, "csrf", "缺少或错误的 CSRF 令牌")
		default:
			h(w, r)
		}
	})
}

// clientIP is the caller's address for the throttle and the audit log. Behind a
// trusted proxy it is the last address of X-Forwarded-For: the one the proxy
// appended, the address it saw. Every address before it came from the client, who
// may write anything there (a fresh address per guess would dodge the throttle).
// A last entry that is no IP address is ignored, and the connection's address
// used.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if ip, ok := lastForwardedFor(r.Header.Values("X-Forwarded-For")); ok {
			return ip
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// lastForwardedFor returns the rightmost address of the X-Forwarded-For header
// lines (a proxy may append a line rather than a comma and an address), if it is
// an IP address.
func lastForwardedFor(lines []string) (string, bool) {
	if len(lines) == 0 {
		return "", false
	}
	last := lines[len(lines)-1]
	last = strings.TrimSpace(last[strings.LastIndexByte(last, ',')+1:])
	addr, err := netip.ParseAddr(last)
	if err != nil {
		return "", false
	}
	return addr.Unmap().String(), true
}

// actedBy is the caller as the stores record a case action: the staff member, and
// the client address the store writes into the action's audit entry (the same
// address the login throttle counts). Every handler passes it on explicitly rather
// than the store reading it from the context, so a store call shows where its
// audit address comes from.
func (s *Server) actedBy(r *http.Request) storage.By {
	return storage.By{Actor: staffFrom(r.Context()).Actor(), IP: s.clientIP(r)}
}

// audit records a staff action that the stores do not audit themselves. A failure
// is logged: the action already happened and must not be reported as failed.
func (s *Server) audit(r *http.Request, action string, caseID int64, detail string) {
	e := storage.AuditEntry{Action: action, CaseID: caseID, Detail: detail, IP: s.clientIP(r), CreatedAt: s.cfg.Now()}
	if st := staffFrom(r.Context()); st != nil {
		e.StaffID = st.ID
	}
	if err := s.cfg.Store.AddAudit(r.Context(), e); err != nil {
		s.cfg.Logger.Error("audit entry lost", "action", action, "case", caseID, "err", err)
	}
}
