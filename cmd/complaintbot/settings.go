package main

import (
	"context"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// settingsRefresh is how often each instance picks up the organisation details an
// admin saved in the console; the console promises "within a minute".
const settingsRefresh = 30 * time.Second

// applyOrgSettings makes the catalogue quote the organisation details saved in the
// console, if any; the configuration's values stand until an admin saves some.
func (m *Main) applyOrgSettings(ctx context.Context, last *storage.OrgSettings) *storage.OrgSettings {
	s, err := m.DB.GetOrgSettings(ctx)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		return last
	case err != nil:
		m.Logger.Warn("organisation settings not loaded", "err", err)
		return last
	case last != nil && *last == *s:
		return last
	}
	m.catalogue.SetOrganisation(s.Name, s.Hotline, s.ServiceHours)
	return s
}

// refreshOrgSettings keeps the catalogue in step with the console until ctx ends.
func (m *Main) refreshOrgSettings(ctx context.Context, last *storage.OrgSettings) {
	onEveryTick(ctx, settingsRefresh, func() { last = m.applyOrgSettings(ctx, last) })
}
