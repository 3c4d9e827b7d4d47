package storage

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// MassStatus is where a mass-complaint group stands.
type MassStatus string

// The statuses of a group.
const (
	MassOpen      MassStatus = "open"      // 待处理: raised by the detector, an alert for supervisors
	MassDismissed MassStatus = "dismissed" // 已忽略: a supervisor judged it no mass complaint
	MassFormed    MassStatus = "formed"    // 集体投诉: formed into a collective case
)

// Label names the status in Chinese.
func (s MassStatus) Label() string {
	switch s {
	case MassOpen:
		return "待处理"
	case MassDismissed:
		return "已忽略"
	case MassFormed:
		return "集体投诉"
	}
	return string(s)
}

// Defaults of the detector: casework.mass_threshold complaints against one
// merchant within casework.mass_window raise a group.
const (
	DefaultMassThreshold = 5
	DefaultMassWindow    = 7 * 24 * time.Hour
)

// MassRule is the detector's configuration.
type MassRule struct {
	Threshold int           // complaints in the window that raise a group; 0 means the default
	Window    time.Duration // how far back the count looks; 0 means the default
}

// OrDefault returns r with zero fields replaced by the defaults.
func (r MassRule) OrDefault() MassRule {
	if r.Threshold <= 0 {
		r.Threshold = DefaultMassThreshold
	}
	if r.Window <= 0 {
		r.Window = DefaultMassWindow
	}
	return r
}

// MassGroup is the complaints against one merchant the detector grouped.
// Priority is 1 (高) when a case of the group mentions a priority word
// (MassPriorityWords), else 0. While formed it is the collective case (集体投诉)
// and Warning keeps the consumer warning draft (消费提示).
type MassGroup struct {
	ID            int64      `db:"id"`
	MerchantKey   string     `db:"merchant_key"`
	MerchantName  string     `db:"merchant_name"` // as typed in the case that raised the group
	Status        MassStatus `db:"status"`
	Priority      int        `db:"priority"`
	PriorityWords string     `db:"priority_words"` // the words found, "、"-separated
	CaseCount     int        `db:"case_count"`     // every case of the group, whatever the unit
	FirstAt       time.Time  `db:"first_at"`
	LastAt        time.Time  `db:"last_at"`
	Warning       string     `db:"warning"`
	CreatedAt     time.Time  `db:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at"`
}

// MassGroupCase is a case of a group; Member marks the collective case's members.
type MassGroupCase struct {
	Case   *Case
	Member bool
	// Relinked is set when staff linked the case to another merchant after it
	// entered the group: a collective member stays until a supervisor removes
	// it, and this flags it for them.
	Relinked bool
}

// MassFilter selects groups for a staff member. UnitIDs keeps the groups with at
// least one case in these units (nil: all); Status, when set, one status.
type MassFilter struct {
	UnitIDs []int64
	Status  *MassStatus
}

// MassReply is a reply or a status change made on a collective case: it reaches
// every member in UnitIDs (nil: every member). Key makes it retry-safe: members
// who already got the reply with this key get nothing more.
type MassReply struct {
	GroupID int64
	UnitIDs []int64
	Text    string
	Key     string
	By      By
}

// MassStatusChange moves every member in UnitIDs to To, with Reason, through the
// ordinary status table; members that cannot make the move (or are there already)
// are skipped and counted.
type MassStatusChange struct {
	GroupID int64
	UnitIDs []int64
	To      Status
	Reason  string
	By      By
}

// MassFanout says what a collective action did: how many members it reached and
// how many it skipped (a refused move, or already done).
type MassFanout struct {
	Reached, Skipped int
}

