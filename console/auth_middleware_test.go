package console

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClientIPTakesTheAddressTheProxySaw(t *testing.T) {
	for _, tt := range []struct {
		trust bool
		xff   []string
		want  string
	}{
		{false, []string{"203.0.113.9"}, "192.0.2.1"}, // no proxy trusted: the header is the client's
		{true, nil, "192.0.2.1"},
		{true, []string{"203.0.113.9"}, "203.0.113.9"},
		{true, []string{"6.6.6.6, 203.0.113.9"}, "203.0.113.9"},     // the left is what the client sent
		{true, []string{"6.6.6.6,203.0.113.9 "}, "203.0.113.9"},     // spaces do not matter
		{true, []string{"6.6.6.6", "198.51.100.2"}, "198.51.100.2"}, // a proxy that adds a line
		{true, []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{true, []string{"2001:db8::1"}, "2001:db8::1"},
		{true, []string{"203.0.113.9, not-an-ip"}, "192.0.2.1"},
		{true, []string{"203.0.113.9, "}, "192.0.2.1"},
		{true, []string{"203.0.113.9:4000"}, "192.0.2.1"},
	} {
		s := &Server{cfg: Config{TrustProxy: tt.trust}}
		r := httptest.NewRequest("GET", "/console/login", nil)
		r.RemoteAddr = "192.0.2.1:5000"
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientIP(r); got != tt.want {
			t.Errorf("trust %v, X-Forwarded-For %q: %q, want %q", tt.trust, tt.xff, got, tt.want)
		}
	}
}

// An attacker behind the trusted proxy who writes a new address into
// X-Forwarded-For for every guess is still one address to the throttle.
func TestSpoofedForwardedForDoesNotDodgeTheAddressThrottle(t *testing.T) {
	e := newAuthEnv(t, func(c *Config) { c.TrustProxy = true })
	b := e.browser()
	b.addr = "10.0.0.2:443" // the proxy
	for i := range 30 {
		b.header.Set("X-Forwarded-For", fmt.Sprintf("198.18.0.%d, 203.0.113.66", i+1))
		user := fmt.Sprintf("user%02d", i)
		if w := b.login(user, "wrong-password-x"); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, w.Code)
		}
	}
	b.header.Set("X-Forwarded-For", "198.18.1.1, 203.0.113.66")
	if w := b.login("med1", mediatorPassword); w.Code != http.StatusTooManyRequests {
		t.Fatalf("31st attempt from the address: %d", w.Code)
	}
	other := e.browser()
	other.addr = "10.0.0.2:443"
	other.header.Set("X-Forwarded-For", "203.0.113.67")
	other.mustLogin("med1", mediatorPassword)
	if got := e.auditActions(); got[len(got)-1] != "login/"+idText(e.mediator.ID)+"/" {
		t.Fatalf("audit %v", got[len(got)-1])
	}
}
