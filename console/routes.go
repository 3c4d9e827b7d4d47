package console

import (
	"net/http"
)

// routes builds the console's and the API's routes. Each area registers its own
// (auth.go, pages, api) so that a newcomer finds a page's route next to it.
func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", staticFiles()))
	mux.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/cases", http.StatusSeeOther)
	})
	s.authRoutes(mux)
	s.pageRoutes(mux)
	s.apiRoutes(mux)

	cop := http.NewCrossOriginProtection()
	for _, o := range s.cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusForbidden, "cross_origin", "跨站请求已被拒绝")
	}))
	return securityHeaders(cop.Handler(s.authenticate(s.rejectBadText(mux)))), nil
}
