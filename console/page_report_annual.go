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
	reportUnitView
	ChartToken string
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
	v := annualView{
		Year: year, Total: newFiguresView(rep.ReportFigures),
		Channels:       groupViews(rep.ByChannel, rep.Received, storage.ChannelOwn),
		Categories:     groupViews(rep.ByCategory, rep.Received, "未分类"),
		Natures:        groupViews(rep.ByNature, rep.Received, "未分类"),
		Teams:          groupViews(rep.ByTeam, rep.Received, reportNoTeam),
		Printed:        s.cfg.Now().In(chinaTime).Format("2006年1月2日"),
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
