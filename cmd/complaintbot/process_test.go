package main

import (
	"io"
	"log/slog"
	"testing"
)

// TestMain makes the process-wide settings once, as main does, with a logger that
// discards: the tests build Main directly, and the libraries' own logs (the WeChat
// library's logrus, go-redis's pool messages while a test stops Redis) must not
// clutter their output.
func TestMain(m *testing.M) {
	setLibraryLogs(slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.Run()
}
