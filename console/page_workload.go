package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// workloadView is the workload page: one row per staff member for a month.
type workloadView struct {
	Month string // "2006-01", as in the form
	Rows  []workloadRow
}

// workloadRow is one staff member's line.
type workloadRow struct {
	Name, Role string
	Open       int
	Overdue    int
	Concluded  int
	Mediated   int
	Rate       string // "50.00%", or "—" when nothing was concluded
	Days       string // "7.5", or "—"
}

// showWorkload renders each staff member's open cases now and what they
// concluded in a month (?month=2026-03, China time; this month by default).
func (s *Server) showWorkload(w http.ResponseWriter, r *http.Request) {
	from, to, msg := workloadMonth(r.URL.Query().Get("month"), s.cfg.Now())
	if msg != "" {
		s.renderError(w, r, http.StatusBadRequest, msg)
		return
	}
	rows, err := s.scopedWorkload(r.Context(), from, to)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := workloadView{Month: from.Format("2006-01")}
	for _, wl := range rows {
		v.Rows = append(v.Rows, newWorkloadRow(wl))
	}
	s.render(w, r, http.StatusOK, "workload.html", "工作量", v)
}

// newWorkloadRow formats one staff member's figures.
func newWorkloadRow(wl *storage.Workload) workloadRow {
	row := workloadRow{Name: wl.Name, Role: wl.Role.Label(), Open: wl.Open, Overdue: wl.Overdue, Concluded: wl.Concluded,
		Mediated: wl.Mediated, Rate: "—", Days: "—"}
	if wl.Concluded > 0 {
		row.Rate = percent(wl.Mediated, wl.Concluded)
		row.Days = fmt.Sprintf("%.1f", wl.AverageDays)
	}
	return row
}

// workloadMonth reads "2006-01" into the month's [from, to) in China time; empty
// is the current month. msg is a Chinese message for a bad month.
func workloadMonth(month string, now time.Time) (from, to time.Time, msg string) {
	now = now.In(chinaTime)
	from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, chinaTime)
	if month != "" {
		t, err := time.ParseInLocation("2006-01", month, chinaTime)
		if err != nil {
			return from, to, "月份格式不正确，应为 2026-03 这样的年月。"
		}
		from = t
	}
	return from, from.AddDate(0, 1, 0), ""
}
