package console

import (
	"net/http"
)

// authRoutes registers sign-in and sign-out. They do their own checks (there is
// no session yet, or it may be gone); the account pages (one's own password,
// staff, API tokens) are pages and registered in pageRoutes.
func (s *Server) authRoutes(mux *http.ServeMux) {
	// Hash the dummy password now, in the background: computed at the first
	// sign-in with an unknown username, it would make that one attempt slower
	// than a wrong password and so reveal that the name does not exist.
	go dummyHash()

	mux.HandleFunc("GET /console/login", s.showLogin)
	mux.HandleFunc("POST /console/login", s.login)
	mux.HandleFunc("POST /console/logout", s.logout)
}

// setSessionCookie hands the browser a session. No Max-Age: the cookie ends with
// the browser, and the server ends the session (idle and absolute expiry) anyway.
// Lax keeps the cookie off cross-site POSTs while links from WeChat or e-mail to a
// case still arrive signed in.
func (s *Server) setSessionCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/",
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// clearSessionCookie tells the browser to forget its session cookie.
func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}
