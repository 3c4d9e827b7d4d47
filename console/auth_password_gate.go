package console

import (
	"net/http"
	"strings"
)

// A password someone else chose — the first admin's printed one, the one an
// admin typed when creating an account or resetting it, one set on the command
// line — is known to more than its owner. Until the owner replaces it
// (storage.Staff.MustChangePassword), their signed-in session may reach only
// the change-password page, sign-out and the static files: every other console
// page redirects there and every API call with the session cookie is refused
// with 403 password_change_required. The check sits in front of the whole route
// table, so a page added later is covered without doing anything.
//
// API tokens are not held back: a token can only be minted from a session, which
// cannot reach the tokens page before the change, and setting someone's password
// revokes all their tokens. A token that exists was therefore made by its owner
// after choosing their own password.

// passwordChangePath is the one page a session with a borrowed password may use.
const passwordChangePath = "/console/password"

// passwordGate holds a session whose password must be changed to the
// change-password page.
func (s *Server) passwordGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := staffFrom(r.Context())
		if st == nil || !st.MustChangePassword || sessionFrom(r.Context()) == nil || passwordGateOpen(r) {
			next.ServeHTTP(w, r)
			return
		}
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/"):
			writeJSONError(w, http.StatusForbidden, "password_change_required", "请先在工作台修改初始密码")
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			http.Redirect(w, r, passwordChangePath, http.StatusSeeOther)
		default:
			s.renderError(w, r, http.StatusForbidden, "您的密码是他人设置的初始密码，请先修改密码后再操作。")
		}
	})
}

// passwordGateOpen reports whether the request is one a session with a
// borrowed password may still make: changing the password, signing out (or in
// again), and the style sheet and script the change-password page loads.
func passwordGateOpen(r *http.Request) bool {
	switch r.URL.Path {
	case passwordChangePath, "/console/logout", loginPath:
		return true
	}
	return strings.HasPrefix(r.URL.Path, "/console/static/")
}
