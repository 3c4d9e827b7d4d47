package storage

import (
	"context"
	"time"
)

// AuditTypicalCase is marking a case as a 典型案例, changing its wording, or
// removing the mark.
const AuditTypicalCase = "typical_case"

// The lengths a typical case's wording may have, in characters.
const (
	MaxTypicalTitleRunes   = 60
	MaxTypicalSummaryRunes = 1000
)

// TypicalCase is a concluded case staff chose as a 典型案例 for the annual report,
// with a short title and a summary they wrote for the public. It carries the
// case's facts the report prints and never the complainant's name or phone.
type TypicalCase struct {
	CaseID       int64     `db:"case_id"`
	Number       string    `db:"number"`
	Title        string    `db:"title"`
	Summary      string    `db:"summary"`
	Category     string    `db:"category"`
	Outcome      string    `db:"outcome"` // one of the Outcome… constants, or ""
	RecoveredFen int64     `db:"recovered_fen"`
	ReceivedAt   time.Time `db:"received_at"` // when the case was received
	MarkedBy     int64     `db:"marked_by"`   // the staff id
	MarkedAt     time.Time `db:"marked_at"`
	// UnitID is the case's unit: a unit's annual report prints its subtree's.
	UnitID int64 `db:"unit_id"`
}

// TypicalCaseMark marks a case as typical, or rewords its mark.
type TypicalCaseMark struct {
	CaseID  int64
	Title   string
	Summary string
	By      By
}

// TypicalCaseStore keeps the typical cases. Who may mark is the console's
// business (supervisors and admins); the store audits every change.
type TypicalCaseStore interface {
	// MarkTypicalCase marks a concluded case (see Status.Final) as typical, or
	// rewords the mark it has, audited in the same transaction. EINVALID for a
	// missing or too long title or summary, or a missing staff actor; ECONFLICT if
	// the case is not concluded; ENOTFOUND for an unknown case.
	MarkTypicalCase(ctx context.Context, m TypicalCaseMark) (*TypicalCase, error)
	// UnmarkTypicalCase removes the mark, audited; the row is kept with the time
	// of its removal. ENOTFOUND if the case is not marked.
	UnmarkTypicalCase(ctx context.Context, caseID int64, by By) error
	// FindTypicalCase returns the case's mark, ENOTFOUND if it has none.
	FindTypicalCase(ctx context.Context, caseID int64) (*TypicalCase, error)
	// TypicalCases lists the marked cases received in [from, to), oldest first.
	TypicalCases(ctx context.Context, from, to time.Time) ([]*TypicalCase, error)
}
