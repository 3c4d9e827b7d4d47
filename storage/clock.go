package storage

import (
	"context"
	"fmt"
	"time"
)

// ClockKind names one of the statutory time limits a case runs against.
type ClockKind string

// The clocks of a case (DOMAIN.md, time limits).
const (
	// ClockAcceptance runs from receipt until the case is accepted, rejected or
	// withdrawn: the decision to accept is due within 7 working days (Order 20
	// art. 14).
	ClockAcceptance ClockKind = "acceptance"
	// ClockMediation runs from acceptance until mediation has an outcome
	// (调解成功, 终止调解, 已撤回): 45 working days (art. 21).
	ClockMediation ClockKind = "mediation"
	// ClockMerchant runs while the case is referred to the merchant for direct
	// settlement (企业和解（入驻企业）): the merchant has 10 working days.
	ClockMerchant ClockKind = "merchant"
	// ClockTermination runs from 终止调解 until the file is closed (已办结): both
	// parties must be told within 7 working days.
	ClockTermination ClockKind = "termination_notice"
)

var clockLabels = map[ClockKind]string{
	ClockAcceptance:  "受理决定",
	ClockMediation:   "调解期限",
	ClockMerchant:    "企业和解",
	ClockTermination: "终止告知",
}

// Label returns the clock's Chinese name, or the raw value if it is unknown.
func (k ClockKind) Label() string {
	if l, ok := clockLabels[k]; ok {
		return l
	}
	return string(k)
}

// Valid reports whether k is one of the known clocks.
func (k ClockKind) Valid() bool {
	_, ok := clockLabels[k]
	return ok
}

// MerchantReferral is the referral target whose time belongs to the merchant: the
// merchant's own clock runs and the association's mediation clock stops.
const MerchantReferral = "企业和解（入驻企业）"

// ClockDurations are the limits in working days, from configuration.
type ClockDurations struct {
	Acceptance        int // cases.accept_working_days
	Mediation         int // cases.mediation_working_days
	Merchant          int // casework.merchant_days
	TerminationNotice int // casework.termination_notice_days
}

// DefaultClockDurations are the statutory limits: 7, 45, 10 and 7 working days.
func DefaultClockDurations() ClockDurations {
	return ClockDurations{Acceptance: 7, Mediation: 45, Merchant: 10, TerminationNotice: 7}
}

// OrDefault returns d with each missing (zero or negative) limit replaced by its
// default, so a DB configured by nobody still counts the statutory limits.
func (d ClockDurations) OrDefault() ClockDurations {
	def := DefaultClockDurations()
	for _, p := range []struct{ v, def *int }{
		{&d.Acceptance, &def.Acceptance}, {&d.Mediation, &def.Mediation},
		{&d.Merchant, &def.Merchant}, {&d.TerminationNotice, &def.TerminationNotice},
	} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	return d
}

// String writes the four limits, e.g. "7/45/10/7", as the stored due dates
// record which limits they were computed with.
func (d ClockDurations) String() string {
	return fmt.Sprintf("%d/%d/%d/%d", d.Acceptance, d.Mediation, d.Merchant, d.TerminationNotice)
}

func (d ClockDurations) of(k ClockKind) int {
	switch k {
	case ClockAcceptance:
		return d.Acceptance
	case ClockMediation:
		return d.Mediation
	case ClockMerchant:
		return d.Merchant
	default:
		return d.TerminationNotice
	}
}

// StatusPeriod is one stretch of a case's status history: the case entered Status
// at Start and stayed until the next period's Start (or now, for the last one).
type StatusPeriod struct {
	Status         Status    `db:"status"`
	ReferralTarget string    `db:"referral_target"` // for StatusReferred: where to (ReferralTargets)
	Reopen         bool      `db:"reopen"`          // the move into this period reopened a finished case
	Start          time.Time `db:"started_at"`
}

// Clock is one time limit of a case as its history stands.
type Clock struct {
	Kind  ClockKind
	Start time.Time // the event that started it; its own day does not count
	Days  int       // the limit in working days
	// PausedDays are the working days the clock stood still (待补正, 检测鉴定, the
	// merchant's turn); they push Due back by as many working days.
	PausedDays int
	// Due is the last day of the limit (midnight China time): the limit ends at
	// the end of that day. For a paused clock it is the due date had the pause
	// ended at PausedSince, so that Remaining stays what was left.
	Due         time.Time
	PausedSince time.Time // when the current pause began; zero unless paused
	Stopped     time.Time // when the clock was met or ended; zero while it runs or is paused
}

