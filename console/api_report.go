package console

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// apiReportParams are the query parameters GET /api/v1/reports takes.
var apiReportParams = map[string]string{"from": "first month", "to": "last month", "unit": "unit id"}

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
	Teams      []apiReportGroup  `json:"by_team"`
	Overdue    apiReportOverdue  `json:"overdue"`
	// Unit is the unit whose subtree the figures are of; Units compares its
	// direct children (each with its subtree) and its own cases (key "own"),
	// empty when it has none.
	Unit  apiReportUnit    `json:"unit"`
	Units []apiReportGroup `json:"by_unit"`
	// MerchantFigures are the registry's 商家 figures: merchants on the
	// platform (入驻) now, and those that joined in the period.
	MerchantFigures apiReportMerchants `json:"merchants"`
	// Mass counts collective cases and seven-day returns (report_mass.go).
	Mass apiReportMass `json:"mass"`
}

// apiReportUnit names the unit of a report.
type apiReportUnit struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// apiReportOverdue is the open cases overdue at as_of (not a figure of the
// period).
type apiReportOverdue struct {
	AsOf      string           `json:"as_of"` // RFC 3339
	Total     int              `json:"total"`
	Mediators []apiReportTally `json:"by_mediator"`
	Teams     []apiReportTally `json:"by_team"`
}

// apiReportTally is a group with a count.
type apiReportTally struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// apiReports serves GET /api/v1/reports?from=2026-01&to=2026-03&unit=3
// (supervisors, as the report page): the figures of the cases received in those
// months, China time, by the unit's subtree (by default the caller's own unit;
// 404 for a unit outside it), defined as on the page (docs/api.md).
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
	unit, err := s.reportUnitOf(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	rep, err := s.unitReport(r.Context(), unit, from, to)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiReportJSON(rep)
	out.Unit = apiReportUnit{ID: unit.unit.ID, Code: unit.unit.Code, Name: s.unitName(unit.unit)}
	out.Units = []apiReportGroup{}
	for _, c := range s.compareUnits(unit, rep) {
		key := strconv.FormatInt(c.ID, 10)
		if c.ID == unit.unit.ID {
			key = "own"
		}
		out.Units = append(out.Units, apiReportGroup{Key: key, Name: c.Name, apiFigures: apiFiguresOf(c.ReportFigures)})
	}
	writeJSON(w, http.StatusOK, out)
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
		Months: apiPeriods(rep.ByMonth), Years: apiPeriods(rep.ByYear), Teams: apiGroups(rep.ByTeam),
		Overdue: apiReportOverdue{AsOf: rep.Overdue.AsOf.UTC().Format(time.RFC3339), Total: rep.Overdue.Total,
			Mediators: apiTallies(rep.Overdue.ByMediator), Teams: apiTallies(rep.Overdue.ByTeam)},
		MerchantFigures: apiReportMerchants{OnPlatform: rep.Merchants.OnPlatform, NewOnPlatform: rep.Merchants.NewOnPlatform,
			OnPlatformAtEnd: rep.Merchants.OnPlatformAtEnd},
		Mass: apiReportMassOf(rep.Mass),
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

// apiTallies converts bare counts.
func apiTallies(ts []storage.ReportTally) []apiReportTally {
	out := make([]apiReportTally, 0, len(ts))
	for _, t := range ts {
		out = append(out, apiReportTally{Key: t.Key, Name: t.Name, Count: t.Count})
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
