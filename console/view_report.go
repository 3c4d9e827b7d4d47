package console

import (
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// figuresView is storage.ReportFigures as the report pages show them.
type figuresView struct {
	Received, Accepted, Rejected, WithdrawnEarly, Pending, Mediated int
	Rate                                                            string // "96.48%", or "—" when nothing was accepted
	Recovered                                                       string // "¥7,583,500.00"
	DoubleCompensation                                              int
	Amount                                                          string // claimed amounts (标的额), "¥…"
}

// newFiguresView formats f.
func newFiguresView(f storage.ReportFigures) figuresView {
	return figuresView{
		Received: f.Received, Accepted: f.Accepted, Rejected: f.Rejected,
		WithdrawnEarly: f.WithdrawnEarly, Pending: f.Pending, Mediated: f.Mediated,
		Rate: rateOf(f), Recovered: formatMoney(f.RecoveredFen),
		DoubleCompensation: f.DoubleCompensation, Amount: formatMoney(f.AmountFen),
	}
}

// groupView is one row of a breakdown: its name, its share of the cases
// received, and its figures.
type groupView struct {
	Name  string
	Share string // of the period's cases received
	figuresView
}

// groupViews formats a breakdown; unnamed is the name of the group with the
// empty name (未分类, 未分配).
func groupViews(groups []storage.ReportCount, received int, unnamed string) []groupView {
	out := make([]groupView, 0, len(groups))
	for _, g := range groups {
		name := g.Name
		if name == "" {
			name = unnamed
		}
		out = append(out, groupView{Name: name, Share: percent(g.Received, received),
			figuresView: newFiguresView(g.ReportFigures)})
	}
	return out
}

// periodView is a month or a year of the report.
type periodView struct {
	Name string
	figuresView
}

// periodViews formats the months or years.
func periodViews(periods []storage.ReportMonth) []periodView {
	out := make([]periodView, 0, len(periods))
	for _, p := range periods {
		out = append(out, periodView{Name: p.Month, figuresView: newFiguresView(p.ReportFigures)})
	}
	return out
}

// rateOf is the 调解率 with two decimals, as associations publish it.
func rateOf(f storage.ReportFigures) string {
	if f.Accepted == 0 {
		return "—"
	}
	return percent(f.Mediated, f.Accepted)
}

// formatMoney shows fen as yuan with thousands separated: 758350000 →
// "¥7,583,500.00".
func formatMoney(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	digits := strconv.FormatInt(fen/100, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return sign + "¥" + b.String() + "." + strconv.FormatInt(fen%100/10, 10) + strconv.FormatInt(fen%10, 10)
}

// topicView is a hot topic.
type topicView struct {
	Theme string // "食品 · 乳制品 · 质量"
	Count int
	Share string // of the classified cases
}

// topicViews formats the hot topics.
func topicViews(topics []storage.ReportTopic, classified int) []topicView {
	out := make([]topicView, 0, len(topics))
	for _, t := range topics {
		var parts []string
		for _, p := range []string{t.Category, t.Subcategory, t.Nature} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		out = append(out, topicView{Theme: strings.Join(parts, " · "), Count: t.Count,
			Share: percent(t.Count, classified)})
	}
	return out
}

// satisfactionView is the ratings' shares.
type satisfactionView struct {
	Rated                                int
	Satisfied, Mostly, Dissatisfied      int
	SatisfiedPct, MostlyPct, DissatisPct string
}

// newSatisfactionView formats the ratings.
func newSatisfactionView(s storage.ReportSatisfaction) satisfactionView {
	n := s.Rated()
	return satisfactionView{Rated: n, Satisfied: s.Satisfied, Mostly: s.Mostly, Dissatisfied: s.Dissatisfied,
		SatisfiedPct: percent(s.Satisfied, n), MostlyPct: percent(s.Mostly, n), DissatisPct: percent(s.Dissatisfied, n)}
}

// reportNoTeam names the cases in no team's queue.
const reportNoTeam = "未分组"

// reportOverdueView is the overdue cases now, as the report shows them.
type reportOverdueView struct {
	AsOf      string // "2026-03-20 09:00", China time
	Total     int
	Mediators []tallyView
	Teams     []tallyView
}

// tallyView is a group with its count.
type tallyView struct {
	Name  string
	Count int
}

// newReportOverdueView formats the overdue counts.
func newReportOverdueView(o storage.ReportOverdue) reportOverdueView {
	return reportOverdueView{AsOf: o.AsOf.In(chinaTime).Format("2006-01-02 15:04"), Total: o.Total,
		Mediators: tallyViews(o.ByMediator, "未分配"), Teams: tallyViews(o.ByTeam, reportNoTeam)}
}

// tallyViews formats counts; unnamed names the group without a name.
func tallyViews(ts []storage.ReportTally, unnamed string) []tallyView {
	out := make([]tallyView, 0, len(ts))
	for _, t := range ts {
		name := t.Name
		if name == "" {
			name = unnamed
		}
		out = append(out, tallyView{Name: name, Count: t.Count})
	}
	return out
}
