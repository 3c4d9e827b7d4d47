package main

import "testing"

// TestRedisKindNamesTheTopology: the start-up log says which kind of Redis the
// service reached, so an operator can tell a cluster URL from a single server's.
func TestRedisKindNamesTheTopology(t *testing.T) {
	var m Main
	for url, want := range map[string]string{
		"redis://127.0.0.1:6379/0":                               "single",
		"redis+cluster://127.0.0.1:7000?addr=127.0.0.1:7001":     "cluster",
		"rediss+sentinel://127.0.0.1:26379/0?master_name=cb":     "sentinel",
		"not a url with a password: redis://:secret@host:bad/db": "external",
	} {
		if got := m.redisKind(url); got != want {
			t.Errorf("redisKind(%q) = %q, want %q", url, got, want)
		}
	}
}
