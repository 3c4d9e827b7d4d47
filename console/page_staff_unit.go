package console

import (
	"context"
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// Staff and units: an admin sees and manages the accounts of their own unit's
// subtree (another unit's account reads as not found) and puts each account in
// one of those units. With one unit in the admin's scope there is no unit picker
// and no unit column.

// unitNames names the units of the scope for a unit column; nil (no column)
// when the deployment has only its root unit.
func (s *Server) unitNames(ctx context.Context, sc *unitScope) (map[int64]string, error) {
	if sc.single() {
		return nil, nil
	}
	org, err := s.orgSettings(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	s.walkUnits(sc, func(u *storage.Unit, _ int) { out[u.ID] = unitLabel(u, org) })
	return out, nil
}

// scopedStaffList returns the accounts of the admin's units.
func (s *Server) scopedStaffList(ctx context.Context) ([]*storage.Staff, *unitScope, error) {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.cfg.Store.ListStaff(ctx)
	if err != nil {
		return nil, nil, err
	}
	return keepOnly(all, sc.hasStaff), sc, nil
}

// scopedStaffTarget returns ENOTFOUND unless the account works in the
// signed-in staff member's units.
func (s *Server) scopedStaffTarget(ctx context.Context, st *storage.Staff) error {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return err
	}
	if !sc.hasStaff(st) {
		return storage.Errorf(storage.ENOTFOUND, "staff member %d not found", st.ID)
	}
	return nil
}

// staffUnitOptions offers the units an account may be put in; nil when the
// admin's scope holds one unit only.
func (s *Server) staffUnitOptions(ctx context.Context, selected int64) ([]option, error) {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	return s.scopeUnitOptions(ctx, sc, selected), nil
}

// staffUnitFromForm reads the unit field of a staff form: a unit of the admin's
// scope; without the field (no picker was shown), def. EINVALID for a unit
// outside the scope.
func (s *Server) staffUnitFromForm(r *http.Request, def int64) (int64, error) {
	raw := r.PostFormValue("unit")
	if raw == "" {
		return def, nil
	}
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || !sc.hasUnit(id) {
		return 0, storage.Errorf(storage.EINVALID, "请选择您所在单位或其下级单位。")
	}
	return id, nil
}
