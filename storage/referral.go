package storage

import (
	"context"
	"time"
)

// Referral channels: the bodies a case is referred to (转办), each with a stable
// ASCII id stored in the referrals table and its Chinese name, which is also the
// target a referral's reason starts with (ReferralTargets, same order).
const (
	ChannelMerchantPlatform = "merchant_platform" // 企业和解（入驻企业）: the settlement platform
	ChannelArbitration      = "arbitration"       // 仲裁委员会
	ChannelFinancial        = "financial"         // 金融纠纷调解中心
	ChannelRegulator        = "regulator"         // 市场监管部门
	ChannelAdministrative   = "administrative"    // 行政部门 (any other administrative department)
)

// ArbitrationTarget is the referral target that needs the consumer's consent.
const ArbitrationTarget = "仲裁委员会"

// referralChannels maps each channel id to its target, in ReferralTargets' order.
var referralChannels = []struct{ ID, Target string }{
	{ChannelMerchantPlatform, MerchantReferral},
	{ChannelArbitration, ArbitrationTarget},
	{ChannelFinancial, "金融纠纷调解中心"},
	{ChannelRegulator, "市场监管部门"},
	{ChannelAdministrative, "行政部门"},
}

// ReferralChannelOf returns the channel id of a referral target, "" if unknown.
func ReferralChannelOf(target string) string {
	for _, c := range referralChannels {
		if c.Target == target {
			return c.ID
		}
	}
	return ""
}

// ReferralChannelName returns the target (Chinese name) of a channel id, or the id
// itself if unknown.
func ReferralChannelName(channel string) string {
	for _, c := range referralChannels {
		if c.ID == channel {
			return c.Target
		}
	}
	return channel
}

// ReferralChannels returns every channel id, in ReferralTargets' order.
func ReferralChannels() []string {
	out := make([]string, len(referralChannels))
	for i, c := range referralChannels {
		out[i] = c.ID
	}
	return out
}

// Results of a referral, as the body reports them back.
const (
	// ReferralSettled: the body settled the dispute (和解 on the platform, 调解 at
	// the financial centre or a regulator, 调解书 or 裁决 at arbitration). The case
	// is closed with 协商和解 and the amount as the money recovered.
	ReferralSettled = "settled"
	// ReferralFailed: the body tried and no agreement was reached (未达成); the
	// case comes back to the association's mediation (调解中).
	ReferralFailed = "failed"
	// ReferralRefused: the body or the merchant declined to handle it (对方拒绝);
	// the case comes back to 调解中.
	ReferralRefused = "refused"
)

// ReferralOutcomeLabels are the results staff and the API may feed back, with
// their Chinese names, in the order the form offers them.
var ReferralOutcomeLabels = []struct{ Value, Label string }{
	{ReferralSettled, "达成和解（调解成功）"},
	{ReferralFailed, "未达成和解"},
	{ReferralRefused, "对方拒绝处理"},
}

// ReferralOutcomeLabel returns the Chinese name of a result, or the value itself.
func ReferralOutcomeLabel(outcome string) string {
	for _, o := range ReferralOutcomeLabels {
		if o.Value == outcome {
			return o.Label
		}
	}
	return outcome
}

// Referral is one referral of a case to an outside body or the platform: made in
// the same transaction as the case's move to 已转办, and closed when its result
// is fed back or the case leaves 已转办 another way (then without a result).
type Referral struct {
	ID         int64     `db:"id"`
	CaseID     int64     `db:"case_id"`
	Channel    string    `db:"channel"` // a Channel… id
	ReferredAt time.Time `db:"referred_at"`
	ReferredBy string    `db:"referred_by"` // the actor of the move
	Contact    string    `db:"contact"`     // who at the body, as staff typed it
	Note       string    `db:"note"`        // staff's detail given with the referral
	// The result fed back: Outcome is "" until then.
	Outcome    string    `db:"outcome"`
	AmountFen  int64     `db:"amount_fen"`  // money settled for the consumer, fen
	ResultDate string    `db:"result_date"` // the day the body concluded, YYYY-MM-DD
	ResultNote string    `db:"result_note"`
	FedBackBy  string    `db:"fed_back_by"` // "staff:<id>" (console or API token)
	FedBackAt  time.Time `db:"fed_back_at"` // zero until fed back
	Closed     bool      `db:"closed"`
}

