package console

import (
	"context"
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// formTransfer is the case page's 移交其他单位 form, for refused posts.
const formTransfer = "transfer"

// transferView is the 移交其他单位 block of the case page. It is shown only in a
// deployment with several units, to supervisors and admins, while the case is
// open.
type transferView struct {
	May       bool
	Current   string   // the case's unit
	Units     []option // every enabled unit but the case's
	ReasonMax int
}

// transferBlock builds the block for staff member st on case c.
func (s *Server) transferBlock(ctx context.Context, c *storage.Case, st *storage.Staff) (transferView, error) {
	v := transferView{ReasonMax: storage.TransferReasonMax}
	if !st.Role.AtLeast(storage.RoleSupervisor) || c.Status.Final() {
		return v, nil
	}
	units, err := s.loadUnits(ctx)
	if err != nil {
		return v, err
	}
	tree := storage.NewUnitTree(units)
	if tree.Single() {
		return v, nil
	}
	v.May, v.Current = true, storage.UnitLabel(tree.Unit(c.UnitID), s.cfg.OrgName)
	for _, u := range units {
		if u.ID != c.UnitID && !u.Disabled {
			v.Units = append(v.Units, option{Value: strconv.FormatInt(u.ID, 10), Label: storage.UnitLabel(u, s.cfg.OrgName)})
		}
	}
	return v, nil
}

// transferCase moves the case to another unit (supervisors and admins; the route
// asks for the role). The target may be any enabled unit: down to a district,
// across to a neighbour, or up to the city. Afterwards the staff member goes back
// to the case if they still see it, else to the queue. caseFromPath reads a
// case outside the staff member's units as not found.
func (s *Server) transferCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	to, err := strconv.ParseInt(r.PostFormValue("unit"), 10, 64)
	if err != nil {
		s.refuseForm(w, r, c, formTransfer, storage.Errorf(storage.EINVALID, "请选择接收单位。"))
		return
	}
	if _, err := s.cfg.Store.TransferCase(r.Context(), c.ID, to, r.PostFormValue("reason"), s.actedBy(r)); err != nil {
		s.refuseForm(w, r, c, formTransfer, err)
		return
	}
	flash := "已移交" + storage.UnitLabel(sc.tree.Unit(to), s.cfg.OrgName) + "，已通知投诉人。"
	if sc.hasUnit(to) {
		redirectToCase(w, r, c.Number, flash)
		return
	}
	http.Redirect(w, r, "/console/cases"+flashQuery(r, flash), http.StatusSeeOther)
}
