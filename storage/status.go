package storage

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
}

// statusMoves is the table of allowed moves; anything not listed is refused.
var statusMoves = map[Status][]Status{
	StatusSubmitted:  {StatusAccepted, StatusRejected, StatusWithdrawn},
	StatusAccepted:   {StatusMediating, StatusReferred, StatusWithdrawn},
	StatusMediating:  {StatusResolved, StatusTerminated, StatusReferred, StatusWithdrawn},
	StatusReferred:   {StatusMediating, StatusResolved, StatusTerminated, StatusWithdrawn},
	StatusResolved:   {StatusClosed},
	StatusTerminated: {StatusClosed},
	StatusRejected:   {StatusClosed},
	StatusWithdrawn:  {StatusClosed},
}

// Statuses returns every known status, in the order a case usually passes them.
func Statuses() []Status {
	return []Status{StatusSubmitted, StatusAccepted, StatusRejected, StatusMediating, StatusReferred,
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

// Final reports whether the status ends the handling of a case (no more moves but
// closing).
func (s Status) Final() bool {
	switch s {
	case StatusResolved, StatusTerminated, StatusRejected, StatusWithdrawn, StatusClosed:
		return true
	}
	return false
}
