package console

import "net/http"

// pageRoutes registers the case desk's pages.
func (s *Server) pageRoutes(mux *http.ServeMux) {}
