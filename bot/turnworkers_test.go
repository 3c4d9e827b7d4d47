package bot

import (
	"sync"
	"testing"
	"time"
)

// Go must never make a turn wait for another: with every worker busy it starts
// a new one, so 50 turns that each block until all 50 have started all finish.
func TestTurnWorkersNeverQueueATurn(t *testing.T) {
	p := newTurnWorkers(time.Minute)
	const n = 50
	var started, finished sync.WaitGroup
	started.Add(n)
	finished.Add(n)
	release := make(chan struct{})
	for range n {
		p.Go(func() {
			started.Done()
			<-release
			finished.Done()
		})
	}
	started.Wait() // would hang if a turn waited for a busy worker
	close(release)
	finished.Wait()
}

// A worker that finished a turn takes the next one: turns handed over one after
// another all run, in order, whether an idle worker or a new one takes them.
func TestTurnWorkersRunEveryTurnHandedOver(t *testing.T) {
	p := newTurnWorkers(time.Minute)
	var got []int
	for i := range 100 {
		done := make(chan struct{})
		p.Go(func() { got = append(got, i); close(done) })
		<-done
	}
	if len(got) != 100 || got[0] != 0 || got[99] != 99 {
		t.Fatalf("ran %d turns (%v…), want 100 in order", len(got), got[:min(len(got), 5)])
	}
}
