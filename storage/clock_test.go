package storage

import (
	"testing"
	"time"
)

// at is a moment of a day in China time: at("2025-09-22 10:00").
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, ChinaTime)
	if err != nil {
		panic(err)
	}
	return t
}

// hist builds a status history from (moment, status) pairs; a status written
// "referred:<target>" is a referral there, "mediating!" a reopening.
func hist(steps ...string) []StatusPeriod {
	var out []StatusPeriod
	for i := 0; i+1 < len(steps); i += 2 {
		p := StatusPeriod{Start: at(steps[i])}
		switch s := steps[i+1]; {
		case len(s) > 9 && s[:9] == "referred:":
			p.Status, p.ReferralTarget = StatusReferred, s[9:]
		case s == "mediating!":
			p.Status, p.Reopen = StatusMediating, true
		default:
			p.Status = Status(s)
		}
		out = append(out, p)
	}
	return out
}

// clockWant is what a test expects of one clock; empty strings are not checked.
type clockWant struct {
	kind    ClockKind
	due     string // YYYY-MM-DD
	paused  int
	state   string // running, paused, met, late
	stopped string // YYYY-MM-DD
}

func clockState(c Clock) string {
	switch {
	case c.Late():
		return "late"
	case c.Done():
		return "met"
	case c.Paused():
		return "paused"
	}
	return "running"
}

