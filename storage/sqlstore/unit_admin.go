package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.UnitAdminStore = (*DB)(nil)

// CreateUnit adds a unit under in.ParentID and audits it (AuditUnit) in the same
// transaction. EINVALID for bad fields or an unknown parent; ECONFLICT for a
// code another unit has.
func (d *DB) CreateUnit(ctx context.Context, in storage.UnitInput, by storage.By) (*storage.Unit, error) {
	if err := checkUnitInput(&in, false, by); err != nil {
		return nil, err
	}
	var out *storage.Unit
	err := d.inWriteTx(ctx, "create unit", func(tx *sqlx.Tx) error {
		tree, err := readUnitTree(ctx, tx)
		if err != nil {
			return err
		}
		if tree.Unit(in.ParentID) == nil {
			return storage.Errorf(storage.EINVALID, "上级单位不存在。")
		}
		if err := unitCodeFree(ctx, tx, in.Code, 0); err != nil {
			return err
		}
		now := dbTime(d.now())
		var id int64
		q := tx.Rebind(`INSERT INTO units (parent_id, name, code, regions, hotline, service_hours,
			disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
		if err := tx.GetContext(ctx, &id, q, in.ParentID, in.Name, in.Code, strings.Join(in.Regions, "\n"),
			in.Hotline, in.ServiceHours, in.Disabled, now, now); err != nil {
			return fmt.Errorf("insert unit: %w", err)
		}
		detail := fmt.Sprintf("新建单位 #%d %s（%s），上级 #%d", id, in.Name, in.Code, in.ParentID)
		if err := auditStaff(ctx, tx, by, storage.AuditUnit, 0, detail, now); err != nil {
			return err
		}
		out, err = findUnit(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateUnit changes a unit and audits the change (AuditUnit) in the same
// transaction; a change that changes nothing writes nothing. ENOTFOUND for an
// unknown unit; EINVALID for bad fields, a parent for the root or disabling it,
// an unknown parent or one inside the unit's own subtree (a cycle); ECONFLICT
// for a code in use.
func (d *DB) UpdateUnit(ctx context.Context, id int64, in storage.UnitInput, by storage.By) (*storage.Unit, error) {
	root := id == storage.RootUnitID
	if root && in.ParentID != 0 {
		return nil, storage.Errorf(storage.EINVALID, "本机构（根单位）不能有上级单位。")
	}
	if root && in.Disabled {
		return nil, storage.Errorf(storage.EINVALID, "本机构（根单位）不能停用。")
	}
	if err := checkUnitInput(&in, root, by); err != nil {
		return nil, err
	}
	var out *storage.Unit
	err := d.inWriteTx(ctx, "update unit", func(tx *sqlx.Tx) error {
		old, err := findUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkUnitParent(ctx, tx, id, in.ParentID); err != nil {
			return err
		}
		if err := unitCodeFree(ctx, tx, in.Code, id); err != nil {
			return err
		}
		detail := unitChanges(old, &in)
		if detail == "" {
			out = old
			return nil
		}
		now := dbTime(d.now())
		q := tx.Rebind(`UPDATE units SET parent_id = ?, name = ?, code = ?, regions = ?, hotline = ?,
			service_hours = ?, disabled = ?, updated_at = ? WHERE id = ?`)
		if _, err := tx.ExecContext(ctx, q, nullID(in.ParentID), in.Name, in.Code, strings.Join(in.Regions, "\n"),
			in.Hotline, in.ServiceHours, in.Disabled, now, id); err != nil {
			return fmt.Errorf("update unit: %w", err)
		}
		if err := auditStaff(ctx, tx, by, storage.AuditUnit, 0, fmt.Sprintf("修改单位 #%d：%s", id, detail), now); err != nil {
			return err
		}
		out, err = findUnit(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkUnitInput validates a unit form and its actor.
func checkUnitInput(in *storage.UnitInput, root bool, by storage.By) error {
	if by.Actor == "" {
		return storage.Errorf(storage.EINVALID, "a unit change needs an actor")
	}
	return in.Validate(root)
}

// checkUnitParent refuses a parent that does not exist or lies in the unit's
// own subtree: the tree would get a cycle and lose its way to the root.
func checkUnitParent(ctx context.Context, tx *sqlx.Tx, id, parentID int64) error {
	if id == storage.RootUnitID {
		return nil
	}
	tree, err := readUnitTree(ctx, tx)
	if err != nil {
		return err
	}
	switch {
	case tree.Unit(parentID) == nil:
		return storage.Errorf(storage.EINVALID, "上级单位不存在。")
	case tree.Contains(id, parentID):
		return storage.Errorf(storage.EINVALID, "不能把单位移到它自己或它的下级单位之下。")
	}
	return nil
}

// unitCodeFree returns ECONFLICT if a unit other than id has the code.
func unitCodeFree(ctx context.Context, tx *sqlx.Tx, code string, id int64) error {
	var n int
	q := tx.Rebind("SELECT count(*) FROM units WHERE code = ? AND id <> ?")
	if err := tx.GetContext(ctx, &n, q, code, id); err != nil {
		return fmt.Errorf("look up unit code: %w", err)
	}
	if n > 0 {
		return storage.Errorf(storage.ECONFLICT, "单位代码 %s 已被其他单位使用。", code)
	}
	return nil
}

// unitChanges describes, for the audit log, what in changes in old; "" if
// nothing. Unit names and regions are public, not personal data.
func unitChanges(old *storage.Unit, in *storage.UnitInput) string {
	var parts []string
	note := func(changed bool, what string) {
		if changed {
			parts = append(parts, what)
		}
	}
	note(old.Name != in.Name, "名称 "+old.Name+" → "+in.Name)
	note(old.Code != in.Code, "代码 "+old.Code+" → "+in.Code)
	note(old.ParentID != in.ParentID, fmt.Sprintf("上级 #%d → #%d", old.ParentID, in.ParentID))
	note(strings.Join(old.Regions, "\n") != strings.Join(in.Regions, "\n"), "地区 "+strings.Join(in.Regions, "、"))
	note(old.Hotline != in.Hotline, "热线 "+in.Hotline)
	note(old.ServiceHours != in.ServiceHours, "服务时间 "+in.ServiceHours)
	note(old.Disabled != in.Disabled, map[bool]string{true: "停用", false: "启用"}[in.Disabled])
	return strings.Join(parts, "；")
}

// findUnit returns the unit with the id, ENOTFOUND if there is none.
func findUnit(ctx context.Context, tx *sqlx.Tx, id int64) (*storage.Unit, error) {
	r, err := selectOne[unitRow](ctx, tx, "SELECT "+unitColumns+" FROM units WHERE id = ?", "unit", id)
	if err != nil {
		return nil, err
	}
	return r.unit(), nil
}

// readUnitTree reads every unit in tx as a tree.
func readUnitTree(ctx context.Context, tx *sqlx.Tx) (*storage.UnitTree, error) {
	units, err := listUnits(ctx, tx)
	if err != nil {
		return nil, err
	}
	return storage.NewUnitTree(units), nil
}

// unitExists returns EINVALID unless a unit with the id exists (SQLite does not
// enforce the foreign keys of 00013's added columns).
func unitExists(ctx context.Context, tx *sqlx.Tx, id int64) error {
	if _, err := findUnit(ctx, tx, id); storage.ErrorCode(err) == storage.ENOTFOUND {
		return storage.Errorf(storage.EINVALID, "单位 #%d 不存在。", id)
	} else if err != nil {
		return err
	}
	return nil
}

// unitLabel names a unit for an audit detail: its code, "#id" if unreadable.
func unitLabel(ctx context.Context, tx *sqlx.Tx, id int64) string {
	if u, err := findUnit(ctx, tx, id); err == nil {
		return u.Code
	}
	return fmt.Sprintf("#%d", id)
}

// staffMayMove refuses moving staff member id to unit when they would lose
// sight of work they hold: EINVALID for an unknown unit; ECONFLICT while they
// have open cases, or belong to teams, outside the unit's subtree (their queue
// would no longer show them). The admin reassigns or removes those first.
func staffMayMove(ctx context.Context, tx *sqlx.Tx, id, unit int64) error {
	if err := unitExists(ctx, tx, unit); err != nil {
		return err
	}
	tree, err := readUnitTree(ctx, tx)
	if err != nil {
		return err
	}
	var caseUnits, teamUnits []int64
	statuses := statusesWhereFinal(false)
	q := tx.Rebind("SELECT unit_id FROM cases WHERE assignee_id = ? AND status IN (" + placeholders(len(statuses)) + ")")
	if err := tx.SelectContext(ctx, &caseUnits, q, append([]any{id}, statuses...)...); err != nil {
		return fmt.Errorf("select the staff member's open cases: %w", err)
	}
	q = tx.Rebind("SELECT t.unit_id FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.staff_id = ?")
	if err := tx.SelectContext(ctx, &teamUnits, q, id); err != nil {
		return fmt.Errorf("select the staff member's teams: %w", err)
	}
	cases, teams := outside(tree, unit, caseUnits), outside(tree, unit, teamUnits)
	if cases+teams > 0 {
		return storage.Errorf(storage.ECONFLICT,
			"该员工在新单位之外还有 %d 件在办案件、属于 %d 个组：请先改派这些案件或将其移出这些组，再调整单位。", cases, teams)
	}
	return nil
}

// outside counts the units of list that lie outside top's subtree.
func outside(tree *storage.UnitTree, top int64, list []int64) int {
	n := 0
	for _, u := range list {
		if !tree.Contains(top, u) {
			n++
		}
	}
	return n
}
