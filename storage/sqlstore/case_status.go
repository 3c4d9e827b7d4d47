package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// ChangeStatus moves the case along the status table, appends an EventStatusChange and
// enqueues a NoticeStatusChange to the consumer (and, when the case becomes closed, a
// NoticeRatingRequest), all in one transaction, and returns the updated case. A move
// made by a staff member is audited in the same transaction. With change.Reopen, the
// one move allowed is from a finished case (see storage.Status.CanReopen) back to
// mediating, which the table alone never allows; the store does not check who
// reopens, which is the console's business (supervisors). The case row is locked
// first, so two staff members moving one case at once are checked against the table
// one after the other. A withdrawal records the outcome 撤回投诉; a reopening moves
// the old outcome to the timeline and clears it. 调解成功 and 终止调解 are reached only
// by CloseCase, 待补正 only by RequestMaterial; leaving 待补正 is checked as
// checkMaterialRules says. ECONFLICT if the move is not allowed from the current
// status; EINVALID for an unknown status, a missing actor, a missing reason where
// one is required (rejected, terminated), or a target only those methods reach;
// ENOTFOUND for an unknown case. A move to 已转办 writes its referral record and
// needs a reason naming one of storage.ReferralTargets (EINVALID otherwise); to
// 仲裁委员会 it needs the consumer's 同意仲裁 (ECONFLICT otherwise; see
// referralOnMove).
func (d *DB) ChangeStatus(ctx context.Context, change storage.StatusChange) (*storage.Case, error) {
	if err := checkStatusChange(&change); err != nil {
		return nil, err
	}
	if err := checkPlainMove(&change); err != nil {
		return nil, err
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "change status", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		if err := d.checkMaterialRules(ctx, tx, &change, now); err != nil {
			return err
		}
		var err error
		c, err = changeStatus(ctx, tx, &change, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkPlainMove refuses, in ChangeStatus, the moves that carry more than a
// reason: an outcome (CloseCase) and a request for material (RequestMaterial).
func checkPlainMove(ch *storage.StatusChange) error {
	switch {
	case ch.Closing != nil || (ch.To.ClosingOnly() && !ch.Reopen):
		return storage.Errorf(storage.EINVALID,
			"%s（%s）只能通过结案登记调解结果后进入", ch.To.Label(), ch.To)
	case ch.To == storage.StatusAwaitingMaterial:
		return storage.Errorf(storage.EINVALID,
			"%s（%s）只能通过“要求补正”写明所需材料后进入", ch.To.Label(), ch.To)
	}
	return nil
}

// checkStatusChange refuses what no case could accept, before touching the database.
func checkStatusChange(ch *storage.StatusChange) error {
	ch.Reason = strings.TrimSpace(ch.Reason)
	switch {
	case !ch.To.Valid():
		return storage.Errorf(storage.EINVALID, "unknown status %q", ch.To)
	case ch.Actor == "":
		return storage.Errorf(storage.EINVALID, "a status change needs an actor")
	case needsReason(ch.To) && ch.Reason == "":
		return storage.Errorf(storage.EINVALID, "moving a case to %s (%s) needs a reason",
			ch.To.Label(), ch.To)
	}
	return nil
}

// needsReason reports whether the consumer must be told why a case reached s: a
// refusal to accept (Order 20 art. 15) and the end of mediation (art. 21).
func needsReason(s storage.Status) bool {
	return s == storage.StatusRejected || s == storage.StatusTerminated
}

// changeStatus does ChangeStatus's work in tx: every status move of the store goes
// through it (CloseCase, RequestMaterial and ResumeCase too), so the table, the
// outcome, the timeline, the notice and the audit entry always move together.
func changeStatus(
	ctx context.Context, tx *sqlx.Tx, ch *storage.StatusChange, now time.Time,
) (*storage.Case, error) {
	c, err := findCaseByID(ctx, tx, ch.CaseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	from := c.Status
	if c.Anonymised {
		// Its consumer can no longer be told, and its file no longer says what
		// happened: an anonymised case is history.
		return nil, storage.Errorf(storage.ECONFLICT, "投诉 %s 已匿名化，不能再变更状态", c.Number)
	}
	if err := checkMove(c, ch); err != nil {
		return nil, err
	}
	if ch.To == storage.StatusReferred {
		// The reason of a referral is its target; the figures count it as the
		// channel that handled the case.
		c.ReferralTarget = storage.ReferralTargetOf(ch.Reason)
	}
	q := tx.Rebind("UPDATE cases SET status = ?, referral_target = ?, updated_at = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, ch.To, c.ReferralTarget, now, c.ID); err != nil {
		return nil, fmt.Errorf("update case status: %w", err)
	}
	c.Status, c.UpdatedAt = ch.To, now
	if err := referralOnMove(ctx, tx, c, from, ch, now); err != nil {
		return nil, err
	}
	if err := applyOutcome(ctx, tx, c, ch, now); err != nil {
		return nil, err
	}
	move := statusChangeBody(from, ch.To, ch.Reopen, "")
	err = insertEvent(ctx, tx, &storage.Event{
		CaseID: c.ID, Kind: storage.EventStatusChange, Actor: ch.Actor,
		Body: statusChangeBody(from, ch.To, ch.Reopen, ch.Reason), CreatedAt: now,
	})
	if err != nil {
		return nil, err
	}
	for _, nn := range statusNotices(c, ch.Actor, ch.Reason) {
		if _, err := insertNotification(ctx, tx, nn, 0, now); err != nil {
			return nil, err
		}
	}
	// The reason stays out of the audit: it is free text and may name people.
	by := storage.By{Actor: ch.Actor, IP: ch.IP}
	action, detail := storage.AuditStatusChange, move
	if ch.Closing != nil {
		action, detail = storage.AuditOutcome, move+"（"+outcomeSummaryOf(c)+"）"
	}
	if err := auditStaff(ctx, tx, by, action, c.ID, detail, now); err != nil {
		return nil, err
	}
	// The status history and the due day of the case's clock, last, so that
	// every move (whichever action makes it) keeps them.
	return c, enterStatusPeriod(ctx, tx, c, ch.Reopen, now)
}

// checkMove returns ECONFLICT unless ch may move c: along the status table, or,
// for a reopening, from a finished status back to mediating.
func checkMove(c *storage.Case, ch *storage.StatusChange) error {
	from := c.Status
	switch {
	case ch.Reopen && (!from.CanReopen() || ch.To != storage.StatusMediating):
		return storage.Errorf(storage.ECONFLICT,
			"case %s is %s (%s): only a finished case can be reopened, and only to %s (%s)",
			c.Number, from.Label(), from, storage.StatusMediating.Label(), storage.StatusMediating)
	case !ch.Reopen && !from.CanMoveTo(ch.To):
		return storage.Errorf(storage.ECONFLICT, "case %s cannot move from %s (%s) to %s (%s)",
			c.Number, from.Label(), from, ch.To.Label(), ch.To)
	}
	return nil
}

// statusChangeBody is the timeline entry of a move, in the words staff read:
// "待受理 → 不予受理：<reason>", or "已办结 → 调解中（重新调解）" for a reopening.
func statusChangeBody(from, to storage.Status, reopen bool, reason string) string {
	body := from.Label() + " → " + to.Label()
	if reopen {
		body += "（重新调解）"
	}
	if reason != "" {
		body += "：" + reason
	}
	return body
}

// statusNotices returns what the consumer is told when c has just moved: the new
// status with its reason, and, once the case is closed, a request to rate it. The
// rating request comes second, so the consumer reads it after the closing notice.
// A move the consumer made (a withdrawal) was already answered in the chat, so it
// gets no status notice.
func statusNotices(c *storage.Case, actor, reason string) []storage.NewNotification {
	var notices []storage.NewNotification
	if actor != storage.ActorConsumer {
		notices = append(notices, caseNotice(c, storage.NewNotification{Kind: storage.NoticeStatusChange, Text: reason}))
	}
	if c.Status == storage.StatusClosed {
		notices = append(notices, caseNotice(c, storage.NewNotification{Kind: storage.NoticeRatingRequest}))
	}
	return notices
}
