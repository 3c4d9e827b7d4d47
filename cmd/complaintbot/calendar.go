package main

import (
	"context"
	"time"

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
	onEveryTick(ctx, calendarRefresh, func() {
		if _, err := m.Calendar.Reload(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Warn("working-day calendar not reloaded", "err", err)
		}
	})
}
