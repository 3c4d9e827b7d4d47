package storage

import (
	"context"
)

// TransferReasonMax bounds the reason of a transfer, in characters: a sentence or
// two, which the consumer is told.
const TransferReasonMax = 200

// NoticeTransfer tells the consumer their case went to another unit, with the
// reason in Text; the bot quotes the new unit's name, hotline and hours.
const NoticeTransfer NotificationKind = "transfer"

// AuditTransfer is the audit action of a case moved to another unit.
const AuditTransfer = "transfer"

// CaseTransferStore moves cases between units.
type CaseTransferStore interface {
	// TransferCase moves a case to unit toUnitID, in one transaction: the case's
	// unit changes, it leaves its team and its mediator (the new unit routes and
	// assigns it), a note on its timeline and an audit entry say from which unit
	// to which and why, and a NoticeTransfer to the consumer is queued. The status
	// history is not touched, so the clocks run on from receipt. The case keeps
	// its number. ENOTFOUND for an unknown case; EINVALID for an unknown or
	// disabled unit, the case's own unit, a missing or over-long reason, a case
	// whose status is final, or a missing actor.
	TransferCase(ctx context.Context, caseID, toUnitID int64, reason string, by By) (*Case, error)
}

// UnitLabel names a unit for staff and the timeline: its name, or for a unit
// without one (the root, whose name is the organisation's) root.
func UnitLabel(u *Unit, root string) string {
	if u == nil {
		return ""
	}
	if u.Name != "" {
		return u.Name
	}
	return root
}
