package storage

import (
	"context"
	"time"
)

// Session is a signed-in console session. It lives in Redis so all instances
// share it.
type Session struct {
	ID         string    `json:"-"`
	StaffID    int64     `json:"staff_id"`
	CSRFToken  string    `json:"csrf"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// SessionStore keeps console sessions with an idle and an absolute expiry.
type SessionStore interface {
	// CreateSession starts a session for a staff member and returns it with a
	// fresh random ID and CSRF token.
	CreateSession(ctx context.Context, staffID int64) (*Session, error)
	// FindSession returns a live session and extends its idle expiry; ENOTFOUND
	// if it does not exist or has expired (idle or absolute).
	FindSession(ctx context.Context, id string) (*Session, error)
	// PeekSession is FindSession without extending the idle expiry, for requests
	// the browser makes on its own (background polls): they must not keep an
	// unattended desk signed in. Expired sessions are ENOTFOUND as with FindSession.
	PeekSession(ctx context.Context, id string) (*Session, error)
	// DeleteSession ends one session (logout).
	DeleteSession(ctx context.Context, id string) error
	// DeleteStaffSessions ends every session of a staff member (password change,
	// account disabled).
	DeleteStaffSessions(ctx context.Context, staffID int64) error
}

// LoginThrottle slows down password guessing. It counts failures per key; the
// console picks the keys (an account from one address, an address, an account
// from anywhere) and the implementation a limit per kind of key.
type LoginThrottle interface {
	// ReserveLogin counts an attempt for key before its password is checked, in
	// one step with the check against the limit, so that parallel attempts cannot
	// all pass a check made before any of them was counted. It reports false, and
	// how long to wait, if key has no attempts left; the refused attempt is not
	// counted. A reserved attempt counts as a failure unless LoginSucceeded or
	// ReleaseLogin undoes it.
	ReserveLogin(ctx context.Context, key string) (bool, time.Duration, error)
	// ReleaseLogin gives back one attempt reserved for key that was no failure:
	// another key refused it before any password was checked, or the password
	// was right.
	ReleaseLogin(ctx context.Context, key string) error
	// LoginSucceeded forgets key's failures.
	LoginSucceeded(ctx context.Context, key string) error
}
