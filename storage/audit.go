package storage

import (
	"context"
	"time"
)

// Audit actions. Case actions made through the stores (status changes, replies,
// notes, assignment, outcomes) are audited by the store in the same transaction,
// with the client address the caller passes in (see By); the console audits the
// rest (sign-in, revealing a phone number or searching by one, staff and token
// management).
const (
	AuditLogin         = "login"
	AuditLoginFailed   = "login_failed"
	AuditLogout        = "logout"
	AuditStatusChange  = "status_change"
	AuditReply         = "reply"
	AuditNote          = "note"
	AuditAssign        = "assign"
	AuditOutcome       = "outcome"
	AuditRevealPhone   = "reveal_phone"
	AuditMarkRead      = "mark_read"
	AuditStaffCreate   = "staff_create"
	AuditStaffPassword = "staff_password"
	AuditStaffDisable  = "staff_disable"
	AuditStaffUpdate   = "staff_update"
	AuditTokenCreate   = "token_create"
	AuditTokenRevoke   = "token_revoke"
	AuditCannedReply   = "canned_reply"
	AuditSettings      = "settings"
	// AuditExport is a download of the queue, the statistics or the audit log as
	// a file: the detail names what, with which filter and how many rows.
	AuditExport = "export"
)

// AuditPhoneSearch is a search of the cases by a whole phone number. It tells
// the searcher whose number it is, so it is audited like a reveal: one entry per
// matching case shown (one without a case when none matched), never the number.
const AuditPhoneSearch = "phone_search"

// AuditEntry records who did what to which case, when. Entries are never changed.
type AuditEntry struct {
	ID        int64     `db:"id"`
	StaffID   int64     `db:"staff_id"` // 0 for a failed sign-in with an unknown username
	Action    string    `db:"action"`
	CaseID    int64     `db:"case_id"` // 0 when not about a case
	Detail    string    `db:"detail"`  // no personal data: never a full phone number
	IP        string    `db:"ip"`
	CreatedAt time.Time `db:"created_at"`
}

// AuditFilter selects audit entries; nil fields do not filter. Newest first.
type AuditFilter struct {
	StaffID *int64
	CaseID  *int64
	Action  *string
	Since   *time.Time
	Until   *time.Time
	Offset  int
	Limit   int // 0 means 50, at most 200
	// UnitIDs, when not nil, keeps only entries within these units (a staff
	// member's subtree): by no staff member or one of these units' staff, and
	// about no case or a case of these units.
	UnitIDs []int64
}

// AuditStore keeps the audit log.
type AuditStore interface {
	// AddAudit appends an entry.
	AddAudit(ctx context.Context, e AuditEntry) error
	// FindAudit returns one page of entries and the total count.
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
}

// By says who makes a change and from where, for the audit entry the store
// writes with it: Actor is "staff:<id>" (other actors are not audited) and IP the
// client address the staff member acted from, as the console saw it; actions from
// the command line, which has no client, record "cli". The store never derives
// the address itself: only the edge that took the request knows it.
type By struct {
	Actor string
	IP    string
}