// Paused reports whether the clock is stopped for now and will run again.
func (c Clock) Paused() bool { return !c.PausedSince.IsZero() && c.Stopped.IsZero() }

// Running reports whether the clock is counting now.
func (c Clock) Running() bool { return c.PausedSince.IsZero() && c.Stopped.IsZero() }

// Done reports whether the clock was met or ended.
func (c Clock) Done() bool { return !c.Stopped.IsZero() }

// Late reports whether a done clock ended after its due day.
func (c Clock) Late() bool { return c.Done() && dayKey(c.Stopped) > dayKey(c.Due) }

// Remaining returns the working days left after today (now's date) up to the due
// day: 0 on the due day itself, negative (the working days overdue) after it. A
// paused clock keeps what was left when it was paused.
func (c Clock) Remaining(cal *Calendar, now time.Time) int {
	if c.Paused() {
		return cal.WorkingDaysBetween(c.PausedSince, c.Due)
	}
	return cal.WorkingDaysBetween(now, c.Due)
}

// Overdue reports whether a running clock's due day has passed by now's date.
func (c Clock) Overdue(now time.Time) bool {
	return c.Running() && dayKey(now) > dayKey(c.Due)
}

// clockPhase says what a clock does while a case is in period p: it counts
// (run), stands still (pause), or has come to its end (neither).
func clockPhase(k ClockKind, p StatusPeriod) (run, pause bool) {
	switch k {
	case ClockAcceptance:
		switch p.Status {
		case StatusSubmitted:
			return true, false
		case StatusAwaitingMaterial, StatusAppraisal:
			return false, true
		}
	case ClockMediation:
		switch {
		case p.Status.Final():
			return false, false
		case p.Status == StatusAwaitingMaterial, p.Status == StatusAppraisal,
			p.Status == StatusReferred && p.ReferralTarget == MerchantReferral:
			return false, true
		}
		return true, false
	case ClockMerchant:
		return p.Status == StatusReferred && p.ReferralTarget == MerchantReferral, false
	case ClockTermination:
		return p.Status == StatusTerminated, false
	}
	return false, false
}

// mediationStarts are the statuses that show a case was accepted: the first of
// them starts the mediation clock (a case's history normally reaches 已受理
// first, but an old history may skip it).
func mediationStarts(s Status) bool {
	switch s {
	case StatusAccepted, StatusMediating, StatusAppraisal, StatusReferred:
		return true
	}
	return false
}

// clockRun is a clock being followed through the history.
type clockRun struct {
	Clock
	pauseStart time.Time // zero while counting
}

// ComputeClocks follows a case's status history, oldest period first, and returns
// its clocks in the order they started. The rules:
//
//   - acceptance: from receipt (the first period) until the case leaves 待受理
//     other than for 待补正; paused while 待补正;
//   - mediation: from acceptance (the first period in 已受理 or later) until the
//     case reaches a final status (an outcome, 不予受理 or 已办结); paused while
//     待补正, 检测鉴定, or 已转办 to the merchant. A reopening (重新调解) starts a
//     new mediation clock from the day of reopening: the first one was met when
//     the case had its outcome;
//   - merchant: from each referral to the merchant until the case leaves 已转办;
//   - termination notice: from 终止调解 until the case leaves it, met by 已办结.
//
// A clock's due day is its start plus its limit plus the working days it stood
// still; the day an event happens never counts (Calendar.AddWorkingDays).
func ComputeClocks(periods []StatusPeriod, cal *Calendar, d ClockDurations) []Clock {
	d = d.OrDefault()
	var runs []*clockRun
	open := map[ClockKind]*clockRun{}
	mediationSeen := false
	for i, p := range periods {
		for k, r := range open {
			if !r.advance(p, cal) {
				delete(open, k)
			}
		}
		for _, k := range clocksStarting(i, p, &mediationSeen) {
			r := &clockRun{Clock: Clock{Kind: k, Start: p.Start, Days: d.of(k)}}
			if run, pause := clockPhase(k, p); pause {
				r.pauseStart = p.Start
			} else if !run {
				continue
			}
			runs, open[k] = append(runs, r), r
		}
	}
	out := make([]Clock, 0, len(runs))
	for _, r := range runs {
		r.PausedSince = r.pauseStart
		r.Due = cal.AddWorkingDays(r.Start, r.Days+r.PausedDays)
		out = append(out, r.Clock)
	}
	return out
}

