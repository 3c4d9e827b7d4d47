package console

import (
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// apiDue is a case's current clock in the API.
type apiDue struct {
	Clock      storage.ClockKind `json:"clock"`       // acceptance, mediation, merchant, termination_notice
	ClockLabel string            `json:"clock_label"` // 受理决定, 调解期限, 企业和解, 终止告知
	DueOn      string            `json:"due_on"`      // YYYY-MM-DD (China time); "" while paused
	Paused     bool              `json:"paused"`
	// State is overdue, soon (due within 2 working days), running or paused, as
	// of the answer; WorkingDays is the working days overdue (overdue) or left.
	State       string `json:"state"`
	WorkingDays int    `json:"working_days"`
}

// apiDueJSON is c's stored due, without State (apiDueStates fills it in), or
// nil when c has no clock.
func apiDueJSON(c *storage.Case) *apiDue {
	if c.DueKind == "" {
		return nil
	}
	return &apiDue{Clock: c.DueKind, ClockLabel: c.DueKind.Label(), DueOn: c.DueOn, Paused: c.DuePaused}
}

// apiDueStates fills in where each case's clock stands at now.
func apiDueStates(items []apiCase, cal *storage.Calendar, now time.Time) {
	for i := range items {
		d := items[i].Due
		if d == nil {
			continue
		}
		cell := newDueCell(&storage.Case{DueKind: d.Clock, DueOn: d.DueOn, DuePaused: d.Paused}, cal, now)
		d.State, d.WorkingDays = cell.State, cell.Days
	}
}

// apiClock is one of a case's clocks in the API's case detail.
type apiClock struct {
	Clock      storage.ClockKind `json:"clock"`
	ClockLabel string            `json:"clock_label"`
	StartedAt  time.Time         `json:"started_at"`
	// DueOn is the last day (YYYY-MM-DD, China time); for a paused clock, where it
	// would be had the pause ended when it began.
	DueOn      string `json:"due_on"`
	PausedDays int    `json:"paused_days"`
	// State is running, soon, overdue, paused, met (in time) or late (met after
	// the due day); Text says the same in Chinese, with the working days.
	State     string     `json:"state"`
	Text      string     `json:"text"`
	StoppedAt *time.Time `json:"stopped_at"`
}

// apiClocksJSON converts the case page's clock views.
func apiClocksJSON(clocks []storage.Clock, views []clockView) []apiClock {
	out := make([]apiClock, 0, len(views))
	for i, v := range views {
		a := apiClock{Clock: clocks[i].Kind, ClockLabel: v.Name, StartedAt: v.Start.UTC(), DueOn: v.Due,
			PausedDays: v.Paused, State: v.State, Text: v.Text}
		if !v.Stopped.IsZero() {
			stopped := v.Stopped.UTC()
			a.StoppedAt = &stopped
		}
		out = append(out, a)
	}
	return out
}
