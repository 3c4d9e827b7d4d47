package storage

import (
	"context"
	"time"
)

// DefaultDeletionDueDays is how many working days the desk has to answer a
// consumer's request to delete the personal data of an open case, with nothing
// configured (privacy.deletion_due_working_days): PIPL asks for an answer in a
// reasonable time, and fifteen working days is the association's practice.
const DefaultDeletionDueDays = 15

// Statuses of a deletion request.
const (
	DeletionPending = "pending" // 待处理: the case is open and still holds the data
	DeletionDone    = "done"    // 已删除: the case was closed and anonymised
	DeletionRefused = "refused" // 不予删除: a legal hold keeps the case; the consumer was told why
)

// DeletionStatusLabel is the Chinese name of a deletion request's status.
func DeletionStatusLabel(status string) string {
	switch status {
	case DeletionPending:
		return "待处理"
	case DeletionDone:
		return "已删除"
	case DeletionRefused:
		return "不予删除"
	}
	return status
}

// NoticeErasure tells the consumer how their deletion request for a case was
// settled: Text is empty when the data was deleted, else the refusal's reason.
const NoticeErasure NotificationKind = "erasure"

// Audit actions of the consumer's rights.
const (
	AuditDeletionRequest = "deletion_request" // a consumer asked to delete an open case's data
	AuditDeletionDone    = "deletion_done"    // a supervisor carried a request out
	AuditDeletionRefused = "deletion_refused" // a supervisor refused one (legal hold)
	AuditContactCorrect  = "contact_correct"  // a consumer corrected their name or phone
)

// DeletionRequest is a consumer's request to delete the personal data of one
// open case: a task for the case's unit, due on DueOn.
type DeletionRequest struct {
	ID          int64     `db:"id"`
	CaseID      int64     `db:"case_id"`
	CaseNumber  string    `db:"case_number"`
	CaseStatus  Status    `db:"case_status"`
	UnitID      int64     `db:"unit_id"`
	LegalHold   bool      `db:"legal_hold"`
	RequestedAt time.Time `db:"requested_at"`
	// DueOn is the last day of the answer ("2006-01-02", China time): the
	// configured working days after RequestedAt on the association's calendar.
	DueOn         string    `db:"due_on"`
	Status        string    `db:"status"`
	HandledBy     int64     `db:"handled_by"` // staff id; 0 while pending
	HandledAt     time.Time `db:"handled_at"` // zero while pending
	RefusalReason string    `db:"refusal_reason"`
}

// Overdue reports whether the request is pending after its due day, today
// being today ("2006-01-02", China time).
func (r *DeletionRequest) Overdue(today string) bool {
	return r.Status == DeletionPending && r.DueOn < today
}

// DeletionFilter selects deletion requests, newest due last. UnitIDs, when not
// nil, keeps those of cases in these units; Status "" means every status.
type DeletionFilter struct {
	UnitIDs []int64
	Status  string
	CaseID  int64 // 0 means every case
	Limit   int   // 0 means 200
}

// ContactField is what a consumer may correct on their open cases.
type ContactField string

// The fields a consumer may correct.
const (
	ContactName  ContactField = "name"
	ContactPhone ContactField = "phone"
)

// Correction is what CorrectContact did: the open cases it changed, and the
// finished ones it left as they are (their file is closed).
type Correction struct {
	Corrected []string
	Closed    []string
}

// RightsStore is what the chat and the desk need to honour a consumer's rights
// over their personal data beyond PrivacyStore: corrections, and the deletion
// requests of open cases with their clock.
type RightsStore interface {
	// RequestErasure is EraseConsumer, plus one pending deletion request per
	// open case (none twice), returned in Erasure.Requested, audited as by.
	RequestErasure(ctx context.Context, openid string, blobs BlobRemover, by By) (*Erasure, error)
	// CorrectContact sets field to value on openid's open cases, each with a
	// timeline entry that masks the old value and an audit entry, as the
	// consumer. value must already be valid (the chat validates as at intake).
	CorrectContact(ctx context.Context, openid string, field ContactField, value string) (*Correction, error)
	// DeletionRequests lists requests, pending first by due day.
	DeletionRequests(ctx context.Context, f DeletionFilter) ([]*DeletionRequest, error)
	// DeletionRequest returns one request; ENOTFOUND if none.
	DeletionRequest(ctx context.Context, id int64) (*DeletionRequest, error)
	// CarryOutDeletion withdraws the request's case if it is still open,
	// anonymises it and marks the request done, telling the consumer, in one
	// transaction. ECONFLICT when the request is settled or the case is held.
	CarryOutDeletion(ctx context.Context, id int64, blobs BlobRemover, by By) (*DeletionRequest, error)
	// RefuseDeletion settles the request as refused with reason (required),
	// telling the consumer. Only a held case's request may be refused: anything
	// else must be carried out (ECONFLICT).
	RefuseDeletion(ctx context.Context, id int64, reason string, by By) (*DeletionRequest, error)
}
