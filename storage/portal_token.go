package storage

import (
	"context"
	"time"
)

// Audit actions of the portal's API tokens.
const (
	AuditPortalTokenCreate = "portal_token_create"
	AuditPortalTokenRevoke = "portal_token_revoke"
)

// MerchantAPIToken is a portal account's token for the portal's JSON API. As
// with the console's tokens only its SHA-256 is stored; the token is shown
// once. It acts as its account, within its merchant.
type MerchantAPIToken struct {
	ID         int64     `db:"id"`
	AccountID  int64     `db:"account_id"`
	Name       string    `db:"name"`
	Hash       string    `db:"hash" json:"-"`
	CreatedAt  time.Time `db:"created_at"`
	LastUsedAt time.Time `db:"last_used_at"` // zero if never used
	RevokedAt  time.Time `db:"revoked_at"`   // zero unless revoked
}

// MerchantTokenStore keeps the portal accounts' API tokens. Creating and
// revoking are audited (the detail names the account, merchant:<id>).
type MerchantTokenStore interface {
	// CreateMerchantAPIToken stores the hash of a new token of the account
	// under a name of 1 to 50 characters. EINVALID for a bad name or hash;
	// ENOTFOUND for an unknown account.
	CreateMerchantAPIToken(ctx context.Context, accountID int64, name, hash, ip string) (*MerchantAPIToken, error)
	// FindMerchantAPITokenByHash returns the live token with the hash and
	// records its use; ENOTFOUND if none or revoked. Whether its account may
	// act is the caller's to check.
	FindMerchantAPITokenByHash(ctx context.Context, hash string) (*MerchantAPIToken, error)
	// MerchantAPITokens lists the account's tokens, newest first, revoked too.
	MerchantAPITokens(ctx context.Context, accountID int64) ([]*MerchantAPIToken, error)
	// RevokeMerchantAPIToken revokes one of the account's tokens; ENOTFOUND
	// if it is not the account's.
	RevokeMerchantAPIToken(ctx context.Context, accountID, tokenID int64, ip string) error
	// RevokeMerchantAccountTokens revokes every live token of the account
	// (password changed or reset, account disabled) and returns how many.
	RevokeMerchantAccountTokens(ctx context.Context, accountID int64) (int, error)
}
