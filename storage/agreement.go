package storage

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Audit actions of the mediation agreement (调解协议书).
const (
	AuditAgreementSave  = "agreement_save"  // the draft was written or edited
	AuditAgreementIssue = "agreement_issue" // the agreement was issued to the parties
	AuditAgreementView  = "agreement_view"  // the document with the consumer's name and phone was opened
	// AuditAgreementReissue is an issued agreement given a new payment date
	// after the consumer answered 未到账.
	AuditAgreementReissue = "agreement_reissue"
)

// Consumer answers to the payment question (已到账 / 未到账).
const (
	PaymentReceived    = "received"     // 已到账
	PaymentNotReceived = "not_received" // 未到账
	// PaymentExpired is not the consumer's: the question lapsed unanswered
	// (see AgreementStore.LapseUnansweredPayments) and the mediator checks.
	PaymentExpired = "expired"
)

// PaymentAsksMax is how often the bot asks whether the money arrived: on the
// payment date, and once more when there was no answer.
const PaymentAsksMax = 2

// PaymentReaskAfter is how long the bot waits for an answer before asking again.
const PaymentReaskAfter = 3 * 24 * time.Hour

// PaymentAskHour is the hour of the payment date, China time, at which the bot
// asks: the morning, so the consumer can check their account that day.
const PaymentAskHour = 9

// The lengths an agreement's words may have, in characters.
const (
	MaxAgreementTermsRunes    = 2000
	MaxAgreementMerchantRunes = 100
	MaxAgreementMediatorRunes = 30
)

// Agreement is a case's mediation agreement (调解协议书): what the parties agreed,
// the money and the day it is due. It is a draft, editable by staff, until it is
// issued; issuing sends the terms to the consumer and starts the payment
// follow-up (the bot asks on the payment date whether the money arrived).
type Agreement struct {
	CaseID       int64     `db:"case_id"`
	Terms        string    `db:"terms"`         // the agreed terms, as the parties read them
	AmountFen    int64     `db:"amount_fen"`    // the money the merchant pays, 0 when none
	PaymentDue   string    `db:"payment_due"`   // YYYY-MM-DD China time; "" when nothing is paid
	MerchantName string    `db:"merchant_name"` // the merchant as a party
	CreditCode   string    `db:"credit_code"`   // 统一社会信用代码 of the merchant
	Mediator     string    `db:"mediator"`      // the mediator's name as printed
	Version      int       `db:"version"`       // 1 at creation, +1 per edit
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
	// IssuedAt is when the agreement was issued (zero while it is a draft).
	IssuedAt time.Time `db:"-"`

	// The payment follow-up: how often the bot asked, when it asks next (zero
	// when it will not ask again), and the consumer's latest answer.
	PaymentAsks   int       `db:"payment_asks"`
	NextAskAt     time.Time `db:"-"`
	PaymentAnswer string    `db:"payment_answer"` // PaymentReceived, PaymentNotReceived, PaymentExpired or ""
	AnsweredAt    time.Time `db:"-"`              // when answered, or when the question lapsed
	LastAskedAt   time.Time `db:"-"`              // the latest ask, zero before the first
}

// Issued reports whether the agreement has been issued (and may no longer change).
func (a *Agreement) Issued() bool { return !a.IssuedAt.IsZero() }

// AgreementDraft is what staff write on the agreement form.
type AgreementDraft struct {
	CaseID       int64
	Terms        string
	AmountFen    int64
	PaymentDue   string // YYYY-MM-DD, "" when nothing is paid
	MerchantName string
	CreditCode   string
	Mediator     string
	// Version is the version the form was read at (0 for a new agreement): an
	// edit made on a stale form is refused rather than lost.
	Version int
	By      By
}

// Normalize trims the draft's words and upper-cases the credit code.
func (d *AgreementDraft) Normalize() {
	d.Terms = strings.TrimSpace(d.Terms)
	d.PaymentDue = strings.TrimSpace(d.PaymentDue)
	d.MerchantName = strings.TrimSpace(d.MerchantName)
	d.CreditCode = strings.ToUpper(strings.TrimSpace(d.CreditCode))
	d.Mediator = strings.TrimSpace(d.Mediator)
}

