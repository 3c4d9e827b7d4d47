package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.StaffStore = (*DB)(nil)

// validUsername is what a username may be once lower-cased: 3 to 32 ASCII letters,
// digits, dots, dashes and underscores, so it is easy to type and safe to show.
var validUsername = regexp.MustCompile(`^[a-z0-9_.-]{3,32}$`)

// maxStaffName bounds a staff member's display name, in characters.
const maxStaffName = 50

// staffColumns lists the staff columns in storage.Staff order.
const staffColumns = `id, username, name, role, password_hash, disabled, created_at, updated_at,
	must_change_password, unit_id`

// insertStaffSQL adds an account unless the username is taken. On Postgres a
// concurrent insert of the same username waits here and then inserts nothing.
const insertStaffSQL = `INSERT INTO staff (username, name, role, password_hash, created_at,
	updated_at, must_change_password, unit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (username) DO NOTHING
	RETURNING ` + staffColumns

// CreateStaff adds an account. The username is stored in lower case, so usernames
// differing only in case are one; the name is trimmed. ECONFLICT if the username is
// taken; EINVALID for a username that is not 3 to 32 of a-z, 0-9, '_', '.' and '-',
// a name that is empty or longer than 50 characters, or an unknown role.
func (d *DB) CreateStaff(ctx context.Context, ns storage.NewStaff) (*storage.Staff, error) {
	ns.Username = normalUsername(ns.Username)
	ns.Name = strings.TrimSpace(ns.Name)
	if err := checkNewStaff(&ns); err != nil {
		return nil, err
	}
	var s storage.Staff
	err := d.inWriteTx(ctx, "create staff", func(tx *sqlx.Tx) error {
		if err := unitExists(ctx, tx, unitOrRoot(ns.UnitID)); err != nil {
			return err
		}
		now := dbTime(d.now())
		err := tx.GetContext(ctx, &s, tx.Rebind(insertStaffSQL),
			ns.Username, ns.Name, ns.Role, ns.PasswordHash, now, now, ns.MustChangePassword,
			unitOrRoot(ns.UnitID))
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ECONFLICT, "username %q is taken", ns.Username)
		} else if err != nil {
			return fmt.Errorf("insert staff: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	utcStaff(&s)
	return &s, nil
}

// normalUsername is the stored form of a username: trimmed and lower-cased.
func normalUsername(u string) string {
	return strings.ToLower(strings.TrimSpace(u))
}

// checkNewStaff refuses an account the console could not show or sign in.
func checkNewStaff(ns *storage.NewStaff) error {
	switch n := utf8.RuneCountInString(ns.Name); {
	case !validUsername.MatchString(ns.Username):
		return storage.Errorf(storage.EINVALID,
			"a username is 3 to 32 of a-z, 0-9, '_', '.' and '-', not %q", ns.Username)
	case n == 0 || n > maxStaffName:
		return storage.Errorf(storage.EINVALID, "a name is 1 to %d characters", maxStaffName)
	case !ns.Role.Valid():
		return storage.Errorf(storage.EINVALID, "unknown role %q", ns.Role)
	}
	return nil
}

// FindStaffByID returns the account with the id, ENOTFOUND if there is none.
// One statement: every request with a session cookie asks it.
func (d *DB) FindStaffByID(ctx context.Context, id int64) (*storage.Staff, error) {
	var s *storage.Staff
	err := d.inRead(ctx, "find staff", func(r reader) error {
		var err error
		s, err = findStaff(ctx, r, "id = ?", id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// FindStaffByUsername returns the account with the username in any case,
// ENOTFOUND if there is none.
func (d *DB) FindStaffByUsername(ctx context.Context, username string) (*storage.Staff, error) {
	var s *storage.Staff
	err := d.inReadTx(ctx, "find staff", func(tx *sqlx.Tx) error {
		var err error
		s, err = findStaff(ctx, tx, "username = ?", normalUsername(username))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// findStaff returns the one account matching where, or ENOTFOUND.
func findStaff(ctx context.Context, tx reader, where string, args ...any) (*storage.Staff, error) {
	s, err := selectOne[storage.Staff](ctx, tx, "SELECT "+staffColumns+" FROM staff WHERE "+where, "staff member", args...)
	if err != nil {
		return nil, err
	}
	utcStaff(s)
	return s, nil
}

// ListStaff returns every account, by username, disabled ones too.
func (d *DB) ListStaff(ctx context.Context) ([]*storage.Staff, error) {
	staff := []*storage.Staff{}
	err := d.inReadTx(ctx, "list staff", func(tx *sqlx.Tx) error {
		q := "SELECT " + staffColumns + " FROM staff ORDER BY username"
		return tx.SelectContext(ctx, &staff, q)
	})
	if err != nil {
		return nil, err
	}
	for _, s := range staff {
		utcStaff(s)
	}
	return staff, nil
}

// SetStaffPassword replaces the password hash and sets or clears
// must_change_password. ENOTFOUND if no such account.
func (d *DB) SetStaffPassword(ctx context.Context, id int64, passwordHash string, mustChange bool) error {
	return d.inWriteTx(ctx, "set staff password", func(tx *sqlx.Tx) error {
		return updateStaff(ctx, tx, id, "password_hash = ?, must_change_password = ?", dbTime(d.now()),
			passwordHash, mustChange)
	})
}

// SetStaffDisabled disables or re-enables an account. ENOTFOUND if no such
// account; ECONFLICT for disabling the last active admin.
func (d *DB) SetStaffDisabled(ctx context.Context, id int64, disabled bool) error {
	return d.inWriteTx(ctx, "set staff disabled", func(tx *sqlx.Tx) error {
		if disabled {
			if err := keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		return updateStaff(ctx, tx, id, "disabled = ?", dbTime(d.now()), disabled)
	})
}

// updateStaff applies set (assignments with placeholders, filled by args) to
// account id in tx and stamps updated_at. ENOTFOUND if no such account.
func updateStaff(ctx context.Context, tx *sqlx.Tx, id int64, set string, now time.Time, args ...any) error {
	q := tx.Rebind("UPDATE staff SET " + set + ", updated_at = ? WHERE id = ?")
	res, err := tx.ExecContext(ctx, q, append(args, now, id)...)
	return oneRow(res, err, "staff member %d not found", id)
}

// CountStaff returns how many accounts exist, disabled ones too.
func (d *DB) CountStaff(ctx context.Context) (int, error) {
	var n int
	err := d.inReadTx(ctx, "count staff", func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &n, "SELECT count(*) FROM staff")
	})
	return n, err
}

// utcStaff puts the account's times in UTC: lib/pq returns them in the session's zone.
func utcStaff(s *storage.Staff) {
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
}

// activeStaff returns the staff member with the id if they may take cases:
// EINVALID if there is none or the account is disabled. A missing assignee is a bad
// form value, not a missing page, hence not ENOTFOUND.
func activeStaff(ctx context.Context, tx *sqlx.Tx, id int64) (*storage.Staff, error) {
	s, err := findStaff(ctx, tx, "id = ?", id)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil, storage.Errorf(storage.EINVALID, "there is no staff member %d to assign", id)
	} else if err != nil {
		return nil, err
	}
	if s.Disabled {
		return nil, storage.Errorf(storage.EINVALID, "%s's account is disabled", s.Name)
	}
	return s, nil
}
