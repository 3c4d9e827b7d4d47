package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// apiUnit is a unit as GET /api/v1/units lists it. Name is the organisation's
// for the root without one, as the console shows it.
type apiUnit struct {
	ID           int64    `json:"id"`
	ParentID     int64    `json:"parent_id"` // 0 for the root
	Name         string   `json:"name"`
	Code         string   `json:"code"`
	Regions      []string `json:"regions"`
	Hotline      string   `json:"hotline"`       // "" inherits the unit above's (the root's: the settings')
	ServiceHours string   `json:"service_hours"` // likewise
	Disabled     bool     `json:"disabled"`
}

// apiUnits serves GET /api/v1/units: the caller's unit and every unit under it,
// parents first — the ids the cases list's unit= filter takes.
func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) {
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	org, err := s.orgSettings(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	items := []apiUnit{}
	s.walkUnits(sc, func(u *storage.Unit, _ int) {
		regions := u.Regions
		if regions == nil {
			regions = []string{}
		}
		items = append(items, apiUnit{ID: u.ID, ParentID: u.ParentID, Name: unitLabel(u, org), Code: u.Code,
			Regions: regions, Hotline: u.Hotline, ServiceHours: u.ServiceHours, Disabled: u.Disabled})
	})
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
