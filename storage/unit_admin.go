package storage

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// AuditUnit is an admin's change to the units: a unit added, or one changed
// (its name, code, regions, hotline, hours, parent or switch). Staff moved to
// another unit are AuditStaffUpdate.
const AuditUnit = "unit"

// Limits of a unit's fields.
const (
	MaxUnitNameRunes   = 40
	MinUnitRegionRunes = 2
	MaxUnitRegionRunes = 20
	MaxUnitRegions     = 50
)

// validUnitCode is a unit's code: 2 to 8 ASCII upper-case letters and digits.
var validUnitCode = regexp.MustCompile(`^[A-Z0-9]{2,8}$`)

// UnitInput is a unit as an admin creates or edits it. ParentID is 0 only for the
// root; the root's empty name, hotline and hours mean the organisation settings.
type UnitInput struct {
	ParentID     int64
	Name         string
	Code         string
	Regions      []string
	Hotline      string
	ServiceHours string
	Disabled     bool
}

// Validate trims and checks the fields (root says whether the unit is the root,
// whose name may be empty), with a Chinese message for the admin who typed them:
// EINVALID for a name of other than 1 to 40 characters, a code of other than 2 to
// 8 of A–Z and 0–9 (lower case is raised), a region of other than 2 to 20
// characters, a hotline or hours as OrgSettings refuses them, or a child without
// a parent.
func (in *UnitInput) Validate(root bool) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	switch n := utf8.RuneCountInString(in.Name); {
	case n > MaxUnitNameRunes || (n == 0 && !root):
		return Errorf(EINVALID, "单位名称应为 1 到 %d 个字。", MaxUnitNameRunes)
	case hasControl(in.Name):
		return Errorf(EINVALID, "单位名称不能包含换行或控制字符。")
	case !validUnitCode.MatchString(in.Code):
		return Errorf(EINVALID, "单位代码应为 2 到 8 位大写字母或数字。")
	case !root && in.ParentID <= 0:
		return Errorf(EINVALID, "请选择上级单位。")
	}
	if err := in.cleanRegions(); err != nil {
		return err
	}
	// The hotline and hours follow the organisation settings' rules; the name
	// checked there is a stand-in, as a unit's name was checked above.
	org, err := CheckOrgSettings(OrgSettings{Name: "单位", Hotline: in.Hotline, ServiceHours: in.ServiceHours})
	if err != nil {
		return err
	}
	in.Hotline, in.ServiceHours = org.Hotline, org.ServiceHours
	return nil
}

// cleanRegions trims the regions, drops empty lines and duplicates, and checks
// each one's length.
func (in *UnitInput) cleanRegions() error {
	var out []string
	for _, r := range in.Regions {
		r = strings.TrimSpace(r)
		if r == "" || slices.Contains(out, r) {
			continue
		}
		if n := utf8.RuneCountInString(r); n < MinUnitRegionRunes || n > MaxUnitRegionRunes || hasControl(r) {
			return Errorf(EINVALID, "地区名称“%s”应为 %d 到 %d 个字，每行一个。", r, MinUnitRegionRunes, MaxUnitRegionRunes)
		}
		out = append(out, r)
	}
	if len(out) > MaxUnitRegions {
		return Errorf(EINVALID, "地区最多 %d 个。", MaxUnitRegions)
	}
	in.Regions = out
	return nil
}

// SplitRegions splits a textarea's regions, one per line (commas and 、 too).
func SplitRegions(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == '，' || r == '、'
	})
}

// UnitAdminStore reads and changes the units; each change is audited
// (AuditUnit) in its transaction with by.
type UnitAdminStore interface {
	UnitStore
	// CreateUnit adds a unit under in.ParentID. EINVALID for bad fields (see
	// UnitInput.Validate) or an unknown parent; ECONFLICT for a code in use.
	CreateUnit(ctx context.Context, in UnitInput, by By) (*Unit, error)
	// UpdateUnit changes a unit. ENOTFOUND for an unknown unit; EINVALID as
	// CreateUnit, for giving the root a parent or disabling it, or for a parent
	// inside the unit's own subtree (a cycle); ECONFLICT for a code in use.
	UpdateUnit(ctx context.Context, id int64, in UnitInput, by By) (*Unit, error)
}

// Ancestors returns the ids of the unit and every unit above it, the unit first
// and the root last. Empty for an unknown unit.
func (t *UnitTree) Ancestors(id int64) []int64 {
	var out []int64
	for u := t.byID[id]; u != nil; u = t.byID[u.ParentID] {
		out = append(out, u.ID)
		if u.ID == RootUnitID || len(out) > len(t.byID) {
			break
		}
	}
	return out
}
