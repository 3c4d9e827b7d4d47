package console

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// The figures' scope (issue 10): every report, chart, export and annual report
// is taken for one unit's subtree, by default the staff member's own unit, and a
// staff member may take the figures of a unit only inside their own subtree.
// This file decides that for the figures alone, with storage.UnitTree.Contains,
// so that it may later call the console's one case-scope helper.

// reportUnit is the unit a figures request is about.
type reportUnit struct {
	tree *storage.UnitTree
	unit *storage.Unit
	// own is the unit of the staff member asking: the picker offers its subtree.
	own int64
}

// errReportUnit is the answer for a unit a staff member may not take figures
// of: the same as for a unit that does not exist, so that nothing tells them
// which other units there are.
var errReportUnit = storage.Errorf(storage.ENOTFOUND, "没有这个单位，或您无权查看该单位的统计。")

// reportUnitOf reads the unit parameter of r ("" is the staff member's own
// unit) and checks that the signed-in staff member may take its figures.
// ENOTFOUND (errReportUnit) for a malformed, unknown or out-of-scope unit.
func (s *Server) reportUnitOf(r *http.Request) (*reportUnit, error) {
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		return nil, err
	}
	id := sc.top
	if v := r.URL.Query().Get("unit"); v != "" {
		if id, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, errReportUnit
		}
	}
	if !sc.hasUnit(id) {
		return nil, errReportUnit
	}
	return &reportUnit{tree: sc.tree, unit: sc.tree.Unit(id), own: sc.top}, nil
}

// whole reports whether the unit is the root: its figures are the system's.
func (u *reportUnit) whole() bool { return u.unit.ID == storage.RootUnitID }

// query is the unit's URL parameter for links ("&unit=3"), empty for a
// single-unit deployment, whose links stay as they were.
func (u *reportUnit) query() string {
	if u.tree.Single() {
		return ""
	}
	return "&unit=" + strconv.FormatInt(u.unit.ID, 10)
}

// name is the unit's name; the root's, when unnamed, is the organisation's.
func (s *Server) unitName(u *storage.Unit) string {
	if u.Name == "" && u.ID == storage.RootUnitID {
		return s.cfg.OrgName
	}
	return u.Name
}

// unitReport computes the figures of the unit's subtree: the system's report
// for the root (every case), else the report of the subtree's units.
func (s *Server) unitReport(ctx context.Context, u *reportUnit, from, to time.Time) (*storage.Report, error) {
	if u.whole() {
		return s.cfg.Store.CaseReport(ctx, from, to)
	}
	return s.cfg.Store.UnitReport(ctx, from, to, u.tree.Subtree(u.unit.ID))
}

// unitOption is a unit in the picker.
type unitOption struct {
	ID       int64
	Name     string // indented by depth: "　樊城区消委会"
	Selected bool
}

// unitOptions lists the units whose figures the staff member may take — their
// own unit's subtree, depth first — or nothing for a single-unit deployment.
func (s *Server) unitOptions(u *reportUnit) []unitOption {
	if u.tree.Single() {
		return nil
	}
	var out []unitOption
	var walk func(id int64, depth int)
	walk = func(id int64, depth int) {
		unit := u.tree.Unit(id)
		indent := ""
		for range depth {
			indent += "　"
		}
		out = append(out, unitOption{ID: id, Name: indent + s.unitName(unit), Selected: id == u.unit.ID})
		for _, c := range u.tree.Children(id) {
			walk(c.ID, depth+1)
		}
	}
	walk(u.own, 0)
	return out
}

// unitComparison is a row of the table comparing units: a direct child of the
// chosen unit with its whole subtree, or the chosen unit's own cases (本级).
type unitComparison struct {
	ID   int64
	Name string
	storage.ReportFigures
}

// compareUnits splits the report's cases by the chosen unit's direct children
// (each with its subtree) and the unit's own cases, which add up to the report's
// totals. Nil when the unit has no children: there is nothing to compare.
func (s *Server) compareUnits(u *reportUnit, rep *storage.Report) []unitComparison {
	children := u.tree.Children(u.unit.ID)
	if len(children) == 0 {
		return nil
	}
	out := make([]unitComparison, 0, len(children)+1)
	for _, c := range children {
		out = append(out, unitComparison{ID: c.ID, Name: s.unitName(c)})
	}
	out = append(out, unitComparison{ID: u.unit.ID, Name: "本级（" + s.unitName(u.unit) + "）"})
	for _, g := range rep.ByUnit {
		id, err := strconv.ParseInt(g.Key, 10, 64)
		if err != nil {
			continue
		}
		row := len(out) - 1 // the unit's own, and any unit no longer in the tree
		for i, c := range children {
			if u.tree.Contains(c.ID, id) {
				row = i
				break
			}
		}
		out[row].ReportFigures.Add(g.ReportFigures)
	}
	return out
}
