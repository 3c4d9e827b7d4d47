package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.TeamStore = (*DB)(nil)

// teamColumns lists the teams columns in storage.Team order.
const teamColumns = `id, name, auto_assign, is_default, created_at, updated_at, unit_id`

// insertTeamSQL adds a team unless the name is taken (then no row comes back).
const insertTeamSQL = `INSERT INTO teams (name, auto_assign, is_default, created_at, updated_at, unit_id)
	VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING ` + teamColumns

// ListTeams returns every team with its members, by name.
func (d *DB) ListTeams(ctx context.Context) ([]*storage.Team, error) {
	var teams []*storage.Team
	err := d.inReadTx(ctx, "list teams", func(tx *sqlx.Tx) error {
		var err error
		teams, err = listTeams(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return teams, nil
}

// listTeams reads the teams and their members in tx.
func listTeams(ctx context.Context, tx *sqlx.Tx) ([]*storage.Team, error) {
	teams := []*storage.Team{}
	if err := tx.SelectContext(ctx, &teams, "SELECT "+teamColumns+" FROM teams ORDER BY name, id"); err != nil {
		return nil, fmt.Errorf("select teams: %w", err)
	}
	var members []struct {
		TeamID  int64 `db:"team_id"`
		StaffID int64 `db:"staff_id"`
	}
	q := "SELECT team_id, staff_id FROM team_members ORDER BY team_id, staff_id"
	if err := tx.SelectContext(ctx, &members, q); err != nil {
		return nil, fmt.Errorf("select team members: %w", err)
	}
	byID := make(map[int64]*storage.Team, len(teams))
	for _, t := range teams {
		utcTeam(t)
		byID[t.ID] = t
	}
	for _, m := range members {
		if t := byID[m.TeamID]; t != nil {
			t.Members = append(t.Members, m.StaffID)
		}
	}
	return teams, nil
}

// findTeam returns the team with the id (members not filled in), ENOTFOUND if
// there is none. lock is forUpdate's result or "".
func findTeam(ctx context.Context, tx *sqlx.Tx, id int64, lock string) (*storage.Team, error) {
	t, err := selectOne[storage.Team](ctx, tx, "SELECT "+teamColumns+" FROM teams WHERE id = ?"+lock, "team", id)
	if err != nil {
		return nil, err
	}
	utcTeam(t)
	return t, nil
}

// utcTeam puts the team's times in UTC: lib/pq returns them in the session's zone.
func utcTeam(t *storage.Team) {
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
}

// CreateTeam adds a team; with Default it takes the default from any other team.
// ECONFLICT if the name is taken; EINVALID for a bad name or a missing actor.
func (d *DB) CreateTeam(ctx context.Context, ti storage.TeamInput, by storage.By) (*storage.Team, error) {
	if err := checkTeamInput(&ti, by); err != nil {
		return nil, err
	}
	var t storage.Team
	err := d.inWriteTx(ctx, "create team", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		unit := unitOrRoot(ti.UnitID)
		if err := unitExists(ctx, tx, unit); err != nil {
			return err
		}
		if err := takeDefault(ctx, tx, ti.Default, 0, unit, now); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &t, tx.Rebind(insertTeamSQL), ti.Name, ti.AutoAssign, ti.Default, now, now, unit)
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ECONFLICT, "已有名为“%s”的组", ti.Name)
		} else if err != nil {
			return fmt.Errorf("insert team: %w", err)
		}
		return auditStaff(ctx, tx, by, storage.AuditTeam, 0, "新建组 "+teamSummary(&ti), now)
	})
	if err != nil {
		return nil, err
	}
	utcTeam(&t)
	return &t, nil
}

// checkTeamInput validates a team form and its actor.
func checkTeamInput(ti *storage.TeamInput, by storage.By) error {
	if by.Actor == "" {
		return storage.Errorf(storage.EINVALID, "a team change needs an actor")
	}
	return ti.Validate()
}

// teamSummary describes a team for the audit log: "综合（默认，自动分配）".
func teamSummary(ti *storage.TeamInput) string {
	var flags []string
	if ti.Default {
		flags = append(flags, "默认")
	}
	if ti.AutoAssign {
		flags = append(flags, "自动分配")
	}
	if len(flags) == 0 {
		return ti.Name
	}
	return ti.Name + "（" + strings.Join(flags, "，") + "）"
}

// takeDefault, when def is set, clears the default mark of every team of the
// unit but except, so that the team being saved can take it (the unique index
// allows one per unit).
func takeDefault(ctx context.Context, tx *sqlx.Tx, def bool, except, unit int64, now time.Time) error {
	if !def {
		return nil
	}
	q := tx.Rebind("UPDATE teams SET is_default = FALSE, updated_at = ? WHERE is_default AND id <> ? AND unit_id = ?")
	if _, err := tx.ExecContext(ctx, q, now, except, unit); err != nil {
		return fmt.Errorf("clear default team: %w", err)
	}
	return nil
}

