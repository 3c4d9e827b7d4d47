package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.NotificationStore = (*DB)(nil)

// defaultNotificationLimit is FindNotifications' page size when the filter sets none.
const defaultNotificationLimit = 100

// notificationColumns lists the notifications columns in storage.Notification order.
const notificationColumns = `id, case_id, event_id, open_id, kind, text, case_number,
	status_label, summary, state, attempts, next_attempt_at, lease_until, lease_token,
	last_error, via, created_at, sent_at`

// insertNotificationSQL enqueues a pending notification. case_id is NULL for a notice
// about no case, event_id for one that reports no timeline event.
const insertNotificationSQL = `INSERT INTO notifications (case_id, event_id, open_id, kind,
	text, case_number, status_label, summary, state, next_attempt_at, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	RETURNING ` + notificationColumns

// dueNotificationsSQL selects the ids of the notifications to claim, oldest first. A
// row is due when it is pending, its next attempt has come and it has no live lease;
// and only a consumer's oldest pending row is ever due, so that a retried notice holds
// back the later ones and a consumer reads status changes in the order they happened.
// The notices of a consumer who unfollowed the account are held: WeChat would
// refuse them (43004), and they must neither die nor let later ones pass.
// Arguments: now, now, limit. skipLocked's suffix is appended per dialect.
const dueNotificationsSQL = `SELECT n.id FROM notifications n
	WHERE n.state = 'pending' AND n.next_attempt_at <= ?
	AND (n.lease_until IS NULL OR n.lease_until < ?)
	AND NOT EXISTS (SELECT 1 FROM notifications p
		WHERE p.open_id = n.open_id AND p.state = 'pending' AND p.id < n.id)
	AND NOT EXISTS (SELECT 1 FROM followers f WHERE f.open_id = n.open_id AND NOT f.following)
	ORDER BY n.id LIMIT ?`

// heldColumn computes Notification.Held in FindNotifications: a pending row whose
// consumer is recorded as not following.
const heldColumn = `(state = 'pending' AND EXISTS (SELECT 1 FROM followers f
	WHERE f.open_id = notifications.open_id AND NOT f.following)) AS held`

// unitColumn computes Notification.UnitID when notices are claimed for sending:
// the unit of the notice's case now, 0 for a notice about no case.
const unitColumn = `COALESCE((SELECT c.unit_id FROM cases c WHERE c.id = notifications.case_id), 0) AS unit_id`

// notificationQueue is the outbox as a leased work queue.
var notificationQueue = leaseQueue{
	table:   "notifications",
	noun:    "notification",
	pending: "state = 'pending'",
	columns: notificationColumns + ", " + unitColumn,
}

// notificationRow scans a notifications row; its fields override the embedded
// Notification's for the nullable columns (sqlx prefers the shallower field).
type notificationRow struct {
	storage.Notification
	CaseID     sql.NullInt64 `db:"case_id"`
	EventID    sql.NullInt64 `db:"event_id"`
	LeaseUntil sql.NullTime  `db:"lease_until"`
	SentAt     sql.NullTime  `db:"sent_at"`
}

// notification converts the row, NULLs to zero values and times to UTC.
func (r *notificationRow) notification() *storage.Notification {
	n := r.Notification
	n.CaseID, n.EventID = r.CaseID.Int64, r.EventID.Int64
	n.LeaseUntil, n.SentAt = nullTime(r.LeaseUntil), nullTime(r.SentAt)
	n.NextAttemptAt, n.CreatedAt = n.NextAttemptAt.UTC(), n.CreatedAt.UTC()
	return &n
}

