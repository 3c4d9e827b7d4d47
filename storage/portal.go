package storage

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Audit actions of the merchant portal (the settlement platform).
const (
	// AuditMerchantInvite is a supervisor inviting a merchant's staff member to
	// the portal (a one-time link).
	AuditMerchantInvite = "merchant_invite"
	// AuditPortalAccount is an invitation accepted: the portal account created.
	AuditPortalAccount = "portal_account"
	// AuditPortalLogin is a portal sign-in, successful or not.
	AuditPortalLogin = "portal_login"
	// AuditPortalCase is a merchant opening one of its cases on the portal.
	AuditPortalCase = "portal_case"
	// AuditPortalEvidence is a merchant downloading the bytes of an evidence
	// record of one of its cases on the portal.
	AuditPortalEvidence = "portal_evidence"
)

// InvitationTTL is how long a portal invitation link may be used.
const InvitationTTL = 7 * 24 * time.Hour

// MerchantAccount is a merchant staff member's account on the portal. It
// belongs to one merchant of the registry and sees only that merchant's
// referred cases.
type MerchantAccount struct {
	ID           int64     `db:"id"`
	MerchantID   int64     `db:"merchant_id"`
	Username     string    `db:"username"` // normalised, unique across the portal
	Name         string    `db:"name"`
	PasswordHash string    `db:"password_hash"`
	Disabled     bool      `db:"disabled"`
	MustChange   bool      `db:"must_change"`
	CreatedAt    time.Time `db:"created_at"`
}

// MerchantInvitation is a one-time link to create a portal account for a
// merchant. Only the SHA-256 of its token is stored: the link is shown once.
type MerchantInvitation struct {
	ID         int64     `db:"id"`
	MerchantID int64     `db:"merchant_id"`
	ExpiresAt  time.Time `db:"expires_at"`
	CreatedBy  int64     `db:"created_by"` // staff id
	CreatedAt  time.Time `db:"created_at"`
}

// InvitationAcceptance is what a merchant's staff member types to accept an
// invitation; the password is hashed by the portal (webauth) before.
type InvitationAcceptance struct {
	TokenHash    string // hex SHA-256 of the link's token
	Username     string // normalised and validated by the caller
	Name         string
	PasswordHash string
	IP           string
}

// MerchantActor is the actor recorded for a portal account's actions.
func MerchantActor(accountID int64) string {
	return "merchant:" + strconv.FormatInt(accountID, 10)
}

// MerchantAccountFromActor returns the account id of a "merchant:<id>" actor.
func MerchantAccountFromActor(actor string) (int64, bool) {
	rest, ok := strings.CutPrefix(actor, "merchant:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// PortalStore keeps the portal's accounts and invitations, and answers the
// portal's questions about cases, always within one merchant.
type PortalStore interface {
	// CreateMerchantInvitation stores an invitation (by its token's hash) for a
	// merchant on the platform, valid for InvitationTTL, audited as
	// AuditMerchantInvite. ENOTFOUND for an unknown or merged merchant;
	// EINVALID for one not on the platform (未入驻).
	CreateMerchantInvitation(ctx context.Context, merchantID int64, tokenHash string, by By) (*MerchantInvitation, error)
	// FindMerchantInvitation returns the usable (unused, unexpired) invitation
	// with that token hash; ENOTFOUND otherwise.
	FindMerchantInvitation(ctx context.Context, tokenHash string) (*MerchantInvitation, error)
	// AcceptMerchantInvitation uses the invitation once and creates the
	// account, audited as AuditPortalAccount. ENOTFOUND for an unusable
	// invitation; ECONFLICT for a username taken.
	AcceptMerchantInvitation(ctx context.Context, in InvitationAcceptance) (*MerchantAccount, error)
	// FindMerchantAccount returns an account by id; ENOTFOUND.
	FindMerchantAccount(ctx context.Context, id int64) (*MerchantAccount, error)
	// FindMerchantAccountByUsername returns an account by normalised username.
	FindMerchantAccountByUsername(ctx context.Context, username string) (*MerchantAccount, error)
	// PortalCases returns the cases of a merchant currently or formerly
	// referred to it on the platform, newest first.
	PortalCases(ctx context.Context, merchantID int64) ([]*PortalCase, error)
	// PortalCase returns one such case by number; ENOTFOUND for any other case
	// (another merchant's, or one never referred to the platform).
	PortalCase(ctx context.Context, merchantID int64, number string) (*PortalCase, error)
	// ChangeMerchantPassword stores the owner's new password hash, clears
	// must_change and revokes the account's API tokens, audited as
	// AuditPortalPassword. ENOTFOUND for an unknown
	// account.
	ChangeMerchantPassword(ctx context.Context, accountID int64, hash, ip string) error
}

// PortalCase is a case as the portal shows it: the case and whether its
// referral to the platform is still open (the consumer's name and phone are
// shown only then, see docs/portal.md).
type PortalCase struct {
	Case         *Case
	ReferralOpen bool
	ReferredAt   time.Time
}

// AuditPortalAccountDisable is a supervisor disabling or enabling a portal account.
const AuditPortalAccountDisable = "portal_account_disable"

// PortalAccountAdmin is what the console does with portal accounts.
type PortalAccountAdmin interface {
	// MerchantAccounts lists a merchant's portal accounts, oldest first.
	MerchantAccounts(ctx context.Context, merchantID int64) ([]*MerchantAccount, error)
	// SetMerchantAccountDisabled disables or enables an account of the
	// merchant, audited; a disabled account is refused at sign-in and on every
	// request, and disabling revokes its API tokens. ENOTFOUND for an account
	// of another merchant.
	SetMerchantAccountDisabled(ctx context.Context, merchantID, accountID int64, disabled bool, by By) error
	// ResetMerchantAccountPassword sets a password a supervisor chose for an
	// account of the merchant and marks it must_change (the owner replaces it
	// at the next sign-in), revokes its API tokens, audited as
	// AuditPortalPassword. ENOTFOUND for an account of another merchant. Ending the account's portal sessions is the
	// caller's (they live in Redis).
	ResetMerchantAccountPassword(ctx context.Context, merchantID, accountID int64, hash string, by By) error
}

// AuditPortalPassword is a portal account's password changed by its owner or
// reset by a supervisor.
const AuditPortalPassword = "portal_password"
