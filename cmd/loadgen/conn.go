package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
)

// filerConn is one intake filer's own keep-alive connection to the webhook.
// The generator shares the machine's cores with the server it measures, so
// its own cost counts: net/http's client runs two goroutines per connection
// and hands every request and answer between them, which made the intake
// scenario's generator use about 0.3 of the 2 cores. A filer sends one message
// at a time and waits for the answer, so it needs no pool and no hand-over: it
// writes to and reads from its connection itself.
type filerConn struct {
	c       *wechatsim.Client
	timeout time.Duration
	conn    net.Conn
	br      *bufio.Reader
	bw      *bufio.Writer
}

// send posts req on the filer's connection (dialled when there is none) and
// classifies the reply as send does; took runs from writing the request to
// reading the answer's header.
func (f *filerConn) send(req *http.Request, busyText string) (outcome, time.Duration, string) {
	t0 := time.Now()
	resp, err := f.roundTrip(req)
	took := time.Since(t0)
	if err != nil {
		f.drop()
		return errorOutcome(err), took, err.Error()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	resp.Body.Close()
	if err != nil || resp.Close {
		f.drop()
	}
	if err != nil {
		return errorOutcome(err), took, err.Error()
	}
	r, err := f.c.ReadReply(resp.StatusCode, body, req.URL.Query().Get("openid"))
	out, text := classify(r, err, busyText)
	return out, took, text
}

// maxAnswerBytes bounds an answer read; a passive reply is a few hundred bytes.
const maxAnswerBytes = 1 << 20

// roundTrip writes req and reads the answer's header, within f.timeout.
func (f *filerConn) roundTrip(req *http.Request) (*http.Response, error) {
	if f.conn == nil {
		conn, err := net.DialTimeout("tcp", req.URL.Host, f.timeout)
		if err != nil {
			return nil, err
		}
		f.conn, f.br, f.bw = conn, bufio.NewReader(conn), bufio.NewWriter(conn)
	}
	if err := f.conn.SetDeadline(time.Now().Add(f.timeout)); err != nil {
		return nil, err
	}
	if err := req.Write(f.bw); err != nil {
		return nil, err
	}
	if err := f.bw.Flush(); err != nil {
		return nil, err
	}
	return http.ReadResponse(f.br, req)
}

// drop closes the connection after a failure, so the next message dials anew
// instead of reading a half-finished answer.
func (f *filerConn) drop() {
	if f.conn != nil {
		f.conn.Close()
		f.conn = nil
	}
}

// errorOutcome classifies a transport error: the client's deadline, or a failure.
func errorOutcome(err error) outcome {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return timedOut
	}
	return failed
}