// notifications converts rows, oldest first.
func notifications(rows []notificationRow) []*storage.Notification {
	out := make([]*storage.Notification, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].notification())
	}
	slices.SortFunc(out, func(a, b *storage.Notification) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// EnqueueNotification adds a pending notification due now. Returns EINVALID without
// an OpenID or Kind, or for a notification about a case addressed to someone other
// than the case's consumer; ENOTFOUND if CaseID names no case.
func (d *DB) EnqueueNotification(
	ctx context.Context, nn storage.NewNotification,
) (*storage.Notification, error) {
	var n *storage.Notification
	err := d.inWriteTx(ctx, "enqueue notification", func(tx *sqlx.Tx) error {
		if nn.CaseID != 0 {
			c, err := findCaseByID(ctx, tx, nn.CaseID, "")
			if err != nil {
				return err
			}
			if err := checkRecipient(c, nn.OpenID); err != nil {
				return err
			}
		}
		var err error
		n, err = insertNotification(ctx, tx, nn, 0, dbTime(d.now()))
		return err
	})
	return n, err
}

// insertNotification enqueues nn in tx, due at now, as the report of the timeline
// event eventID (0 for none). It is how every change that tells the consumer
// something writes its notice in its own transaction.
func insertNotification(
	ctx context.Context, tx *sqlx.Tx, nn storage.NewNotification, eventID int64, now time.Time,
) (*storage.Notification, error) {
	if nn.OpenID == "" || nn.Kind == "" {
		return nil, storage.Errorf(storage.EINVALID, "a notification needs an open id and a kind")
	}
	if isPostgres(tx) {
		// Ids are taken at insert but seen at commit: without this, a later notice
		// of the same consumer could commit first while an earlier one is still
		// invisible to the claim's NOT EXISTS, and go out ahead of it. The lock
		// makes one consumer's notices commit in id order. (SQLite writers are
		// serialised already.)
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", nn.OpenID); err != nil {
			return nil, fmt.Errorf("lock consumer's notices: %w", err)
		}
	}
	var row notificationRow
	err := tx.GetContext(ctx, &row, tx.Rebind(insertNotificationSQL),
		nullID(nn.CaseID), nullID(eventID), nn.OpenID, nn.Kind, nn.Text, nn.CaseNumber,
		nn.StatusLabel, nn.Summary, storage.NotificationPending, now, now)
	if err != nil {
		return nil, fmt.Errorf("insert notification: %w", err)
	}
	return row.notification(), nil
}

// ClaimNotifications leases up to limit due notifications for lease and returns them,
// oldest first, with a fresh LeaseToken and Attempts incremented. Only each consumer's
// oldest pending notification is ever due (see dueNotificationsSQL). Concurrent
// claimers never receive the same row. Returns EINVALID for a limit or lease that is
// not positive.
func (d *DB) ClaimNotifications(
	ctx context.Context, limit int, lease time.Duration,
) ([]*storage.Notification, error) {
	if err := checkClaim(limit, lease); err != nil {
		return nil, err
	}
	now := dbTime(d.now())
	var rows []notificationRow
	err := d.inWriteTx(ctx, "claim notifications", func(tx *sqlx.Tx) error {
		return notificationQueue.claim(ctx, tx, dueNotificationsSQL,
			[]any{now, now, limit}, dbTime(now.Add(lease)), &rows)
	})
	if err != nil {
		return nil, err
	}
	return notifications(rows), nil
}

// MarkNotificationSent records delivery by via (storage.ViaCustom or ViaTemplate) and
// ends the lease. ECONFLICT if leaseToken no longer holds the row; EINVALID for
// another via.
func (d *DB) MarkNotificationSent(ctx context.Context, id int64, leaseToken, via string) error {
	if via != storage.ViaCustom && via != storage.ViaTemplate {
		return storage.Errorf(storage.EINVALID, "unknown delivery channel %q", via)
	}
	return d.inWriteTx(ctx, "mark notification sent", func(tx *sqlx.Tx) error {
		return notificationQueue.finish(ctx, tx, id, leaseToken,
			"state = ?, via = ?, sent_at = ?", storage.NotificationSent, via, dbTime(d.now()))
	})
}

