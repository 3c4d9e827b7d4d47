package console

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
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
