package console

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// storeCalendar is the console's calendar when none is wired in: a holder over
// the store, reloaded (one version query) whenever it is asked for, so a
// console built without the refresh loop (tests, tools) still counts on the
// calendar as stored.
func storeCalendar(store storage.CalendarStore, logger *slog.Logger) func() *storage.Calendar {
	h := storage.NewCalendarHolder(store)
	return func() *storage.Calendar {
		if _, err := h.Reload(context.Background()); err != nil {
			logger.Warn("working-day calendar not reloaded", "err", err)
		}
		return h.Calendar()
	}
}

// dueCell is the 期限 column of a queue row and of the overdue list: the clock
// of the case, its due day, and where it stands today, in words as well as in
// colour (State is a CSS class; Text says the same for whoever cannot see it).
type dueCell struct {
	Clock string // the clock's name: 受理决定, 调解期限…; "" when the case has none
	On    string // the due day, YYYY-MM-DD; "" when paused or none
	State string // overdue, soon, running, paused or ""
	Text  string // 已超期 3 个工作日, 今日到期, 剩余 2 个工作日, 暂停中
	Days  int    // working days overdue (positive) or left (for soon and running)
}

// newDueCell describes c's stored due at now.
func newDueCell(c *storage.Case, cal *storage.Calendar, now time.Time) dueCell {
	due := c.Due()
	d := dueCell{Clock: due.Kind.Label(), On: due.On, State: due.State(cal, now)}
	if due.Kind == "" {
		d.Clock = ""
	}
	switch d.State {
	case "paused":
		d.Text = "暂停中"
	case "overdue", "soon", "running":
		on, err := storage.ParseDay(due.On)
		if err != nil {
			d.State = ""
			return d
		}
		d.Days = cal.WorkingDaysBetween(now, on)
		d.Text = remainingText(d.Days)
		if d.State == "overdue" {
			// On a rest day after the due day no working day may have passed
			// yet; the case is overdue all the same.
			d.Days = max(-d.Days, 1)
			d.Text = fmt.Sprintf("已超期 %d 个工作日", d.Days)
		}
	}
	return d
}

// remainingText says how many working days are left: 今日到期 on the due day.
func remainingText(days int) string {
	if days <= 0 {
		return "今日到期"
	}
	return fmt.Sprintf("剩余 %d 个工作日", days)
}

// clockView is one clock on the case page.
type clockView struct {
	Name    string
	Start   time.Time
	Due     string // YYYY-MM-DD; for a paused clock, where it would be had it not paused
	State   string // overdue, soon, running, paused, met, late
	Text    string // 剩余 n 个工作日, 已超期 n 个工作日, 暂停中（剩余 n 个工作日）, 已完成, 逾期完成
	Paused  int    // working days it stood still
	Stopped time.Time
}

// newClockViews describes a case's clocks at now, oldest first.
func newClockViews(clocks []storage.Clock, cal *storage.Calendar, now time.Time) []clockView {
	out := make([]clockView, 0, len(clocks))
	for _, c := range clocks {
		v := clockView{Name: c.Kind.Label(), Start: c.Start, Due: c.Due.Format(storage.DateLayout),
			Paused: c.PausedDays, Stopped: c.Stopped}
		left := c.Remaining(cal, now)
		switch {
		case c.Late():
			v.State, v.Text = "late", "逾期完成"
		case c.Done():
			v.State, v.Text = "met", "按期完成"
		case c.Paused():
			v.State, v.Text = "paused", fmt.Sprintf("暂停中（剩余 %d 个工作日）", left)
		case c.Overdue(now):
			v.State, v.Text = "overdue", fmt.Sprintf("已超期 %d 个工作日", max(-left, 1))
		case left <= storage.SoonDueWorkingDays:
			v.State, v.Text = "soon", remainingText(left)
		default:
			v.State, v.Text = "running", remainingText(left)
		}
		out = append(out, v)
	}
	return out
}

// caseClockViews reads and describes the clocks of c for its page.
func (s *Server) caseClockViews(ctx context.Context, c *storage.Case) ([]clockView, error) {
	clocks, err := s.cfg.Store.CaseClocks(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return newClockViews(clocks, s.cfg.Calendar(), s.cfg.Now()), nil
}