// MarkNotificationsSent records a batch of deliveries in one transaction. A row whose
// lease token no longer holds is skipped and its id returned.
func (d *DB) MarkNotificationsSent(ctx context.Context, marks []storage.SentMark) ([]int64, error) {
	for _, m := range marks {
		if m.Via != storage.ViaCustom && m.Via != storage.ViaTemplate {
			return nil, storage.Errorf(storage.EINVALID, "unknown delivery channel %q", m.Via)
		}
	}
	var lost []int64
	err := d.inWriteTx(ctx, "mark notifications sent", func(tx *sqlx.Tx) error {
		lost = lost[:0]
		now := dbTime(d.now())
		for _, m := range marks {
			err := notificationQueue.finish(ctx, tx, m.ID, m.LeaseToken,
				"state = ?, via = ?, sent_at = ?", storage.NotificationSent, m.Via, now)
			if storage.ErrorCode(err) == storage.ECONFLICT {
				lost = append(lost, m.ID)
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	return lost, err
}

// RetryNotification records a failed attempt and makes the row due again at next,
// ending the lease; the consumer's later notifications wait until this one is sent or
// dead. ECONFLICT if leaseToken no longer holds the row.
func (d *DB) RetryNotification(
	ctx context.Context, id int64, leaseToken, lastErr string, next time.Time,
) error {
	return d.inWriteTx(ctx, "retry notification", func(tx *sqlx.Tx) error {
		return notificationQueue.finish(ctx, tx, id, leaseToken,
			"last_error = ?, next_attempt_at = ?", lastError(lastErr), dbTime(next))
	})
}

// KillNotification marks the row dead with its last error and ends the lease; the
// consumer's next notification becomes due. ECONFLICT if leaseToken no longer holds
// the row.
func (d *DB) KillNotification(ctx context.Context, id int64, leaseToken, lastErr string) error {
	return d.inWriteTx(ctx, "kill notification", func(tx *sqlx.Tx) error {
		return notificationQueue.finish(ctx, tx, id, leaseToken,
			"state = ?, last_error = ?", storage.NotificationDead, lastError(lastErr))
	})
}

// FindNotifications lists the notifications matching the filter, oldest first; a
// zero Limit means 100.
func (d *DB) FindNotifications(
	ctx context.Context, filter storage.NotificationFilter,
) ([]*storage.Notification, error) {
	where, args := notificationWhere(filter)
	limit := filter.Limit
	if limit <= 0 {
		limit = defaultNotificationLimit
	}
	var rows []notificationRow
	err := d.inReadTx(ctx, "find notifications", func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT " + notificationColumns + ", " + heldColumn + " FROM notifications WHERE " +
			where + " ORDER BY id LIMIT ?")
		return tx.SelectContext(ctx, &rows, q, append(args, limit)...)
	})
	if err != nil {
		return nil, err
	}
	return notifications(rows), nil
}

// notificationWhere builds the condition and arguments for the filter's non-nil fields.
func notificationWhere(filter storage.NotificationFilter) (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.CaseID; v != nil {
		where, args = append(where, "case_id = ?"), append(args, *v)
	}
	if v := filter.OpenID; v != nil {
		where, args = append(where, "open_id = ?"), append(args, *v)
	}
	if v := filter.State; v != nil {
		where, args = append(where, "state = ?"), append(args, *v)
	}
	return strings.Join(where, " AND "), args
}

// nullID returns id as a query argument, with 0 (no such row) as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// summaryRunes is the length limit of the template message field (thing) that
// carries a notice's Summary.
const summaryRunes = 20

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

// checkRecipient refuses to address news of case c to anyone but the consumer who
// filed it: a wrong openid would leak the case to a stranger.
func checkRecipient(c *storage.Case, openID string) error {
	if openID != c.OpenID {
		return storage.Errorf(storage.EINVALID,
			"a notification about case %s must go to its consumer", c.Number)
	}
	return nil
}
