package storage

import (
	"context"
	"time"
)

// Role is what a staff member may do. Each role includes the ones below it.
type Role string

// Roles, from least to most trusted.
const (
	RoleMediator   Role = "mediator"   // 调解员: sees and works cases
	RoleSupervisor Role = "supervisor" // 主管: also assigns, reopens, sees the audit log and reports
	RoleAdmin      Role = "admin"      // 管理员: also manages staff and settings
)

var roleRank = map[Role]int{RoleMediator: 1, RoleSupervisor: 2, RoleAdmin: 3}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return roleRank[r] > 0 }

// AtLeast reports whether r includes min (an admin is at least a mediator).
func (r Role) AtLeast(min Role) bool { return r.Valid() && roleRank[r] >= roleRank[min] }

// Label is the Chinese name of the role.
func (r Role) Label() string {
	switch r {
	case RoleMediator:
		return "调解员"
	case RoleSupervisor:
		return "主管"
	case RoleAdmin:
		return "管理员"
	}
	return string(r)
}

// Staff is a person who signs in to the console.
type Staff struct {
	ID           int64     `db:"id"`
	Username     string    `db:"username"`
	Name         string    `db:"name"`
	Role         Role      `db:"role"`
	PasswordHash string    `db:"password_hash" json:"-"`
	Disabled     bool      `db:"disabled"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
}

// Actor is the value used in Event.Actor and audit entries for this staff member.
func (s *Staff) Actor() string { return StaffActor(s.ID) }

// NewStaff is a staff account to create; the password is hashed by the caller.
type NewStaff struct {
	Username     string
	Name         string
	Role         Role
	PasswordHash string
}

// StaffStore keeps staff accounts.
type StaffStore interface {
	// CreateStaff adds an account. ECONFLICT if the username is taken; EINVALID
	// for an empty username or name or an unknown role.
	CreateStaff(ctx context.Context, ns NewStaff) (*Staff, error)
	// FindStaffByID and FindStaffByUsername return ENOTFOUND when there is none.
	FindStaffByID(ctx context.Context, id int64) (*Staff, error)
	FindStaffByUsername(ctx context.Context, username string) (*Staff, error)
	// ListStaff returns every account, by username.
	ListStaff(ctx context.Context) ([]*Staff, error)
	// SetStaffPassword replaces the password hash. ENOTFOUND if no such account.
	SetStaffPassword(ctx context.Context, id int64, passwordHash string) error
	// SetStaffDisabled disables or re-enables an account. ENOTFOUND as above.
	SetStaffDisabled(ctx context.Context, id int64, disabled bool) error
	// CountStaff returns how many accounts exist (the zero-setup run creates the
	// first admin when there are none).
	CountStaff(ctx context.Context) (int, error)
}

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

// APITokenStore keeps API tokens.
type APITokenStore interface {
	// CreateAPIToken stores a token hash for a staff member.
	CreateAPIToken(ctx context.Context, staffID int64, name, hash string) (*APIToken, error)
	// FindAPITokenByHash returns the live token with that hash and records its
	// use; ENOTFOUND if there is none or it was revoked.
	FindAPITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	// ListAPITokens returns a staff member's tokens, newest first, revoked ones too.
	ListAPITokens(ctx context.Context, staffID int64) ([]*APIToken, error)
	// RevokeAPIToken revokes one of staffID's tokens. ENOTFOUND if it is not theirs.
	RevokeAPIToken(ctx context.Context, staffID, tokenID int64) error
	// RevokeStaffTokens revokes every live token of staffID (the password was
	// changed or reset, the account disabled) and returns how many it revoked;
	// tokens revoked before keep their time. No error for an account without any.
	RevokeStaffTokens(ctx context.Context, staffID int64) (int, error)
}
