package console

import (
	"context"

	"github.com/complaintbot/complaintbot/storage"
)

// caseMassView is the case page's block on mass complaints and seven-day
// returns: the groups the case is in (linked for supervisors, who have the
// 群体投诉 page) and the seven-day tag.
type caseMassView struct {
	SevenDayReturn bool
	Groups         []caseMassGroup
	Linked         bool // the staff member may open the groups
}

// caseMassGroup is one group of the case.
type caseMassGroup struct {
	ID       int64
	Status   string
	Merchant string
}

// caseMassBlock loads the case's groups for its page.
func (s *Server) caseMassBlock(ctx context.Context, c *storage.Case, st *storage.Staff) (caseMassView, error) {
	v := caseMassView{SevenDayReturn: c.SevenDayReturn, Linked: st.Role.AtLeast(storage.RoleSupervisor)}
	groups, err := s.cfg.Store.MassGroupsOfCase(ctx, c.ID)
	if err != nil {
		return v, err
	}
	for _, g := range groups {
		v.Groups = append(v.Groups, caseMassGroup{ID: g.ID, Status: g.Status.Label(), Merchant: g.MerchantName})
	}
	return v, nil
}
