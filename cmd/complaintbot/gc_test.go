package main

import (
	"runtime/debug"
	"testing"
)

// TestGCPercentDefaultsUnlessGOGCIsSet: without GOGC the collector's target is
// defaultGCPercent; with GOGC set it is left as the runtime read it.
func TestGCPercentDefaultsUnlessGOGCIsSet(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	setGCPercent(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != defaultGCPercent {
		t.Errorf("without GOGC: %d, want %d", got, defaultGCPercent)
	}
	setGCPercent(func(k string) string { return map[string]string{"GOGC": "50"}[k] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set: %d, want it left at 100", got)
	}
}
