package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// eventColumns lists the case_events columns in storage.Event order.
const eventColumns = `id, case_id, kind, actor, body, created_at`

// ListEvents returns the case's timeline, oldest first. ENOTFOUND if no such case.
func (d *DB) ListEvents(ctx context.Context, caseID int64) ([]*storage.Event, error) {
	var events []*storage.Event
	err := d.inReadTx(ctx, "list events", func(tx *sqlx.Tx) error {
		if err := caseExists(ctx, tx, caseID); err != nil {
			return err
		}
		var err error
		events, err = listEvents(ctx, tx, caseID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return events, nil
}

func listEvents(ctx context.Context, tx *sqlx.Tx, caseID int64) ([]*storage.Event, error) {
	events := []*storage.Event{}
	q := tx.Rebind("SELECT " + eventColumns + " FROM case_events WHERE case_id = ?" +
		" ORDER BY created_at, id")
	if err := tx.SelectContext(ctx, &events, q, caseID); err != nil {
		return nil, fmt.Errorf("select events: %w", err)
	}
	for _, e := range events {
		e.CreatedAt = e.CreatedAt.UTC()
	}
	return events, nil
}

// insertEvent appends e to its case's timeline and sets e.ID. Callers set CreatedAt
// with dbTime so every row of one transaction carries the same time.
func insertEvent(ctx context.Context, tx *sqlx.Tx, e *storage.Event) error {
	q := tx.Rebind(`INSERT INTO case_events (case_id, kind, actor, body, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`)
	err := tx.GetContext(ctx, &e.ID, q, e.CaseID, e.Kind, e.Actor, e.Body, e.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// insertEventOnceSQL appends an event unless the case has one with the same dedupe
// key. On Postgres a concurrent insert of the same key makes this statement wait for
// the other transaction; if it commits, no row is returned instead of a
// unique-violation error that would abort our transaction. A NULL key never conflicts.
const insertEventOnceSQL = `INSERT INTO case_events (case_id, kind, actor, body, created_at,
	dedupe_key) VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (case_id, dedupe_key) DO NOTHING
	RETURNING id`

// insertEventOnce appends e like insertEvent, keyed by dedupeKey if it is not empty.
// If the case already has an event with that key, it replaces *e with that event and
// reports inserted=false.
func insertEventOnce(
	ctx context.Context, tx *sqlx.Tx, e *storage.Event, dedupeKey string,
) (inserted bool, err error) {
	if dedupeKey == "" {
		return true, insertEvent(ctx, tx, e)
	}
	err = tx.GetContext(ctx, &e.ID, tx.Rebind(insertEventOnceSQL),
		e.CaseID, e.Kind, e.Actor, e.Body, e.CreatedAt, dedupeKey)
	if errors.Is(err, sql.ErrNoRows) {
		// Another append with this key came first, maybe committed while we waited.
		q := tx.Rebind("SELECT " + eventColumns + " FROM case_events" +
			" WHERE case_id = ? AND dedupe_key = ?")
		if err := tx.GetContext(ctx, e, q, e.CaseID, dedupeKey); err != nil {
			return false, fmt.Errorf("select deduplicated event: %w", err)
		}
		e.CreatedAt = e.CreatedAt.UTC()
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("insert event: %w", err)
	}
	return true, nil
}

// AddEvent appends a timeline entry with its evidence (pending download) and, if
// ev.Notify is set, enqueues that notification, in one transaction. The notification's
// CaseID and EventID are set, and its OpenID, CaseNumber, StatusLabel and Summary are
// filled from the case where blank. A consumer's message or evidence marks the case
// unread; a staff member's reply or note is audited. With a DedupeKey, a second append
// with the same key on the same case, even a concurrent one, returns the first event
// and stores nothing. Returns ENOTFOUND for an unknown case; ECONFLICT for an
// anonymised one; EINVALID for a missing
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
	if c.Anonymised {
		// Nobody can be written to, and a note would be personal data again.
		return nil, storage.Errorf(storage.ECONFLICT, "投诉 %s 已匿名化，不能再添加记录", c.Number)
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
		return markCaseUnread(ctx, tx, e.CaseID)
	case e.Kind == storage.EventStaffReply:
		return auditStaff(ctx, tx, by, storage.AuditReply, e.CaseID,
			fmt.Sprintf("回复消费者（时间线 #%d）", e.ID), e.CreatedAt)
	case e.Kind == storage.EventNote:
		return auditStaff(ctx, tx, by, storage.AuditNote, e.CaseID,
			fmt.Sprintf("内部备注（时间线 #%d）", e.ID), e.CreatedAt)
	}
	return nil
}
