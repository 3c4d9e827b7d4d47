package storage

import (
	"context"
	"sync"
	"sync/atomic"
)

// CalendarHolder keeps the loaded working-day calendar of one instance. Readers
// call Calendar, which never blocks; a background loop calls Reload, which
// reads the store's version and loads the days only when it moved, so polling
// every few seconds costs one small query.
type CalendarHolder struct {
	store   CalendarStore
	cur     atomic.Pointer[Calendar]
	mu      sync.Mutex // serialises Reload
	version int64      // of cur; -1 before the first load
}

// NewCalendarHolder returns a holder over store whose calendar knows no
// exceptions (weekends only) until the first Reload.
func NewCalendarHolder(store CalendarStore) *CalendarHolder {
	h := &CalendarHolder{store: store, version: -1}
	h.cur.Store(NewCalendar(nil))
	return h
}

// Calendar returns the calendar last loaded.
func (h *CalendarHolder) Calendar() *Calendar { return h.cur.Load() }

// Reload loads the calendar if the store's version differs from the loaded one
// and says whether it did. On error the calendar loaded before stays.
func (h *CalendarHolder) Reload(ctx context.Context) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, err := h.store.CalendarVersion(ctx)
	if err != nil {
		return false, err
	}
	if v == h.version {
		return false, nil
	}
	days, err := h.store.ListAllCalendarDays(ctx)
	if err != nil {
		return false, err
	}
	h.cur.Store(NewCalendar(days))
	h.version = v
	return true, nil
}
