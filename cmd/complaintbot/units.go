package main

import (
	"context"
	"time"
)

// unitsRefresh is how often each instance picks up the units an admin changed in
// the console (new units, regions, hotlines, a unit disabled): within a minute,
// as for the organisation settings.
const unitsRefresh = 30 * time.Second

// applyUnits gives the catalogue, and through it the chat, the units as stored.
// On a failure the units last applied stay (before the first success: none, which
// is a single desk, the root).
func (m *Main) applyUnits(ctx context.Context) {
	units, err := m.DB.ListUnits(ctx)
	if err != nil {
		m.Logger.Warn("units not loaded", "err", err)
		return
	}
	m.catalogue.SetUnits(units)
}

// refreshUnits keeps the chat's units in step with the console until ctx ends.
func (m *Main) refreshUnits(ctx context.Context) {
	onEveryTick(ctx, unitsRefresh, func() { m.applyUnits(ctx) })
}
