package storage

import (
	"context"
	"time"
)

// NotificationKind says why a consumer is being told something.
type NotificationKind string

// Notification kinds.
const (
	NoticeStatusChange  NotificationKind = "status_change"  // the case moved (accepted, rejected, …)
	NoticeStaffReply    NotificationKind = "staff_reply"    // a mediator wrote to the consumer
	NoticeAck           NotificationKind = "ack"            // we received what the consumer sent
	NoticeRatingRequest NotificationKind = "rating_request" // the case is closed: please rate it
	NoticeDialogReply   NotificationKind = "dialog_reply"   // a chat answer that missed WeChat's 5 s
	// NoticeArbitrationConsent asks the consumer whether they agree to have the
	// case referred to arbitration (同意仲裁 / 不同意).
	NoticeArbitrationConsent NotificationKind = "arbitration_consent"
)

// Notification states. A notification is pending until it is sent, or dead when
// WeChat answered that it can never be delivered or it stayed undelivered past the
// configured maximum age; dead ones stay visible with their error. A pending
// notification of a consumer who unfollowed the account is held (Notification.Held).
const (
	NotificationPending = "pending"
	NotificationSent    = "sent"
	NotificationDead    = "dead"
)

// How a notification reached the consumer.
const (
	ViaCustom   = "custom"   // customer-service message, inside the 48-hour window
	ViaTemplate = "template" // template message, outside it
)

// Notification is one row of the transactional outbox: a message that must reach a
// consumer's WeChat. It is written in the same transaction as the change it reports.
type Notification struct {
	ID      int64            `db:"id"`
	CaseID  int64            `db:"case_id"`  // 0 when not about a case (a late chat answer)
	EventID int64            `db:"event_id"` // the timeline event it reports (a staff reply), or 0
	OpenID  string           `db:"open_id"`
	Kind    NotificationKind `db:"kind"`

	// The rows hold facts, not wording: the bot renders the consumer's message
	// from Kind and these fields with the dialog catalogue when it sends (the
	// console cannot import the catalogue). Text is the staff reply's words, the
	// dialog reply, or the reason of a status change. The template fallback uses
	// CaseNumber (character_string), StatusLabel (phrase, ≤ 5 characters), Summary
	// (thing, ≤ 20 characters) and CreatedAt (time).
	Text        string `db:"text"`
	CaseNumber  string `db:"case_number"`
	StatusLabel string `db:"status_label"`
	Summary     string `db:"summary"`

	State         string    `db:"state"`
	Attempts      int       `db:"attempts"`
	NextAttemptAt time.Time `db:"next_attempt_at"`
	LeaseUntil    time.Time `db:"lease_until"` // zero when not leased
	LeaseToken    string    `db:"lease_token"` // set by Claim; Mark* must present it
	LastError     string    `db:"last_error"`
	Via           string    `db:"via"`
	CreatedAt     time.Time `db:"created_at"`
	SentAt        time.Time `db:"sent_at"` // zero until sent

	// Held is set by FindNotifications on a pending notification whose consumer
	// unfollowed the account (see FollowerStore): it waits until they follow
	// again. Claims never return held notifications.
	Held bool `db:"held"`

	// UnitID is the unit the notice's case belongs to, set by
	// ClaimNotifications (0 for a notice about no case, and elsewhere): the bot
	// quotes that unit's name, hotline and hours. It is read from the case when
	// the notice is sent, not kept on the row, so a notice written before a
	// transfer quotes the unit the case went to.
	UnitID int64 `db:"unit_id"`
}

// NewNotification is a notification to enqueue.
type NewNotification struct {
	CaseID      int64
	OpenID      string
	Kind        NotificationKind
	Text        string
	CaseNumber  string
	StatusLabel string
	Summary     string
}

// SentMark says that a claimed notification went out, and how.
type SentMark struct {
	ID         int64
	LeaseToken string
	Via        string
}

// NotificationFilter selects notifications; nil fields do not filter. Oldest first.
type NotificationFilter struct {
	CaseID *int64
	OpenID *string
	State  *string
	Limit  int // 0 means 100
}

// NotificationStore is the outbox.
type NotificationStore interface {
	// EnqueueNotification adds a pending notification due now.
	EnqueueNotification(ctx context.Context, n NewNotification) (*Notification, error)

	// ClaimNotifications leases up to limit due notifications for lease and returns
	// them with a fresh LeaseToken and Attempts incremented. A notification is due
	// when it is pending, its NextAttemptAt has come, it has no live lease and its
	// consumer has not unfollowed the account (FollowerStore). Only
	// the oldest pending notification of each consumer is ever claimable, so one
	// consumer's notices go out in order even with many workers. Concurrent
	// claimers never receive the same row (FOR UPDATE SKIP LOCKED on PostgreSQL,
	// an immediate transaction on SQLite). A worker that dies after claiming loses
	// the lease when it expires and the row is claimed again.
	ClaimNotifications(ctx context.Context, limit int, lease time.Duration) ([]*Notification, error)

	// MarkNotificationSent records delivery. ECONFLICT if leaseToken no longer
	// holds the row (the lease expired and someone else claimed it).
	MarkNotificationSent(ctx context.Context, id int64, leaseToken, via string) error

	// MarkNotificationsSent records the delivery of a whole batch in one
	// transaction (one commit instead of one per notice). Rows whose lease token no
	// longer holds are left alone and returned; the others are marked.
	MarkNotificationsSent(ctx context.Context, marks []SentMark) (lost []int64, err error)

	// RetryNotification records a failed attempt and makes the row due again at
	// next. ECONFLICT as for MarkNotificationSent.
	RetryNotification(ctx context.Context, id int64, leaseToken, lastErr string, next time.Time) error

	// KillNotification marks the row dead with its last error; it stays visible.
	// ECONFLICT as for MarkNotificationSent.
	KillNotification(ctx context.Context, id int64, leaseToken, lastErr string) error

	// FindNotifications lists notifications, oldest first.
	FindNotifications(ctx context.Context, filter NotificationFilter) ([]*Notification, error)
}
