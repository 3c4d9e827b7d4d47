package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.CannedReplyStore = (*DB)(nil)

// Length limits of a canned reply, in characters. The body fits a WeChat
// customer-service message with room for the staff member's own words.
const (
	maxCannedTitle = 50
	maxCannedBody  = 1000
)

// cannedColumns lists the canned_replies columns in storage.CannedReply order; a
// reply no staff member wrote reads as created by 0.
const cannedColumns = `id, title, body, COALESCE(created_by, 0) AS created_by, updated_at, unit_id`

// ListCannedReplies returns every canned reply, by title.
func (d *DB) ListCannedReplies(ctx context.Context) ([]*storage.CannedReply, error) {
	replies := []*storage.CannedReply{}
	err := d.inReadTx(ctx, "list canned replies", func(tx *sqlx.Tx) error {
		q := "SELECT " + cannedColumns + " FROM canned_replies ORDER BY title, id"
		return tx.SelectContext(ctx, &replies, q)
	})
	if err != nil {
		return nil, err
	}
	for _, r := range replies {
		r.UpdatedAt = r.UpdatedAt.UTC()
	}
	return replies, nil
}

// CreateCannedReply stores a canned reply written by staffID (0 for none), with
// title and body trimmed, in the writer's unit (the root for none). EINVALID for a title of other than 1 to 50 characters, a
// body of other than 1 to 1000, or an unknown staff member.
func (d *DB) CreateCannedReply(
	ctx context.Context, title, body string, staffID int64,
) (*storage.CannedReply, error) {
	title, body, err := checkCannedReply(title, body)
	if err != nil {
		return nil, err
	}
	var r storage.CannedReply
	err = d.inWriteTx(ctx, "create canned reply", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		q := tx.Rebind(`INSERT INTO canned_replies (title, body, created_by, created_at, updated_at, unit_id)
			VALUES (?, ?, ?, ?, ?, COALESCE((SELECT unit_id FROM staff WHERE id = ?), ?)) RETURNING ` + cannedColumns)
		if err := tx.GetContext(ctx, &r, q, title, body, nullID(staffID), now, now, staffID, storage.RootUnitID); err != nil {
			return fmt.Errorf("insert canned reply: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.UpdatedAt = r.UpdatedAt.UTC()
	return &r, nil
}

// UpdateCannedReply replaces a canned reply's title and body. EINVALID as for
// CreateCannedReply; ENOTFOUND if there is no such reply.
func (d *DB) UpdateCannedReply(ctx context.Context, id int64, title, body string) error {
	title, body, err := checkCannedReply(title, body)
	if err != nil {
		return err
	}
	return d.inWriteTx(ctx, "update canned reply", func(tx *sqlx.Tx) error {
		q := tx.Rebind("UPDATE canned_replies SET title = ?, body = ?, updated_at = ? WHERE id = ?")
		res, err := tx.ExecContext(ctx, q, title, body, dbTime(d.now()), id)
		return oneRow(res, err, "canned reply %d not found", id)
	})
}

// DeleteCannedReply deletes a canned reply for good: it is a template, not a
// record. ENOTFOUND if there is no such reply.
func (d *DB) DeleteCannedReply(ctx context.Context, id int64) error {
	return d.inWriteTx(ctx, "delete canned reply", func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind("DELETE FROM canned_replies WHERE id = ?"), id)
		return oneRow(res, err, "canned reply %d not found", id)
	})
}

// checkCannedReply trims a canned reply's title and body and checks their lengths.
func checkCannedReply(title, body string) (string, string, error) {
	title, body = strings.TrimSpace(title), strings.TrimSpace(body)
	if n := utf8.RuneCountInString(title); n == 0 || n > maxCannedTitle {
		return "", "", storage.Errorf(storage.EINVALID,
			"a canned reply's title is 1 to %d characters", maxCannedTitle)
	}
	if n := utf8.RuneCountInString(body); n == 0 || n > maxCannedBody {
		return "", "", storage.Errorf(storage.EINVALID,
			"a canned reply's body is 1 to %d characters", maxCannedBody)
	}
	return title, body, nil
}