// Validate checks the draft; EINVALID names what is wrong, in Chinese (staff
// read it). Money needs a payment date and a payment date needs money.
func (d *AgreementDraft) Validate() error {
	switch {
	case d.Terms == "":
		return Errorf(EINVALID, "请填写协议条款。")
	case utf8.RuneCountInString(d.Terms) > MaxAgreementTermsRunes:
		return Errorf(EINVALID, "协议条款最多 %d 个字。", MaxAgreementTermsRunes)
	case d.MerchantName == "" || utf8.RuneCountInString(d.MerchantName) > MaxAgreementMerchantRunes:
		return Errorf(EINVALID, "请填写被投诉方名称（%d 个字以内）。", MaxAgreementMerchantRunes)
	case d.Mediator == "" || utf8.RuneCountInString(d.Mediator) > MaxAgreementMediatorRunes:
		return Errorf(EINVALID, "请填写调解员姓名（%d 个字以内）。", MaxAgreementMediatorRunes)
	case d.AmountFen < 0:
		return Errorf(EINVALID, "协议金额不能为负数。")
	case d.AmountFen > 0 && d.PaymentDue == "":
		return Errorf(EINVALID, "协议约定了金额，请填写履行（付款）日期。")
	case d.AmountFen == 0 && d.PaymentDue != "":
		return Errorf(EINVALID, "填写了付款日期，请同时填写协议金额。")
	}
	if d.PaymentDue != "" {
		if _, err := time.Parse("2006-01-02", d.PaymentDue); err != nil {
			return Errorf(EINVALID, "付款日期格式应为 2026-01-31。")
		}
	}
	return CheckCreditCode(d.CreditCode)
}

// CheckCreditCode checks a merchant's unified social credit code (统一社会信用代码):
// 18 characters from creditCodeChars, then the check digit (ValidCreditCode,
// the registry's check). EINVALID in Chinese, saying which is wrong; an empty code is refused too, since the
// agreement names the merchant by it.
func CheckCreditCode(code string) error {
	if len(code) != 18 {
		return Errorf(EINVALID, "统一社会信用代码应为 18 位。")
	}
	for _, r := range code {
		if !strings.ContainsRune(creditCodeChars, r) {
			return Errorf(EINVALID, "统一社会信用代码只含数字和大写字母（不含 I、O、Z、S、V）。")
		}
	}
	if !ValidCreditCode(code) {
		return Errorf(EINVALID, "统一社会信用代码的校验位不正确，请核对。")
	}
	return nil
}

// PaymentAskTime is when the bot first asks about a payment due on day (YYYY-MM-DD):
// PaymentAskHour of that day, China time.
func PaymentAskTime(day string) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", day, ChinaTime)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "bad payment date %q", day)
	}
	return d.Add(PaymentAskHour * time.Hour), nil
}

// PaymentAnswer is the consumer's answer to the payment question.
type PaymentAnswer struct {
	CaseID int64
	Answer string // PaymentReceived or PaymentNotReceived
}