// MassStore keeps the mass-complaint groups and their collective cases. Every
// staff action is audited in its transaction; the detector runs inside CreateCase.
type MassStore interface {
	// FindMassGroups returns the groups matching f, open ones first, then the
	// latest activity first.
	FindMassGroups(ctx context.Context, f MassFilter) ([]*MassGroup, error)
	// MassGroup returns a group with its cases in units (nil: all), newest first.
	// ENOTFOUND for an unknown group, or one with no case in units.
	MassGroup(ctx context.Context, id int64, units []int64) (*MassGroup, []MassGroupCase, error)
	// MassGroupsOfCase returns the groups a case belongs to.
	MassGroupsOfCase(ctx context.Context, caseID int64) ([]*MassGroup, error)
	// CountOpenMassGroups counts the open groups with a case in units (nil: all).
	CountOpenMassGroups(ctx context.Context, units []int64) (int, error)
	// DismissMassGroup marks an open group 已忽略. ECONFLICT unless it is open.
	DismissMassGroup(ctx context.Context, id int64, by By) error
	// FormCollective makes the group a collective case whose members are its
	// cases in units. ECONFLICT if it is already formed.
	FormCollective(ctx context.Context, id int64, units []int64, by By) error
	// SetCollectiveMember adds (member true) or removes a case of the group as a
	// member. ENOTFOUND if the case is not in the group; ECONFLICT unless formed.
	SetCollectiveMember(ctx context.Context, id, caseID int64, member bool, by By) error
	// ReplyToCollective writes the reply to every member: a timeline event and a
	// notice each, in one transaction. ECONFLICT unless formed.
	ReplyToCollective(ctx context.Context, r MassReply) (MassFanout, error)
	// ChangeCollectiveStatus moves every member, each through the status table,
	// in one transaction. ECONFLICT unless formed.
	ChangeCollectiveStatus(ctx context.Context, ch MassStatusChange) (MassFanout, error)
	// SaveMassWarning keeps the consumer warning draft on a formed group.
	SaveMassWarning(ctx context.Context, id int64, text string, by By) error
}

// Audit actions of mass complaints.
const (
	AuditMassDismiss = "mass_dismiss"
	AuditMassForm    = "mass_form"
	AuditMassMember  = "mass_member"
	AuditMassReply   = "mass_reply"
	AuditMassStatus  = "mass_status"
	AuditMassWarning = "mass_warning"
)

// MassPriorityWords raise a group's priority when a case's merchant, description
// or demand mentions one: they signal a merchant gone (跑路, 闭店, 倒闭, 失联,
// 人去楼空), prepaid money at risk (预付卡, 储值卡, 会员卡, 办卡, 充值) or refunds
// refused (退费难, 不退款, 拒不退款), the situations where many consumers lose money at once.
var MassPriorityWords = []string{
	"跑路", "闭店", "关门", "倒闭", "失联", "人去楼空",
	"预付卡", "储值卡", "会员卡", "办卡", "充值",
	"退费难", "不退款", "拒不退款", "拒绝退款",
}

// PriorityWordsIn returns the priority words in text, in list order.
func PriorityWordsIn(text string) []string {
	var found []string
	for _, w := range MassPriorityWords {
		if strings.Contains(text, w) {
			found = append(found, w)
		}
	}
	return found
}

// merchantSuffixes are dropped from the end of a merchant name before grouping,
// so 某某健身有限公司 and 某某健身 count as one merchant; longest first.
var merchantSuffixes = []string{
	"股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "旗舰店", "专卖店", "门店", "店",
}

// MassMerchantKey is the key the detector groups a case by: the merchant's name,
// normalised (width folded, lower case, spaces and punctuation dropped, a
// legal-form or shop suffix removed). The store passes the registry's name when
// the case is linked to a merchant, so complaints typed with any of its aliases
// count together, and the name as typed otherwise, so an unlinked complaint
// typed as the registry names the merchant joins them too.
func MassMerchantKey(name string) string {
	return "n:" + NormaliseMerchantName(name)
}

// NormaliseMerchantName folds a typed merchant name for grouping; see
// MassMerchantKey.
func NormaliseMerchantName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '\u3000':
			continue
		case r >= '\uFF01' && r <= '\uFF5E':
			r -= 0xFEE0 // full-width ASCII to half width
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	s := b.String()
	for _, suf := range merchantSuffixes {
		if t := strings.TrimSuffix(s, suf); t != s && t != "" {
			return t
		}
	}
	return s
}
