package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.ConversationStore = (*DB)(nil)

// summaryRunes is the length limit of the template message field (thing) that
// carries a notice's Summary.
const summaryRunes = 20

// ChangeStatus moves the case along the status table, appends an EventStatusChange and
// enqueues a NoticeStatusChange to the consumer (and, when the case becomes closed, a
// NoticeRatingRequest), all in one transaction, and returns the updated case. A move
// made by a staff member is audited in the same transaction. With change.Reopen, the
// one move allowed is from a finished case (see storage.Status.CanReopen) back to
// mediating, which the table alone never allows; the store does not check who
// reopens, which is the console's business (supervisors). The case row is locked
// first, so two staff members moving one case at once are checked against the table
// one after the other. ECONFLICT if the move is not allowed from the current status;
// EINVALID for an unknown status, a missing actor, or a missing reason where one is
// required (rejected, terminated); ENOTFOUND for an unknown case.
func (d *DB) ChangeStatus(ctx context.Context, change storage.StatusChange) (*storage.Case, error) {
	if err := checkStatusChange(&change); err != nil {
		return nil, err
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "change status", func(tx *sqlx.Tx) error {
		var err error
		c, err = changeStatus(ctx, tx, &change, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
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

// changeStatus does ChangeStatus's work in tx.
func changeStatus(
	ctx context.Context, tx *sqlx.Tx, ch *storage.StatusChange, now time.Time,
) (*storage.Case, error) {
	c, err := findCaseByID(ctx, tx, ch.CaseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	from := c.Status
	if err := checkMove(c, ch); err != nil {
		return nil, err
	}
	q := tx.Rebind("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, ch.To, now, c.ID); err != nil {
		return nil, fmt.Errorf("update case status: %w", err)
	}
	c.Status, c.UpdatedAt = ch.To, now
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
	return c, auditStaff(ctx, tx, by, storage.AuditStatusChange, c.ID, move, now)
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

// caseNotice fills the blanks of a notification about c from the case: its id, its
// consumer, and the facts the template-message fallback shows (number, current
// status, merchant).
func caseNotice(c *storage.Case, nn storage.NewNotification) storage.NewNotification {
	nn.CaseID = c.ID
	if nn.OpenID == "" {
		nn.OpenID = c.OpenID
	}
	if nn.CaseNumber == "" {
		nn.CaseNumber = c.Number
	}
	if nn.StatusLabel == "" {
		nn.StatusLabel = c.Status.Label()
	}
	if nn.Summary == "" {
		nn.Summary = cutRunes(c.MerchantName, summaryRunes)
	}
	return nn
}

// cutRunes shortens s to at most n characters, ending a cut text with "…".
func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// AddEvent appends a timeline entry with its evidence (pending download) and, if
// ev.Notify is set, enqueues that notification, in one transaction. The notification's
// CaseID and EventID are set, and its OpenID, CaseNumber, StatusLabel and Summary are
// filled from the case where blank. A consumer's message or evidence marks the case
// unread; a staff member's reply or note is audited. With a DedupeKey, a second append
// with the same key on the same case, even a concurrent one, returns the first event
// and stores nothing. Returns ENOTFOUND for an unknown case; EINVALID for a missing
// kind or actor, for the kinds only CreateCase and ChangeStatus write (submitted,
// status_change), and for a notification addressed to someone other than the case's
// consumer.
func (d *DB) AddEvent(ctx context.Context, ev storage.NewEvent) (*storage.Event, error) {
	if err := checkNewEvent(&ev); err != nil {
		return nil, err
	}
	var e *storage.Event
	err := d.inWriteTx(ctx, "add event", func(tx *sqlx.Tx) error {
		var err error
		e, err = addEvent(ctx, tx, &ev, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// checkNewEvent refuses events no case could take. Submission and status events are
// written only with the change they record, so the timeline never shows a change
// that did not happen.
func checkNewEvent(ev *storage.NewEvent) error {
	switch {
	case ev.Kind == "" || ev.Actor == "":
		return storage.Errorf(storage.EINVALID, "an event needs a kind and an actor")
	case ev.Kind == storage.EventSubmitted || ev.Kind == storage.EventStatusChange:
		return storage.Errorf(storage.EINVALID,
			"%s events are written by CreateCase and ChangeStatus", ev.Kind)
	}
	return nil
}

// addEvent does AddEvent's work in tx.
func addEvent(
	ctx context.Context, tx *sqlx.Tx, ev *storage.NewEvent, now time.Time,
) (*storage.Event, error) {
	c, err := findCaseByID(ctx, tx, ev.CaseID, "")
	if err != nil {
		return nil, err
	}
	if ev.Notify != nil && ev.Notify.OpenID != "" {
		if err := checkRecipient(c, ev.Notify.OpenID); err != nil {
			return nil, err
		}
	}
	e := &storage.Event{CaseID: c.ID, Kind: ev.Kind, Actor: ev.Actor, Body: ev.Body, CreatedAt: now}
	inserted, err := insertEventOnce(ctx, tx, e, ev.DedupeKey)
	if err != nil {
		return nil, err
	} else if !inserted {
		return e, nil // the first event with this key; its evidence and notice are stored
	}
	if err := insertEvidence(ctx, tx, c.ID, ev.Evidence, now); err != nil {
		return nil, err
	}
	if ev.Notify != nil {
		if _, err := insertNotification(ctx, tx, caseNotice(c, *ev.Notify), e.ID, now); err != nil {
			return nil, err
		}
	}
	return e, eventSideEffects(ctx, tx, e, ev.IP)
}

// eventSideEffects does what a new event means beyond the timeline: the consumer
// writing makes the case unread for staff; a staff reply or note goes to the audit
// log, by its event id (the words stay on the timeline, out of the log), with the
// client address ip it came from.
func eventSideEffects(ctx context.Context, tx *sqlx.Tx, e *storage.Event, ip string) error {
	by := storage.By{Actor: e.Actor, IP: ip}
	switch {
	case e.Actor == storage.ActorConsumer &&
		(e.Kind == storage.EventConsumerMessage || e.Kind == storage.EventEvidence):
		q := tx.Rebind("UPDATE cases SET unread = TRUE WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, e.CaseID); err != nil {
			return fmt.Errorf("mark case unread: %w", err)
		}
	case e.Kind == storage.EventStaffReply:
		return auditStaff(ctx, tx, by, storage.AuditReply, e.CaseID,
			fmt.Sprintf("回复消费者（时间线 #%d）", e.ID), e.CreatedAt)
	case e.Kind == storage.EventNote:
		return auditStaff(ctx, tx, by, storage.AuditNote, e.CaseID,
			fmt.Sprintf("内部备注（时间线 #%d）", e.ID), e.CreatedAt)
	}
	return nil
}

// checkRecipient refuses to address news of case c to anyone but the consumer who
// filed it: a wrong openid would leak the case to a stranger.
func checkRecipient(c *storage.Case, openID string) error {
	if openID != c.OpenID {
		return storage.Errorf(storage.EINVALID,
			"a notification about case %s must go to its consumer", c.Number)
	}
	return nil
}

// findCaseByID returns the case with the id, or ENOTFOUND naming it. lock is appended
// to the query (forUpdate's result, or "").
func findCaseByID(ctx context.Context, tx *sqlx.Tx, id int64, lock string) (*storage.Case, error) {
	c, err := findCase(ctx, tx, "id = ?"+lock, id)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil, storage.Errorf(storage.ENOTFOUND, "case %d not found", id)
	}
	return c, err
}
