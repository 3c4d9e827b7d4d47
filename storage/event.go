package storage

import "time"

// EventKind says what happened on a case's timeline.
type EventKind string

// Timeline event kinds.
const (
	EventSubmitted       EventKind = "submitted"        // the consumer filed the case
	EventConsumerMessage EventKind = "consumer_message" // the consumer wrote after filing
	EventStaffReply      EventKind = "staff_reply"      // a mediator wrote to the consumer
	EventStatusChange    EventKind = "status_change"    // the status moved
	EventNote            EventKind = "note"             // an internal staff note
	EventEvidence        EventKind = "evidence"         // evidence was added
	EventReferral        EventKind = "referral"         // the case was referred out
)

// Actor values for events that no staff member made.
const (
	ActorConsumer = "consumer"
	ActorSystem   = "system"
)

// Event is one entry on a case's timeline. Events are never updated or deleted.
type Event struct {
	ID        int64     `db:"id"`
	CaseID    int64     `db:"case_id"`
	Kind      EventKind `db:"kind"`
	Actor     string    `db:"actor"` // ActorConsumer, ActorSystem or "staff:<id>"
	Body      string    `db:"body"`
	CreatedAt time.Time `db:"created_at"`
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
