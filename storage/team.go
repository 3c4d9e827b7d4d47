package storage

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Audit actions of classification and routing. Like the other case actions they
// are written by the store in the transaction of the change.
const (
	AuditReclassify  = "reclassify"   // a case's category, subcategory or nature changed
	AuditReroute     = "reroute"      // a case moved to another team (or to none)
	AuditTeam        = "team"         // a team was created or changed, or its members
	AuditRoutingRule = "routing_rule" // a routing rule was added, moved or removed
)

// MaxTeamNameRunes bounds a team's name; MaxRulePatternRunes a rule's pattern.
const (
	MaxTeamNameRunes    = 40
	MaxRulePatternRunes = 100
)

// Team is a desk that takes a share of the cases (汽车消费维权工作室, 金融, 综合):
// routing rules send new cases to it, and its members work them.
type Team struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	// AutoAssign gives each case routed to the team, as it is filed, to the
	// active member with the fewest open cases (ties: the lowest staff id).
	AutoAssign bool `db:"auto_assign"`
	// Default takes the filed cases of its unit's subtree that no rule matches
	// (the nearest unit's default above the case wins); at most one per unit.
	Default   bool      `db:"is_default"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	Members   []int64   `db:"-"` // staff ids, ascending
	// UnitID is the unit the team works for: its rules route only cases of the
	// unit's subtree, and its members are staff who see the unit's cases.
	UnitID int64 `db:"unit_id"`
}

// TeamInput is a team as a supervisor creates or edits it.
type TeamInput struct {
	Name       string
	AutoAssign bool
	Default    bool
	// UnitID is the unit of a new team (0: the root); a team's unit does not
	// change once created.
	UnitID int64
}

// Validate trims the name and checks it: EINVALID if empty or too long.
func (ti *TeamInput) Validate() error {
	ti.Name = strings.TrimSpace(ti.Name)
	if n := utf8.RuneCountInString(ti.Name); n == 0 || n > MaxTeamNameRunes {
		return Errorf(EINVALID, "组名应为 1 到 %d 个字", MaxTeamNameRunes)
	}
	return nil
}

// RuleKind is what a routing rule looks at.
type RuleKind string

// Routing rule kinds.
const (
	RuleCategory RuleKind = "category" // the case's level-1 category is the pattern
	RuleKeyword  RuleKind = "keyword"  // the description contains one of the pattern's words
	RuleMerchant RuleKind = "merchant" // the merchant's name contains one of the pattern's words
)

// RuleKinds lists the kinds with their Chinese names, in display order.
var RuleKinds = []struct {
	Kind  RuleKind
	Label string
}{
	{RuleCategory, "投诉类别"}, {RuleKeyword, "投诉内容关键词"}, {RuleMerchant, "商家名称"},
}

// Label is the Chinese name of the kind.
func (k RuleKind) Label() string {
	for _, rk := range RuleKinds {
		if rk.Kind == k {
			return rk.Label
		}
	}
	return string(k)
}

// RoutingRule sends a filed case that matches it to a team. Rules are tried in
// Position order; the first that matches decides.
type RoutingRule struct {
	ID        int64     `db:"id"`
	Position  int       `db:"position"`
	Kind      RuleKind  `db:"kind"`
	Pattern   string    `db:"pattern"`
	TeamID    int64     `db:"team_id"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// NewRoutingRule is a rule to add (after the existing ones).
type NewRoutingRule struct {
	Kind    RuleKind
	Pattern string
	TeamID  int64
}

// Validate trims the pattern and checks the rule: EINVALID for an unknown kind,
// an empty or overlong pattern, a category rule whose pattern is not a level-1
// category, or a missing team.
func (nr *NewRoutingRule) Validate() error {
	nr.Pattern = strings.TrimSpace(nr.Pattern)
	switch n := utf8.RuneCountInString(nr.Pattern); {
	case nr.Kind.Label() == string(nr.Kind):
		return Errorf(EINVALID, "未知的规则类型 %q", nr.Kind)
	case n == 0 || n > MaxRulePatternRunes:
		return Errorf(EINVALID, "匹配内容应为 1 到 %d 个字", MaxRulePatternRunes)
	case nr.TeamID <= 0:
		return Errorf(EINVALID, "请选择分派到的组")
	}
	if _, ok := FindCategory(nr.Pattern); nr.Kind == RuleCategory && !ok {
		return Errorf(EINVALID, "没有“%s”这个投诉类别", nr.Pattern)
	}
	if nr.Kind != RuleCategory && len(ruleWords(nr.Pattern)) == 0 {
		return Errorf(EINVALID, "请填写至少一个关键词")
	}
	return nil
}

