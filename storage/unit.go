package storage

import (
	"context"
	"sort"
	"strings"
	"time"
)

// RootUnitID is the unit every deployment has: the organisation itself (a city
// committee, or the only desk of a single-unit deployment). Migration 00013
// creates it, and every existing case and staff member belongs to it. Its name,
// hotline and hours, when empty, are the organisation settings (OrgSettings), so a
// single-unit deployment looks exactly as before units existed.
const RootUnitID int64 = 1

// Unit is one consumer committee of a system: the city committee, a district's or
// a county's. Units form a tree of any depth (a province holds its cities, a city
// its districts and counties). Each case belongs to one unit, and each staff member
// works in one unit and sees its whole subtree.
type Unit struct {
	ID       int64  `db:"id"`
	ParentID int64  `db:"parent_id"` // 0 for the root
	Name     string `db:"name"`      // 襄阳市消费者委员会, 樊城区消委会
	// Code is short, ASCII upper-case letters and digits (2 to 8), unique: it names
	// the unit in URLs, exports and the API.
	Code string `db:"code"`
	// Regions are the place names the unit serves (樊城区, 枣阳市, 襄阳高新区 …),
	// matched against a merchant's address or a location to find the unit of a
	// complaint; stored one per line.
	Regions      []string  `db:"-"`
	Hotline      string    `db:"hotline"`       // "" inherits the parent's (the root's: OrgSettings)
	ServiceHours string    `db:"service_hours"` // "" inherits the parent's
	Disabled     bool      `db:"disabled"`      // takes no new cases; its cases stay
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
}

// UnitTree is every unit of the deployment, for the lookups the console and the
// chat make on each request without a query.
type UnitTree struct {
	byID     map[int64]*Unit
	children map[int64][]*Unit
}

// NewUnitTree indexes units (as ListUnits returns them).
func NewUnitTree(units []*Unit) *UnitTree {
	t := &UnitTree{byID: map[int64]*Unit{}, children: map[int64][]*Unit{}}
	for _, u := range units {
		t.byID[u.ID] = u
		if u.ID != RootUnitID {
			t.children[u.ParentID] = append(t.children[u.ParentID], u)
		}
	}
	return t
}

// Unit returns the unit with that id, or nil.
func (t *UnitTree) Unit(id int64) *Unit { return t.byID[id] }

// Len is how many units there are.
func (t *UnitTree) Len() int { return len(t.byID) }

// Single reports whether the deployment has only its root unit: then there is no
// unit picker in the console and no unit question in the chat.
func (t *UnitTree) Single() bool { return len(t.byID) <= 1 }

// Children returns the unit's direct children, in the order given to NewUnitTree.
func (t *UnitTree) Children(id int64) []*Unit { return t.children[id] }

// Subtree returns the ids of the unit and every unit under it, the unit first.
// Empty for an unknown unit.
func (t *UnitTree) Subtree(id int64) []int64 {
	if t.byID[id] == nil {
		return nil
	}
	out := []int64{id}
	for i := 0; i < len(out); i++ {
		for _, c := range t.children[out[i]] {
			out = append(out, c.ID)
		}
	}
	return out
}

// Contains reports whether unit id lies in the subtree of unit top (itself
// included): whether a staff member of top may see a case of id.
func (t *UnitTree) Contains(top, id int64) bool {
	for u := t.byID[id]; u != nil; u = t.byID[u.ParentID] {
		if u.ID == top {
			return true
		}
		if u.ID == RootUnitID {
			break
		}
	}
	return false
}

// UnitsByRegion returns the enabled units whose region names occur in text (a
// merchant's address or a location's label), deepest first, so that "湖北省襄阳市
// 樊城区人民路" finds 樊城区消委会 before the city. Empty when no region matches.
func (t *UnitTree) UnitsByRegion(text string) []*Unit {
	var out []*Unit
	for _, u := range t.byID {
		if u.Disabled {
			continue
		}
		for _, r := range u.Regions {
			if r != "" && strings.Contains(text, r) {
				out = append(out, u)
				break
			}
		}
	}
	depth := func(u *Unit) int {
		d := 0
		for p := u; p != nil && p.ID != RootUnitID; p = t.byID[p.ParentID] {
			d++
		}
		return d
	}
	sort.Slice(out, func(i, j int) bool {
		if di, dj := depth(out[i]), depth(out[j]); di != dj {
			return di > dj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// UnitStore keeps the units. Changes are audited in their transaction with by.
type UnitStore interface {
	// ListUnits returns every unit, the root first, then by parent and name.
	ListUnits(ctx context.Context) ([]*Unit, error)
	// UnitsAt returns the units as of the reference data's version, which
	// the caller read (APICaller.UnitsVersion), or newer: the units the
	// instance keeps with its reference data when they are of that version,
	// else read afresh. Never older than what the caller's read saw.
	UnitsAt(ctx context.Context, version int64) ([]*Unit, error)
}
