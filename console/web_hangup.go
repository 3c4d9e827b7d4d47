package console

import "net/http"

// logFailure logs a request that failed on the server's side as an ERROR,
// unless the client hung up first: then the failure is the cancelled context
// (the query or the write stopped because nobody waits for the answer), there
// is nothing to fix, and a debug line is all it is worth.
func (s *Server) logFailure(r *http.Request, msg string, err error) {
	if r.Context().Err() != nil {
		s.cfg.Logger.Debug("client gone before the answer", "path", r.URL.Path, "err", err)
		return
	}
	s.cfg.Logger.Error(msg, "path", r.URL.Path, "err", err)
}
