package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// TestMaterialRequestPausesTheAcceptanceClock checks the clocks and the status
// machine together: asking for material stops the acceptance clock, and
// resuming moves its due day back by the working days the case waited.
func TestMaterialRequestPausesTheAcceptanceClock(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		at := func(month time.Month, day, hour int) { setClock(db, time.Date(2026, month, day, hour, 0, 0, 0, cst)) }
		at(3, 2, 10) // Monday: 7 working days end on Wednesday 11 March
		c := mustCreate(t, db, newCase("material-clock"))
		wantDue(t, c, storage.ClockAcceptance, "2026-03-11", false)

		at(3, 4, 15)
		c, err := db.RequestMaterial(ctx, storage.NewMaterialRequest{CaseID: c.ID, Material: "购物小票照片", Actor: staff})
		if err != nil {
			t.Fatal(err)
		}
		wantDue(t, c, storage.ClockAcceptance, "", true)

		at(3, 9, 9) // Monday: Thursday, Friday and Monday were spent waiting
		if c, err = db.ResumeCase(ctx, c.ID, "", by); err != nil {
			t.Fatal(err)
		}
		if c.Status != storage.StatusSubmitted {
			t.Fatalf("resumed to %s, want back to submitted", c.Status)
		}
		wantDue(t, c, storage.ClockAcceptance, "2026-03-16", false)
		stored, err := db.FindCaseByNumber(ctx, c.Number)
		if err != nil {
			t.Fatal(err)
		}
		wantDue(t, stored, storage.ClockAcceptance, "2026-03-16", false)
	})
}

// TestAppraisalPausesTheMediationClock: 检测鉴定 stops the 45 working days.
func TestAppraisalPausesTheMediationClock(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		at := func(month time.Month, day int) { setClock(db, time.Date(2026, month, day, 10, 0, 0, 0, cst)) }
		at(3, 2)
		c := mustCreate(t, db, newCase("appraisal-clock"))
		at(3, 3)
		c = move(t, db, c, storage.StatusAccepted, "")
		mediationDue := c.DueOn
		if c.DueKind != storage.ClockMediation || mediationDue == "" {
			t.Fatalf("after acceptance: due %+v, want the mediation clock running", c.Due())
		}
		c = move(t, db, c, storage.StatusMediating, "")
		at(3, 5) // Thursday
		c = move(t, db, c, storage.StatusAppraisal, "")
		wantDue(t, c, storage.ClockMediation, "", true)
		at(3, 12) // the next Thursday: five working days in appraisal
		c = move(t, db, c, storage.StatusMediating, "")
		want := addWorkingDaysKey(t, mediationDue, 5)
		wantDue(t, c, storage.ClockMediation, want, false)
	})
}

// addWorkingDaysKey adds n working days (weekends only: March 2026 has no
// holiday) to a YYYY-MM-DD day.
func addWorkingDaysKey(t *testing.T, day string, n int) string {
	t.Helper()
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		t.Fatal(err)
	}
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d.Format("2006-01-02")
}
