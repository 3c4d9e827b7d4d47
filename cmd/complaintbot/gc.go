package main

import "runtime/debug"

// defaultGCPercent is the collector's GOGC when the environment sets none. The
// webhook allocates a few KiB per message against a live heap of about 16 MiB
// that does not grow with the consumers (their state is in Redis), so at Go's
// default of 100 the collector ran several times a second under load and took
// about a tenth of the webhook's CPU. At 150 it runs a third less often and the
// heap peaks near 40 MiB (docs/webhookbench.md).
const defaultGCPercent = 150

// setGCPercent applies defaultGCPercent unless GOGC is set, which then wins as
// for any Go program.
func setGCPercent(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
