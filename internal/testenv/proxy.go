// Proxy injects real network faults between the service and a real PostgreSQL or
// Redis server, so a test can stall or cut the connection the way a paused (kill
// -STOP) or crashed server would, without touching the server itself (which other
// tests share).

package testenv

import (
	"net"
	"sync"
	"testing"
	"time"
)

// Proxy is a TCP proxy in front of a real server. While paused, it keeps accepting
// and reading but forwards nothing in either direction, as a stalled server would;
// Resume lets the held bytes through in order. CutAll drops every live connection;
// Down and Up stop and restart the server as far as clients can tell.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	open  chan struct{} // closed while traffic flows
	conns map[net.Conn]struct{}
	down  bool          // new connections are closed at once, as by a crashed server
	held  int           // chunks waiting at the gate right now
	heldC chan struct{} // signalled when held grows
	done  chan struct{}
	wg    sync.WaitGroup
}

// StartProxy listens on a free loopback port and forwards to target (host:port).
// It is closed when the test ends.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	open := make(chan struct{})
	close(open)
	p := &Proxy{ln: ln, target: target, open: open, conns: map[net.Conn]struct{}{},
		heldC: make(chan struct{}, 1), done: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr is the proxy's host:port; point the client at it instead of the server.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Pause stops forwarding: requests and answers in flight are held, not dropped.
func (p *Proxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.open:
		p.open = make(chan struct{})
	default: // already paused
	}
}

// Resume lets held and new traffic through.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.open:
	default:
		close(p.open)
	}
}

// Held is how many chunks of traffic are waiting at the paused gate.
func (p *Proxy) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// WaitHeld blocks until at least n chunks are held at the paused gate (so a test
// knows its client is really stuck on the stall), or fails the test after timeout.
func (p *Proxy) WaitHeld(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for p.Held() < n {
		select {
		case <-p.heldC:
		case <-deadline.C:
			t.Fatalf("proxy: %d chunks held after %v, want %d", p.Held(), timeout, n)
		}
	}
}

// CutAll closes every live connection, as a crashed server or a broken network
// would; new connections are still accepted.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
}

// Down makes the server look crashed: every live connection is cut and each new
// one is closed as soon as it is accepted, so clients fail at once, as they do
// against a stopped server. Up ends it.
func (p *Proxy) Down() {
	p.mu.Lock()
	p.down = true
	p.mu.Unlock()
	p.CutAll()
}

// Up forwards new connections again, as after the server restarts.
func (p *Proxy) Up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// Close stops the proxy and drops its connections.
func (p *Proxy) Close() {
	select {
	case <-p.done:
		return
	default:
	}
	close(p.done)
	_ = p.ln.Close()
	p.CutAll()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.isDown() {
			_ = client.Close()
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		if !p.track(client, server) {
			return
		}
		p.wg.Add(2)
		go p.pipe(server, client)
		go p.pipe(client, server)
	}
}

// isDown reports whether Down is in force.
func (p *Proxy) isDown() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.down
}

// track registers a connection pair, unless the proxy is closing.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	default:
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

// pipe copies src to dst, each chunk through the gate. When either side ends, both
// are closed.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	defer p.drop(dst, src)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.pass() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // EOF or a closed connection: either way this pair is done
			return
		}
	}
}

// pass waits at the gate; false when the proxy closes meanwhile.
func (p *Proxy) pass() bool {
	p.mu.Lock()
	gate := p.open
	select {
	case <-gate:
		p.mu.Unlock()
		return true
	default:
	}
	p.held++
	select {
	case p.heldC <- struct{}{}:
	default:
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.held--
		p.mu.Unlock()
	}()
	select {
	case <-gate:
		return true
	case <-p.done:
		return false
	}
}

func (p *Proxy) drop(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}
