package console

import (
	"fmt"
	"net/http"
	"testing"
)

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
