package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.AuditStore = (*DB)(nil)

// Page sizes for FindAudit.
const (
	defaultAuditPageSize = 50
	maxAuditPageSize     = 200
)

// maxAuditDetail bounds an entry's detail, which the console composes.
const maxAuditDetail = 1000

// auditColumns lists the audit_log columns in storage.AuditEntry order; NULL staff
// and case ids read as 0.
const auditColumns = `id, COALESCE(staff_id, 0) AS staff_id, action,
	COALESCE(case_id, 0) AS case_id, detail, ip, created_at`

// AddAudit appends an entry stamped with the DB's clock (e.CreatedAt and e.ID are
// ignored: the log says when it learnt of an action). A StaffID or CaseID of 0 is
// stored as none. EINVALID without an action or for a case that does not exist.
func (d *DB) AddAudit(ctx context.Context, e storage.AuditEntry) error {
	if strings.TrimSpace(e.Action) == "" {
		return storage.Errorf(storage.EINVALID, "an audit entry needs an action")
	}
	e.CreatedAt = dbTime(d.now())
	return d.inWriteTx(ctx, "add audit entry", func(tx *sqlx.Tx) error {
		return insertAudit(ctx, tx, &e)
	})
}

// insertAudit appends e in tx, so that an action and its entry commit together.
func insertAudit(ctx context.Context, tx *sqlx.Tx, e *storage.AuditEntry) error {
	q := tx.Rebind(`INSERT INTO audit_log (staff_id, action, case_id, detail, ip, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`)
	_, err := tx.ExecContext(ctx, q, nullID(e.StaffID), e.Action, nullID(e.CaseID),
		cutRunes(e.Detail, maxAuditDetail), e.IP, e.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

// auditStaff records, in tx, an action on a case when a staff member made it, with
// the client address they made it from; the consumer's and the system's actions
// are on the timeline and not audited. detail must hold no personal data.
func auditStaff(
	ctx context.Context, tx *sqlx.Tx, by storage.By, action string, caseID int64, detail string, now time.Time,
) error {
	staffID, ok := storage.StaffIDFromActor(by.Actor)
	if !ok {
		return nil
	}
	return insertAudit(ctx, tx, &storage.AuditEntry{
		StaffID: staffID, Action: action, CaseID: caseID, Detail: detail, IP: by.IP, CreatedAt: now,
	})
}

// FindAudit returns one page of the entries matching the filter, newest first, and
// the total count of matches. A StaffID of 0 selects entries by no known staff
// member (failed sign-ins with an unknown username); a CaseID of 0, entries about no
// case. Since is inclusive, Until exclusive. A zero Limit means 50; more than 200
// means 200.
func (d *DB) FindAudit(ctx context.Context, f storage.AuditFilter) ([]*storage.AuditEntry, int, error) {
	where, args := auditWhere(f)
	limit, offset := f.Limit, max(f.Offset, 0)
	if limit <= 0 {
		limit = defaultAuditPageSize
	}
	limit = min(limit, maxAuditPageSize)
	var (
		entries []*storage.AuditEntry
		total   int
	)
	err := d.inReadTx(ctx, "find audit entries", func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT count(*) FROM audit_log WHERE " + where)
		if err := tx.GetContext(ctx, &total, q, args...); err != nil {
			return fmt.Errorf("count audit entries: %w", err)
		}
		q = tx.Rebind("SELECT " + auditColumns + " FROM audit_log WHERE " + where +
			" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?")
		entries = []*storage.AuditEntry{}
		return tx.SelectContext(ctx, &entries, q, append(args, limit, offset)...)
	})
	if err != nil {
		return nil, 0, err
	}
	for _, e := range entries {
		e.CreatedAt = e.CreatedAt.UTC()
	}
	return entries, total, nil
}

// auditWhere builds the condition and arguments for the filter's non-nil fields.
func auditWhere(f storage.AuditFilter) (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, a ...any) {
		where, args = append(where, cond), append(args, a...)
	}
	addID := func(column string, id *int64) {
		if id != nil && *id == 0 {
			add(column + " IS NULL")
		} else if id != nil {
			add(column+" = ?", *id)
		}
	}
	addID("staff_id", f.StaffID)
	addID("case_id", f.CaseID)
	if f.Action != nil {
		add("action = ?", *f.Action)
	}
	if f.Since != nil {
		add("created_at >= ?", dbTime(*f.Since))
	}
	if f.Until != nil {
		add("created_at < ?", dbTime(*f.Until))
	}
	if f.UnitIDs != nil {
		staff, sa := idsIn("unit_id", f.UnitIDs)
		cases, ca := idsIn("unit_id", f.UnitIDs)
		add("(staff_id IS NULL OR staff_id IN (SELECT id FROM staff WHERE "+staff+"))", sa...)
		add("(case_id IS NULL OR case_id IN (SELECT id FROM cases WHERE "+cases+"))", ca...)
	}
	return strings.Join(where, " AND "), args
}
