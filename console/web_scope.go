package console

import (
	"context"
	"net/http"
	"slices"

	"github.com/complaintbot/complaintbot/storage"
)

// Scope: every staff member works in one unit and sees its subtree — the cases
// of those units, their evidence and timelines, the staff who work there, their
// audit entries, teams, rules and canned replies. The root's staff see
// everything, so a single-unit deployment is exactly as before units. Whatever
// lies outside a staff member's scope reads as not found (404), never as
// forbidden: a number or id from another district must not even confirm that it
// exists. unitScope decides it, and every page, download and API endpoint asks
// it; docs/units.md describes the rules.

// unitScope is what one staff member may see: the subtree of their unit.
type unitScope struct {
	tree *storage.UnitTree
	top  int64 // the staff member's unit
}

// unitsMemo holds the units read once for a request: a page asks the scope
// several times (the case, the staff, the teams, the canned replies), and the
// tree does not change under it in a way that matters. version is the unit
// tree's version read with the caller's token (0 when the caller came with a
// session cookie): units the instance keeps at that version are current.
type unitsMemo struct {
	units   []*storage.Unit
	version int64
}

// unitsMemoKey is the context key of a request's unitsMemo.
type unitsMemoKey struct{}

// withUnitsMemo gives a signed-in request its memo (authenticate).
func withUnitsMemo(ctx context.Context, version int64) context.Context {
	return context.WithValue(ctx, unitsMemoKey{}, &unitsMemo{version: version})
}

// loadUnits reads the units, once per request when it has a memo, and not at
// all when the instance keeps them at the version the request's caller read.
func (s *Server) loadUnits(ctx context.Context) ([]*storage.Unit, error) {
	memo, _ := ctx.Value(unitsMemoKey{}).(*unitsMemo)
	switch {
	case memo != nil && memo.units != nil:
		return memo.units, nil
	case memo != nil && memo.version != 0:
		units, err := s.cfg.Store.UnitsAt(ctx, memo.version)
		if err != nil {
			return nil, err
		}
		memo.units = units
		return units, nil
	}
	units, err := s.cfg.Store.ListUnits(ctx)
	if err == nil && memo != nil {
		memo.units = units
	}
	return units, err
}

// scopeOf reads the units and returns the scope of the signed-in staff member
// (ctx's); without one (which the wrappers never let through) it is the
// root's.
func (s *Server) scopeOf(ctx context.Context) (*unitScope, error) {
	units, err := s.loadUnits(ctx)
	if err != nil {
		return nil, err
	}
	top := storage.RootUnitID
	if st := staffFrom(ctx); st != nil {
		top = st.UnitID
	}
	return &unitScope{tree: storage.NewUnitTree(units), top: top}, nil
}

// keepOnly returns, in order, the items of all that in accepts: a list cut down
// to the scope. all itself is left as it is.
func keepOnly[T any](all []T, in func(T) bool) []T {
	out := all[:0:0]
	for _, x := range all {
		if in(x) {
			out = append(out, x)
		}
	}
	return out
}

// all reports whether the scope is the whole system (a root staff member).
func (sc *unitScope) all() bool { return sc.top == storage.RootUnitID }

// unitIDs is the filter of a store query: nil (no restriction) for the whole
// system, else the subtree's unit ids (empty for an unknown unit: nothing).
func (sc *unitScope) unitIDs() []int64 {
	if sc.all() {
		return nil
	}
	ids := sc.tree.Subtree(sc.top)
	if ids == nil {
		ids = []int64{}
	}
	return ids
}

// restrict turns the units a filter asks for (nil: all) into the store's
// filter: each asked unit's subtree, kept to the scope. A unit outside the
// scope adds nothing, so asking for another district lists no case.
func (sc *unitScope) restrict(asked []int64) []int64 {
	if asked == nil {
		return sc.unitIDs()
	}
	out := []int64{}
	for _, a := range asked {
		for _, id := range sc.tree.Subtree(a) {
			if sc.hasUnit(id) && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// hasUnit reports whether unit id lies in the scope.
func (sc *unitScope) hasUnit(id int64) bool { return sc.tree.Contains(sc.top, id) }

// hasCase reports whether the case lies in the scope.
func (sc *unitScope) hasCase(c *storage.Case) bool { return sc.hasUnit(c.UnitID) }

// hasStaff reports whether the staff member works in the scope.
func (sc *unitScope) hasStaff(st *storage.Staff) bool { return sc.hasUnit(st.UnitID) }

// maySee reports whether staff member st (anyone, not only the viewer) may see
// a case of unit: whether they could work it if it were assigned to them.
func (sc *unitScope) maySee(st *storage.Staff, unit int64) bool {
	return sc.tree.Contains(st.UnitID, unit)
}

// single reports whether the deployment has only its root unit: no unit
// picker, column or line anywhere then.
func (sc *unitScope) single() bool { return sc.tree.Single() }

// scopedCase returns the case with the number (canonical or typed loosely, see
// storage.ParseCaseNumber) if the signed-in staff member's scope holds it, else
// ENOTFOUND exactly as for a number that names no case. Every page, download
// and API endpoint about one case finds it here, before anything is done to it.
func (s *Server) scopedCase(r *http.Request, raw string) (*storage.Case, error) {
	c, err := s.findCaseByRawNumber(r, raw)
	if err != nil {
		return nil, err
	}
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		return nil, err
	}
	if !sc.hasCase(c) {
		return nil, storage.Errorf(storage.ENOTFOUND, "case %s not found", c.Number)
	}
	return c, nil
}

// scopedCaseByID is scopedCase for a case id (evidence, audit entries).
func (s *Server) scopedCaseByID(ctx context.Context, id int64) (*storage.Case, error) {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	cases, _, err := s.cfg.Store.FindCases(ctx, storage.CaseFilter{ID: &id, Limit: 1, UnitIDs: sc.unitIDs()})
	if err != nil {
		return nil, err
	}
	if len(cases) == 0 {
		return nil, storage.Errorf(storage.ENOTFOUND, "case %d not found", id)
	}
	return cases[0], nil
}

// checkAssignee refuses (EINVALID) to give case c to a staff member who could
// not see it: they would be handed a case their queue never shows. nil
// (unassigning) and unknown ids pass: the store answers for those.
func (s *Server) checkAssignee(ctx context.Context, c *storage.Case, assignee *int64) error {
	if assignee == nil {
		return nil
	}
	st, err := s.cfg.Store.FindStaffByID(ctx, *assignee)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return err
	}
	if !sc.maySee(st, c.UnitID) {
		return storage.Errorf(storage.EINVALID, "%s 所在单位看不到这件案件，不能分配给他/她。", st.Name)
	}
	return nil
}

// rootOnly wraps a page that changes what holds for the whole system (the
// organisation settings consumers are told, the working-day calendar every
// clock runs on): only staff of the root unit may use it; a district's admin
// gets 403.
func (s *Server) rootOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if st := staffFrom(r.Context()); st == nil || st.UnitID != storage.RootUnitID {
			s.renderError(w, r, http.StatusForbidden, "机构设置和工作日历对全系统有效，只有本机构（顶层单位）的管理员可以查看和修改。")
			return
		}
		h(w, r)
	}
}
