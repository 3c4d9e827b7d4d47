//go:build pprof

package main

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on the default mux served below
	"os"
	"time"
)

// A binary built with -tags pprof (by .ci/webhookbench for its profile) serves
// Go's profiler on PPROF_ADDR. Release builds have none of this.
func init() {
	addr := os.Getenv("PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() {
		srv := &http.Server{Addr: addr, ReadHeaderTimeout: 5 * time.Second}
		slog.Error("pprof listener stopped", "err", srv.ListenAndServe())
	}()
}
