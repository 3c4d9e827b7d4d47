package wechatsim

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Fault makes API calls fail the way WeChat's API does on a bad day. Queue
// it with Platform.FailNext; it applies to the next Times calls to Endpoint.
//
// A call takes the first queued fault that matches it and answers, after
// Delay, with the first of these that is set:
//
//   - HTTPStatus: that HTTP status and a plain-text body, as a gateway does
//     (502, 503, 504, …); no JSON, no errcode.
//   - ErrCode: HTTP 200 with {"errcode": ErrCode, "errmsg": …}, e.g. 45009
//     (daily quota), 45011 (minute quota) or -1 (system error).
//   - ExpireToken: the call's access_token expires now, so the call (and
//     every later one with that token) answers 42001 until the caller
//     fetches a new token.
//   - none: the call is served normally, only late.
//
// A call that fails this way is not carried out: nothing is recorded in
// Sent and no customer-service quota is used.
type Fault struct {
	// Endpoint is the API path after /cgi-bin/, such as
	// "message/custom/send", "message/template/send", "token",
	// "stable_token", "media/get" or "menu/create"; "" matches any.
	Endpoint string
	// Times is how many matching calls the fault applies to; 0 means 1.
	Times int
	// HTTPStatus, if set, is the HTTP status answered instead of JSON.
	HTTPStatus int
	// ErrCode, if set, is the WeChat error code answered with HTTP 200.
	ErrCode int
	// Delay holds the answer back this long, to test the caller's timeout.
	// If the caller gives up first (its request context ends and the
	// connection closes), the call is dropped without being carried out.
	Delay time.Duration
	// Until, if set, holds the answer back until it is closed (after Delay,
	// if both are set), so a test decides when a hung call returns. A
	// caller that gives up first drops the call, as with Delay.
	Until <-chan struct{}
	// ExpireToken expires the access_token the call carries. Such a fault
	// matches only calls that carry an access_token.
	ExpireToken bool
}

// FailNext queues f; calls consume queued faults in order. Faults are
// applied before the access_token is checked, so a Fault fails even a call
// whose token is bad.
func (p *Platform) FailNext(f Fault) {
	f.Endpoint = endpointName(f.Endpoint)
	if f.Times <= 0 {
		f.Times = 1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &f)
}

// PendingFaults returns how many fault applications are still queued (the
// sum of the Times left), so a test can check that all were used.
func (p *Platform) PendingFaults() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, f := range p.faults {
		n += f.Times
	}
	return n
}

// SetDown makes every API call answer HTTP 503 while down is true, as when
// WeChat's API is unreachable behind its gateway; nothing is carried out.
// SetDown(false) brings the API back.
func (p *Platform) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// Calls returns how many API requests reached endpoint (the path after
// /cgi-bin/, as in Fault.Endpoint), including refused and failed ones; ""
// counts all endpoints.
func (p *Platform) Calls(endpoint string) int {
	endpoint = endpointName(endpoint)
	p.mu.Lock()
	defer p.mu.Unlock()
	if endpoint != "" {
		return p.calls[endpoint]
	}
	n := 0
	for _, c := range p.calls {
		n += c
	}
	return n
}

// endpointName turns "/cgi-bin/message/custom/send" or
// "message/custom/send" into "message/custom/send".
func endpointName(path string) string {
	return strings.Trim(strings.TrimPrefix(strings.TrimLeft(path, "/"), "cgi-bin/"), "/")
}

// takeFault counts a call to endpoint and returns whether the API is down
// and the queued fault it consumes, if any.
func (p *Platform) takeFault(endpoint string, hasToken bool) (down bool, f Fault, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[endpoint]++
	if p.down {
		return true, Fault{}, false
	}
	for i, q := range p.faults {
		if (q.Endpoint != "" && q.Endpoint != endpoint) || (q.ExpireToken && !hasToken) {
			continue
		}
		q.Times--
		if q.Times == 0 {
			p.faults = append(p.faults[:i], p.faults[i+1:]...)
		}
		return false, *q, true
	}
	return false, Fault{}, false
}

// faulty wraps the API handler with SetDown and the queued faults.
func (p *Platform) faulty(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/cgi-bin/") {
			next.ServeHTTP(w, r)
			return
		}
		tok := r.URL.Query().Get("access_token")
		down, f, ok := p.takeFault(endpointName(r.URL.Path), tok != "")
		if down {
			writeStatus(w, http.StatusServiceUnavailable)
			return
		}
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if (f.Delay > 0 || f.Until != nil) && !delay(w, r, f.Delay, f.Until) {
			return // the caller gave up: drop the call
		}
		switch {
		case f.HTTPStatus != 0:
			writeStatus(w, f.HTTPStatus)
		case f.ErrCode != 0:
			writeResult(w, f.ErrCode, nil)
		default:
			if f.ExpireToken {
				p.expireToken(tok)
			}
			next.ServeHTTP(w, r)
		}
	})
}

// delay waits d and then until until is closed (nil: not at all), or until
// the caller gives up, and reports whether to answer. It reads the body
// first: only then does net/http notice a caller that closes the connection
// and end the request's context.
func delay(w http.ResponseWriter, r *http.Request, d time.Duration, until <-chan struct{}) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err != nil {
		writeResult(w, 47001, nil)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return false
	}
	if until != nil {
		select {
		case <-until:
		case <-r.Context().Done():
			return false
		}
	}
	return r.Context().Err() == nil
}

// writeStatus answers a bare HTTP error, as WeChat's gateway does.
func writeStatus(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "%d %s\n", status, http.StatusText(status))
}
