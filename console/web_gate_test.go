package console

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The gate's tests learn that a request has joined the queue from the gate's
// queued hook, never from the clock: each waiter is started only once the one
// before it is in the queue, so the order of arrival is the order of the loop.

// enterQueued starts enter(ctx) in a goroutine, returns once the call is in
// the queue, and returns the channel enter's result arrives on.
func enterQueued(t *testing.T, g *gate, ctx context.Context) <-chan error {
	t.Helper()
	inQueue := make(chan struct{})
	g.queued = func() { close(inQueue) }
	done := make(chan error, 1)
	go func() { done <- g.enter(ctx) }()
	<-inQueue
	g.queued = nil // read by the goroutine before it closed inQueue
	return done
}

// gateState is what the gate holds: free slots and waiters.
func gateState(g *gate) (free, waiting int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.free, g.waiters.Len()
}

func TestGateAdmitsWaitersInArrivalOrder(t *testing.T) {
	g := newGate(1)
	if err := g.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	const n = 6
	admitted := make(chan int, n) // each waiter's number as it gets in
	for i := range n {
		done := enterQueued(t, g, context.Background())
		go func() {
			if err := <-done; err != nil {
				t.Errorf("waiter %d: %v", i, err)
			}
			admitted <- i
		}()
	}
	// One slot: each waiter, once admitted, holds it until it is seen here and
	// let go, so the order they come in is the order they are seen.
	for want := range n {
		g.leave()
		if got := <-admitted; got != want {
			t.Fatalf("waiter %d got in when waiter %d was next", got, want)
		}
	}
	g.leave()
	if free, waiting := gateState(g); free != 1 || waiting != 0 {
		t.Fatalf("after all left: %d free, %d waiting; want 1, 0", free, waiting)
	}
}

func TestGateHoldsItsLimit(t *testing.T) {
	g := newGate(2)
	for i := range 2 {
		if err := g.enter(context.Background()); err != nil {
			t.Fatalf("holder %d: %v", i, err)
		}
	}
	third := enterQueued(t, g, context.Background())
	if free, waiting := gateState(g); free != 0 || waiting != 1 {
		t.Fatalf("two holders and a third request: %d free, %d waiting; want 0, 1", free, waiting)
	}
	g.leave()
	if err := <-third; err != nil {
		t.Fatal(err)
	}
	// The slot went straight to the waiter: still none free.
	if free, waiting := gateState(g); free != 0 || waiting != 0 {
		t.Fatalf("slot handed over: %d free, %d waiting; want 0, 0", free, waiting)
	}
	// A newcomer now queues too, even though a slot has just changed hands.
	fourth := enterQueued(t, g, context.Background())
	g.leave()
	g.leave()
	if err := <-fourth; err != nil {
		t.Fatal(err)
	}
	g.leave()
	if free, waiting := gateState(g); free != 2 || waiting != 0 {
		t.Fatalf("all left: %d free, %d waiting; want 2, 0", free, waiting)
	}
}

func TestGateDropsAWaiterWhoseClientLeft(t *testing.T) {
	g := newGate(1)
	if err := g.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, hangUp := context.WithCancel(context.Background())
	gone := enterQueued(t, g, ctx)
	next := enterQueued(t, g, context.Background())
	hangUp()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("the waiter whose client left: %v, want context.Canceled", err)
	}
	if _, waiting := gateState(g); waiting != 1 {
		t.Fatalf("%d waiting after one left; want 1", waiting)
	}
	g.leave()
	if err := <-next; err != nil {
		t.Fatalf("the waiter behind: %v", err)
	}
	g.leave()
	if free, waiting := gateState(g); free != 1 || waiting != 0 {
		t.Fatalf("all left: %d free, %d waiting; want 1, 0", free, waiting)
	}
}

// A client that leaves just as the slot is handed to it must not take the slot
// with it: abandon passes it on.
func TestGateWaiterLeavingAsItIsAdmittedPassesTheSlotOn(t *testing.T) {
	g := newGate(1)
	if err := g.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	g.mu.Lock()
	place := g.waiters.PushBack(ready)
	g.mu.Unlock()
	g.leave() // hands the slot to the waiter: closes ready
	if err := g.abandon(place, ready, context.Canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("abandon: %v", err)
	}
	if free, waiting := gateState(g); free != 1 || waiting != 0 {
		t.Fatalf("after the admitted waiter left: %d free, %d waiting; want 1, 0", free, waiting)
	}
}

