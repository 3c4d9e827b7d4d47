package configs

import "time"

// Bounds of the mass-complaint detector: one complaint is no mass complaint,
// and a window beyond a quarter would group unrelated waves.
const (
	minMassThreshold = 2
	maxMassThreshold = 1000
	minMassWindow    = time.Hour
	maxMassWindow    = 90 * 24 * time.Hour
)

// validateMass checks casework.mass_threshold and casework.mass_window.
func (c Config) validateMass(ch *checker) {
	w := c.Casework
	if w.MassThreshold < minMassThreshold || w.MassThreshold > maxMassThreshold {
		ch.add("casework.mass_threshold", "must be between %d and %d (got %d)",
			minMassThreshold, maxMassThreshold, w.MassThreshold)
	}
	if mw := time.Duration(w.MassWindow); mw < minMassWindow || mw > maxMassWindow {
		ch.add("casework.mass_window", "must be between %s and %s (got %s)",
			Duration(minMassWindow), Duration(maxMassWindow), w.MassWindow)
	}
}
