package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// reportView is the statistics page.
type reportView struct {
	From, To           string // "2006-01", as in the form
	Received           int
	Mediated           int
	Concluded          int
	Rate               string // "96.48%", or "—" when nothing is concluded
	RecoveredFen       int64
	DoubleCompensation int
	ByCategory         []reportShare
	TopMerchants       []reportShare
	ByMonth            []storage.ReportMonth
}

// reportShare is a name, its cases and their share of the cases received.
type reportShare struct {
	Name  string
	Count int
	Share string // "12.50%"
}

// showReport renders the statistics (报表) of the cases received in the months
// from..to (inclusive, "2006-01", China time); by default January to this month.
func (s *Server) showReport(w http.ResponseWriter, r *http.Request) {
	from, to, msg := reportPeriod(r.URL.Query().Get("from"), r.URL.Query().Get("to"), s.cfg.Now())
	if msg != "" {
		s.renderError(w, r, http.StatusBadRequest, msg)
		return
	}
	rep, err := s.cfg.Store.CaseReport(r.Context(), from, to)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := reportView{
		From: from.Format("2006-01"), To: to.AddDate(0, -1, 0).Format("2006-01"),
		Received: rep.Received, Mediated: rep.Mediated, Concluded: rep.Concluded, Rate: "—",
		RecoveredFen: rep.RecoveredFen, DoubleCompensation: rep.DoubleCompensation,
		ByCategory: shares(rep.ByCategory, rep.Received), TopMerchants: shares(rep.TopMerchants, rep.Received),
		ByMonth: rep.ByMonth,
	}
	if rep.Received > 0 {
		v.Rate = percent(rep.Mediated, rep.Received)
	}
	s.render(w, r, http.StatusOK, "report.html", "报表", v)
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

// shares adds each count's share of total.
func shares(counts []storage.ReportCount, total int) []reportShare {
	out := make([]reportShare, 0, len(counts))
	for _, c := range counts {
		out = append(out, reportShare{Name: c.Name, Count: c.Count, Share: percent(c.Count, total)})
	}
	return out
}

// percent shows n/d as a percentage with two decimals.
func percent(n, d int) string {
	if d == 0 {
		return "0.00%"
	}
	return fmt.Sprintf("%.2f%%", float64(n)*100/float64(d))
}
