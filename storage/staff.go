package storage

import (
	"context"
	"strconv"
	"strings"
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
	// MustChangePassword is set while the password is one someone else chose (the
	// first admin's printed one, an account an admin created, a reset): the
	// console then lets the owner's session reach only the change-password page.
	MustChangePassword bool `db:"must_change_password"`
	// UnitID is the committee the staff member works in; they see its subtree.
	UnitID int64 `db:"unit_id"`
}

// Actor is the value used in Event.Actor and audit entries for this staff member.
func (s *Staff) Actor() string { return StaffActor(s.ID) }

// NewStaff is a staff account to create; the password is hashed by the caller.
type NewStaff struct {
	Username     string
	Name         string
	Role         Role
	PasswordHash string
	// MustChangePassword makes the owner change the password at first sign-in:
	// true whenever someone other than the owner chose it.
	MustChangePassword bool
	// UnitID is the committee the account works in; 0 puts it in the root unit.
	UnitID int64
}

// StaffUpdate changes an account's name or role; nil fields stay as they are.
type StaffUpdate struct {
	Name *string
	Role *Role
	// UnitID moves the account to another unit (the console allows only units
	// inside the admin's own subtree).
	UnitID *int64
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
	// SetStaffPassword replaces the password hash; mustChange is true when
	// someone other than the owner chose it (Staff.MustChangePassword). ENOTFOUND
	// if no such account.
	SetStaffPassword(ctx context.Context, id int64, passwordHash string, mustChange bool) error
	// SetStaffDisabled disables or re-enables an account. ENOTFOUND as above;
	// ECONFLICT for disabling the last active admin, who alone could undo it.
	SetStaffDisabled(ctx context.Context, id int64, disabled bool) error
	// UpdateStaff changes an account's name or role and audits the change
	// (AuditStaffUpdate, by by) in the same transaction. It returns the account as
	// changed. ENOTFOUND if no such account; EINVALID for an empty or too long
	// name or an unknown role; ECONFLICT for demoting the last active admin.
	UpdateStaff(ctx context.Context, id int64, u StaffUpdate, by By) (*Staff, error)
	// CountStaff returns how many accounts exist (the zero-setup run creates the
	// first admin when there are none).
	CountStaff(ctx context.Context) (int, error)
}

// StaffActor is the actor string of a staff member: "staff:<id>".
func StaffActor(id int64) string { return "staff:" + strconv.FormatInt(id, 10) }

// StaffIDFromActor returns the id in a "staff:<id>" actor, or false.
func StaffIDFromActor(actor string) (int64, bool) {
	rest, ok := strings.CutPrefix(actor, "staff:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}
