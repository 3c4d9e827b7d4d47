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
