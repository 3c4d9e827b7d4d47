package main

import "runtime/debug"

// defaultGCPercent is the collector's GOGC when the environment sets none. The
// webhook allocates a few KiB per message against a live heap of about 16 MiB
// that does not grow with the consumers (their state is in Redis), so at Go's
// default of 100 collection took about an eighth of the webhook's CPU under
// load. At 150 the collector runs less often and the heap's target stayed at
// 39–46 MB in the webhook benchmark (docs/webhookbench.md; 200 reached 54 MB).
const defaultGCPercent = 150

// setGCPercent applies defaultGCPercent unless GOGC is set, which then wins as
// for any Go program.
func setGCPercent(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
