package bot

import (
	"context"
	"sync"

	"github.com/complaintbot/complaintbot/storage"
)

// sentLog records a batch's deliveries while the batch is still sending. A
// delivery is committed as soon as no other commit of the log is under way, and
// those that return during a commit share the next one. So no delivery waits for
// a slow send of its batch: a crash repeats only the sends in flight and the
// deliveries of the one commit then under way (milliseconds' worth), while a
// fast batch still costs a few commits rather than one per notice, which keeps
// the throughput of recording a whole batch at once.
type sentLog struct {
	mu      sync.Mutex
	pending []storage.SentMark
	wake    chan struct{} // holds one token while marks wait
}

// newSentLog returns an empty log.
func newSentLog() *sentLog {
	return &sentLog{wake: make(chan struct{}, 1)}
}

// add queues a delivery and wakes the recorder.
func (l *sentLog) add(m storage.SentMark) {
	l.mu.Lock()
	l.pending = append(l.pending, m)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default: // a wake-up is pending already and will take it
	}
}

// take removes and returns the waiting deliveries.
func (l *sentLog) take() []storage.SentMark {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.pending
	l.pending = nil
	return out
}

// recordSent commits the log's deliveries as they come until done is closed,
// then commits the rest.
func (p *Pusher) recordSent(ctx context.Context, l *sentLog, done <-chan struct{}) {
	for {
		select {
		case <-l.wake:
			p.commitSent(ctx, l.take())
		case <-done:
			p.commitSent(ctx, l.take())
			return
		}
	}
}

// commitSent marks deliveries sent in one transaction.
func (p *Pusher) commitSent(ctx context.Context, marks []storage.SentMark) {
	if len(marks) == 0 {
		return
	}
	// The commit gets its own time: the sends may have used up ctx's.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.Lease/4)
	defer cancel()
	lost, err := p.store.MarkNotificationsSent(ctx, marks)
	if err != nil {
		// The leases expire and the rows are tried again: duplicates, which is
		// why leases are far longer than a send.
		p.log.Error("outbox record failed", "rows", len(marks), "err", err)
	}
	for _, id := range lost {
		p.log.Warn("notification sent after its lease ended", "id", id)
	}
}
