package console

import (
	"container/list"
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"
)

// The console's admission gate. A console or API request is mostly database
// work: a token or session lookup, a query or two, a few hundred microseconds
// of the server's own CPU. Run eight of them at once on two cores and eight
// PostgreSQL backends, the server and the client take turns under the
// kernel's scheduler, and a request's latency depends on how often it loses
// that lottery: the queue's medians stayed at 6–14 ms while its p99 wandered
// from 42 to 350 ms (docs/speed-history.md, "Console"). database/sql is no help: a
// connection freed in a full pool goes to a random waiter, not the oldest.
//
// So at most Config.MaxInFlight requests do their work at once, and the others
// wait in the order they arrived: a request that waits, waits for the ones
// ahead of it and no longer. The webhook and the merchant portal are other
// handlers and never pass here.

// DefaultMaxInFlight is the gate's width when Config.MaxInFlight is 0: one
// request per core the Go runtime may use. A request spends most of its time
// on a core (the server's or PostgreSQL's), so more at once only adds turns to
// wait.
func DefaultMaxInFlight() int { return runtime.GOMAXPROCS(0) }

// gate admits at most a fixed number of holders at once and queues the rest
// in arrival order (a FIFO: a freed slot goes to the oldest waiter, handed
// over directly, so a newcomer cannot overtake the queue).
type gate struct {
	mu      sync.Mutex
	free    int       // slots nobody holds
	waiters list.List // chan struct{} per waiter, oldest first; closed when handed a slot
	// afterHold arranges for release to run once a request has held its slot
	// for gateHoldLimit, and returns what cancels that; a test replaces it to
	// say when the time is up instead of the clock.
	afterHold func(release func()) (stop func() bool)
	// queued, when set (by tests), is called after a request joins the queue:
	// a test learns the order of arrival from it rather than from the clock.
	queued func()
}

// gateHoldLimit is how long a request keeps its slot at most. The gate is
// there to order short requests; one that takes longer (a year's report, a
// large export, a database that stalls) goes on without its slot, so that it
// holds up the queue behind it for this long and no longer.
const gateHoldLimit = 100 * time.Millisecond

func newGate(slots int) *gate {
	return &gate{free: slots, afterHold: func(release func()) func() bool {
		return time.AfterFunc(gateHoldLimit, release).Stop
	}}
}

// enter takes a slot, waiting behind the earlier arrivals when there is none.
// It gives up when ctx ends (the client hung up, or the server is shutting
// down), leaving the queue; the error is then ctx's.
func (g *gate) enter(ctx context.Context) error {
	g.mu.Lock()
	if g.free > 0 && g.waiters.Len() == 0 {
		g.free--
		g.mu.Unlock()
		return nil
	}
	if err := ctx.Err(); err != nil {
		g.mu.Unlock()
		return err
	}
	ready := make(chan struct{})
	place := g.waiters.PushBack(ready)
	g.mu.Unlock()
	if g.queued != nil {
		g.queued()
	}
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return g.abandon(place, ready, ctx.Err())
	}
}

// abandon takes a waiter whose context ended out of the queue. If a slot was
// handed to it in the meantime, the slot goes on to the next waiter.
func (g *gate) abandon(place *list.Element, ready chan struct{}, err error) error {
	g.mu.Lock()
	select {
	case <-ready:
		g.mu.Unlock()
		g.leave()
	default:
		g.waiters.Remove(place)
		g.mu.Unlock()
	}
	return err
}

// leave frees a slot taken by enter: to the oldest waiter if there is one.
func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if oldest := g.waiters.Front(); oldest != nil {
		close(g.waiters.Remove(oldest).(chan struct{}))
		return
	}
	g.free++
}

// admit runs each request through the gate, the static files excepted (no
// database work). A request whose client leaves while it waits is dropped
// without an answer (nobody would read it) and without an error in the log.
// The slot is held until the handler starts writing its answer's body: the
// work is done by then, and sending a long download to a slow client must not
// keep everyone else waiting. A request still at work after gateHoldLimit
// gives its slot up and finishes outside the gate.
func (s *Server) admit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/console/static/") {
			next.ServeHTTP(w, r)
			return
		}
		if err := s.gate.enter(r.Context()); err != nil {
			s.cfg.Logger.Debug("client gone while queued", "path", r.URL.Path, "err", err)
			return
		}
		gw := &gatedWriter{ResponseWriter: w, leave: sync.OnceFunc(s.gate.leave)}
		defer gw.leave()
		defer s.gate.afterHold(gw.leave)()
		next.ServeHTTP(gw, r)
	})
}

// gatedWriter gives the request's slot back at the first byte of the body.
type gatedWriter struct {
	http.ResponseWriter
	leave func() // idempotent
}

func (w *gatedWriter) Write(p []byte) (int, error) {
	w.leave()
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *gatedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
