package sqlstore

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// wireCounter stands between the store and PostgreSQL and counts what the
// client sends, by the protocol's message types: each statement is a Parse
// ('P', a query with arguments) or a simple Query ('Q': BEGIN, COMMIT, a query
// without arguments), and each round trip ends in a Sync ('S') or a Query.
// It measures the cost of an operation in statements without trusting the
// code's own account of them.
type wireCounter struct {
	ln         net.Listener
	target     string
	statements atomic.Int64
	roundTrips atomic.Int64
	wg         sync.WaitGroup
}

// startWireCounter listens on a local port, forwards every connection to the
// server of the PostgreSQL URL target, and returns the URL to reach it through
// the counter (sslmode=disable: the counter reads plain messages).
func startWireCounter(t testing.TB, target string) (string, *wireCounter) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &wireCounter{ln: ln, target: u.Host}
	w.wg.Go(w.accept)
	t.Cleanup(func() { ln.Close(); w.wg.Wait() })
	u.Host = ln.Addr().String()
	return u.String(), w
}

// reset zeroes the counts.
func (w *wireCounter) reset() {
	w.statements.Store(0)
	w.roundTrips.Store(0)
}

func (w *wireCounter) accept() {
	for {
		c, err := w.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", w.target)
		if err != nil {
			c.Close()
			continue
		}
		w.wg.Go(func() { _, _ = io.Copy(c, s); c.Close() })
		w.wg.Go(func() { w.count(s, c); s.Close() })
	}
}

// count copies the client's messages to the server, counting them. The first
// message (start-up) has no type byte; every later one is a type byte and a
// length that includes itself.
func (w *wireCounter) count(dst io.Writer, src io.Reader) {
	head := make([]byte, 4)
	if _, err := io.ReadFull(src, head); err != nil {
		return
	}
	if err := forward(dst, src, head, int(binary.BigEndian.Uint32(head))-4); err != nil {
		return
	}
	head = make([]byte, 5)
	for {
		if _, err := io.ReadFull(src, head); err != nil {
			return
		}
		switch head[0] {
		case 'P':
			w.statements.Add(1)
		case 'Q':
			w.statements.Add(1)
			w.roundTrips.Add(1)
		case 'S':
			w.roundTrips.Add(1)
		}
		if err := forward(dst, src, head, int(binary.BigEndian.Uint32(head[1:]))-4); err != nil {
			return
		}
	}
}

// forward writes head and the n bytes of the message's body that follow it.
func forward(dst io.Writer, src io.Reader, head []byte, n int) error {
	if n < 0 {
		return errors.New("bad message length")
	}
	if _, err := dst.Write(head); err != nil {
		return err
	}
	_, err := io.CopyN(dst, src, int64(n))
	return err
}
