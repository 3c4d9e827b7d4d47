package console

import (
	"math"
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// apiReportParams are the query parameters GET /api/v1/reports takes.
var apiReportParams = map[string]string{"from": "first month", "to": "last month"}

// apiFigures is storage.ReportFigures in JSON. Money is given twice, as
// everywhere in the API: an exact yuan string and integer fen.
type apiFigures struct {
	Received           int     `json:"received"`
	Accepted           int     `json:"accepted"`
	Rejected           int     `json:"rejected"`
	WithdrawnEarly     int     `json:"withdrawn_before_acceptance"`
	Pending            int     `json:"pending"`
	Mediated           int     `json:"mediated"`
	Rate               float64 `json:"mediation_rate"` // percent, two decimals: 96.48
	RecoveredYuan      string  `json:"recovered_yuan"`
	RecoveredFen       int64   `json:"recovered_fen"`
	DoubleCompensation int     `json:"double_compensation"`
	AmountYuan         string  `json:"amount_yuan"`
	AmountFen          int64   `json:"amount_fen"`
}

// apiReportGroup is one group of a breakdown.
type apiReportGroup struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	apiFigures
}

// apiReportPeriod is a month ("2026-03") or a year ("2026").
type apiReportPeriod struct {
	Period string `json:"period"`
	apiFigures
}

// apiReportTopic is a hot topic.
type apiReportTopic struct {
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
	Nature      string `json:"nature"`
	Count       int    `json:"count"`
}

// apiReport is the answer of GET /api/v1/reports.
type apiReport struct {
	From       string            `json:"from"` // the first month, "2026-01"
	To         string            `json:"to"`   // the last month, included
	Totals     apiFigures        `json:"totals"`
	Concluded  int               `json:"concluded"`
	Channels   []apiReportGroup  `json:"by_channel"`
	Categories []apiReportGroup  `json:"by_category"`
	Natures    []apiReportGroup  `json:"by_nature"`
	Mediators  []apiReportGroup  `json:"by_mediator"`
	Merchants  []apiReportGroup  `json:"top_merchants"`
	HotTopics  []apiReportTopic  `json:"hot_topics"`
	Classified int               `json:"classified"`
	Ratings    map[string]int    `json:"satisfaction"`
	Months     []apiReportPeriod `json:"by_month"`
	Years      []apiReportPeriod `json:"by_year"`
}

// apiReports serves GET /api/v1/reports?from=2026-01&to=2026-03 (supervisors,
// as the report page): the figures of the cases received in those months, China
// time, defined as on the page (docs/api.md).
func (s *Server) apiReports(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := apiOnlyParams(q, apiReportParams); err != nil {
		s.apiError(w, r, err)
		return
	}
	from, to, msg := reportPeriod(q.Get("from"), q.Get("to"), s.cfg.Now())
	if msg != "" {
		s.apiError(w, r, storage.Errorf(storage.EINVALID, "%s", msg))
		return
	}
	rep, err := s.cfg.Store.CaseReport(r.Context(), from, to)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiReportJSON(rep))
}

// apiReportJSON converts a report.
func apiReportJSON(rep *storage.Report) apiReport {
	out := apiReport{
		From: rep.From.Format("2006-01"), To: rep.To.AddDate(0, -1, 0).Format("2006-01"),
		Totals: apiFiguresOf(rep.ReportFigures), Concluded: rep.Concluded,
		Channels: apiGroups(rep.ByChannel), Categories: apiGroups(rep.ByCategory),
		Natures: apiGroups(rep.ByNature), Mediators: apiGroups(rep.ByMediator),
		Merchants: apiGroups(rep.TopMerchants), HotTopics: []apiReportTopic{}, Classified: rep.Classified,
		Ratings: map[string]int{
			storage.RatingSatisfied: rep.Satisfaction.Satisfied, storage.RatingMostly: rep.Satisfaction.Mostly,
			storage.RatingDissatisfied: rep.Satisfaction.Dissatisfied,
		},
		Months: apiPeriods(rep.ByMonth), Years: apiPeriods(rep.ByYear),
	}
	for _, t := range rep.HotTopics {
		out.HotTopics = append(out.HotTopics, apiReportTopic{Category: t.Category, Subcategory: t.Subcategory,
			Nature: t.Nature, Count: t.Count})
	}
	return out
}

// apiFiguresOf converts figures; the rate is a percentage rounded to two decimals.
func apiFiguresOf(f storage.ReportFigures) apiFigures {
	return apiFigures{
		Received: f.Received, Accepted: f.Accepted, Rejected: f.Rejected, WithdrawnEarly: f.WithdrawnEarly,
		Pending: f.Pending, Mediated: f.Mediated, Rate: math.Round(f.Rate()*10000) / 100,
		RecoveredYuan: FormatYuan(f.RecoveredFen), RecoveredFen: f.RecoveredFen,
		DoubleCompensation: f.DoubleCompensation, AmountYuan: FormatYuan(f.AmountFen), AmountFen: f.AmountFen,
	}
}

// apiGroups converts a breakdown.
func apiGroups(groups []storage.ReportCount) []apiReportGroup {
	out := make([]apiReportGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, apiReportGroup{Key: g.Key, Name: g.Name, apiFigures: apiFiguresOf(g.ReportFigures)})
	}
	return out
}

// apiPeriods converts months or years.
func apiPeriods(periods []storage.ReportMonth) []apiReportPeriod {
	out := make([]apiReportPeriod, 0, len(periods))
	for _, p := range periods {
		out = append(out, apiReportPeriod{Period: p.Month, apiFigures: apiFiguresOf(p.ReportFigures)})
	}
	return out
}