// AgreementStore keeps the mediation agreements and their payment follow-up.
// Who may write and issue is the console's business (the case's scope); the store
// audits every staff action in the same transaction and keeps the history on the
// case's timeline.
type AgreementStore interface {
	// SaveAgreement creates the case's agreement or edits its draft (version +1),
	// with a timeline note and an audit entry. The case must be 调解中, 检测鉴定,
	// 已转办 or 调解成功. EINVALID as AgreementDraft.Validate or for a missing
	// staff actor; ECONFLICT if the agreement was issued, the form is stale
	// (Version) or the case is elsewhere; ENOTFOUND for an unknown case.
	SaveAgreement(ctx context.Context, d AgreementDraft) (*Agreement, error)
	// IssueAgreement issues the agreement of a case that is 调解成功: it can no
	// longer change, the consumer is sent its terms through the outbox and, if
	// money is due, the payment follow-up is scheduled. ECONFLICT if already
	// issued or the case is not 调解成功; ENOTFOUND without an agreement.
	IssueAgreement(ctx context.Context, caseID int64, by By) (*Agreement, error)
	// ReissueAgreement gives an issued agreement whose payment the consumer
	// answered 未到账, or whose question lapsed unanswered, a new payment date (YYYY-MM-DD, not before today): a new
	// version, issued now, the follow-up started afresh for that date, the
	// consumer sent the terms with the new date, a timeline note and an audit
	// entry. The case must be 调解成功 again (the mediator re-closes it first).
	// EINVALID for a bad date or a missing staff actor; ECONFLICT when the
	// agreement is not issued, its payment neither answered 未到账 nor lapsed, or the case is
	// elsewhere; ENOTFOUND without an agreement.
	ReissueAgreement(ctx context.Context, caseID int64, paymentDue string, by By) (*Agreement, error)
	// FindAgreement returns the case's agreement, ENOTFOUND if none.
	FindAgreement(ctx context.Context, caseID int64) (*Agreement, error)
	// AskDuePayments asks, through the outbox, every consumer whose payment
	// question is due at now (at most limit of them) whether the money arrived,
	// and returns how many were asked. Each ask is a conditional update, so two
	// instances running it at once ask each consumer once; the second ask is
	// scheduled PaymentReaskAfter later, and there is never a third.
	AskDuePayments(ctx context.Context, now time.Time, limit int) (int, error)
	// LapseUnansweredPayments lapses, at most limit of them, the payment
	// questions asked PaymentAsksMax times whose last ask is wait or more
	// before now and that are still unanswered, on cases still 调解成功 or
	// 已办结: the answer becomes PaymentExpired, the mediator gets a timeline
	// note and the case is marked unread; its status stays (the mediator
	// decides). Each lapse is a conditional update under the case's row lock,
	// so several instances lapse a question once, and never one the consumer
	// answered meanwhile. Returns how many lapsed; EINVALID for a wait or
	// limit that is not positive.
	LapseUnansweredPayments(ctx context.Context, now time.Time, wait time.Duration, limit int) (int, error)
	// PendingPayment returns the consumer's case whose payment question was
	// asked and not answered (the most recently asked), ENOTFOUND if none. A
	// lapsed question is not pending.
	PendingPayment(ctx context.Context, openID string) (*Case, error)
	// LapsedPayment returns the consumer's case whose payment question lapsed
	// and whose status nobody changed since (the most recently lapsed), for 30
	// days after the lapse: the mediator is to check with the consumer, so what
	// the consumer writes belongs there. ENOTFOUND if none.
	LapsedPayment(ctx context.Context, openID string) (*Case, error)
	// AnswerPayment records the consumer's answer on the timeline and the
	// agreement: 已到账 moves the case to 已办结, 未到账 reopens it to 调解中 for its
	// mediator, marked unread. ECONFLICT if the question was not asked or already
	// answered; EINVALID for another answer; ENOTFOUND for an unknown case.
	AnswerPayment(ctx context.Context, a PaymentAnswer) (*Case, error)
}

// Notification kinds of the agreement: its terms sent to the consumer when it is
// issued, and the question whether the money arrived. Their wording is in the
// dialog catalogue; the row's Summary is the template card's.
const (
	NoticeAgreement       NotificationKind = "agreement"        // the agreement was issued: its terms
	NoticePaymentQuestion NotificationKind = "payment_question" // has the agreed money arrived?
)

// PaymentFacts describes an agreement's payment for the consumer:
// "¥1,200.00（壹仟贰佰元整），付款日期 2026-12-20". Empty when nothing is paid.
func (a *Agreement) PaymentFacts() string {
	if a.AmountFen == 0 {
		return ""
	}
	return FormatYuan(a.AmountFen) + "（" + AmountInCapitals(a.AmountFen) + "），付款日期 " + a.PaymentDue
}
