package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
