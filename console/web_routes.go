package console

import (
	"net/http"
	"strings"

	"github.com/complaintbot/complaintbot/internal/webauth"
)

// routes builds the console's and the API's routes. Each area registers its own
// (auth_routes.go, page_routes.go, api_routes.go) so that a newcomer finds a
// route next to its kind.
func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /console/static/{file...}", s.serveStatic)
	mux.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/cases", http.StatusSeeOther)
	})
	s.authRoutes(mux)
	s.pageRoutes(mux)
	s.apiRoutes(mux)
	// Any other console path, whatever the method, is the Chinese 404 page (the API
	// has its own JSON catch-all).
	mux.HandleFunc("/console/", s.notFound)

	cop := http.NewCrossOriginProtection()
	for _, o := range s.cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginRefused))
	return webauth.SecurityHeaders(cop.Handler(s.admit(s.authenticate(s.passwordGate(s.rejectBadText(mux)))))), nil
}

// crossOriginRefused answers a state-changing request from another site: JSON
// for the API, and for the console a Chinese page a person can read (a form
// posted from a bookmarked or stale page can land here too).
func (s *Server) crossOriginRefused(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSONError(w, http.StatusForbidden, "cross_origin", "跨站请求已被拒绝")
		return
	}
	s.renderError(w, r, http.StatusForbidden, "跨站请求已被拒绝：请在本系统的页面上操作，不要从其他网站提交。")
}
