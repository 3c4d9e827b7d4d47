package testenv

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// echoServer answers each line with the same line.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					_, _ = c.Write([]byte(line))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestProxyPauseHoldsTrafficAndResumeDeliversIt(t *testing.T) {
	p := StartProxy(t, echoServer(t))
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	roundTrip := func(s string) string {
		if _, err := c.Write([]byte(s + "\n")); err != nil {
			t.Fatal(err)
		}
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return line
	}
	if got := roundTrip("one"); got != "one\n" {
		t.Fatalf("before pause: %q", got)
	}

	p.Pause()
	if _, err := c.Write([]byte("two\n")); err != nil {
		t.Fatal(err)
	}
	p.WaitHeld(t, 1, 5*time.Second)
	_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("an answer came through a paused proxy")
	}
	_ = c.SetReadDeadline(time.Time{})
	p.Resume()
	line, err := r.ReadString('\n')
	if err != nil || line != "two\n" {
		t.Fatalf("after resume: %q, %v", line, err)
	}
}

func TestProxyCutAllDropsConnections(t *testing.T) {
	p := StartProxy(t, echoServer(t))
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("x\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	p.CutAll()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("connection still open after CutAll")
	}
}

func TestProxyDownRefusesUntilUp(t *testing.T) {
	p := StartProxy(t, echoServer(t))
	echo := func() error {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			return err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte("x\n")); err != nil {
			return err
		}
		_, err = bufio.NewReader(c).ReadString('\n')
		return err
	}
	if err := echo(); err != nil {
		t.Fatalf("before Down: %v", err)
	}
	p.Down()
	if err := echo(); err == nil {
		t.Fatal("a connection through a downed proxy was answered")
	}
	p.Up()
	if err := echo(); err != nil {
		t.Fatalf("after Up: %v", err)
	}
}
