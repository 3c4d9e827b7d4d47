package main

import (
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
)

// outcome is what became of one callback.
type outcome int

const (
	answered outcome = iota // a text reply other than busy
	busy                    // the busy reply
	late                    // "success": the answer will be pushed later
	failed                  // HTTP error, bad reply, refused status
	timedOut                // the client gave up
)

// poolWait is the longest a request waited for a connection of the client's
// pool (-conns): time in took that the generator, not the server, added.
var poolWait atomic.Int64

func notePoolWait(d time.Duration) {
	for cur := poolWait.Load(); int64(d) > cur && !poolWait.CompareAndSwap(cur, int64(d)); cur = poolWait.Load() {
	}
}

// send posts req and classifies the reply; took runs from just before the
// request is handed to the transport to the first byte of the answer.
func send(c *wechatsim.Client, req *http.Request, busyText string) (outcome, time.Duration, string) {
	// Atomic: after a timeout the transport may still call the hooks.
	var first, conn atomic.Int64
	trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { first.Store(time.Now().UnixNano()) },
		GotConn: func(httptrace.GotConnInfo) { conn.Store(time.Now().UnixNano()) }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	t0 := time.Now()
	r, err := c.Do(req)
	end := time.Now()
	if f := first.Load(); f != 0 {
		end = time.Unix(0, f)
	}
	took := end.Sub(t0)
	if c := conn.Load(); c != 0 {
		notePoolWait(time.Unix(0, c).Sub(t0))
	}
	if err != nil {
		return errorOutcome(err), took, err.Error()
	}
	out, text := classify(r, nil, busyText)
	return out, took, text
}

// classify tells what a checked reply was: the busy reply, "success" (the
// answer comes later), a failure, or an answer (returned with its text).
func classify(r *wechatsim.Reply, err error, busyText string) (outcome, string) {
	switch {
	case err != nil:
		return failed, err.Error()
	case r.Success:
		return late, ""
	case strings.HasPrefix(r.Content, busyText):
		return busy, ""
	}
	return answered, r.Content
}

// calibrate runs a closed loop of o.workers senders for o.calib and returns the
// non-busy answers per second after the first second (connections opening).
func calibrate(c *wechatsim.Client, o options, reqs []*http.Request) float64 {
	var done, next atomic.Int64
	var warm int64
	end := time.Now().Add(o.calib)
	t := time.AfterFunc(time.Second, func() { atomic.StoreInt64(&warm, done.Load()) })
	defer t.Stop()
	var wg sync.WaitGroup
	for range o.workers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(reqs)) && time.Now().Before(end); i = next.Add(1) - 1 {
				if out, _, _ := send(c, reqs[i], o.busy); out == answered || out == late {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(done.Load()-atomic.LoadInt64(&warm)) / (o.calib - time.Second).Seconds()
}

// offer sends reqs open loop at rate per second, each at its scheduled time
// whatever the others are doing, and collects the outcomes.
func offer(c *wechatsim.Client, o options, reqs []*http.Request, rate float64) *results {
	res := newResults(len(reqs))
	poolWait.Store(0) // this phase's only
	var wg sync.WaitGroup
	start := time.Now()
	for i, req := range reqs {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		res.lag(time.Since(at))
		wg.Go(func() { res.add(send(c, req, o.busy)) })
	}
	res.offered = time.Since(start)
	wg.Wait()
	return res
}
