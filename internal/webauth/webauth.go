// Package webauth is the authentication that every staff-facing web surface of
// complaintbot shares: the staff console today, the merchants' settlement portal
// next. It holds the mechanisms, so that both meet the same standard with one
// copy of the code: passwords hashed with bcrypt and their rules, session
// cookies (Secure, HttpOnly, SameSite) over the Redis session store with its idle
// and absolute expiry, session rotation at sign-in, CSRF tokens (the session's,
// and a double-submit cookie for the sign-in form), the login throttle's keys and
// reservations, the client address behind a trusted proxy, API token hashing, and
// the security headers with their Content-Security-Policy.
//
// What a surface decides for itself stays with it: who its users are and their
// roles, which pages need which role, its paths, the words of its pages, and its
// audit entries. webauth imports storage and the standard library only; never
// console, portal, bot, dialog or configs.
package webauth

import (
	"log/slog"

	"github.com/complaintbot/complaintbot/storage"
)

// Config configures one web surface's authentication.
type Config struct {
	// Sessions keeps the sessions, with their idle and absolute expiry.
	Sessions storage.SessionStore
	// Throttle counts sign-in attempts (see LoginKeys).
	Throttle storage.LoginThrottle
	// Logger gets the failures that must not fail the request (a throttle
	// reservation not given back, an old session not deleted).
	Logger *slog.Logger

	// SessionCookie names the session cookie; two surfaces on one host need
	// different names.
	SessionCookie string
	// LoginCookie names the sign-in form's CSRF cookie, scoped to LoginPath.
	LoginCookie string
	// LoginPath is the path of the sign-in form, the only place LoginCookie is sent.
	LoginPath string
	// SecureCookies marks cookies Secure; set it whenever the surface is served
	// over TLS (directly or behind a proxy).
	SecureCookies bool
	// TrustProxy takes the client address from the last entry of
	// X-Forwarded-For; only set it behind one proxy that appends to that header.
	TrustProxy bool
}

// Auth is one surface's authentication, built by New.
type Auth struct {
	cfg Config
}

// New returns the authentication of a surface configured by cfg; a nil Logger
// discards.
func New(cfg Config) *Auth {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Auth{cfg: cfg}
}
