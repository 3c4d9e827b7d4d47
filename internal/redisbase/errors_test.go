package redisbase

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/storage"
)

// TestMapErrorServerReplies sends real error replies through go-redis's parser, so
// the test breaks if go-redis stops recognising one of them.
func TestMapErrorServerReplies(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	tests := []struct {
		reply string
		code  string
	}{
		{"LOADING Redis is loading the dataset in memory", storage.EUNAVAILABLE},
		{"READONLY You can't write against a read only replica.", storage.EUNAVAILABLE},
		{"CLUSTERDOWN The cluster is down", storage.EUNAVAILABLE},
		{"TRYAGAIN Multiple keys request during rehashing of slot", storage.EUNAVAILABLE},
		{"MASTERDOWN Link with MASTER is down", storage.EUNAVAILABLE},
		{"ERR max number of clients reached", storage.EUNAVAILABLE},
		{"OOM command not allowed when used memory > 'maxmemory'.", storage.EUNAVAILABLE},
		{"WRONGTYPE Operation against a key holding the wrong kind of value", storage.EINTERNAL},
		{"NOSCRIPT No matching script.", storage.EINTERNAL},
		{"ERR Error running script", storage.EINTERNAL},
	}
	for _, tt := range tests {
		m.SetError(tt.reply)
		err := rdb.Get(t.Context(), "k").Err()
		if err == nil {
			t.Fatalf("%q: miniredis sent no error", tt.reply)
		}
		got := MapError("redisstore: find session", err)
		if code := storage.ErrorCode(got); code != tt.code {
			t.Errorf("%q: code %q, want %q (%v)", tt.reply, code, tt.code, got)
		}
		if msg := storage.ErrorMessage(got); msg != "redisstore: find session failed" {
			t.Errorf("%q: message %q", tt.reply, msg)
		}
		if !errors.Is(got, err) {
			t.Errorf("%q: the cause is not in the chain: %v", tt.reply, got)
		}
		if Transient(err) != (tt.code == storage.EUNAVAILABLE) {
			t.Errorf("Transient(%q) = %v", tt.reply, Transient(err))
		}
	}
}

// TestMapErrorNoAnswer checks that failures without a server reply — a refused
// connection, a deadline — are EUNAVAILABLE and keep their cause.
func TestMapErrorNoAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	refused := rdb.Get(t.Context(), "k").Err()
	if refused == nil {
		t.Fatal("GET on a closed port succeeded")
	}
	for name, cause := range map[string]error{
		"refused":  refused,
		"deadline": context.DeadlineExceeded,
		"canceled": context.Canceled,
	} {
		got := MapError("dialog state store", cause)
		if code := storage.ErrorCode(got); code != storage.EUNAVAILABLE {
			t.Errorf("%s: code %q, want %q (%v)", name, code, storage.EUNAVAILABLE, got)
		}
		if msg := storage.ErrorMessage(got); msg != "dialog state store failed" {
			t.Errorf("%s: message %q", name, msg)
		}
		if !errors.Is(got, cause) {
			t.Errorf("%s: the cause is not in the chain: %v", name, got)
		}
		if Transient(cause) {
			t.Errorf("Transient(%s) is true; it is for server replies only", name)
		}
	}
}

func TestCorruptf(t *testing.T) {
	err := Corruptf("dialog", "HMGET returned %d values", 3)
	if code := storage.ErrorCode(err); code != storage.EINTERNAL {
		t.Errorf("code %q, want %q", code, storage.EINTERNAL)
	}
	if msg, want := storage.ErrorMessage(err), "dialog: unexpected redis data: HMGET returned 3 values"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
}

func TestMillis(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int64
	}{
		{30 * time.Minute, 1_800_000},
		{1500 * time.Microsecond, 1},
		{time.Millisecond, 1},
		{time.Microsecond, 1}, // Redis refuses a TTL of 0
		{0, 1},
		{-time.Second, 1},
	}
	for _, tt := range tests {
		if got := Millis(tt.d); got != tt.want {
			t.Errorf("Millis(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}
