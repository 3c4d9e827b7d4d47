package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.DeskStore = (*DB)(nil)

// AssignCase makes assigneeID the mediator of the case, or, with nil (or 0), leaves
// it unassigned, and audits the change in the same transaction; assigning the
// current assignee again changes and audits nothing. ENOTFOUND for an unknown case;
// EINVALID for a missing actor, or an assignee who does not exist or is disabled.
// The audit entry carries by.IP.
func (d *DB) AssignCase(
	ctx context.Context, caseID int64, assigneeID *int64, by storage.By,
) (*storage.Case, error) {
	if by.Actor == "" {
		return nil, storage.Errorf(storage.EINVALID, "an assignment needs an actor")
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "assign case", func(tx *sqlx.Tx) error {
		var err error
		c, err = assignCase(ctx, tx, caseID, assigneeID, by, false, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ClaimCase makes staffID the mediator of the case if it has none, and audits it as
// AssignCase does. The case's row is locked (FOR UPDATE on PostgreSQL; SQLite's
// immediate transaction serialises writers) before it is checked, so a concurrent
// claim or assignment waits and then sees this one. Claiming one's own case again
// changes nothing. ECONFLICT if someone else has the case.
func (d *DB) ClaimCase(ctx context.Context, caseID, staffID int64, by storage.By) (*storage.Case, error) {
	switch {
	case by.Actor == "":
		return nil, storage.Errorf(storage.EINVALID, "a claim needs an actor")
	case staffID <= 0:
		return nil, storage.Errorf(storage.EINVALID, "a claim needs a staff member")
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "claim case", func(tx *sqlx.Tx) error {
		var err error
		c, err = assignCase(ctx, tx, caseID, &staffID, by, true, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// errClaimed is ClaimCase's answer when someone else has the case.
func errClaimed() error {
	return storage.Errorf(storage.ECONFLICT, "该案件已由其他人认领或已分配给他人，未能认领。请刷新页面查看当前承办人。")
}

// assignCase does AssignCase's work in tx; with onlyIfFree (ClaimCase) it refuses,
// ECONFLICT, a case that someone other than the new assignee has.
func assignCase(
	ctx context.Context, tx *sqlx.Tx, caseID int64, assigneeID *int64, by storage.By, onlyIfFree bool, now time.Time,
) (*storage.Case, error) {
	c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	var to int64
	if assigneeID != nil {
		to = *assigneeID
	}
	if to == c.AssigneeID {
		return c, nil
	}
	if onlyIfFree && c.AssigneeID != 0 {
		return nil, errClaimed()
	}
	detail := "取消指派"
	if to != 0 {
		s, err := activeStaff(ctx, tx, to)
		if err != nil {
			return nil, err
		}
		detail = "指派给 " + s.Name
	}
	q := tx.Rebind("UPDATE cases SET assignee_id = ?, updated_at = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, nullID(to), now, c.ID); err != nil {
		return nil, fmt.Errorf("assign case: %w", err)
	}
	c.AssigneeID, c.UpdatedAt = to, now
	return c, auditStaff(ctx, tx, by, storage.AuditAssign, c.ID, detail, now)
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

// outcomeLabel returns the Chinese name of a storage.Outcome… value, or false.
func outcomeLabel(outcome string) (string, bool) {
	for _, o := range storage.OutcomeLabels {
		if o.Value == outcome {
			return o.Label, true
		}
	}
	return "", false
}

// RecordOutcome stores how mediation ended and the money recovered, appends a note
// to the timeline ("调解结果：达成调解协议，挽回经济损失 ¥120.00，加倍赔偿", then the
// note if any) and audits it (without the note), in one transaction. A later call
// replaces the outcome. The status is left alone: staff move it separately.
// EINVALID for an unknown outcome, a negative amount or a missing actor; ENOTFOUND
// for an unknown case.
func (d *DB) RecordOutcome(ctx context.Context, o storage.Outcome) (*storage.Case, error) {
	label, ok := outcomeLabel(o.Outcome)
	switch {
	case !ok:
		return nil, storage.Errorf(storage.EINVALID, "unknown outcome %q", o.Outcome)
	case o.RecoveredFen < 0:
		return nil, storage.Errorf(storage.EINVALID, "the money recovered cannot be negative")
	case o.Actor == "":
		return nil, storage.Errorf(storage.EINVALID, "an outcome needs an actor")
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "record outcome", func(tx *sqlx.Tx) error {
		var err error
		c, err = recordOutcome(ctx, tx, &o, outcomeSummary(label, &o), dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// recordOutcome does RecordOutcome's work in tx; summary describes the outcome.
func recordOutcome(
	ctx context.Context, tx *sqlx.Tx, o *storage.Outcome, summary string, now time.Time,
) (*storage.Case, error) {
	c, err := findCaseByID(ctx, tx, o.CaseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	q := tx.Rebind(`UPDATE cases SET outcome = ?, recovered_fen = ?, double_compensation = ?,
		updated_at = ? WHERE id = ?`)
	_, err = tx.ExecContext(ctx, q, o.Outcome, o.RecoveredFen, o.DoubleCompensation, now, c.ID)
	if err != nil {
		return nil, fmt.Errorf("record outcome: %w", err)
	}
	c.Outcome, c.RecoveredFen, c.DoubleCompensation = o.Outcome, o.RecoveredFen, o.DoubleCompensation
	c.UpdatedAt = now
	body := "调解结果：" + summary
	if note := strings.TrimSpace(o.Note); note != "" {
		body += "。" + note
	}
	e := &storage.Event{CaseID: c.ID, Kind: storage.EventNote, Actor: o.Actor, Body: body, CreatedAt: now}
	if err := insertEvent(ctx, tx, e); err != nil {
		return nil, err
	}
	by := storage.By{Actor: o.Actor, IP: o.IP}
	return c, auditStaff(ctx, tx, by, storage.AuditOutcome, c.ID, summary, now)
}

// outcomeSummary describes an outcome as staff read it: "达成调解协议，挽回经济损失
// ¥120.00，加倍赔偿". Nothing recovered is not mentioned.
func outcomeSummary(label string, o *storage.Outcome) string {
	s := label
	if o.RecoveredFen > 0 {
		s += fmt.Sprintf("，挽回经济损失 ¥%d.%02d", o.RecoveredFen/100, o.RecoveredFen%100)
	}
	if o.DoubleCompensation {
		s += "，加倍赔偿"
	}
	return s
}

// MarkCaseRead clears the case's unread flag: staff have seen the consumer's latest
// messages. ENOTFOUND for an unknown case.
func (d *DB) MarkCaseRead(ctx context.Context, caseID int64) error {
	return d.inWriteTx(ctx, "mark case read", func(tx *sqlx.Tx) error {
		q := tx.Rebind("UPDATE cases SET unread = FALSE WHERE id = ?")
		res, err := tx.ExecContext(ctx, q, caseID)
		return oneRow(res, err, "case %d not found", caseID)
	})
}
