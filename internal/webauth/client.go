package webauth

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP is the caller's address for the throttle and the audit log. Behind a
// trusted proxy (Config.TrustProxy) it is the last address of X-Forwarded-For:
// the one the proxy appended, the address it saw. Every address before it came
// from the client, who may write anything there (a fresh address per guess would
// dodge the throttle). A last entry that is no IP address is ignored, and the
// connection's address used.
func (a *Auth) ClientIP(r *http.Request) string {
	if a.cfg.TrustProxy {
		if ip, ok := lastForwardedFor(r.Header.Values("X-Forwarded-For")); ok {
			return ip
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// lastForwardedFor returns the rightmost address of the X-Forwarded-For header
// lines (a proxy may append a line rather than a comma and an address), if it is
// an IP address.
func lastForwardedFor(lines []string) (string, bool) {
	if len(lines) == 0 {
		return "", false
	}
	last := lines[len(lines)-1]
	last = strings.TrimSpace(last[strings.LastIndexByte(last, ',')+1:])
	addr, err := netip.ParseAddr(last)
	if err != nil {
		return "", false
	}
	return addr.Unmap().String(), true
}

// BearerToken returns the token of "Authorization: Bearer …", if there is one.
func BearerToken(r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return strings.TrimSpace(token), ok && strings.TrimSpace(token) != ""
}

// HashToken is how API tokens are stored: hex SHA-256. Tokens are 256 random bits,
// so a fast hash is enough (no password-style stretching needed).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
