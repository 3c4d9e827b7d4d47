package storage

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// NoticeSettlementProposal tells the consumer a merchant's settlement proposal
// and asks 接受 or 不接受.
const NoticeSettlementProposal NotificationKind = "settlement_proposal"

// Audit action of the portal's answers.
const AuditPortalProposal = "portal_proposal"

// Remedies a merchant may propose (方式).
var Remedies = []string{"退货", "换货", "退款", "维修", "赔偿"}

// The consumer's answers to a proposal.
const (
	ProposalAccepted = "accepted" // 接受
	ProposalDeclined = "declined" // 不接受
	// ProposalExpired is a proposal the consumer did not answer, even when
	// asked once more: the case went back to the association.
	ProposalExpired = "expired"
)

// ProposalChase is how long a proposal may wait for the consumer's answer:
// RemindAfter after it was sent the consumer is asked once more, ReturnAfter
// after that reminder the case goes back to the association's mediation queue.
type ProposalChase struct {
	RemindAfter time.Duration
	ReturnAfter time.Duration
}

// MaxProposalReasonRunes bounds a refusal's reasons.
const MaxProposalReasonRunes = 500

// Proposal is a merchant's answer to a referral on the platform: a settlement
// proposal, or a refusal with reasons.
type Proposal struct {
	ID         int64     `db:"id"`
	CaseID     int64     `db:"case_id"`
	ReferralID int64     `db:"referral_id"`
	AccountID  int64     `db:"account_id"`
	Refused    bool      `db:"refused"`
	Remedy     string    `db:"remedy"`
	AmountFen  int64     `db:"amount_fen"`
	PayBy      string    `db:"pay_by"` // YYYY-MM-DD
	Reasons    string    `db:"reasons"`
	Answer     string    `db:"answer"` // "" until the consumer answers
	AnsweredAt time.Time `db:"answered_at"`
	CreatedAt  time.Time `db:"created_at"`

	// The payment follow-up of an accepted proposal that involves payment
	// (InvolvesPayment): as an issued agreement's, how often the bot asked
	// whether the money arrived, when it asks next (zero when it will not ask
	// again) and the consumer's answer (PaymentReceived, PaymentNotReceived,
	// or PaymentExpired when the question lapsed unanswered).
	PaymentAsks       int       `db:"payment_asks"`
	NextAskAt         time.Time `db:"next_ask_at"`
	PaymentAnswer     string    `db:"payment_answer"`
	PaymentAnsweredAt time.Time `db:"payment_answered_at"`
	// AnswerRemindedAt is when the consumer, who had not answered, was asked
	// once more (zero if not yet).
	AnswerRemindedAt time.Time `db:"answer_reminded_at"`
}

// InvolvesPayment reports whether the proposal, once accepted, has money to
// follow up on its date: an amount, or a refund or compensation (whose amount
// the merchant may have left to the receipt).
func (p *Proposal) InvolvesPayment() bool {
	return !p.Refused && p.PayBy != "" && (p.AmountFen > 0 || p.Remedy == "退款" || p.Remedy == "赔偿")
}

// PaymentQuestionText is what the payment question says the proposal agreed:
// "和解方案约定商家退款 ¥1,200.00（壹仟贰佰元整），付款日期 2026-12-20".
func (p *Proposal) PaymentQuestionText() string {
	text := "和解方案约定商家" + p.Remedy
	if p.AmountFen > 0 {
		text += " " + FormatYuan(p.AmountFen) + "（" + AmountInCapitals(p.AmountFen) + "）"
	}
	return text + "，付款日期 " + p.PayBy
}

// Summary is the proposal as the consumer and staff read it.
func (p *Proposal) Summary() string {
	if p.Refused {
		return "商家不同意和解，理由：" + p.Reasons
	}
	return fmt.Sprintf("%s，金额 %s，%s 前付款/履行", p.Remedy, FormatYuan(p.AmountFen), p.PayBy)
}

// ProposalInput is what a merchant submits on the portal.
type ProposalInput struct {
	MerchantID int64
	AccountID  int64
	CaseNumber string
	Refused    bool
	Remedy     string
	AmountFen  int64
	PayBy      string
	Reasons    string
	IP         string
}

// Validate checks the input against today (YYYY-MM-DD, China time); EINVALID
// says what is wrong, in Chinese.
func (in *ProposalInput) Validate(today string) error {
	in.Reasons, in.PayBy = strings.TrimSpace(in.Reasons), strings.TrimSpace(in.PayBy)
	if in.Refused {
		if in.Reasons == "" || utf8.RuneCountInString(in.Reasons) > MaxProposalReasonRunes {
			return Errorf(EINVALID, "拒绝和解请写明理由（最多 %d 字）。", MaxProposalReasonRunes)
		}
		in.Remedy, in.AmountFen, in.PayBy = "", 0, ""
		return nil
	}
	known := false
	for _, r := range Remedies {
		known = known || r == in.Remedy
	}
	switch {
	case !known:
		return Errorf(EINVALID, "请选择处理方式（退货、换货、退款、维修或赔偿）。")
	case in.AmountFen < 0:
		return Errorf(EINVALID, "金额不能为负数。")
	case !validDay(in.PayBy):
		return Errorf(EINVALID, "请填写付款（履行）日期（年-月-日）。")
	case in.PayBy < today:
		return Errorf(EINVALID, "付款（履行）日期不能早于今天。")
	}
	in.Reasons = ""
	return nil
}

// ProposalStore keeps the merchants' proposals and the consumers' answers.
type ProposalStore interface {
	// ProposeSettlement records a merchant's answer to one of its open
	// referrals, with a timeline event and an audit entry. A proposal goes to
	// the consumer through the outbox (NoticeSettlementProposal); a refusal
	// takes the case back to 调解中, marked unread. ENOTFOUND for a case that is
	// not the merchant's; ECONFLICT when the referral is closed or a proposal
	// awaits the consumer's answer.
	ProposeSettlement(ctx context.Context, in ProposalInput) (*Proposal, error)
	// CaseProposals returns a case's proposals, oldest first.
	CaseProposals(ctx context.Context, caseID int64) ([]*Proposal, error)
	// PendingProposal returns the consumer's case with a proposal awaiting
	// their answer; ENOTFOUND if none.
	PendingProposal(ctx context.Context, openID string) (*Case, error)
	// AnswerProposal records the consumer's answer: accepted closes the case
	// (调解成功, 协商和解 with the amount); declined takes it back to 调解中,
	// marked unread. ECONFLICT when nothing awaits an answer.
	AnswerProposal(ctx context.Context, caseID int64, answer string) (*Case, error)
	// ReturnOverdueReferrals takes back to 调解中 (marked unread) every case
	// referred to the platform whose merchant clock ended before today
	// (YYYY-MM-DD) with no proposal awaiting the consumer, and returns how
	// many. Safe when several instances run it at once.
	ReturnOverdueReferrals(ctx context.Context, today string) (int, error)
	// ChaseUnansweredProposals asks once more (the proposal's notice again,
	// noted on the timeline) every consumer whose proposal has waited
	// RemindAfter, and takes back to 调解中 (marked unread, the consumer told,
	// a timeline entry) every case whose proposal has waited ReturnAfter since
	// that reminder. It returns how many it reminded and returned; each case
	// moves once however many instances run it at once.
	ChaseUnansweredProposals(ctx context.Context, now time.Time, chase ProposalChase) (reminded, returned int, err error)
}