// clocksStarting returns the clocks that start when a case enters period i.
func clocksStarting(i int, p StatusPeriod, mediationSeen *bool) []ClockKind {
	var ks []ClockKind
	if i == 0 {
		ks = append(ks, ClockAcceptance)
	}
	if p.Reopen || (!*mediationSeen && mediationStarts(p.Status)) {
		*mediationSeen = true
		ks = append(ks, ClockMediation)
	}
	if p.Status == StatusReferred && p.ReferralTarget == MerchantReferral {
		ks = append(ks, ClockMerchant)
	}
	if p.Status == StatusTerminated {
		ks = append(ks, ClockTermination)
	}
	return ks
}

// advance moves the clock into period p and reports whether it is still open.
// A pause's working days are counted when it ends (by resuming or stopping).
func (r *clockRun) advance(p StatusPeriod, cal *Calendar) bool {
	run, pause := clockPhase(r.Kind, p)
	if p.Reopen && r.Kind == ClockMediation {
		run, pause = false, false // replaced by the new mediation clock
	}
	wasPaused := !r.pauseStart.IsZero()
	if wasPaused && !pause {
		r.PausedDays += cal.WorkingDaysBetween(r.pauseStart, p.Start)
		r.pauseStart = time.Time{}
	}
	switch {
	case pause && !wasPaused:
		r.pauseStart = p.Start
	case !run && !pause:
		r.Stopped = p.Start
		return false
	}
	return true
}

// CurrentClock returns the clock a case is working against now: the one running
// (at most one runs at a time), else the one paused, else false.
func CurrentClock(clocks []Clock) (Clock, bool) {
	var paused *Clock
	for i := len(clocks) - 1; i >= 0; i-- {
		switch {
		case clocks[i].Running():
			return clocks[i], true
		case clocks[i].Paused() && paused == nil:
			paused = &clocks[i]
		}
	}
	if paused != nil {
		return *paused, true
	}
	return Clock{}, false
}

// CaseDue is what a case stores of its current clock, for the queue's due
// column, its filters and its sort.
type CaseDue struct {
	Kind   ClockKind // "" when no clock runs or is paused
	On     string    // the due day, YYYY-MM-DD China time; "" when paused or none
	Paused bool
}

// DueOf returns the stored form of a history's current clock.
func DueOf(clocks []Clock) CaseDue {
	c, ok := CurrentClock(clocks)
	switch {
	case !ok:
		return CaseDue{}
	case c.Paused():
		return CaseDue{Kind: c.Kind, Paused: true}
	}
	return CaseDue{Kind: c.Kind, On: dayKey(c.Due)}
}

// SoonDueWorkingDays is how near a due day must be to count as 即将到期: due
// today or within the next two working days.
const SoonDueWorkingDays = 2

// DueWindow returns the inclusive range of due days (YYYY-MM-DD) the queue's two
// filters select at now: overdue is every day before today (to = the day before
// today, from = ""), soon is from today to SoonDueWorkingDays working days ahead.
func DueWindow(cal *Calendar, now time.Time, overdue bool) (from, to string) {
	today := startOfDay(now)
	if overdue {
		return "", dayKey(today.AddDate(0, 0, -1))
	}
	return dayKey(today), dayKey(cal.AddWorkingDays(today, SoonDueWorkingDays))
}

// DueState says where a stored due day stands at now: "overdue" (the day has
// passed), "soon" (within SoonDueWorkingDays working days), "paused", "running",
// or "" when the case has no clock.
func (d CaseDue) State(cal *Calendar, now time.Time) string {
	switch {
	case d.Kind == "":
		return ""
	case d.Paused:
		return "paused"
	}
	_, overdueTo := DueWindow(cal, now, true)
	_, soonTo := DueWindow(cal, now, false)
	switch {
	case d.On <= overdueTo:
		return "overdue"
	case d.On <= soonTo:
		return "soon"
	}
	return "running"
}

// ClockStore computes and keeps the clocks of cases. The store records each
// case's status history as it moves and keeps its current due (Case.DueKind,
// DueOn, DuePaused) in the same transaction.
type ClockStore interface {
	// CaseClocks returns the case's clocks, in the order they started, computed
	// from its status history with the stored limits on the stored calendar.
	// ENOTFOUND for an unknown case.
	CaseClocks(ctx context.Context, caseID int64) ([]Clock, error)
	// RecomputeDueDates makes d the limits and recomputes the stored due of every
	// case that may have a clock when the limits or the calendar changed since
	// the last time; it returns how many cases changed. Safe when several
	// instances call it at once. EINVALID for a limit below 1.
	RecomputeDueDates(ctx context.Context, d ClockDurations) (int, error)
}
