package storage

import (
	"context"
	"time"
)

// Outcomes of mediation (DOMAIN.md: 达成调解协议, 协商和解, 撤回投诉, 终止调解).
const (
	OutcomeAgreement  = "agreement"  // 达成调解协议
	OutcomeSettled    = "settled"    // 协商和解
	OutcomeWithdrawn  = "withdrawn"  // 撤回投诉
	OutcomeTerminated = "terminated" // 终止调解
)

// OutcomeLabels names the outcomes in Chinese, in display order.
var OutcomeLabels = []struct{ Value, Label string }{
	{OutcomeAgreement, "达成调解协议"}, {OutcomeSettled, "协商和解"},
	{OutcomeWithdrawn, "撤回投诉"}, {OutcomeTerminated, "终止调解"},
}

// RejectReasons are the grounds for not accepting a complaint (Order 20 art. 15 and
// association rules), offered when rejecting.
var RejectReasons = []string{
	"不属于本会受理范围或管辖区域",
	"法院、仲裁机构、其他行政部门或调解组织已受理或处理",
	"不是为生活消费需要购买、使用商品或接受服务，或与经营者无消费争议",
	"自知道或应当知道权益受侵害之日起超过三年",
	"投诉材料不全且未按要求补正",
	"经营者之间的纠纷",
	"个人之间的私下交易",
	"无法确定被投诉经营者",
	"已经达成和解并已履行",
}

// TerminationReasons are the ends of mediation without agreement (Order 20 art. 21).
var TerminationReasons = []string{
	"消费者撤回投诉",
	"双方自行和解",
	"双方就检测、鉴定不能达成一致",
	"一方无正当理由不参加调解，或经营者明确拒绝调解",
	"一方表示无法达成调解协议",
	"自受理之日起超过45个工作日",
	"发现存在不予受理情形",
}

// Referral targets in the seed's practice.
var ReferralTargets = []string{"企业和解（入驻企业）", "仲裁委员会", "金融纠纷调解中心", "行政部门"}

// Outcome records how mediation ended and what the consumer got back.
type Outcome struct {
	CaseID             int64
	Outcome            string // one of the Outcome… constants
	RecoveredFen       int64  // money recovered for the consumer (挽回经济损失), in fen
	DoubleCompensation bool   // 加倍赔偿
	Note               string
	Actor              string // "staff:<id>"
	IP                 string // the staff member's client address, for the audit entry (see By)
}

// CannedReply is a reply text staff can insert while replying.
type CannedReply struct {
	ID        int64     `db:"id"`
	Title     string    `db:"title"`
	Body      string    `db:"body"`
	CreatedBy int64     `db:"created_by"`
	UpdatedAt time.Time `db:"updated_at"`
}

// DeskStore is the case desk's work on cases beyond status changes.
type DeskStore interface {
	// AssignCase sets (or, with nil, clears) the mediator of a case and audits it.
	// ENOTFOUND for an unknown case; EINVALID if the assignee does not exist or is
	// disabled (a bad form value, not a missing page).
	AssignCase(ctx context.Context, caseID int64, assigneeID *int64, by By) (*Case, error)
	// ClaimCase makes staffID the mediator of a case only if it is unassigned ("assign
	// to me"). The check is made on the case as stored, inside the write and with the
	// row locked, so of two concurrent claims (or a claim and an assignment) exactly
	// one sees the case unassigned. Claiming a case one already has changes nothing.
	// ECONFLICT if someone else has the case; otherwise errors as AssignCase.
	ClaimCase(ctx context.Context, caseID, staffID int64, by By) (*Case, error)
	// RecordOutcome stores the outcome and money recovered, appends a note event
	// and audits it. EINVALID for an unknown outcome or a negative amount.
	RecordOutcome(ctx context.Context, o Outcome) (*Case, error)
	// MarkCaseRead clears the case's unread flag (staff have seen the consumer's
	// latest messages).
	MarkCaseRead(ctx context.Context, caseID int64) error

	// Canned replies: list (by title), create, update, delete (the only hard
	// delete: a canned reply is a template, not a record).
	ListCannedReplies(ctx context.Context) ([]*CannedReply, error)
	CreateCannedReply(ctx context.Context, title, body string, staffID int64) (*CannedReply, error)
	UpdateCannedReply(ctx context.Context, id int64, title, body string) error
	DeleteCannedReply(ctx context.Context, id int64) error
}

// Session is a signed-in console session. It lives in Redis so all instances
// share it.
type Session struct {
	ID         string    `json:"-"`
	StaffID    int64     `json:"staff_id"`
	CSRFToken  string    `json:"csrf"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// SessionStore keeps console sessions with an idle and an absolute expiry.
type SessionStore interface {
	// CreateSession starts a session for a staff member and returns it with a
	// fresh random ID and CSRF token.
	CreateSession(ctx context.Context, staffID int64) (*Session, error)
	// FindSession returns a live session and extends its idle expiry; ENOTFOUND
	// if it does not exist or has expired (idle or absolute).
	FindSession(ctx context.Context, id string) (*Session, error)
	// PeekSession is FindSession without extending the idle expiry, for requests
	// the browser makes on its own (background polls): they must not keep an
	// unattended desk signed in. Expired sessions are ENOTFOUND as with FindSession.
	PeekSession(ctx context.Context, id string) (*Session, error)
	// DeleteSession ends one session (logout).
	DeleteSession(ctx context.Context, id string) error
	// DeleteStaffSessions ends every session of a staff member (password change,
	// account disabled).
	DeleteStaffSessions(ctx context.Context, staffID int64) error
}

// LoginThrottle slows down password guessing. It counts failures per key; the
// console picks the keys (an account from one address, an address, an account
// from anywhere) and the implementation a limit per kind of key.
type LoginThrottle interface {
	// ReserveLogin counts an attempt for key before its password is checked, in
	// one step with the check against the limit, so that parallel attempts cannot
	// all pass a check made before any of them was counted. It reports false, and
	// how long to wait, if key has no attempts left; the refused attempt is not
	// counted. A reserved attempt counts as a failure unless LoginSucceeded or
	// ReleaseLogin undoes it.
	ReserveLogin(ctx context.Context, key string) (bool, time.Duration, error)
	// ReleaseLogin gives back one attempt reserved for key that was no failure:
	// another key refused it before any password was checked, or the password
	// was right.
	ReleaseLogin(ctx context.Context, key string) error
	// LoginSucceeded forgets key's failures.
	LoginSucceeded(ctx context.Context, key string) error
}

// RateLimiter bounds how often something sensitive is done per key (a staff
// member), in a window shared by every instance of the program.
type RateLimiter interface {
	// Take counts one use for key if key has uses left in the current window, in
	// one step with the check, so that parallel uses cannot all pass a check made
	// before any of them was counted. It reports false, and how long until the
	// window ends, if key has none left; the refused use is not counted. Errors
	// are EUNAVAILABLE (the counter cannot be reached) or EINTERNAL.
	Take(ctx context.Context, key string) (bool, time.Duration, error)
}
