package storage

import (
	"context"
	"strconv"
	"time"
)

// MaxReportMonths bounds the calendar months a report may span.
const MaxReportMonths = 240

// The figures associations publish (DOMAIN.md, "What associations publish"), for
// the cases received in a period. Each case received falls in exactly one stage:
//
//   - 不予受理 (Rejected): the case was refused (its status is or was 不予受理).
//     Refusal is final, so a refused case never counts as accepted.
//   - 受理 (Accepted): the association took the case on — it was ever 已受理 or
//     later (调解中, 检测鉴定, 已转办, 调解成功, 终止调解, or an outcome other than
//     a withdrawal). A case withdrawn or sent back for material after acceptance
//     stays accepted.
//   - 受理前撤回 (WithdrawnEarly): the consumer withdrew it before any decision.
//     It was never accepted, so it is not in 受理; it is counted apart so that
//     收到 = 受理 + 不予受理 + 受理前撤回 + 待受理 always adds up.
//   - 待受理 (Pending): no decision yet (待受理, or 待补正 before acceptance).
//
// 已调解 (Mediated) counts the accepted cases whose outcome is 达成调解协议 or 协商和解;
// 调解率 is 已调解 / 受理 (Rate). The seed's published 11,144 / 11,550 = 96.48% is
// exactly this.
type ReportFigures struct {
	Received       int // 收到: every case created in the period
	Accepted       int // 受理
	Rejected       int // 不予受理
	WithdrawnEarly int // 受理前撤回
	Pending        int // 待受理 / 待补正, not yet decided
	Mediated       int // 已调解: accepted, outcome 达成调解协议 or 协商和解
	// RecoveredFen sums the money recovered (挽回经济损失) of the cases, in fen.
	RecoveredFen int64
	// DoubleCompensation counts the cases with 加倍赔偿.
	DoubleCompensation int
	// AmountFen sums the amounts the consumers claimed, in fen: for the cases
	// referred to arbitration it is the amount in dispute (标的额).
	AmountFen int64
}

// Add adds g's counts and sums to f: the figures of two groups of cases taken
// together (a unit with the units under it, the system as the sum of its units).
func (f *ReportFigures) Add(g ReportFigures) {
	f.Received += g.Received
	f.Accepted += g.Accepted
	f.Rejected += g.Rejected
	f.WithdrawnEarly += g.WithdrawnEarly
	f.Pending += g.Pending
	f.Mediated += g.Mediated
	f.RecoveredFen += g.RecoveredFen
	f.DoubleCompensation += g.DoubleCompensation
	f.AmountFen += g.AmountFen
}

// Rate is the 调解率, Mediated / Accepted, a fraction in [0, 1]; 0 when nothing
// was accepted.
func (f ReportFigures) Rate() float64 {
	if f.Accepted == 0 {
		return 0
	}
	return float64(f.Mediated) / float64(f.Accepted)
}

// Report is the statistics of the cases received in [From, To).
//
// Concluded counts the cases whose handling has ended: any outcome recorded or a
// final status (Status.Final, refusals included). MediationRate is Rate().
//
// The breakdowns are ReportCounts, each with the full figures of its group:
//
//   - ByCategory: every category, most cases first (ties by name).
//   - ByNature: every 投诉性质; cases not yet classified are the group with Key ""
//     (shown as 未分类).
//   - ByChannel: who handled the case — Key "" for the association's own
//     mediation (never referred), then each of ReferralTargets in order, every
//     channel listed even when empty. A case counts under the target of its
//     latest referral record (ReferralStore); a referral channel's Mediated is
//     the cases whose latest referral the body itself settled (ReferralSettled),
//     not the cases' outcomes. For 仲裁委员会 AmountFen is the amount in
//     dispute. A team marked as a channel of its own (TeamChannelStore: the car
//     studio, 汽车消费维权工作室) is a channel too: a case in its queue that was
//     never referred counts under the team (Key ChannelTeamKey(id), Name the
//     team's name) instead of the association's own mediation. Those teams come
//     right after the own mediation, by name, listed even when empty. Every case
//     is in exactly one channel, so the channels add up to the totals.
//   - ByMediator: the assignee (Key the staff id, "0" and Name "" for unassigned).
//   - ByTeam: the team whose queue the case is in (Key the team id, "0" and Name
//     "" for none, shown as 未分组).
//   - ByUnit: the unit the case belongs to (Key the unit id, Name ""; the
//     console names units from its UnitTree). The units' figures add up to the
//     report's totals: every case has exactly one unit.
//   - TopMerchants: the ReportTopMerchants merchants with most cases, merchant
//     names compared case-insensitively.
//   - HotTopics: see ReportTopic.
//
// ByMonth has one row per calendar month from From's month to the month before To
// (in From's location), empty months included; ByYear likewise per calendar year.
// Satisfaction counts the consumers' ratings of the cases received in the period.
//
// Overdue is not a figure of the period: it counts the open cases of the same
// units whose clock is overdue at the moment the report was made (ReportOverdue).
type Report struct {
	From, To time.Time
	ReportFigures
	Concluded     int
	MediationRate float64

	ByCategory   []ReportCount
	ByNature     []ReportCount
	ByChannel    []ReportCount
	ByMediator   []ReportCount
	TopMerchants []ReportCount
	HotTopics    []ReportTopic
	// Classified counts the cases with a subcategory or a nature: the cases the
	// hot topics are drawn from.
	Classified   int
	Satisfaction ReportSatisfaction
	ByMonth      []ReportMonth
	ByYear       []ReportMonth

	ByTeam  []ReportCount
	ByUnit  []ReportCount
	Overdue ReportOverdue

	// Merchants are the registry's figures (see ReportMerchants).
	Merchants ReportMerchants
	// Mass counts the period's collective cases and seven-day returns.
	Mass ReportMass
}

