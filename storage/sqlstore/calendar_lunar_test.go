package sqlstore

import (
	"testing"

	"github.com/6tail/lunar-go/HolidayUtil"
	"github.com/complaintbot/complaintbot/storage"
)

// TestOfficialCalendarMatchesLunarGo cross-checks the embedded schedule, day by
// day, with the holiday data of github.com/6tail/lunar-go, a library whose
// maintainer transcribes each year's State Council notice: two independent
// transcriptions that must agree on every rest and make-up working day. The
// library is a test dependency only; the binary carries the CSV file alone.
func TestOfficialCalendarMatchesLunarGo(t *testing.T) {
	all, err := OfficialCalendar()
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{}
	for _, d := range all {
		ours[d.Date] = d.Kind
	}
	theirs := map[string]string{}
	for _, year := range []int{2024, 2025, 2026, 2027} {
		for e := HolidayUtil.GetHolidaysByYear(year).Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			kind := storage.DayRest
			if h.IsWork() {
				kind = storage.DayWork
			}
			theirs[h.GetDay()] = kind
		}
	}
	if len(theirs) < 100 {
		t.Fatalf("lunar-go lists only %d days for 2024–2027", len(theirs))
	}
	for day, kind := range theirs {
		if ours[day] != kind {
			t.Errorf("%s: lunar-go says %s, the embedded file %q", day, kind, ours[day])
		}
	}
	for day, kind := range ours {
		if _, ok := theirs[day]; !ok {
			t.Errorf("%s (%s) is in the embedded file only", day, kind)
		}
	}
}
