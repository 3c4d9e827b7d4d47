package storage

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// DefaultMaterialWait is how long a consumer has to send the material asked for
// (待补正) before staff may reject the complaint for it, when nothing is
// configured (casework.material_wait).
const DefaultMaterialWait = 7 * 24 * time.Hour

// MaterialMaxRunes bounds the description of the material asked for: it goes to
// the consumer's WeChat inside a notice of about 600 characters.
const MaterialMaxRunes = 300

// NewMaterialRequest asks the consumer for specific material (要求补正): the case
// moves to 待补正 and the consumer is told what to send.
type NewMaterialRequest struct {
	CaseID   int64
	Material string // what the consumer must send, in words they understand
	Actor    string // "staff:<id>"
	IP       string // the staff member's client address, for the audit entry
}

// MaterialRequest is a request for material as stored: from which status the case
// was moved to 待补正, what was asked, and when.
type MaterialRequest struct {
	ID          int64     `db:"id"`
	CaseID      int64     `db:"case_id"`
	FromStatus  Status    `db:"from_status"` // where resuming takes the case back to
	Material    string    `db:"material"`
	Actor       string    `db:"actor"`
	RequestedAt time.Time `db:"requested_at"`
	// RejectableAt is when the wait for the material is over: from then on the
	// complaint may be rejected for missing material. Filled by the store from
	// its configured wait, not stored.
	RejectableAt time.Time `db:"-"`
}

// Closing is the one closing action (结案): the outcome of mediation, which sets the
// status (see OutcomeStatus), with what the outcome needs.
type Closing struct {
	CaseID  int64
	Outcome string // one of the Outcome… constants
	// RecoveredFen is the money recovered for the consumer (挽回经济损失), in fen;
	// only an agreement or a settlement has it.
	RecoveredFen       int64
	DoubleCompensation bool   // 加倍赔偿; only with an agreement or a settlement
	Reason             string // a termination needs one of TerminationReasons
	Note               string // optional words for the consumer's notice and the timeline
	Actor              string // "staff:<id>"
	IP                 string // the staff member's client address, for the audit entry
}

// OutcomeStatus returns the status an outcome puts a case in: an agreement or a
// settlement 调解成功, a termination 终止调解, a withdrawal 已撤回.
func OutcomeStatus(outcome string) (Status, bool) {
	switch outcome {
	case OutcomeAgreement, OutcomeSettled:
		return StatusResolved, true
	case OutcomeTerminated:
		return StatusTerminated, true
	case OutcomeWithdrawn:
		return StatusWithdrawn, true
	}
	return "", false
}

// OutcomeLabel returns the Chinese name of an Outcome… value, or the value itself.
func OutcomeLabel(outcome string) string {
	for _, o := range OutcomeLabels {
		if o.Value == outcome {
			return o.Label
		}
	}
	return outcome
}

// OutcomeSummary describes an outcome as staff read it: "达成调解协议，挽回经济损失
// ¥120.00，加倍赔偿". Nothing recovered is not mentioned.
func OutcomeSummary(outcome string, recoveredFen int64, double bool) string {
	s := OutcomeLabel(outcome)
	if recoveredFen > 0 {
		s += fmt.Sprintf("，挽回经济损失 ¥%d.%02d", recoveredFen/100, recoveredFen%100)
	}
	if double {
		s += "，加倍赔偿"
	}
	return s
}

// Validate checks what the outcome needs: a known outcome; money (not negative)
// and 加倍赔偿 only with an agreement or a settlement; a reason from
// TerminationReasons with a termination and none otherwise. EINVALID names what
// is wrong, in Chinese (staff read it).
func (cl *Closing) Validate() error {
	status, ok := OutcomeStatus(cl.Outcome)
	switch {
	case !ok:
		return Errorf(EINVALID, "未知的调解结果 %q。", cl.Outcome)
	case cl.Actor == "":
		return Errorf(EINVALID, "结案需要记录操作人。")
	case cl.RecoveredFen < 0:
		return Errorf(EINVALID, "挽回经济损失不能为负数。")
	case status != StatusResolved && (cl.RecoveredFen != 0 || cl.DoubleCompensation):
		return Errorf(EINVALID, "只有达成调解协议或协商和解可以登记挽回经济损失和加倍赔偿。")
	case status == StatusTerminated && !slices.Contains(TerminationReasons, cl.Reason):
		return Errorf(EINVALID, "终止调解须选择终止理由。")
	case status != StatusTerminated && cl.Reason != "":
		return Errorf(EINVALID, "只有终止调解需要终止理由。")
	}
	return nil
}

// CaseworkStore is the mediator's work that moves a case beyond a plain status
// change: asking for material and resuming, and closing with an outcome. Each
// method moves the status through the same checks as ConversationStore's
// ChangeStatus, in one transaction with its timeline event, the consumer's notice
// and the audit entry.
type CaseworkStore interface {
	// RequestMaterial moves the case from 待受理 or 调解中 to 待补正 and tells the
	// consumer what to send and that they can send it in the chat. EINVALID for
	// a missing or too long material (MaterialMaxRunes) or actor; ECONFLICT from
	// another status; ENOTFOUND for an unknown case.
	RequestMaterial(ctx context.Context, req NewMaterialRequest) (*Case, error)
	// ResumeCase takes a case in 待补正 back to the status it came from (恢复办理)
	// and tells the consumer. note is optional words for the consumer. ECONFLICT if
	// the case is not 待补正; ENOTFOUND for an unknown case.
	ResumeCase(ctx context.Context, caseID int64, note string, by By) (*Case, error)
	// FindMaterialRequest returns the case's latest request for material, with
	// its RejectableAt. ENOTFOUND if there never was one.
	FindMaterialRequest(ctx context.Context, caseID int64) (*MaterialRequest, error)
	// CloseCase records the outcome and moves the case to the outcome's status
	// (see OutcomeStatus) in one transaction. EINVALID as Closing.Validate;
	// ECONFLICT if the status table does not allow the move from the current
	// status; ENOTFOUND for an unknown case.
	CloseCase(ctx context.Context, cl Closing) (*Case, error)
}