// The tests count on official2025, which holds 春节 and 国庆 only (not 清明 or
// 劳动节), so long limits cross ordinary weeks there.
func TestComputeClocks(t *testing.T) {
	cal := official2025()
	const merchant = "referred:" + MerchantReferral
	tests := []struct {
		name    string
		history []StatusPeriod
		want    []clockWant
	}{{
		// Received on the Friday before 春节: the Sunday 26 Jan and Saturday 8 Feb
		// are make-up working days, 28 Jan to 4 Feb are rest.
		name:    "acceptance across 春节 with its 调休",
		history: hist("2025-01-24 10:00", "submitted"),
		want:    []clockWant{{kind: ClockAcceptance, due: "2025-02-10", state: "running"}},
	}, {
		name:    "acceptance met, mediation starts from acceptance",
		history: hist("2025-01-24 10:00", "submitted", "2025-02-07 09:00", "accepted"),
		want: []clockWant{
			{kind: ClockAcceptance, due: "2025-02-10", state: "met", stopped: "2025-02-07"},
			{kind: ClockMediation, due: "2025-04-10", state: "running"},
		},
	}, {
		name:    "acceptance decided late",
		history: hist("2025-01-24 10:00", "submitted", "2025-02-11 09:00", "rejected"),
		want:    []clockWant{{kind: ClockAcceptance, due: "2025-02-10", state: "late"}},
	}, {
		// Paused on Wednesday 24 Sep, resumed Thursday 9 Oct after 国庆: the
		// working days 25, 26, 28 (Sunday, 调休), 29, 30 Sep and 9 Oct do not count.
		name: "material awaited across 国庆",
		history: hist("2025-09-22 10:00", "submitted", "2025-09-24 15:00", "awaiting_material",
			"2025-10-09 11:00", "submitted"),
		want: []clockWant{{kind: ClockAcceptance, due: "2025-10-15", paused: 6, state: "running"}},
	}, {
		name:    "still waiting for material",
		history: hist("2025-09-22 10:00", "submitted", "2025-09-24 15:00", "awaiting_material"),
		want:    []clockWant{{kind: ClockAcceptance, due: "2025-09-30", state: "paused"}},
	}, {
		name: "paused and resumed the same day costs nothing",
		history: hist("2025-09-22 10:00", "submitted", "2025-09-23 09:00", "awaiting_material",
			"2025-09-23 17:00", "submitted"),
		want: []clockWant{{kind: ClockAcceptance, due: "2025-09-30", paused: 0, state: "running"}},
	}, {
		// The merchant's 10 working days from Wednesday 3 Sep; the case comes
		// back on the 10th, so mediation stood still 5 working days: 45 + 5
		// working days from 1 Sep, across 国庆, is 14 Nov.
		name: "referral to the merchant and back",
		history: hist("2025-08-29 10:00", "submitted", "2025-09-01 09:00", "accepted",
			"2025-09-02 09:00", "mediating", "2025-09-03 09:00", merchant, "2025-09-10 16:00", "mediating"),
		want: []clockWant{
			{kind: ClockAcceptance, state: "met"},
			{kind: ClockMediation, due: "2025-11-14", paused: 5, state: "running"},
			{kind: ClockMerchant, due: "2025-09-17", state: "met", stopped: "2025-09-10"},
		},
	}, {
		name: "referral elsewhere does not pause mediation",
		history: hist("2025-08-29 10:00", "submitted", "2025-09-01 09:00", "accepted",
			"2025-09-03 09:00", "referred:仲裁委员会"),
		want: []clockWant{
			{kind: ClockAcceptance, state: "met"},
			{kind: ClockMediation, due: "2025-11-07", paused: 0, state: "running"},
		},
	}, {
		name: "appraisal pauses mediation",
		history: hist("2025-08-29 10:00", "submitted", "2025-09-01 09:00", "accepted",
			"2025-09-02 09:00", "mediating", "2025-09-05 09:00", "appraisal", "2025-09-12 09:00", "mediating"),
		want: []clockWant{
			{kind: ClockAcceptance, state: "met"},
			{kind: ClockMediation, due: "2025-11-14", paused: 5, state: "running"},
		},
	}, {
		// 终止调解 on Friday 26 Sep: 7 working days are 28 (Sunday, 调休), 29, 30
		// Sep, 9, 10, 11 (Saturday, 调休) and 13 Oct; closed on the 14th, late.
		name: "termination notice across 国庆, closed a day late",
		history: hist("2025-08-29 10:00", "submitted", "2025-09-01 09:00", "accepted",
			"2025-09-02 09:00", "mediating", "2025-09-26 10:00", "terminated", "2025-10-14 10:00", "closed"),
		want: []clockWant{
			{kind: ClockAcceptance, state: "met"},
			{kind: ClockMediation, state: "met", stopped: "2025-09-26"},
			{kind: ClockTermination, due: "2025-10-13", state: "late", stopped: "2025-10-14"},
		},
	}, {
		name: "reopening starts a new mediation clock",
		history: hist("2025-02-24 10:00", "submitted", "2025-02-25 09:00", "accepted",
			"2025-02-26 09:00", "mediating", "2025-03-03 09:00", "resolved", "2025-03-04 09:00", "closed",
			"2025-03-10 09:00", "mediating!"),
		want: []clockWant{
			{kind: ClockAcceptance, state: "met"},
			{kind: ClockMediation, state: "met", stopped: "2025-03-03"},
			{kind: ClockMediation, due: "2025-05-12", state: "running"},
		},
	}, {
		name: "reopening a termination ends its notice clock",
		history: hist("2025-02-24 10:00", "submitted", "2025-02-25 09:00", "accepted",
			"2025-03-03 09:00", "terminated", "2025-03-05 09:00", "mediating!"),
		want: []clockWant{
			{kind: ClockAcceptance, state: "met"},
			{kind: ClockMediation, state: "met"},
			{kind: ClockTermination, state: "met", stopped: "2025-03-05"},
			{kind: ClockMediation, state: "running"},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeClocks(tc.history, cal, DefaultClockDurations())
			if len(got) != len(tc.want) {
				t.Fatalf("got %d clocks %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				checkClock(t, got[i], w)
			}
		})
	}
}

func checkClock(t *testing.T, c Clock, w clockWant) {
	t.Helper()
	if c.Kind != w.kind {
		t.Errorf("kind = %s, want %s", c.Kind, w.kind)
	}
	if w.due != "" && dayKey(c.Due) != w.due {
		t.Errorf("%s due = %s, want %s", c.Kind, dayKey(c.Due), w.due)
	}
	if w.state != "" && clockState(c) != w.state {
		t.Errorf("%s state = %s, want %s", c.Kind, clockState(c), w.state)
	}
	if w.stopped != "" && dayKey(c.Stopped) != w.stopped {
		t.Errorf("%s stopped = %s, want %s", c.Kind, dayKey(c.Stopped), w.stopped)
	}
	if w.due != "" && c.PausedDays != w.paused {
		t.Errorf("%s paused days = %d, want %d", c.Kind, c.PausedDays, w.paused)
	}
}

func TestComputeClocksUsesConfiguredDurations(t *testing.T) {
	cal := official2025()
	got := ComputeClocks(hist("2025-09-22 10:00", "submitted"), cal, ClockDurations{Acceptance: 3})
	if due := dayKey(got[0].Due); due != "2025-09-25" || got[0].Days != 3 {
		t.Errorf("3-day acceptance due %s (%d days), want 2025-09-25", due, got[0].Days)
	}
	h := hist("2025-09-22 10:00", "submitted", "2025-09-23 10:00", "accepted", "2025-09-24 10:00", "referred:"+MerchantReferral)
	got = ComputeClocks(h, cal, ClockDurations{Merchant: 2})
	if due := dayKey(got[2].Due); got[2].Kind != ClockMerchant || due != "2025-09-26" {
		t.Errorf("2-day merchant clock %s due %s, want 2025-09-26", got[2].Kind, due)
	}
}

func TestCurrentClockAndDue(t *testing.T) {
	cal := official2025()
	const merchant = "referred:" + MerchantReferral
	tests := []struct {
		name    string
		history []StatusPeriod
		want    CaseDue
	}{
		{"new case", hist("2025-01-24 10:00", "submitted"), CaseDue{Kind: ClockAcceptance, On: "2025-02-10"}},
		{"awaiting material", hist("2025-01-24 10:00", "submitted", "2025-01-27 10:00", "awaiting_material"),
			CaseDue{Kind: ClockAcceptance, Paused: true}},
		{"merchant's turn", hist("2025-09-01 10:00", "submitted", "2025-09-02 10:00", "accepted", "2025-09-03 09:00", merchant),
			CaseDue{Kind: ClockMerchant, On: "2025-09-17"}},
		{"resolved", hist("2025-09-01 10:00", "submitted", "2025-09-02 10:00", "accepted", "2025-09-03 09:00", "resolved"),
			CaseDue{}},
		{"terminated", hist("2025-09-01 10:00", "submitted", "2025-09-02 10:00", "accepted", "2025-09-26 10:00", "terminated"),
			CaseDue{Kind: ClockTermination, On: "2025-10-13"}},
		{"empty history", nil, CaseDue{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DueOf(ComputeClocks(tc.history, cal, DefaultClockDurations())); got != tc.want {
				t.Errorf("DueOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestClockRemainingAndOverdue(t *testing.T) {
	cal := official2025()
	c := ComputeClocks(hist("2025-01-24 10:00", "submitted"), cal, DefaultClockDurations())[0] // due 2025-02-10
	for _, tc := range []struct {
		now       string
		remaining int
		overdue   bool
		state     string
	}{
		{"2025-02-06 12:00", 3, false, "running"}, // 7th, 8th (Saturday, 调休), 10th
		{"2025-02-07 12:00", 2, false, "soon"},
		{"2025-02-09 12:00", 1, false, "soon"}, // a Sunday
		{"2025-02-10 23:59", 0, false, "soon"},
		{"2025-02-11 00:00", -1, true, "overdue"},
		{"2025-02-14 09:00", -4, true, "overdue"},
	} {
		now := at(tc.now)
		if got := c.Remaining(cal, now); got != tc.remaining {
			t.Errorf("at %s Remaining = %d, want %d", tc.now, got, tc.remaining)
		}
		if got := c.Overdue(now); got != tc.overdue {
			t.Errorf("at %s Overdue = %v, want %v", tc.now, got, tc.overdue)
		}
		if got := DueOf([]Clock{c}).State(cal, now); got != tc.state {
			t.Errorf("at %s State = %q, want %q", tc.now, got, tc.state)
		}
	}
	// A paused clock keeps what was left when the pause began, however long it lasts.
	p := ComputeClocks(hist("2025-09-22 10:00", "submitted", "2025-09-24 15:00", "awaiting_material"), cal, DefaultClockDurations())[0]
	if got := p.Remaining(cal, at("2025-12-01 10:00")); got != 5 || p.Overdue(at("2025-12-01 10:00")) {
		t.Errorf("paused clock: remaining %d (want 5), overdue %v (want false)", got, p.Overdue(at("2025-12-01 10:00")))
	}
	if got := (CaseDue{Kind: ClockAcceptance, Paused: true}).State(cal, at("2025-12-01 10:00")); got != "paused" {
		t.Errorf("paused State = %q", got)
	}
}

func TestDueWindow(t *testing.T) {
	cal := official2025()
	// Friday 7 Feb 2025: the next two working days are Saturday 8 (调休) and Monday 10.
	if from, to := DueWindow(cal, at("2025-02-07 18:00"), false); from != "2025-02-07" || to != "2025-02-10" {
		t.Errorf("soon window = %s..%s, want 2025-02-07..2025-02-10", from, to)
	}
	if from, to := DueWindow(cal, at("2025-02-06 18:00"), false); from != "2025-02-06" || to != "2025-02-08" {
		t.Errorf("soon window = %s..%s, want 2025-02-06..2025-02-08", from, to)
	}
	// 00:30 in Beijing is still the previous day in UTC; the window is China's.
	if from, to := DueWindow(cal, time.Date(2025, 2, 10, 16, 30, 0, 0, time.UTC), true); from != "" || to != "2025-02-10" {
		t.Errorf("overdue window = %q..%s, want ..2025-02-10", from, to)
	}
}
