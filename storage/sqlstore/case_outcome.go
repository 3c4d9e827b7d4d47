package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// CloseCase is the one closing action (结案): it records the outcome and moves the
// case to the outcome's status (storage.OutcomeStatus) through changeStatus, so the
// outcome fields, the status change event, the consumer's notice and the audit entry
// (action "outcome") are written in one transaction. The table decides from where:
// 调解成功 and 终止调解 from 调解中, 检测鉴定 or 已转办; 撤回投诉 also from 待受理, 待补正
// and 已受理. EINVALID as storage.Closing.Validate; ECONFLICT if the table does not
// allow the move; ENOTFOUND for an unknown case.
func (d *DB) CloseCase(ctx context.Context, cl storage.Closing) (*storage.Case, error) {
	cl.Reason, cl.Note = strings.TrimSpace(cl.Reason), strings.TrimSpace(cl.Note)
	if err := cl.Validate(); err != nil {
		return nil, err
	}
	to, _ := storage.OutcomeStatus(cl.Outcome)
	change := storage.StatusChange{
		CaseID: cl.CaseID, To: to, Actor: cl.Actor, IP: cl.IP, Reason: closingReason(&cl), Closing: &cl,
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "close case", func(tx *sqlx.Tx) error {
		var err error
		c, err = changeStatus(ctx, tx, &change, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// closingReason is what the timeline and the consumer's notice say of a closing:
// the termination's ground, or the outcome with the money recovered; the note
// follows in brackets.
func closingReason(cl *storage.Closing) string {
	reason := cl.Reason
	if cl.Outcome != storage.OutcomeTerminated {
		reason = storage.OutcomeSummary(cl.Outcome, cl.RecoveredFen, cl.DoubleCompensation)
	}
	if cl.Note != "" {
		reason += "（" + cl.Note + "）"
	}
	return reason
}

// applyOutcome keeps the outcome in step with the move c has just made: a closing
// stores its outcome, a withdrawal the outcome 撤回投诉, and a reopening moves the
// old outcome to the timeline and clears it. Other moves leave it alone: a case
// closed (已办结) keeps the outcome of the status it was closed from.
func applyOutcome(ctx context.Context, tx *sqlx.Tx, c *storage.Case, ch *storage.StatusChange, now time.Time) error {
	switch {
	case ch.Reopen:
		return clearOutcome(ctx, tx, c, ch.Actor, now)
	case ch.Closing != nil:
		if to, _ := storage.OutcomeStatus(ch.Closing.Outcome); to != ch.To {
			return storage.Errorf(storage.EINVALID, "the outcome %q does not lead to %s", ch.Closing.Outcome, ch.To)
		}
		return setOutcome(ctx, tx, c, ch.Closing.Outcome, ch.Closing.RecoveredFen, ch.Closing.DoubleCompensation, now)
	case ch.To == storage.StatusWithdrawn:
		return setOutcome(ctx, tx, c, storage.OutcomeWithdrawn, 0, false, now)
	}
	return nil
}

// setOutcome stores the outcome fields of c.
func setOutcome(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, outcome string, fen int64, double bool, now time.Time,
) error {
	q := tx.Rebind(`UPDATE cases SET outcome = ?, recovered_fen = ?, double_compensation = ?,
		updated_at = ? WHERE id = ?`)
	if _, err := tx.ExecContext(ctx, q, outcome, fen, double, now, c.ID); err != nil {
		return fmt.Errorf("record outcome: %w", err)
	}
	c.Outcome, c.RecoveredFen, c.DoubleCompensation = outcome, fen, double
	return nil
}

// clearOutcome moves c's outcome to the timeline, as a note with the outcome, the
// money and 加倍赔偿, and clears it: a reopened case has no outcome until it is
// closed again, and the figures must not count the old one.
func clearOutcome(ctx context.Context, tx *sqlx.Tx, c *storage.Case, actor string, now time.Time) error {
	if c.Outcome == "" && c.RecoveredFen == 0 && !c.DoubleCompensation {
		return nil
	}
	e := &storage.Event{
		CaseID: c.ID, Kind: storage.EventNote, Actor: actor, CreatedAt: now,
		Body: "重新调解前的调解结果（已从案件中清除）：" + outcomeSummaryOf(c),
	}
	if err := insertEvent(ctx, tx, e); err != nil {
		return err
	}
	return setOutcome(ctx, tx, c, "", 0, false, now)
}

// outcomeSummaryOf describes c's outcome as staff read it ("无" when it has none).
func outcomeSummaryOf(c *storage.Case) string {
	if c.Outcome == "" {
		s := storage.OutcomeSummary("", c.RecoveredFen, c.DoubleCompensation)
		return "无调解结果" + s
	}
	return storage.OutcomeSummary(c.Outcome, c.RecoveredFen, c.DoubleCompensation)
}
