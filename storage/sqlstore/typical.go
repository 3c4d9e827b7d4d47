package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.TypicalCaseStore = (*DB)(nil)

// upsertTypicalSQL marks a case, or rewords (and restores) its existing mark.
// Both dialects take ON CONFLICT … DO UPDATE.
const upsertTypicalSQL = `INSERT INTO typical_cases (case_id, title, summary, marked_by, marked_at)
	VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET title = excluded.title,
	summary = excluded.summary, marked_by = excluded.marked_by, marked_at = excluded.marked_at,
	removed_at = NULL`

// typicalSelect reads marks with the case facts the report prints; it names no
// personal data.
const typicalSelect = `SELECT t.case_id, c.number, t.title, t.summary, c.category, c.outcome,
	c.recovered_fen, c.created_at AS received_at, t.marked_by, t.marked_at, c.unit_id
	FROM typical_cases t JOIN cases c ON c.id = t.case_id WHERE t.removed_at IS NULL`

// MarkTypicalCase implements storage.TypicalCaseStore.
func (d *DB) MarkTypicalCase(ctx context.Context, m storage.TypicalCaseMark) (*storage.TypicalCase, error) {
	staffID, err := checkTypicalMark(&m)
	if err != nil {
		return nil, err
	}
	var tc *storage.TypicalCase
	err = d.inWriteTx(ctx, "mark typical case", func(tx *sqlx.Tx) error {
		c, err := findCaseByID(ctx, tx, m.CaseID, forUpdate(tx))
		if err != nil {
			return err
		}
		if !c.Status.Final() {
			return storage.Errorf(storage.ECONFLICT, "案件 %s 当前为“%s”，只有已结束处理的案件才能标为典型案例。",
				c.Number, c.Status.Label())
		}
		now := dbTime(d.now())
		if _, err := tx.ExecContext(ctx, tx.Rebind(upsertTypicalSQL), c.ID, m.Title, m.Summary, staffID, now); err != nil {
			return fmt.Errorf("mark typical case: %w", err)
		}
		if err := auditStaff(ctx, tx, m.By, storage.AuditTypicalCase, c.ID, "标为典型案例", now); err != nil {
			return err
		}
		tc, err = findTypical(ctx, tx, c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return tc, nil
}

// checkTypicalMark trims the wording and checks it and the actor; it returns the
// staff id of the actor.
func checkTypicalMark(m *storage.TypicalCaseMark) (int64, error) {
	m.Title, m.Summary = strings.TrimSpace(m.Title), strings.TrimSpace(m.Summary)
	staffID, ok := storage.StaffIDFromActor(m.By.Actor)
	switch {
	case !ok:
		return 0, storage.Errorf(storage.EINVALID, "a typical case is marked by a staff member")
	case m.Title == "" || m.Summary == "":
		return 0, storage.Errorf(storage.EINVALID, "典型案例需要标题和案情摘要。")
	case utf8.RuneCountInString(m.Title) > storage.MaxTypicalTitleRunes:
		return 0, storage.Errorf(storage.EINVALID, "标题最多 %d 个字。", storage.MaxTypicalTitleRunes)
	case utf8.RuneCountInString(m.Summary) > storage.MaxTypicalSummaryRunes:
		return 0, storage.Errorf(storage.EINVALID, "案情摘要最多 %d 个字。", storage.MaxTypicalSummaryRunes)
	}
	return staffID, nil
}

// UnmarkTypicalCase implements storage.TypicalCaseStore.
func (d *DB) UnmarkTypicalCase(ctx context.Context, caseID int64, by storage.By) error {
	return d.inWriteTx(ctx, "unmark typical case", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE typical_cases SET removed_at = ?
			WHERE case_id = ? AND removed_at IS NULL`), now, caseID)
		if err := changedRow(res, err, storage.ENOTFOUND, "case %d is not a typical case", caseID); err != nil {
			return err
		}
		return auditStaff(ctx, tx, by, storage.AuditTypicalCase, caseID, "取消典型案例", now)
	})
}

// FindTypicalCase implements storage.TypicalCaseStore.
func (d *DB) FindTypicalCase(ctx context.Context, caseID int64) (*storage.TypicalCase, error) {
	var tc *storage.TypicalCase
	err := d.inReadTx(ctx, "find typical case", func(tx *sqlx.Tx) error {
		var err error
		tc, err = findTypical(ctx, tx, caseID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return tc, nil
}

// findTypical reads one case's mark in tx.
func findTypical(ctx context.Context, tx *sqlx.Tx, caseID int64) (*storage.TypicalCase, error) {
	var list []*storage.TypicalCase
	if err := tx.SelectContext(ctx, &list, tx.Rebind(typicalSelect+` AND t.case_id = ?`), caseID); err != nil {
		return nil, fmt.Errorf("find typical case: %w", err)
	}
	if len(list) == 0 {
		return nil, storage.Errorf(storage.ENOTFOUND, "case %d is not a typical case", caseID)
	}
	return list[0], nil
}

// TypicalCases implements storage.TypicalCaseStore.
func (d *DB) TypicalCases(ctx context.Context, from, to time.Time) ([]*storage.TypicalCase, error) {
	list := []*storage.TypicalCase{}
	err := d.inReadTx(ctx, "typical cases", func(tx *sqlx.Tx) error {
		q := tx.Rebind(typicalSelect + ` AND c.created_at >= ? AND c.created_at < ? ORDER BY c.created_at, c.id`)
		return tx.SelectContext(ctx, &list, q, dbTime(from), dbTime(to))
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}
