package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/configs"
)

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// withMetricsAddr gives Main a metrics listener of its own on a free port.
func withMetricsAddr(c *configs.Config) { c.HTTP.MetricsAddr = "127.0.0.1:0" }

// TestMetricsOnTheirOwnListener: with http.metrics_addr the counters are served
// there, the public listener WeChat reaches answers 404, and the address is
// printed for the operator.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	m := runMainWith(t, withMetricsAddr)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("metrics")}
	p.expect("帮助", "使用说明") // so the latency histogram has an observation

	url := m.MetricsURL()
	if url == "" || strings.HasPrefix(url, m.URL()) {
		t.Fatalf("metrics URL %q, want one apart from %s", url, m.URL())
	}
	if code, body := get(t, url); code != http.StatusOK || !strings.Contains(body, "complaintbot_wechat_reply_seconds") {
		t.Fatalf("metrics listener: %d, reply histogram present: %v", code, strings.Contains(body, "complaintbot_wechat_reply_seconds"))
	}
	if code, _ := get(t, m.URL()+"/metrics"); code != http.StatusNotFound {
		t.Fatalf("main listener /metrics: %d, want 404", code)
	}
	var out bytes.Buffer
	m.PrintURLs(&out)
	if !strings.Contains(out.String(), url) {
		t.Fatalf("the metrics address is not printed:\n%s", out.String())
	}
}

// TestMetricsPrivateWithRealAccount: a real account and no metrics address serves
// no /metrics at all, since the main listener is public.
func TestMetricsPrivateWithRealAccount(t *testing.T) {
	m := runMain(t)
	if code, _ := get(t, m.URL()+"/metrics"); code != http.StatusNotFound {
		t.Fatalf("main listener /metrics with a real account: %d, want 404", code)
	}
	if u := m.MetricsURL(); u != "" {
		t.Fatalf("MetricsURL %q with no metrics served", u)
	}
}

// TestMetricsOnMainInZeroSetup: the simulator run keeps /metrics on its one
// listener, so a person trying it out sees them without configuring anything.
func TestMetricsOnMainInZeroSetup(t *testing.T) {
	m := runMainWith(t, func(c *configs.Config) { c.WeChat = configs.Default().WeChat })
	if !m.Config.SimulatorMode() {
		t.Fatal("the test wants the zero-setup (simulator) mode")
	}
	if code, body := get(t, m.URL()+"/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("zero-setup /metrics: %d", code)
	}
	if u := m.MetricsURL(); u != m.URL()+"/metrics" {
		t.Fatalf("MetricsURL %q, want it on the main listener", u)
	}
}

// TestMetricsListenerClosesWithMain: Close stops the metrics listener with the
// rest, so a restarted instance can bind the port again.
func TestMetricsListenerClosesWithMain(t *testing.T) {
	m := startMain(t, withMetricsAddr)
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = m.Close()
		}
	})
	addr := m.metrics.listener.Addr().String()
	if code, _ := get(t, m.MetricsURL()); code != http.StatusOK {
		t.Fatalf("metrics before Close: %d", code)
	}
	closed = true
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the metrics port is still held after Close: %v", err)
	}
	_ = ln.Close()
}
