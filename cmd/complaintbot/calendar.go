package main

import (
	"context"
	"time"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// calendarRefresh is how often each instance checks the working-day calendar's
// version; the console promises that an admin's change is used within a minute.
const calendarRefresh = 30 * time.Second

// seedCalendar writes the embedded official schedule into the years the
// database has never held; years an admin has edited are left alone.
func seedCalendar(ctx context.Context, db *sqlstore.DB) error {
	_, err := db.SeedCalendar(ctx)
	return err
}

// loadCalendar returns a holder with the calendar loaded. A failed load is
// logged and leaves weekends only until the refresh loop succeeds.
func (m *Main) loadCalendar(ctx context.Context) *storage.CalendarHolder {
	h := storage.NewCalendarHolder(m.DB)
	if _, err := h.Reload(ctx); err != nil {
		m.Logger.Warn("working-day calendar not loaded", "err", err)
	}
	return h
}

// refreshCalendar reloads the calendar when it changed, until ctx ends.
func (m *Main) refreshCalendar(ctx context.Context) {
	onEveryTick(ctx, calendarRefresh, func() { m.reloadCalendar(ctx) })
}

// reloadCalendar loads the calendar if its version moved and then recomputes
// the cases' due days, which count on it. Every instance that sees the new
// version asks; the store does the work once (see RecomputeDueDates).
func (m *Main) reloadCalendar(ctx context.Context) {
	changed, err := m.Calendar.Reload(ctx)
	if err != nil && ctx.Err() == nil {
		m.Logger.Warn("working-day calendar not reloaded", "err", err)
	}
	if changed {
		m.recomputeDueDates(ctx)
	}
}

// clockDurations are the configured statutory limits, in working days.
func clockDurations(cfg configs.Config) storage.ClockDurations {
	w := cfg.Casework
	return storage.ClockDurations{Acceptance: cfg.Cases.AcceptWorkingDays, Mediation: cfg.Cases.MediationWorkingDays,
		Merchant: w.MerchantDays, TerminationNotice: w.TerminationNoticeDays}
}

// recomputeDueDates stores the configured limits and recomputes the due days of
// open cases when they or the calendar changed. A failure is logged: the due
// days stay as they were until the next reload or start.
func (m *Main) recomputeDueDates(ctx context.Context) {
	n, err := m.DB.RecomputeDueDates(ctx, clockDurations(m.Config))
	if err != nil {
		if ctx.Err() == nil {
			m.Logger.Warn("due days not recomputed", "err", err)
		}
		return
	}
	if n > 0 {
		m.Logger.Info("due days recomputed", "cases", n)
	}
}
