package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/internal/webauth"
)

// authRoutes registers sign-in and sign-out. They do their own checks (there is
// no session yet, or it may be gone); the account pages (one's own password,
// staff, API tokens) are pages and registered in pageRoutes.
func (s *Server) authRoutes(mux *http.ServeMux) {
	// Hash the dummy password now, in the background: computed at the first
	// sign-in with an unknown username, it would make that one attempt slower
	// than a wrong password and so reveal that the name does not exist.
	go webauth.DummyHash()

	mux.HandleFunc("GET /console/login", s.showLogin)
	mux.HandleFunc("POST /console/login", s.login)
	mux.HandleFunc("POST /console/logout", s.logout)
}
