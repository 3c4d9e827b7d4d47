package configs

import (
	"strings"
	"testing"
	"time"
)

func TestValidateMassRule(t *testing.T) {
	c := Default()
	if c.Casework.MassThreshold != 5 || time.Duration(c.Casework.MassWindow) != 168*time.Hour {
		t.Fatalf("defaults = %d, %s; want 5, 168h", c.Casework.MassThreshold, c.Casework.MassWindow)
	}
	c.Casework.MassThreshold = 1
	c.Casework.MassWindow = Duration(time.Minute)
	err := c.Validate()
	for _, want := range []string{
		"casework.mass_threshold: must be between 2 and 1000 (got 1)",
		"casework.mass_window: must be between",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v\nwant a line with %q", err, want)
		}
	}
}