func TestGateRefusesAContextAlreadyEndedWhenItWouldWait(t *testing.T) {
	g := newGate(1)
	if err := g.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.enter(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("enter with an ended context: %v", err)
	}
	if free, waiting := gateState(g); free != 0 || waiting != 0 {
		t.Fatalf("%d free, %d waiting; want 0, 0", free, waiting)
	}
}

// A request whose client hangs up while it waits gets no answer, leaves the
// queue, and is a debug line, not an ERROR.
func TestQueuedRequestWhoseClientLeftIsDroppedQuietly(t *testing.T) {
	e := newAuthEnv(t, func(c *Config) { c.MaxInFlight = 1 })
	if err := e.srv.gate.enter(context.Background()); err != nil { // a request at work
		t.Fatal(err)
	}
	ctx, hangUp := context.WithCancel(context.Background())
	e.srv.gate.queued = hangUp
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, httptest.NewRequest("GET", "http://desk.example/console/login", nil).WithContext(ctx))
	if w.Body.Len() != 0 {
		t.Fatalf("answered a client that had left: %d %q", w.Code, w.Body.String())
	}
	if _, waiting := gateState(e.srv.gate); waiting != 0 {
		t.Fatalf("%d still waiting", waiting)
	}
	logs := e.logs.String()
	if strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, `msg="client gone while queued"`) {
		t.Fatalf("want a debug line and no error:\n%s", logs)
	}
	e.srv.gate.leave()
	if w := e.browser().do("GET", "/console/login", nil); w.Code != http.StatusOK {
		t.Fatalf("the next request: %d", w.Code)
	}
}

// The static files do no database work and pass the gate by.
func TestStaticFilesPassTheGate(t *testing.T) {
	e := newAuthEnv(t, func(c *Config) { c.MaxInFlight = 1 })
	if err := e.srv.gate.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e.srv.gate.leave()
	if w := e.browser().do("GET", "/console/static/console.css", nil); w.Code != http.StatusOK {
		t.Fatalf("a static file with the gate full: %d", w.Code)
	}
}

// A request gives its slot back when its answer's body starts, and every
// request gives it back by the end, whatever it wrote.
func TestRequestGivesItsSlotBack(t *testing.T) {
	e := newAuthEnv(t, func(c *Config) { c.MaxInFlight = 1 })
	var heldWhileWorking, freeWhileSending int
	h := e.srv.admit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		heldWhileWorking, _ = gateState(e.srv.gate)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("a"))
		freeWhileSending, _ = gateState(e.srv.gate)
		_, _ = w.Write([]byte("b"))
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/cases", nil))
	if heldWhileWorking != 0 || freeWhileSending != 1 {
		t.Fatalf("free slots while working %d (want 0), once the body started %d (want 1)", heldWhileWorking, freeWhileSending)
	}
	if free, _ := gateState(e.srv.gate); free != 1 {
		t.Fatalf("%d free after the request; want 1", free)
	}
	silent := e.srv.admit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	silent.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/cases", nil))
	if free, _ := gateState(e.srv.gate); free != 1 {
		t.Fatalf("%d free after a request without a body; want 1", free)
	}
}

// A request that works past gateHoldLimit gives its slot up: the queue goes on
// while it finishes, and its slot is not given back twice.
func TestALongRequestLetsTheQueueGoOn(t *testing.T) {
	e := newAuthEnv(t, func(c *Config) { c.MaxInFlight = 1 })
	timeUp := make(chan func(), 1)
	e.srv.gate.afterHold = func(release func()) func() bool {
		timeUp <- release // the test says when the hold limit has passed
		return func() bool { return true }
	}
	working, finish := make(chan struct{}), make(chan struct{})
	long := e.srv.admit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(working)
		<-finish
		w.WriteHeader(http.StatusNoContent)
	}))
	longDone := make(chan struct{})
	go func() {
		defer close(longDone)
		long.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/console/reports", nil))
	}()
	<-working
	if free, _ := gateState(e.srv.gate); free != 0 {
		t.Fatalf("%d free slots while the long request works; want 0", free)
	}
	(<-timeUp)() // its hold limit passes
	if w := e.browser().do("GET", "/console/login", nil); w.Code != http.StatusOK {
		t.Fatalf("a request behind the long one: %d", w.Code)
	}
	<-timeUp // the second request's own timer, never fired
	close(finish)
	<-longDone
	if free, waiting := gateState(e.srv.gate); free != 1 || waiting != 0 {
		t.Fatalf("after both: %d free, %d waiting; want 1 and 0", free, waiting)
	}
}
