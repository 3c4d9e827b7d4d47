package storage

import "strings"

// Status is where a case stands. The values are stable ASCII identifiers stored in the
// database; Label gives the Chinese name consumers and staff read.
type Status string

// The statuses of DESIGN.md's table.
const (
	StatusSubmitted  Status = "submitted"  // 待受理
	StatusAccepted   Status = "accepted"   // 已受理
	StatusRejected   Status = "rejected"   // 不予受理
	StatusMediating  Status = "mediating"  // 调解中
	StatusReferred   Status = "referred"   // 已转办 (企业和解, 仲裁, 金融纠纷调解, 行政部门)
	StatusResolved   Status = "resolved"   // 调解成功
	StatusTerminated Status = "terminated" // 终止调解
	StatusWithdrawn  Status = "withdrawn"  // 已撤回
	StatusClosed     Status = "closed"     // 已办结

	// The two waits whose time does not count against the statutory clocks
	// (DOMAIN.md, time limits): the consumer's missing material, and testing or
	// appraisal of the goods during mediation.
	StatusAwaitingMaterial Status = "awaiting_material" // 待补正
	StatusAppraisal        Status = "appraisal"         // 检测鉴定
)

var statusLabels = map[Status]string{
	StatusSubmitted:  "待受理",
	StatusAccepted:   "已受理",
	StatusRejected:   "不予受理",
	StatusMediating:  "调解中",
	StatusReferred:   "已转办",
	StatusResolved:   "调解成功",
	StatusTerminated: "终止调解",
	StatusWithdrawn:  "已撤回",
	StatusClosed:     "已办结",

	StatusAwaitingMaterial: "待补正",
	StatusAppraisal:        "检测鉴定",
}

// statusMoves is the table of allowed moves; anything not listed is refused. Some
// moves are narrowed further by the store: a case leaves 待补正 only back to the
// status it came from (resume), to 不予受理 for missing material once the
// configured wait is over, or to 已撤回; 待补正 itself is reached only by asking
// for material (it needs the material named), and 调解成功 and 终止调解 only by
// closing the case with an outcome (see ClosingOnly).
var statusMoves = map[Status][]Status{
	StatusSubmitted:        {StatusAccepted, StatusRejected, StatusWithdrawn, StatusAwaitingMaterial},
	StatusAwaitingMaterial: {StatusSubmitted, StatusMediating, StatusRejected, StatusWithdrawn},
	StatusAccepted:         {StatusMediating, StatusReferred, StatusWithdrawn},
	StatusMediating: {StatusResolved, StatusTerminated, StatusReferred, StatusWithdrawn,
		StatusAwaitingMaterial, StatusAppraisal},
	StatusAppraisal:  {StatusMediating, StatusResolved, StatusTerminated, StatusWithdrawn},
	StatusReferred:   {StatusMediating, StatusResolved, StatusTerminated, StatusWithdrawn},
	StatusResolved:   {StatusClosed},
	StatusTerminated: {StatusClosed},
	StatusRejected:   {StatusClosed},
	StatusWithdrawn:  {StatusClosed},
}

// Statuses returns every known status, in the order a case usually passes them.
func Statuses() []Status {
	return []Status{StatusSubmitted, StatusAwaitingMaterial, StatusAccepted, StatusRejected,
		StatusMediating, StatusAppraisal, StatusReferred,
		StatusResolved, StatusTerminated, StatusWithdrawn, StatusClosed}
}

// Label returns the Chinese name of the status, or the raw value if it is unknown.
func (s Status) Label() string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	_, ok := statusLabels[s]
	return ok
}

// CanMoveTo reports whether the table allows moving a case from s to next.
func (s Status) CanMoveTo(next Status) bool {
	for _, allowed := range statusMoves[s] {
		if allowed == next {
			return true
		}
	}
	return false
}

// CanReopen reports whether a supervisor may move a finished case back to
// mediating.
func (s Status) CanReopen() bool {
	switch s {
	case StatusResolved, StatusTerminated, StatusWithdrawn, StatusClosed:
		return true
	}
	return false
}

// ClosingOnly reports whether a case reaches s only by being closed with an
// outcome (结案): 调解成功 and 终止调解 carry the outcome's facts, which a plain
// status change does not.
func (s Status) ClosingOnly() bool {
	return s == StatusResolved || s == StatusTerminated
}

// HasOutcome reports whether a case in status s has an outcome of mediation:
// exactly when it is 调解成功, 终止调解 or 已撤回 (a closed case keeps the outcome
// of the status it was closed from).
func (s Status) HasOutcome() bool {
	return s == StatusResolved || s == StatusTerminated || s == StatusWithdrawn
}

// Final reports whether the status ends the handling of a case (no more moves but
// closing).
func (s Status) Final() bool {
	switch s {
	case StatusResolved, StatusTerminated, StatusRejected, StatusWithdrawn, StatusClosed:
		return true
	}
	return false
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

// Referral targets in the seed's practice, each a channel of the figures
// (referralChannels gives their ids). 市场监管部门 is the market regulator; 行政部门
// stays for any other administrative department, so older referrals keep their
// target.
var ReferralTargets = []string{"企业和解（入驻企业）", "仲裁委员会", "金融纠纷调解中心", "市场监管部门", "行政部门"}

// ReferralTargetOf returns the target a referral's reason names: the reason is the
// target, maybe followed by staff's detail ("仲裁委员会（申请人同意）"). "" if it
// names none of ReferralTargets.
func ReferralTargetOf(reason string) string {
	for _, t := range ReferralTargets {
		if strings.HasPrefix(reason, t) {
			return t
		}
	}
	return ""
}

// StatusChange moves a case to another status.
type StatusChange struct {
	CaseID int64
	To     Status
	Actor  string // ActorConsumer, ActorSystem or "staff:<id>"
	IP     string // a staff member's client address, for the audit entry (see By)
	Reason string // required for rejected and terminated; on the timeline and in the notice
	// Reopen allows a supervisor to move a finished case (resolved, terminated,
	// withdrawn or closed) back to mediating; the table allows it only then.
	Reopen bool
	// Closing is the outcome the move records; only CaseworkStore.CloseCase sets
	// it (ChangeStatus refuses a change that carries one).
	Closing *Closing
	// Contact is, for a referral, who at the body took the case (free text); it
	// goes to the referral record.
	Contact string
}

// MaterialReasonMissing is the ground of rejecting a case whose consumer did not
// send the material asked for (待补正) within the configured wait.
const MaterialReasonMissing = "投诉材料不全且未按要求补正"
