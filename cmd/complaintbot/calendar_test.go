package main

import (
	"context"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestCalendarIsSeededAndRefreshed checks that a started instance knows the
// official 调休 days, and that an admin's change is picked up by the reload the
// refresh loop runs.
func TestCalendarIsSeededAndRefreshed(t *testing.T) {
	m := runMain(t)
	ctx := context.Background()
	sunday, _ := storage.ParseDay("2025-01-26") // 春节 make-up working day
	if !m.Calendar.Calendar().IsWorkingDay(sunday) {
		t.Fatal("the started instance does not know 2025's 调休 Sunday")
	}
	err := m.DB.SetCalendarDay(ctx, storage.DayException{Date: "2025-01-26", Kind: storage.DayRest, Name: "测试"},
		storage.By{Actor: "staff:1", IP: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := m.Calendar.Reload(ctx); !ok || err != nil { // what the 30-second refresh does
		t.Fatalf("Reload = %v, %v", ok, err)
	}
	if m.Calendar.Calendar().IsWorkingDay(sunday) {
		t.Fatal("the admin's change was not picked up")
	}
}

// TestDueDaysFollowTheCalendar checks that an instance which reloads a changed
// calendar recomputes the due days of open cases.
func TestDueDaysFollowTheCalendar(t *testing.T) {
	m := runMain(t)
	ctx := context.Background()
	c, err := m.DB.CreateCase(ctx, "TS", storage.NewCase{
		OpenID: "o-due", IntakeKey: "due-1", Category: "食品", MerchantName: "某店", Description: "过期",
		Demand: "退款", ComplainantName: "张三", Phone: "13800000000",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.DueKind != storage.ClockAcceptance || c.DueOn == "" {
		t.Fatalf("new case due %q %q, want the acceptance clock", c.DueKind, c.DueOn)
	}
	// Make the first working day after receipt a rest day: the due day moves.
	cal := m.Calendar.Calendar()
	next := cal.AddWorkingDays(c.CreatedAt, 1).Format(storage.DateLayout)
	err = m.DB.SetCalendarDay(ctx, storage.DayException{Date: next, Kind: storage.DayRest, Name: "测试"},
		storage.By{Actor: "staff:1", IP: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	m.reloadCalendar(ctx) // what the 30-second refresh does
	got, err := m.DB.FindCaseByNumber(ctx, c.Number)
	if err != nil {
		t.Fatal(err)
	}
	want := m.Calendar.Calendar().AddWorkingDays(c.CreatedAt, 7).Format(storage.DateLayout)
	if got.DueOn != want || got.DueOn == c.DueOn {
		t.Fatalf("due after the calendar change %s (was %s), want %s", got.DueOn, c.DueOn, want)
	}
}
