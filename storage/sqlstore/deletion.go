package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// deletionReason is the reason of the withdrawal and the anonymisation a
// carried-out deletion request makes: the case cannot go on without the data.
const deletionReason = "应消费者要求删除个人信息"

// deletionDueDays is DB.DeletionDueDays or its default.
func (d *DB) deletionDueDays() int {
	if d.DeletionDueDays > 0 {
		return d.DeletionDueDays
	}
	return storage.DefaultDeletionDueDays
}

// RequestErasure anonymises openid's finished cases (EraseConsumer) and files a
// deletion request for each open one (see storage.RightsStore).
func (d *DB) RequestErasure(
	ctx context.Context, openid string, blobs storage.BlobRemover, by storage.By,
) (*storage.Erasure, error) {
	out, err := d.EraseConsumer(ctx, openid, blobs, by)
	if err != nil {
		return out, err
	}
	out.Requested = []*storage.DeletionRequest{}
	for _, rec := range out.Open {
		var id int64
		err := d.inWriteTx(ctx, "file deletion request", func(tx *sqlx.Tx) error {
			var err error
			id, err = d.fileDeletionRequest(ctx, tx, rec.CaseID, by)
			return err
		})
		if err != nil {
			return out, err
		}
		if id == 0 {
			continue
		}
		req, err := d.DeletionRequest(ctx, id)
		if err != nil {
			return out, err
		}
		out.Requested = append(out.Requested, req)
	}
	return out, nil
}

// fileDeletionRequest files the request for case caseID in tx and returns its
// id: the pending one if there is one already (a repeated request restarts no
// clock), 0 for a case that is no longer open or holds no data.
func (d *DB) fileDeletionRequest(ctx context.Context, tx *sqlx.Tx, caseID int64, by storage.By) (int64, error) {
	c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
	if err != nil || c.Anonymised || c.Status.Final() {
		return 0, err
	}
	var id int64
	err = tx.GetContext(ctx, &id, tx.Rebind(
		`SELECT id FROM deletion_requests WHERE case_id = ? AND status = ?`), caseID, storage.DeletionPending)
	if err == nil {
		return id, nil
	}
	if err != sql.ErrNoRows {
		return 0, fmt.Errorf("read deletion request: %w", err)
	}
	now := dbTime(d.now())
	cal, err := calendarFrom(ctx, tx, now)
	if err != nil {
		return 0, err
	}
	due := cal.AddWorkingDays(now, d.deletionDueDays()).Format(storage.DateLayout)
	err = tx.GetContext(ctx, &id, tx.Rebind(`INSERT INTO deletion_requests (case_id, requested_at, due_on, status)
		VALUES (?, ?, ?, ?) RETURNING id`), caseID, now, due, storage.DeletionPending)
	if err != nil {
		return 0, fmt.Errorf("insert deletion request: %w", err)
	}
	// The timeline tells the mediator working the case; the audit, who asked.
	body := "消费者要求删除个人信息，请于 " + due + " 前处理（删除请求列表）"
	if err := insertEvent(ctx, tx, &storage.Event{CaseID: caseID, Kind: storage.EventNote,
		Actor: storage.ActorConsumer, Body: body, CreatedAt: now}); err != nil {
		return 0, err
	}
	staffID, _ := storage.StaffIDFromActor(by.Actor)
	return id, insertAudit(ctx, tx, &storage.AuditEntry{StaffID: staffID, Action: storage.AuditDeletionRequest,
		CaseID: caseID, Detail: "删除请求（" + by.Actor + "），答复期限 " + due, IP: by.IP, CreatedAt: now})
}

// deletionSelect reads requests with their case's number, status, unit and hold.
const deletionSelect = `SELECT r.id, r.case_id, c.number AS case_number, c.status AS case_status,
	c.unit_id, c.legal_hold, r.requested_at, r.due_on, r.status, COALESCE(r.handled_by, 0) AS handled_by,
	r.handled_at, r.refusal_reason FROM deletion_requests r JOIN cases c ON c.id = r.case_id`

// deletionRow is a deletionSelect row.
type deletionRow struct {
	storage.DeletionRequest
	HandledAt sql.NullTime `db:"handled_at"`
}

func (r *deletionRow) request() *storage.DeletionRequest {
	req := r.DeletionRequest
	req.HandledAt = nullTime(r.HandledAt)
	req.RequestedAt = req.RequestedAt.UTC()
	return &req
}

// DeletionRequests lists requests (see storage.RightsStore): pending first, by
// due day, then the settled ones, latest first.
func (d *DB) DeletionRequests(ctx context.Context, f storage.DeletionFilter) ([]*storage.DeletionRequest, error) {
	var conds []string
	var args []any
	if f.UnitIDs != nil {
		cond, a := idsIn("c.unit_id", f.UnitIDs)
		conds, args = append(conds, cond), append(args, a...)
	}
	if f.Status != "" {
		conds, args = append(conds, "r.status = ?"), append(args, f.Status)
	}
	if f.CaseID != 0 {
		conds, args = append(conds, "r.case_id = ?"), append(args, f.CaseID)
	}
	q := deletionSelect
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	q += fmt.Sprintf(` ORDER BY CASE WHEN r.status = '%s' THEN 0 ELSE 1 END, r.due_on, r.id LIMIT %d`,
		storage.DeletionPending, limit)
	var rows []deletionRow
	err := d.inReadTx(ctx, "list deletion requests", func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, tx.Rebind(q), args...)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*storage.DeletionRequest, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].request())
	}
	return out, nil
}

