package bot

import (
	"sync/atomic"
	"time"
)

// Defaults of the webhook's admission control.
const (
	// DefaultMaxTurns bounds the dialog turns one instance runs at once. A turn is
	// a few Redis round trips and sometimes a database write, so 64 keep both pools
	// busy without queueing inside them, where no deadline can be kept.
	DefaultMaxTurns = 64
	// DefaultTurnWait is how long a callback may wait for a free slot before it is
	// answered busy: short, so the turn that does start has most of the budget.
	DefaultTurnWait = 500 * time.Millisecond
)

// admission bounds the turns in flight. A callback that cannot get a slot within
// its wait is answered busy at once: queueing it behind the others would only make
// it miss WeChat's 5 s, and starting it anyway would slow every turn already
// running (the 2-core overload of issue 7 pushed busy replies past 5 s). The
// waiters are bounded too, to as many as there are slots: under sustained overload
// the rest are shed without waiting, so they hold no connection and no goroutine
// for the whole wait.
type admission struct {
	slots   chan struct{}
	wait    time.Duration
	waiting atomic.Int64
}

func newAdmission(maxTurns int, wait time.Duration) *admission {
	return &admission{slots: make(chan struct{}, maxTurns), wait: wait}
}

// acquire takes a slot, waiting at most the admission wait and never past
// deadline; false means the callback must be shed.
func (a *admission) acquire(deadline time.Time) bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default: // full: wait below, but only as long as allowed
	}
	wait := min(a.wait, time.Until(deadline))
	if wait <= 0 {
		return false
	}
	defer a.waiting.Add(-1)
	if a.waiting.Add(1) > int64(cap(a.slots)) {
		return false // the queue is full: a slot would not come free in time anyway
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-timer.C:
		return false
	}
}

// release frees a slot taken by acquire.
func (a *admission) release() { <-a.slots }

// inFlight is the number of turns holding a slot.
func (a *admission) inFlight() int { return len(a.slots) }