// ruleSeparators split a keyword or merchant pattern into words: commas (ASCII
// and full-width), the enumeration comma 、, semicolons and '|'.
var ruleSeparators = strings.NewReplacer("，", ",", "、", ",", "；", ",", ";", ",", "|", ",")

// ruleWords returns the pattern's words, lower-cased, without empty ones.
func ruleWords(pattern string) []string {
	var out []string
	for _, w := range strings.Split(ruleSeparators.Replace(pattern), ",") {
		if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// Matches reports whether a filed case matches the rule. Words are compared
// ignoring case (ASCII brand names: "BMW", "bmw").
func (r *RoutingRule) Matches(nc *NewCase) bool {
	var text string
	switch r.Kind {
	case RuleCategory:
		return CategoryOf(nc.Category) == r.Pattern
	case RuleKeyword:
		text = nc.Description
	case RuleMerchant:
		text = nc.MerchantName
	default:
		return false
	}
	text = strings.ToLower(text)
	for _, w := range ruleWords(r.Pattern) {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// RouteCase returns the team a filed case goes to: that of the first rule (in
// the order given) that matches, else defaultTeam (0 for none).
func RouteCase(rules []*RoutingRule, nc *NewCase, defaultTeam int64) (teamID int64, rule *RoutingRule) {
	for _, r := range rules {
		if r.Matches(nc) {
			return r.TeamID, r
		}
	}
	return defaultTeam, nil
}

// Workload is one staff member's share of the cases: what they have open now,
// and what they concluded in a period.
//
//   - Open counts the cases assigned to them whose status is not final.
//   - Overdue counts those of Open whose running clock's due day has passed
//     (as the queue's 已超期 filter; paused clocks never count).
//   - Concluded counts the cases assigned to them whose status is final now and
//     whose last status move fell in the period (the move that ended or closed
//     the case).
//   - Mediated counts those of Concluded whose outcome is 调解成功 (an agreement
//     or a settlement); MediationRate is Mediated / Concluded, 0 when none.
//   - AverageDays is the mean of calendar days (not working days) from receipt
//     to that last move, over Concluded; 0 when none.
type Workload struct {
	StaffID       int64
	Name          string
	Role          Role
	Open          int
	Overdue       int
	Concluded     int
	Mediated      int
	MediationRate float64
	AverageDays   float64
}

// TeamStore keeps teams, their members and the routing rules, and reports the
// staff's workload. Every change is audited in its transaction with by.
type TeamStore interface {
	// ListTeams returns every team with its members, by name.
	ListTeams(ctx context.Context) ([]*Team, error)
	// CreateTeam adds a team; with Default it becomes the one default team.
	// ECONFLICT if the name is taken; EINVALID for a bad name or a missing actor.
	CreateTeam(ctx context.Context, ti TeamInput, by By) (*Team, error)
	// UpdateTeam renames a team and sets its switches. ENOTFOUND for an unknown
	// team; otherwise errors as CreateTeam.
	UpdateTeam(ctx context.Context, id int64, ti TeamInput, by By) (*Team, error)
	// SetTeamMembers replaces a team's members. ENOTFOUND for an unknown team;
	// EINVALID for an unknown staff id.
	SetTeamMembers(ctx context.Context, id int64, staffIDs []int64, by By) (*Team, error)

	// ListRoutingRules returns the rules in the order they are tried.
	ListRoutingRules(ctx context.Context) ([]*RoutingRule, error)
	// CreateRoutingRule adds a rule after the existing ones. EINVALID for a bad
	// rule or an unknown team.
	CreateRoutingRule(ctx context.Context, nr NewRoutingRule, by By) (*RoutingRule, error)
	// MoveRoutingRule swaps a rule with its neighbour, earlier (up) or later;
	// at either end it changes nothing. ENOTFOUND for an unknown rule.
	MoveRoutingRule(ctx context.Context, id int64, up bool, by By) error
	// DeleteRoutingRule removes a rule. ENOTFOUND for an unknown rule.
	DeleteRoutingRule(ctx context.Context, id int64, by By) error

	// SetCaseTeam moves a case to a team, or with 0 to none (re-routing by
	// staff), with a note on its timeline and an audit entry. The assignee stays.
	// ENOTFOUND for an unknown case; EINVALID for an unknown team.
	SetCaseTeam(ctx context.Context, caseID, teamID int64, by By) (*Case, error)

	// Workload reports on every active staff member (and any disabled one with
	// open cases), by name; see Workload for what counts.
	Workload(ctx context.Context, from, to time.Time) ([]*Workload, error)
}
