package webauth

import (
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
		a := New(Config{TrustProxy: tt.trust})
		r := httptest.NewRequest("GET", "/console/login", nil)
		r.RemoteAddr = "192.0.2.1:5000"
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := a.ClientIP(r); got != tt.want {
			t.Errorf("trust %v, X-Forwarded-For %q: %q, want %q", tt.trust, tt.xff, got, tt.want)
		}
	}
}