// DeletionRequest returns request id; ENOTFOUND if there is none.
func (d *DB) DeletionRequest(ctx context.Context, id int64) (*storage.DeletionRequest, error) {
	var req *storage.DeletionRequest
	err := d.inReadTx(ctx, "read deletion request", func(tx *sqlx.Tx) error {
		var err error
		req, err = findDeletionRequest(ctx, tx, id)
		return err
	})
	return req, err
}

func findDeletionRequest(ctx context.Context, tx *sqlx.Tx, id int64) (*storage.DeletionRequest, error) {
	row, err := selectOne[deletionRow](ctx, tx, deletionSelect+" WHERE r.id = ?", "deletion request", id)
	if err != nil {
		return nil, err
	}
	return row.request(), nil
}

// pendingRequest locks request id's case and returns the request with the
// case, or ECONFLICT when it was settled already.
func pendingRequest(ctx context.Context, tx *sqlx.Tx, id int64) (*storage.DeletionRequest, *storage.Case, error) {
	req, err := findDeletionRequest(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := findCaseByID(ctx, tx, req.CaseID, forUpdate(tx))
	if err != nil {
		return nil, nil, err
	}
	if req, err = findDeletionRequest(ctx, tx, id); err != nil { // settled while we waited for the lock?
		return nil, nil, err
	}
	if req.Status != storage.DeletionPending {
		return nil, nil, storage.Errorf(storage.ECONFLICT, "删除请求 %d 已处理（%s）", id,
			storage.DeletionStatusLabel(req.Status))
	}
	return req, c, nil
}

// CarryOutDeletion withdraws the request's case if still open (through
// changeStatus, like every move), anonymises it, settles the request and tells
// the consumer, in one transaction; then removes the evidence bytes no other
// case needs (see storage.RightsStore).
func (d *DB) CarryOutDeletion(
	ctx context.Context, id int64, blobs storage.BlobRemover, by storage.By,
) (*storage.DeletionRequest, error) {
	var keys []string
	err := d.inWriteTx(ctx, "carry out deletion request", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		_, c, err := pendingRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.LegalHold {
			return storage.Errorf(storage.ECONFLICT, "投诉 %s 处于法律保全，不能删除；请记录不予删除的理由", c.Number)
		}
		if !c.Status.Final() && !c.Anonymised {
			ch := &storage.StatusChange{CaseID: c.ID, To: storage.StatusWithdrawn, Actor: by.Actor, IP: by.IP,
				Reason: deletionReason}
			if _, err := changeStatus(ctx, tx, ch, now); err != nil {
				return err
			}
		}
		openid := c.OpenID
		if !c.Anonymised {
			if _, keys, err = anonymiseCase(ctx, tx, c.ID, by, deletionReason, now); err != nil {
				return err
			}
		}
		if err := settleRequest(ctx, tx, id, storage.DeletionDone, "", by, now); err != nil {
			return err
		}
		// The case no longer knows its consumer: the notice belongs to no case,
		// and the retention job clears it like any caseless chat answer.
		if openid != "" {
			if _, err := insertNotification(ctx, tx, storage.NewNotification{OpenID: openid,
				Kind: storage.NoticeErasure, CaseNumber: c.Number, StatusLabel: "已删除", Summary: "个人信息已按要求删除"}, 0, now); err != nil {
				return err
			}
		}
		staffID, _ := storage.StaffIDFromActor(by.Actor)
		return insertAudit(ctx, tx, &storage.AuditEntry{StaffID: staffID, Action: storage.AuditDeletionDone,
			CaseID: c.ID, Detail: fmt.Sprintf("删除请求 %d：已删除个人信息", id), IP: by.IP, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	if _, err := d.removeUnusedBlobs(ctx, blobs, keys); err != nil {
		return nil, err
	}
	return d.DeletionRequest(ctx, id)
}

// RefuseDeletion settles a held case's request as refused and tells the
// consumer why (see storage.RightsStore).
func (d *DB) RefuseDeletion(
	ctx context.Context, id int64, reason string, by storage.By,
) (*storage.DeletionRequest, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, storage.Errorf(storage.EINVALID, "不予删除须写明理由")
	}
	err := d.inWriteTx(ctx, "refuse deletion request", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		_, c, err := pendingRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if !c.LegalHold {
			return storage.Errorf(storage.ECONFLICT, "投诉 %s 没有法律保全，应予删除", c.Number)
		}
		if err := settleRequest(ctx, tx, id, storage.DeletionRefused, reason, by, now); err != nil {
			return err
		}
		if _, err := insertNotification(ctx, tx, caseNotice(c, storage.NewNotification{
			Kind: storage.NoticeErasure, Text: reason}), 0, now); err != nil {
			return err
		}
		// The reason is free text: it goes to the consumer, not to the audit.
		staffID, _ := storage.StaffIDFromActor(by.Actor)
		return insertAudit(ctx, tx, &storage.AuditEntry{StaffID: staffID, Action: storage.AuditDeletionRefused,
			CaseID: c.ID, Detail: fmt.Sprintf("删除请求 %d：法律保全，不予删除", id), IP: by.IP, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return d.DeletionRequest(ctx, id)
}

// settleRequest marks request id as status, by whom and when.
func settleRequest(
	ctx context.Context, tx *sqlx.Tx, id int64, status, reason string, by storage.By, now time.Time,
) error {
	staffID, _ := storage.StaffIDFromActor(by.Actor)
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE deletion_requests SET status = ?, refusal_reason = ?,
		handled_by = ?, handled_at = ? WHERE id = ?`), status, reason, nullID(staffID), now, id)
	if err != nil {
		return fmt.Errorf("settle deletion request: %w", err)
	}
	return nil
}