// UpdateTeam renames a team and sets its switches. ENOTFOUND for an unknown team;
// ECONFLICT if another team has the name; EINVALID as CreateTeam.
func (d *DB) UpdateTeam(ctx context.Context, id int64, ti storage.TeamInput, by storage.By) (*storage.Team, error) {
	if err := checkTeamInput(&ti, by); err != nil {
		return nil, err
	}
	var t *storage.Team
	err := d.inWriteTx(ctx, "update team", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		old, err := findTeam(ctx, tx, id, forUpdate(tx))
		if err != nil {
			return err
		}
		if err := teamNameFree(ctx, tx, ti.Name, id); err != nil {
			return err
		}
		if err := takeDefault(ctx, tx, ti.Default, id, old.UnitID, now); err != nil {
			return err
		}
		q := tx.Rebind("UPDATE teams SET name = ?, auto_assign = ?, is_default = ?, updated_at = ? WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, ti.Name, ti.AutoAssign, ti.Default, now, id); err != nil {
			return fmt.Errorf("update team: %w", err)
		}
		was := storage.TeamInput{Name: old.Name, AutoAssign: old.AutoAssign, Default: old.Default}
		detail := "修改组 " + teamSummary(&was) + " → " + teamSummary(&ti)
		if err := auditStaff(ctx, tx, by, storage.AuditTeam, 0, detail, now); err != nil {
			return err
		}
		t, err = findTeam(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// teamNameFree returns ECONFLICT if a team other than id has the name.
func teamNameFree(ctx context.Context, tx *sqlx.Tx, name string, id int64) error {
	var n int
	q := tx.Rebind("SELECT count(*) FROM teams WHERE name = ? AND id <> ?")
	if err := tx.GetContext(ctx, &n, q, name, id); err != nil {
		return fmt.Errorf("look up team name: %w", err)
	}
	if n > 0 {
		return storage.Errorf(storage.ECONFLICT, "已有名为“%s”的组", name)
	}
	return nil
}

// SetTeamMembers replaces a team's members with staffIDs (duplicates ignored)
// and audits who joined and who left. ENOTFOUND for an unknown team; EINVALID
// for an unknown staff id or a missing actor.
func (d *DB) SetTeamMembers(ctx context.Context, id int64, staffIDs []int64, by storage.By) (*storage.Team, error) {
	if by.Actor == "" {
		return nil, storage.Errorf(storage.EINVALID, "a team change needs an actor")
	}
	want := slices.Compact(slices.Sorted(slices.Values(staffIDs)))
	var t *storage.Team
	err := d.inWriteTx(ctx, "set team members", func(tx *sqlx.Tx) error {
		var err error
		t, err = setTeamMembers(ctx, tx, id, want, by, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// setTeamMembers does SetTeamMembers' work in tx; want is sorted and unique.
func setTeamMembers(
	ctx context.Context, tx *sqlx.Tx, id int64, want []int64, by storage.By, now time.Time,
) (*storage.Team, error) {
	t, err := findTeam(ctx, tx, id, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	var had []int64
	q := tx.Rebind("SELECT staff_id FROM team_members WHERE team_id = ? ORDER BY staff_id")
	if err := tx.SelectContext(ctx, &had, q, id); err != nil {
		return nil, fmt.Errorf("select team members: %w", err)
	}
	var joined, left []string
	for _, sid := range want {
		if slices.Contains(had, sid) {
			continue
		}
		s, err := findStaff(ctx, tx, "id = ?", sid)
		if storage.ErrorCode(err) == storage.ENOTFOUND {
			return nil, storage.Errorf(storage.EINVALID, "没有编号为 %d 的员工", sid)
		} else if err != nil {
			return nil, err
		}
		if err := memberSeesTeam(ctx, tx, s, t); err != nil {
			return nil, err
		}
		q := tx.Rebind("INSERT INTO team_members (team_id, staff_id) VALUES (?, ?)")
		if _, err := tx.ExecContext(ctx, q, id, sid); err != nil {
			return nil, fmt.Errorf("insert team member: %w", err)
		}
		joined = append(joined, s.Name)
	}
	for _, sid := range had {
		if slices.Contains(want, sid) {
			continue
		}
		q := tx.Rebind("DELETE FROM team_members WHERE team_id = ? AND staff_id = ?")
		if _, err := tx.ExecContext(ctx, q, id, sid); err != nil {
			return nil, fmt.Errorf("delete team member: %w", err)
		}
		left = append(left, staffName(ctx, tx, sid))
	}
	t.Members = want
	if len(joined)+len(left) == 0 {
		return t, nil
	}
	return t, auditStaff(ctx, tx, by, storage.AuditTeam, 0, membersDetail(t.Name, joined, left), now)
}

// staffName names a staff member for an audit detail, "#id" if unreadable.
func staffName(ctx context.Context, tx *sqlx.Tx, id int64) string {
	if s, err := findStaff(ctx, tx, "id = ?", id); err == nil {
		return s.Name
	}
	return fmt.Sprintf("#%d", id)
}

// membersDetail describes a change of members: "综合：加入 张三、李四；退出 王五".
func membersDetail(team string, joined, left []string) string {
	var parts []string
	if len(joined) > 0 {
		parts = append(parts, "加入 "+strings.Join(joined, "、"))
	}
	if len(left) > 0 {
		parts = append(parts, "退出 "+strings.Join(left, "、"))
	}
	return "组成员 " + team + "：" + strings.Join(parts, "；")
}

// memberSeesTeam refuses (EINVALID) a member who could not see the team's cases:
// one whose unit is not the team's or above it.
func memberSeesTeam(ctx context.Context, tx *sqlx.Tx, s *storage.Staff, t *storage.Team) error {
	tree, err := readUnitTree(ctx, tx)
	if err != nil {
		return err
	}
	if !tree.Contains(s.UnitID, t.UnitID) {
		return storage.Errorf(storage.EINVALID, "%s 所在单位看不到组“%s”的案件，不能加入该组", s.Name, t.Name)
	}
	return nil
}
