package webauth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// Where a state-changing request carries its CSRF token.
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf"
)

// CheckCSRF refuses a state-changing request made with session se unless it
// carries the session's CSRF token (form field or header); read the form first.
// A request without a session (an API token, which is no ambient credential, or
// nobody, whom the role check refuses) needs none. Cross-origin requests should
// already have been refused by http.CrossOriginProtection.
func CheckCSRF(r *http.Request, se *storage.Session) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if se == nil {
		return true
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(se.CSRFToken)) == 1
}

// LoginToken returns the browser's sign-in CSRF token, issuing one if it has
// none; put it in the form's CSRFField. There is no session before sign-in to
// hold a token, so the form and the cookie must match (double submit): it stops
// a foreign page from signing a browser into the attacker's account. The cookie
// is Strict and scoped to the login path: it is needed nowhere else. A token the
// browser already has is reused so that two open login tabs both work.
func (a *Auth) LoginToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(a.cfg.LoginCookie); err == nil && validTokenShape(c.Value) {
		return c.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	token := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: a.cfg.LoginCookie, Value: token, Path: a.cfg.LoginPath,
		MaxAge: int((12 * time.Hour).Seconds()), HttpOnly: true, Secure: a.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode})
	return token
}

// ValidLoginToken reports whether the sign-in form's token matches the cookie's.
func (a *Auth) ValidLoginToken(r *http.Request) bool {
	c, err := r.Cookie(a.cfg.LoginCookie)
	if err != nil || !validTokenShape(c.Value) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(CSRFField))) == 1
}

// validTokenShape reports whether t looks like 32 random bytes in base64url.
func validTokenShape(t string) bool {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(b) == 32
}
