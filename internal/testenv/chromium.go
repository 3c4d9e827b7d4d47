package testenv

import (
	"os/exec"
	"testing"
)

// chromiumNames are the names Chromium goes by on PATH: Debian's package first,
// as CI installs it (apt-get install chromium).
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Chromium returns the path of a Chromium or Chrome on PATH for browser tests. On
// a machine without one it skips the test, or fails it when EnvRequire is "1"
// (SkipOrFail), so CI never passes without running the browser tests.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	SkipOrFail(t, "no Chromium on PATH (apt-get install chromium)")
	return ""
}