// ChannelName is the Chinese name of the referral's channel.
func (r *Referral) ChannelName() string { return ReferralChannelName(r.Channel) }

// ReferralResult is a result fed back for a referral (反馈转办结果).
type ReferralResult struct {
	CaseID     int64
	ReferralID int64
	Outcome    string // a Referral… result
	AmountFen  int64  // only with ReferralSettled; ≥ 0
	ResultDate string // YYYY-MM-DD, not after today
	Note       string // optional, for the timeline and the consumer's notice
	Actor      string // "staff:<id>"
	IP         string
}

// Arbitration consent answers.
const (
	ConsentAgreed  = "agreed"  // 同意仲裁
	ConsentRefused = "refused" // 不同意
)

// ArbitrationConsent is one time staff asked the consumer whether they agree to
// have the case referred to arbitration (征求仲裁意愿), with the answer once given.
type ArbitrationConsent struct {
	ID         int64     `db:"id"`
	CaseID     int64     `db:"case_id"`
	AskedBy    string    `db:"asked_by"`
	AskedAt    time.Time `db:"asked_at"`
	Answer     string    `db:"answer"`      // "" until answered, then Consent…
	AnsweredAt time.Time `db:"answered_at"` // zero until answered
}

// ReferralStore keeps the referral records, their results and the arbitration
// consent. A referral itself is made by ChangeStatus to 已转办 (its reason names
// the target, StatusChange.Contact names who at the body).
type ReferralStore interface {
	// FindReferrals returns the case's referrals, oldest first.
	FindReferrals(ctx context.Context, caseID int64) ([]*Referral, error)
	// RecordReferralResult records the result of the case's open referral and, in
	// the same transaction, closes the case with 协商和解 (ReferralSettled, the
	// amount as money recovered) or moves it back to 调解中 (the others), with the
	// consumer's notice, a timeline event and the audit entry. EINVALID for a bad
	// result; ENOTFOUND for an unknown case or referral; ECONFLICT unless the
	// referral is the case's open one and the case is 已转办.
	RecordReferralResult(ctx context.Context, res ReferralResult) (*Case, error)
	// AskArbitrationConsent records that staff ask the consumer in the chat
	// whether they agree to arbitration, with a timeline event, the question in
	// the consumer's WeChat (outbox) and the audit entry. ECONFLICT unless the
	// case is 已受理 or 调解中; ENOTFOUND for an unknown case.
	AskArbitrationConsent(ctx context.Context, caseID int64, by By) (*ArbitrationConsent, error)
	// AnswerArbitrationConsent records the consumer's answer (Consent…) to the
	// case's open question, with a timeline event. ECONFLICT if no question is
	// open; EINVALID for an unknown answer.
	AnswerArbitrationConsent(ctx context.Context, caseID int64, answer string) (*ArbitrationConsent, error)
	// FindArbitrationConsent returns the case's latest question and its answer.
	// ENOTFOUND if the consumer was never asked.
	FindArbitrationConsent(ctx context.Context, caseID int64) (*ArbitrationConsent, error)
	// PendingArbitrationConsent returns the consumer's case whose arbitration
	// question is open (the latest asked, if several). ENOTFOUND if none.
	PendingArbitrationConsent(ctx context.Context, openID string) (*Case, error)
}

// Audit actions of the referral records: a result fed back, and asking the
// consumer about arbitration.
const (
	AuditReferralResult = "referral_result"
	AuditArbitrationAsk = "arbitration_consent_ask"
)
