package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// simAPIPrefix is where the simulator's WeChat API endpoints are mounted in
// zero-setup mode; the bot's API base points here instead of api.weixin.qq.com.
const simAPIPrefix = "/simwx"

// handlers are the parts of the service that answer HTTP, built by Run.
type handlers struct {
	webhook http.Handler
	console http.Handler
	portal  http.Handler        // the merchants' settlement platform
	metrics prometheus.Gatherer // what /metrics serves when it is on the main listener
	sim     *simulator          // nil unless in simulator mode
}

// routes mounts the handlers on the main listener's mux.
func (m *Main) routes(h handlers) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/wechat", h.webhook)
	mux.Handle("/console/", h.console)
	mux.Handle("/api/v1/", h.console)
	mux.Handle("/portal/", h.portal)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", m.readyz)
	if m.metricsOnMain() {
		mux.Handle("GET /metrics", metricsHandler(h.metrics))
	}
	if h.sim != nil {
		mux.Handle(simAPIPrefix+"/", http.StripPrefix(simAPIPrefix, h.sim.api))
		mux.Handle("/sim", h.sim.page)
		mux.Handle("/sim/", h.sim.page)
	}
	mux.HandleFunc("GET /{$}", m.index)
	return strictTransport(mux, m.Config.HTTP.PublicURL)
}

// hstsValue keeps browsers on HTTPS for a year (at least 180 days is what
// scanners ask for). It leaves subdomains alone: the association's other hosts
// are not ours to commit to HTTPS.
const hstsValue = "max-age=31536000"

// strictTransport sends Strict-Transport-Security on every response of the
// service (webhook, console, API, health and the rest) when it is published over
// HTTPS, so a browser that once reached the console never again sends a session
// cookie over plain HTTP. Over plain HTTP the header would be ignored by browsers
// and would wrongly promise HTTPS, so it is not sent.
func strictTransport(next http.Handler, publicURL string) http.Handler {
	if !servesHTTPS(publicURL) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", hstsValue)
		next.ServeHTTP(w, r)
	})
}

// servesHTTPS reports whether the public URL is an https one (TLS on the
// service itself or on the proxy in front of it).
func servesHTTPS(publicURL string) bool {
	return strings.HasPrefix(strings.ToLower(publicURL), "https://")
}

// readyz reports whether the database and Redis answer; load balancers use it.
func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "redis": "ok"}
	status := http.StatusOK
	if err := m.DB.Ping(ctx); err != nil {
		checks["database"], status = "unavailable", http.StatusServiceUnavailable
	}
	if err := m.Redis.Ping(ctx).Err(); err != nil {
		checks["redis"], status = "unavailable", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(checks)
}

// index points a person at the right page.
func (m *Main) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "complaintbot — 消费投诉公众号服务")
	fmt.Fprintln(w, "WeChat webhook: /wechat")
	if m.Config.SimulatorMode() {
		fmt.Fprintln(w, "WeChat simulator: /sim")
	}
}
