package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// reportView is the statistics page.
type reportView struct {
	From, To     string // "2006-01", as in the form
	Total        figuresView
	Concluded    int
	Channels     []groupView
	Categories   []groupView
	Natures      []groupView
	Mediators    []groupView
	Teams        []groupView
	TopMerchants []groupView
	HotTopics    []topicView
	Classified   int
	Satisfaction satisfactionView
	Months       []periodView
	Years        []periodView
	Overdue      reportOverdueView
	// AnnualYears are the years of the period, each with its annual report.
	AnnualYears []int
	reportUnitView
	// ChartToken lets the charts draw from this page's report (reportCache).
	ChartToken string
	// ChannelTeams are the teams with their channel mark, for the setting.
	ChannelTeams []channelTeamView
	// Merchants are the registry's 商家 figures (_report_merchants.html).
	Merchants storage.ReportMerchants
	// Mass counts collective cases and seven-day returns (_report_mass.html).
	Mass storage.ReportMass
}

// reportUnitView is the unit part of a figures page: which unit, the picker
// and the comparison of its units (both empty on a single-unit deployment).
type reportUnitView struct {
	UnitID   int64
	UnitName string
	// Units is the picker; empty (no picker, no unit in links) with one unit.
	Units []unitOption
	// Compare has a row per direct child unit and one for the unit's own cases;
	// empty when the unit has no children.
	Compare []groupView
}

// newReportUnitView describes the unit of a report.
func (s *Server) newReportUnitView(u *reportUnit, rep *storage.Report) reportUnitView {
	v := reportUnitView{UnitID: u.unit.ID, UnitName: s.unitName(u.unit), Units: s.unitOptions(u)}
	for _, c := range s.compareUnits(u, rep) {
		v.Compare = append(v.Compare, groupView{Name: c.Name, Share: percent(c.Received, rep.Received),
			figuresView: newFiguresView(c.ReportFigures)})
	}
	return v
}

// showReport renders the statistics (报表) of the cases received in the months
// from..to (inclusive, "2006-01", China time) by the unit's subtree (unit=<id>,
// by default the staff member's own); by default January to this month.
func (s *Server) showReport(w http.ResponseWriter, r *http.Request) {
	from, to, unit, ok := s.reportScope(w, r)
	if !ok {
		return
	}
	rep, err := s.unitReport(r.Context(), unit, from, to)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	channels, err := s.channelTeamViews(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := reportView{
		From: from.Format("2006-01"), To: to.AddDate(0, -1, 0).Format("2006-01"),
		Total: newFiguresView(rep.ReportFigures), Concluded: rep.Concluded, Mass: rep.Mass,
		Channels:     groupViews(rep.ByChannel, rep.Received, storage.ChannelOwn),
		Categories:   groupViews(rep.ByCategory, rep.Received, "未分类"),
		Natures:      groupViews(rep.ByNature, rep.Received, "未分类"),
		Mediators:    groupViews(rep.ByMediator, rep.Received, "未分配"),
		Teams:        groupViews(rep.ByTeam, rep.Received, reportNoTeam),
		TopMerchants: groupViews(rep.TopMerchants, rep.Received, ""),
		HotTopics:    topicViews(rep.HotTopics, rep.Classified), Classified: rep.Classified,
		Satisfaction: newSatisfactionView(rep.Satisfaction),
		Months:       periodViews(rep.ByMonth), Years: periodViews(rep.ByYear),
		Overdue:        newReportOverdueView(rep.Overdue),
		reportUnitView: s.newReportUnitView(unit, rep),
		ChartToken:     s.reports.put(reportCacheKey(from, to, unit), rep),
		ChannelTeams:   channels,
		Merchants:      rep.Merchants,
	}
	for _, y := range rep.ByYear {
		v.AnnualYears = append(v.AnnualYears, y.Start.Year())
	}
	s.render(w, r, http.StatusOK, "report.html", "报表", v)
}

// reportScope reads what every report page, chart and download takes: the
// months (see reportPeriod) and the unit (see reportUnitOf). On a bad period or
// a unit outside the staff member's scope it answers the request (400, 404) and
// returns false.
func (s *Server) reportScope(w http.ResponseWriter, r *http.Request) (from, to time.Time, unit *reportUnit, ok bool) {
	from, to, msg := reportPeriod(r.URL.Query().Get("from"), r.URL.Query().Get("to"), s.cfg.Now())
	if msg != "" {
		s.renderError(w, r, http.StatusBadRequest, msg)
		return from, to, nil, false
	}
	unit, err := s.reportUnitOf(r)
	if err != nil {
		s.renderError(w, r, http.StatusNotFound, storage.ErrorMessage(err))
		return from, to, nil, false
	}
	return from, to, unit, true
}

// reportPeriod reads the form's months into [from, to) in China time. A missing
// from is January of to's year; a missing to, the current month. msg is a Chinese
// message for a form that makes no sense.
func reportPeriod(fromS, toS string, now time.Time) (from, to time.Time, msg string) {
	now = now.In(chinaTime)
	last := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, chinaTime)
	if toS != "" {
		t, err := time.ParseInLocation("2006-01", toS, chinaTime)
		if err != nil {
			return from, to, "结束月份格式不正确，应为 2026-03 这样的年月。"
		}
		last = t
	}
	from = time.Date(last.Year(), 1, 1, 0, 0, 0, 0, chinaTime)
	if fromS != "" {
		t, err := time.ParseInLocation("2006-01", fromS, chinaTime)
		if err != nil {
			return from, to, "开始月份格式不正确，应为 2026-01 这样的年月。"
		}
		from = t
	}
	if from.After(last) {
		return from, to, "开始月份不能晚于结束月份。"
	}
	to = last.AddDate(0, 1, 0)
	if months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()); months > storage.MaxReportMonths {
		return from, to, fmt.Sprintf("报表最多统计 %d 个月。", storage.MaxReportMonths)
	}
	return from, to, ""
}

// percent shows n/d as a percentage with two decimals.
func percent(n, d int) string {
	if d == 0 {
		return "0.00%"
	}
	return fmt.Sprintf("%.2f%%", float64(n)*100/float64(d))
}
