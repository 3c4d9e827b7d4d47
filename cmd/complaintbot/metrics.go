package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsServer serves /metrics on http.metrics_addr, a listener of its own that
// an operator keeps off the internet, apart from the one WeChat posts to.
type metricsServer struct {
	listener net.Listener
	server   *http.Server
	served   chan error
}

// metricsOnMain reports whether /metrics belongs on the main listener: only in the
// zero-setup run with no metrics address. With a real account the main listener is
// public (WeChat must reach it), and the counters are nobody's business there.
func (m *Main) metricsOnMain() bool {
	return m.Config.HTTP.MetricsAddr == "" && m.Config.SimulatorMode()
}

// metricsHandler serves what reg gathers.
func metricsHandler(reg prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// startMetrics binds addr, when set, and serves reg's /metrics there until Close.
// With no addr it returns nil.
func startMetrics(addr string, reg prometheus.Gatherer) (*metricsServer, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metricsHandler(reg))
	s := &metricsServer{listener: ln, server: &http.Server{
		Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second,
	}}
	s.served = serveInBackground(s.server, ln)
	return s, nil
}

// closeMetrics stops the metrics listener, letting a scrape in flight finish.
func (m *Main) closeMetrics(ctx context.Context) error {
	if m.metrics == nil {
		return nil
	}
	var errs []error
	if err := m.metrics.server.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("metrics shutdown: %w", err))
	}
	if err := <-m.metrics.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, fmt.Errorf("metrics serve: %w", err))
	}
	return errors.Join(errs...)
}

// MetricsURL is where Prometheus scrapes this instance from this machine, or ""
// when /metrics is served nowhere.
func (m *Main) MetricsURL() string {
	switch {
	case m.metrics != nil:
		return "http://" + loopbackIfAny(m.metrics.listener.Addr().(*net.TCPAddr)) + "/metrics"
	case m.metricsOnMain():
		return m.URL() + "/metrics"
	}
	return ""
}

// loopbackIfAny names a listener bound to every interface by 127.0.0.1, which
// reaches it from this machine; a listener bound to one address keeps it.
func loopbackIfAny(a *net.TCPAddr) string {
	if a.IP == nil || a.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(a.Port))
	}
	return a.String()
}

// metricsNote is how PrintURLs and the start-up log show the metrics address.
func (m *Main) metricsNote() string {
	if u := m.MetricsURL(); u != "" {
		return u
	}
	return "off (set COMPLAINTBOT_METRICS_ADDR to serve it on its own listener)"
}
