package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// UpdateStaff changes an account's name or role (nil fields stay) and audits the
// change in the same transaction, naming the account by id and the new role,
// never the name (the log holds no personal data). An update that changes
// nothing writes nothing. ENOTFOUND if no such account; EINVALID for a name that
// is empty or longer than 50 characters or an unknown role; ECONFLICT for
// demoting the last active admin.
func (d *DB) UpdateStaff(ctx context.Context, id int64, u storage.StaffUpdate, by storage.By) (*storage.Staff, error) {
	var out *storage.Staff
	err := d.inWriteTx(ctx, "update staff", func(tx *sqlx.Tx) error {
		st, err := findStaff(ctx, tx, "id = ?"+forUpdate(tx), id)
		if err != nil {
			return err
		}
		name, role, err := staffUpdated(st, u)
		if err != nil {
			return err
		}
		unit := st.UnitID
		if u.UnitID != nil {
			if unit = *u.UnitID; unit != st.UnitID {
				if err := staffMayMove(ctx, tx, st.ID, unit); err != nil {
					return err
				}
			}
		}
		if name == st.Name && role == st.Role && unit == st.UnitID {
			out = st
			return nil
		}
		if st.Role == storage.RoleAdmin && role != storage.RoleAdmin && !st.Disabled {
			if err := keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		now := dbTime(d.now())
		if err := updateStaff(ctx, tx, id, "name = ?, role = ?, unit_id = ?", now, name, role, unit); err != nil {
			return err
		}
		detail := staffUpdateDetail(st, name, role)
		if unit != st.UnitID {
			detail = staffUnitDetail(ctx, tx, st, name, role, unit)
		}
		if err := auditStaff(ctx, tx, by, storage.AuditStaffUpdate, 0, detail, now); err != nil {
			return err
		}
		out, err = findStaff(ctx, tx, "id = ?", id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// staffUpdated returns the account's name and role after u, checked.
func staffUpdated(st *storage.Staff, u storage.StaffUpdate) (string, storage.Role, error) {
	name, role := st.Name, st.Role
	if u.Name != nil {
		name = strings.TrimSpace(*u.Name)
		if n := utf8.RuneCountInString(name); n == 0 || n > maxStaffName {
			return "", "", storage.Errorf(storage.EINVALID, "a name is 1 to %d characters", maxStaffName)
		}
	}
	if u.Role != nil {
		role = *u.Role
		if !role.Valid() {
			return "", "", storage.Errorf(storage.EINVALID, "unknown role %q", role)
		}
	}
	return name, role, nil
}

// staffUpdateDetail says what changed, for the audit log: the account by id, the
// roles by their Chinese names, and that the name changed (not to what).
func staffUpdateDetail(st *storage.Staff, name string, role storage.Role) string {
	var parts []string
	if name != st.Name {
		parts = append(parts, "修改姓名")
	}
	if role != st.Role {
		parts = append(parts, fmt.Sprintf("角色由%s改为%s", st.Role.Label(), role.Label()))
	}
	return fmt.Sprintf("账号 #%d：%s", st.ID, strings.Join(parts, "，"))
}

// staffUnitDetail is staffUpdateDetail for a change that also moves the account
// to another unit: "账号 #7：单位由ROOT改为FC".
func staffUnitDetail(ctx context.Context, tx *sqlx.Tx, st *storage.Staff, name string, role storage.Role, unit int64) string {
	moved := fmt.Sprintf("单位由%s改为%s", unitLabel(ctx, tx, st.UnitID), unitLabel(ctx, tx, unit))
	if name == st.Name && role == st.Role {
		return fmt.Sprintf("账号 #%d：%s", st.ID, moved)
	}
	return staffUpdateDetail(st, name, role) + "，" + moved
}

// keepAnAdmin refuses, with ECONFLICT, a change that would leave no active admin
// once account id stops being one (demoted or disabled): nobody could then manage
// staff from the console. It locks the active admins' rows on PostgreSQL, so two
// admins demoting each other at the same moment cannot both succeed; SQLite's
// writers are serialised anyway.
func keepAnAdmin(ctx context.Context, tx *sqlx.Tx, id int64) error {
	var ids []int64
	q := tx.Rebind("SELECT id FROM staff WHERE role = ? AND NOT disabled ORDER BY id" + forUpdate(tx))
	if err := tx.SelectContext(ctx, &ids, q, storage.RoleAdmin); err != nil {
		return fmt.Errorf("select active admins: %w", err)
	}
	for _, other := range ids {
		if other != id {
			return nil
		}
	}
	if len(ids) == 0 {
		return nil // id is no active admin: nothing is lost
	}
	return storage.Errorf(storage.ECONFLICT, "不能停用或降级最后一位在用的管理员：请先让另一位员工成为管理员。")
}
