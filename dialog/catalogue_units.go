package dialog

import (
	"maps"

	"github.com/complaintbot/complaintbot/storage"
)

// SetUnits replaces the units the chat knows (as storage.UnitStore.ListUnits
// returns them). With more than one, the intake finds or asks each complaint's
// unit, and messages about a filed case quote its unit's name, hotline and hours
// (see forUnit). With only the root, or before the first call, nothing changes:
// the chat is that of a single desk. Like SetOrganisation it is called at start-up
// and on every refresh, and never fails.
func (c *Catalogue) SetUnits(units []*storage.Unit) {
	c.units.Store(storage.NewUnitTree(units))
}

// unitTree returns the units set by SetUnits, nil before (or for a nil
// Catalogue).
func (c *Catalogue) unitTree() *storage.UnitTree {
	if c == nil {
		return nil
	}
	return c.units.Load()
}

// severalUnits reports whether the deployment has more than its root unit.
func (c *Catalogue) severalUnits() bool {
	tree := c.unitTree()
	return tree != nil && !tree.Single()
}

// unitName is the name a consumer reads for unit id: its own, or for the root
// without one the organisation's; "" for an unknown unit.
func (c *Catalogue) unitName(id int64) string {
	tree := c.unitTree()
	if tree == nil {
		return ""
	}
	return storage.UnitLabel(tree.Unit(id), c.baseField("Org"))
}

// baseField returns one of the base fields (baseFieldNames).
func (c *Catalogue) baseField(name string) string {
	if c == nil {
		c = defaultCatalogue()
	}
	return (*c.base.Load())[name]
}

// forUnit returns the catalogue that speaks for unit id: its base fields Org,
// Hotline and Hours are the unit's name, hotline and hours, and Unit is its name,
// which messages about a case show as 受理单位. An empty hotline or hours is the
// nearest ancestor's, and the root's empty ones are the organisation's (the base
// fields of c). With a single unit, or for an unknown unit (0: a notice about no
// case), it is c itself, so a single-unit deployment reads exactly as before.
func (c *Catalogue) forUnit(id int64) *Catalogue {
	tree := c.unitTree()
	if tree == nil || tree.Single() || tree.Unit(id) == nil {
		return c
	}
	base := maps.Clone(*c.base.Load())
	base["Org"] = c.unitName(id)
	base["Unit"] = base["Org"]
	if hotline := inherited(tree, id, func(u *storage.Unit) string { return u.Hotline }); hotline != "" {
		base["Hotline"] = hotline
	}
	if hours := inherited(tree, id, func(u *storage.Unit) string { return u.ServiceHours }); hours != "" {
		base["Hours"] = hours
	}
	d := &Catalogue{templates: c.templates, defaults: c.defaults, logger: c.logger}
	d.base.Store(&base)
	d.units.Store(tree)
	return d
}

// inherited returns field of unit id or of its nearest ancestor that has one,
// "" when none has.
func inherited(tree *storage.UnitTree, id int64, field func(*storage.Unit) string) string {
	for u := tree.Unit(id); u != nil; u = tree.Unit(u.ParentID) {
		if v := field(u); v != "" {
			return v
		}
		if u.ID == storage.RootUnitID {
			break
		}
	}
	return ""
}

// draftUnit is the summary's 受理单位: the name of the draft's unit when there are
// several units ("" otherwise, which leaves the line out), or a note that it is
// still to be chosen.
func (c *Catalogue) draftUnit(d Draft) string {
	if !c.severalUnits() {
		return ""
	}
	if name := c.unitName(d.UnitID); name != "" && d.UnitID != 0 {
		return name
	}
	return "（待选择）"
}
