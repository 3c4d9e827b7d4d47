package testenv

import (
	"sync"
	"time"
)

// Clock is a fake clock for code that takes a Now func: pass its Now method, and
// move time with Advance. It is safe for concurrent use, as the code under
// test reads it from its own goroutines while the test moves it.
type Clock struct {
	mu     sync.Mutex
	start  time.Time // the time at offset 0; zero for a wall clock
	wall   bool      // start is the wall clock's time.Now
	offset time.Duration
}

// NewClock returns a clock that stands at start until moved.
func NewClock(start time.Time) *Clock { return &Clock{start: start} }

// NewWallClock returns a clock that follows the real time, shifted by whatever
// Advance adds, for tests whose code also waits on real timers.
func NewWallClock() *Clock { return &Clock{wall: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wall {
		return time.Now().Add(c.offset)
	}
	return c.start.Add(c.offset)
}

// Advance moves the clock forward by d (backward if d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
