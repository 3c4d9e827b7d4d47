package configs

import (
	"testing"
	"time"
)

func TestDefaultIsValidAndZeroSetup(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if !c.SimulatorMode() {
		t.Error("Default() is not in simulator mode")
	}
	if c.DatabaseIsPostgres() {
		t.Error("Default() database is PostgreSQL, want a SQLite file")
	}
	if c.Redis.URL != "" {
		t.Errorf("Default() redis.url = %q, want empty (in-process)", c.Redis.URL)
	}
	if got := time.Duration(c.Dialog.ReplyBudget); got != 3500*time.Millisecond {
		t.Errorf("reply budget = %v, want 3.5s", got)
	}
	if got := time.Duration(c.Dialog.DraftTTL); got != 24*time.Hour {
		t.Errorf("draft ttl = %v, want 24h", got)
	}
	if got := time.Duration(c.Dialog.RatingWindow); got != 7*24*time.Hour {
		t.Errorf("rating window = %v, want 7 days", got)
	}
}

func TestDefaultReturnsIndependentCopies(t *testing.T) {
	a := Default()
	a.Dialog.Messages["welcome"] = "changed"
	if b := Default(); len(b.Dialog.Messages) != 0 {
		t.Errorf("Default() shares its messages map: %v", b.Dialog.Messages)
	}
}

func TestDatabaseIsPostgres(t *testing.T) {
	for url, want := range map[string]bool{
		"data/complaintbot.db":              false,
		"file:test.db?_pragma=busy(5000)":   false,
		"postgres://u:p@localhost/cb":       true,
		"postgresql://localhost/cb":         true,
		"POSTGRES://localhost/cb":           true,
		"/var/lib/postgres/complaintbot.db": false,
	} {
		c := Default()
		c.Database.URL = url
		if got := c.DatabaseIsPostgres(); got != want {
			t.Errorf("DatabaseIsPostgres(%q) = %v, want %v", url, got, want)
		}
	}
}

func TestSimulatorModeFollowsAppID(t *testing.T) {
	c := Default()
	c.WeChat.AppID = "wx1234567890abcdef"
	if c.SimulatorMode() {
		t.Error("SimulatorMode() = true with an AppID set")
	}
}
