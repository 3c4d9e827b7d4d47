package storage

import "context"

// Consumer ratings of a closed case.
const (
	RatingSatisfied    = "satisfied"        // 满意
	RatingMostly       = "mostly_satisfied" // 基本满意
	RatingDissatisfied = "dissatisfied"     // 不满意
)

// StatusChange moves a case to another status.
type StatusChange struct {
	CaseID int64
	To     Status
	Actor  string // ActorConsumer, ActorSystem or "staff:<id>"
	IP     string // a staff member's client address, for the audit entry (see By)
	Reason string // required for rejected and terminated; on the timeline and in the notice
	// Reopen allows a supervisor to move a finished case (resolved, terminated,
	// withdrawn or closed) back to mediating; the table allows it only then.
	Reopen bool
}

// NewEvent is a timeline entry to append.
type NewEvent struct {
	CaseID int64
	Kind   EventKind
	Actor  string
	IP     string // a staff member's client address, for the audit entry (see By)
	Body   string
	// DedupeKey, when set, makes the append idempotent per case: a second append
	// with the same key returns the first event and adds nothing (a retried WeChat
	// message must not appear twice on the timeline).
	DedupeKey string
	Evidence  []NewEvidence // stored with the event (consumer photos)
	// Notify, when set, is enqueued in the same transaction (a staff reply, or an
	// acknowledgement to the consumer). Its CaseID is filled in.
	Notify *NewNotification
}

// Rating is a consumer's verdict on a closed case.
type Rating struct {
	CaseID  int64
	Rating  string // RatingSatisfied, RatingMostly or RatingDissatisfied
	Comment string
}

// ConversationStore is what happens on a case after it was filed.
type ConversationStore interface {
	// ChangeStatus moves the case along the status table (audited when a staff
	// member makes the move), appends an
	// EventStatusChange and enqueues a NoticeStatusChange (none when the consumer
	// made the move: they were answered in the chat) and, when the case becomes
	// closed, a NoticeRatingRequest, in one transaction. ECONFLICT if the
	// move is not allowed from the current status; EINVALID if a reason is
	// required and missing; ENOTFOUND for an unknown case.
	ChangeStatus(ctx context.Context, change StatusChange) (*Case, error)

	// AddEvent appends a timeline entry (with its evidence and notification) in one
	// transaction; see NewEvent.DedupeKey. A consumer's message marks the case
	// unread; a staff member's reply or note is audited in the same transaction.
	// ENOTFOUND for an unknown case.
	AddEvent(ctx context.Context, ev NewEvent) (*Event, error)

	// RateCase records the consumer's rating once. ECONFLICT if the case is not
	// closed or already rated; EINVALID for an unknown rating.
	RateCase(ctx context.Context, r Rating) error

	// CommentOnRating adds the optional comment to a rating, once. ECONFLICT if
	// there is no rating or it already has a comment.
	CommentOnRating(ctx context.Context, caseID int64, comment string) error

	// FindRating returns the case's rating, ENOTFOUND if none.
	FindRating(ctx context.Context, caseID int64) (*Rating, error)
}
