package storage

import (
	"context"
	"time"
)

// APIToken is a personal token for the JSON API. Only its SHA-256 is stored; the
// token itself is shown once when created.
type APIToken struct {
	ID         int64     `db:"id"`
	StaffID    int64     `db:"staff_id"`
	Name       string    `db:"name"`
	Hash       string    `db:"hash" json:"-"` // hex SHA-256 of the token
	CreatedAt  time.Time `db:"created_at"`
	LastUsedAt time.Time `db:"last_used_at"` // zero if never used
	RevokedAt  time.Time `db:"revoked_at"`   // zero unless revoked
}

// APICaller is who calls with an API token, as FindStaffByAPIToken reads it.
type APICaller struct {
	Staff *Staff
	Token *APIToken
	// UnitsVersion is the reference data's version (UnitStore.UnitsAt)
	// when the token was read: units kept at this version are the current ones.
	UnitsVersion int64
}

// APITokenStore keeps API tokens.
type APITokenStore interface {
	// CreateAPIToken stores a token hash for a staff member.
	CreateAPIToken(ctx context.Context, staffID int64, name, hash string) (*APIToken, error)
	// FindAPITokenByHash returns the live token with that hash and records its
	// use; ENOTFOUND if there is none or it was revoked.
	FindAPITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	// FindStaffByAPIToken is FindAPITokenByHash that also returns the token's
	// staff member and the unit tree's version, in one read: how a request
	// with a token finds its caller. Whether the account is disabled is for
	// the caller to check.
	FindStaffByAPIToken(ctx context.Context, hash string) (*APICaller, error)
	// ListAPITokens returns a staff member's tokens, newest first, revoked ones too.
	ListAPITokens(ctx context.Context, staffID int64) ([]*APIToken, error)
	// RevokeAPIToken revokes one of staffID's tokens. ENOTFOUND if it is not theirs.
	RevokeAPIToken(ctx context.Context, staffID, tokenID int64) error
	// RevokeStaffTokens revokes every live token of staffID (the password was
	// changed or reset, the account disabled) and returns how many it revoked;
	// tokens revoked before keep their time. No error for an account without any.
	RevokeStaffTokens(ctx context.Context, staffID int64) (int, error)
}
