package console

import (
	"context"
	"net/http"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// The console's cookie names (handed to webauth) and the names the pages use.
const (
	sessionCookie = "cb_session"
	// loginCookie carries the sign-in form's CSRF token (webauth.Auth.LoginToken).
	loginCookie = "cb_login"
	loginPath   = "/console/login"
	csrfField   = webauth.CSRFField
	// backgroundHeader marks the case page's polling (webauth.BackgroundHeader).
	backgroundHeader = webauth.BackgroundHeader
)

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

// withRotatedSession is r with se as its session, for a handler that has just rotated
// the session and signs a flash message for the next page.
func withRotatedSession(r *http.Request, se *storage.Session) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), sessionKey, se))
}

// sessionFrom returns the cookie session, or nil (no session, or an API token).
func sessionFrom(ctx context.Context) *storage.Session {
	se, _ := ctx.Value(sessionKey).(*storage.Session)
	return se
}

// authenticate finds who is calling: a session cookie, or a personal API token in
// "Authorization: Bearer …". A disabled account is nobody.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if c := s.identify(r); c.staff != nil && !c.staff.Disabled {
			ctx = context.WithValue(ctx, staffKey, c.staff)
			ctx = withUnitsMemo(ctx, c.unitsVersion)
			if c.session != nil {
				ctx = context.WithValue(ctx, sessionKey, c.session)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// caller is who identify found: the staff member (nil for nobody), their
// session when they came with a cookie, and the unit tree's version when the
// token lookup read it (0 otherwise; see loadUnits).
type caller struct {
	staff        *storage.Staff
	session      *storage.Session
	unitsVersion int64
}

func (s *Server) identify(r *http.Request) caller {
	if token, ok := webauth.BearerToken(r); ok {
		c, err := s.cfg.Store.FindStaffByAPIToken(r.Context(), HashToken(token))
		if err != nil {
			return caller{}
		}
		return caller{staff: c.Staff, unitsVersion: c.UnitsVersion}
	}
	se, err := s.auth.Session(r)
	if err != nil {
		return caller{}
	}
	st, err := s.cfg.Store.FindStaffByID(r.Context(), se.StaffID)
	if err != nil {
		return caller{}
	}
	return caller{staff: st, session: se}
}

// HashToken is how the console stores API tokens: webauth.HashToken, named here
// for the command line and the tests that mint tokens.
func HashToken(token string) string { return webauth.HashToken(token) }

// checkCSRF is webauth.CheckCSRF with the request's session: a state-changing
// request with a session cookie needs its CSRF token; one with an API token (no
// ambient credential) needs none. Cross-origin requests were already refused by
// http.CrossOriginProtection.
func checkCSRF(r *http.Request) bool {
	return webauth.CheckCSRF(r, sessionFrom(r.Context()))
}
