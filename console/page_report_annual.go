package console

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// The years an annual report may be asked for.
const annualFirstYear, annualLastYear = 2000, 2100

// annualView is the printable annual report, built as associations publish theirs:
// the year's totals, each channel, the category and nature tables, and the
// typical cases staff chose.
type annualView struct {
	Year       int
	Total      figuresView
	Channels   []groupView
	Categories []groupView
	Natures    []groupView
	Teams      []groupView
	Typical    []annualCase
	Printed    string // the date the page was made, "2026年3月2日"
	// Platform is the settlement platform's line (在线消费纠纷和解平台).
	Platform annualPlatform
	// Mass counts the year's collective cases and seven-day returns.
	Mass storage.ReportMass
	reportUnitView
	ChartToken string
}

// annualPlatform is the settlement platform as the annual report states it:
// the merchants on it at the year's end (or on the day printed, for a year not
// over) and the new ones of the year, system-wide; and the unit's cases the
// platform handled — the channel 企业和解（入驻企业） of the same report.
type annualPlatform struct {
	AsOf         string // "2023年底", or "2026年3月2日" for the current year
	Merchants    int
	NewMerchants int
	Cases        figuresView
	SystemWide   bool // the merchant counts are the system's, the cases the unit's
}

// newAnnualPlatform takes the platform's figures out of rep, the year's report.
func newAnnualPlatform(rep *storage.Report, year int, printed time.Time, unit *reportUnit) annualPlatform {
	p := annualPlatform{AsOf: strconv.Itoa(year) + "年底", Merchants: rep.Merchants.OnPlatformAtEnd,
		NewMerchants: rep.Merchants.NewOnPlatform, SystemWide: !unit.whole(),
		Cases: newFiguresView(storage.ReportFigures{})}
	if printed.Before(rep.To) {
		p.AsOf = printed.Format("2006年1月2日")
	}
	for _, ch := range rep.ByChannel {
		if ch.Key == storage.MerchantReferral {
			p.Cases = newFiguresView(ch.ReportFigures)
		}
	}
	return p
}

// annualCase is a typical case as the report prints it: nothing that names the
// complainant.
type annualCase struct {
	Index                                                int // 1, 2, …
	Number, Title, Summary, Category, Outcome, Recovered string
	HasRecovered                                         bool
}

// showAnnualReport renders the annual report of a year (年度报告), of the cases
// received in that calendar year, China time, by the unit's subtree (unit=<id>,
// by default the staff member's own); a unit with units under it compares them.
func (s *Server) showAnnualReport(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < annualFirstYear || year > annualLastYear {
		s.renderError(w, r, http.StatusNotFound, "没有这一年的年度报告。")
		return
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, chinaTime)
	to := from.AddDate(1, 0, 0)
	unit, err := s.reportUnitOf(r)
	if err != nil {
		s.renderError(w, r, http.StatusNotFound, storage.ErrorMessage(err))
		return
	}
	rep, err := s.unitReport(r.Context(), unit, from, to)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	typical, err := s.cfg.Store.TypicalCases(r.Context(), from, to)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	printed := s.cfg.Now().In(chinaTime)
	v := annualView{
		Year: year, Total: newFiguresView(rep.ReportFigures),
		Channels:       groupViews(rep.ByChannel, rep.Received, storage.ChannelOwn),
		Categories:     groupViews(rep.ByCategory, rep.Received, "未分类"),
		Natures:        groupViews(rep.ByNature, rep.Received, "未分类"),
		Teams:          groupViews(rep.ByTeam, rep.Received, reportNoTeam),
		Printed:        printed.Format("2006年1月2日"),
		Platform:       newAnnualPlatform(rep, year, printed, unit),
		Mass:           rep.Mass,
		reportUnitView: s.newReportUnitView(unit, rep),
		ChartToken:     s.reports.put(reportCacheKey(from, to, unit), rep),
	}
	subtree := unit.tree.Subtree(unit.unit.ID)
	for _, tc := range typical {
		if !unit.whole() && !slices.Contains(subtree, tc.UnitID) {
			continue
		}
		v.Typical = append(v.Typical, annualCase{Index: len(v.Typical) + 1, Number: tc.Number, Title: tc.Title, Summary: tc.Summary,
			Category: tc.Category, Outcome: outcomeName(tc.Outcome),
			Recovered: formatMoney(tc.RecoveredFen), HasRecovered: tc.RecoveredFen > 0})
	}
	s.render(w, r, http.StatusOK, "report_annual.html", strconv.Itoa(year)+"年度报告", v)
}