// ReportMass counts, among the period's cases, the members of collective cases
// (集体投诉), the collective cases they belong to, and the cases tagged as
// seven-day no-reason returns (Case.SevenDayReturn).
type ReportMass struct {
	CollectiveCases   int
	CollectiveMembers int
	SevenDayReturns   int
}

// ReportOverdue counts the open cases (of the report's units, received at any
// time) whose running clock's due day has passed at AsOf — the cases the queue's
// 已超期 filter selects then (DueWindow; paused clocks never count) — in total,
// per mediator (Key the staff id, "0" and Name "" for unassigned) and per team
// (Key the team id, "0" and Name "" for none), most first, ties by name.
type ReportOverdue struct {
	AsOf       time.Time
	Total      int
	ByMediator []ReportTally
	ByTeam     []ReportTally
}

// ReportTally is a group with a bare count.
type ReportTally struct {
	Key, Name string
	Count     int
}

// ReportCount is one group of a Report's breakdown: its key as stored (a
// category, a nature, a referral target, a staff id), its name as shown, and its
// figures. Count is the cases received, the same as Received.
type ReportCount struct {
	Key   string
	Name  string
	Count int
	ReportFigures
}

// ReportMonth is one calendar month (Month "2026-03") or year (Month "2026") of a
// Report; Start is its first instant within the report.
type ReportMonth struct {
	Month string
	Start time.Time
	ReportFigures
}

// ReportTopic is a hot topic (热点): a theme is a category together with its
// subcategory and nature, the most specific classification staff give a case.
// HotTopics lists the ReportHotTopics themes with most cases among the classified
// ones (a subcategory or a nature set); unclassified cases would only repeat the
// category table, so they are left out (see Report.Classified).
type ReportTopic struct {
	Category, Subcategory, Nature string
	Count                         int
}

// ReportSatisfaction counts the consumers' ratings (满意, 基本满意, 不满意).
type ReportSatisfaction struct {
	Satisfied, Mostly, Dissatisfied int
}

// Rated is how many cases were rated.
func (s ReportSatisfaction) Rated() int { return s.Satisfied + s.Mostly + s.Dissatisfied }

// ReportTopMerchants is how many merchants Report.TopMerchants lists, and
// ReportHotTopics how many themes Report.HotTopics lists.
const (
	ReportTopMerchants = 10
	ReportHotTopics    = 10
)

// ChannelOwn is the name of the association's own mediation among the channels.
const ChannelOwn = "本会调解"

// ChannelTeamKey is the ByChannel key of a team counted as a channel of its own.
func ChannelTeamKey(teamID int64) string { return "team:" + strconv.FormatInt(teamID, 10) }

// ReportStore computes case statistics.
type ReportStore interface {
	// CaseReport reports on the cases created in [from, to), of every unit: the
	// system's figures. EINVALID unless from is before to and the period spans at
	// most MaxReportMonths months.
	CaseReport(ctx context.Context, from, to time.Time) (*Report, error)
	// UnitReport reports as CaseReport on the cases of the given units only (a
	// subtree, as UnitTree.Subtree returns it), the overdue counts included.
	// EINVALID for an empty list, or as CaseReport.
	UnitReport(ctx context.Context, from, to time.Time, units []int64) (*Report, error)
}

// ReportMonths returns the starts of the calendar months (in from's location)
// that overlap [from, to): the first is from itself, later ones the 1st at 00:00.
func ReportMonths(from, to time.Time) []time.Time {
	var out []time.Time
	for t := from; t.Before(to); {
		out = append(out, t)
		t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, from.Location())
	}
	return out
}

// ReportYears returns the starts of the calendar years (in from's location) that
// overlap [from, to): the first is from itself, later ones 1 January at 00:00.
func ReportYears(from, to time.Time) []time.Time {
	var out []time.Time
	for t := from; t.Before(to); {
		out = append(out, t)
		t = time.Date(t.Year()+1, 1, 1, 0, 0, 0, 0, from.Location())
	}
	return out
}
