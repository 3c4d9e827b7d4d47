package console

import (
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// assignCase sets the mediator of a case. Supervisors assign anyone or no one; a
// mediator may only take an unassigned case for themselves ("assign to me").
func (s *Server) assignCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	st := staffFrom(r.Context())
	assignee, ok := assigneeFromForm(r.PostFormValue("assignee"), st)
	if !ok {
		s.refuseForm(w, r, c, formAssign, storage.Errorf(storage.EINVALID, "请选择承办人。"))
		return
	}
	supervisor := st.Role.AtLeast(storage.RoleSupervisor)
	if !supervisor && (assignee == nil || *assignee != st.ID) {
		s.renderError(w, r, http.StatusForbidden, "调解员只能认领尚未分配的案件。")
		return
	}
	err := s.checkAssignee(r.Context(), c, assignee)
	if err != nil {
		s.refuseForm(w, r, c, formAssign, err)
		return
	}
	if supervisor {
		_, err = s.cfg.Store.AssignCase(r.Context(), c.ID, assignee, s.actedBy(r))
	} else {
		// A mediator's claim: "unassigned" is checked by the store on the locked
		// row, not on c, which another claim or assignment may have overtaken.
		_, err = s.cfg.Store.ClaimCase(r.Context(), c.ID, st.ID, s.actedBy(r))
	}
	if err != nil {
		s.refuseForm(w, r, c, formAssign, err)
		return
	}
	flash := "已取消分配。"
	if assignee != nil {
		flash = "案件已分配。"
	}
	redirectToCase(w, r, c.Number, flash)
}

// assigneeFromForm reads "me", "none" (nil: unassign) or a staff id.
func assigneeFromForm(v string, st *storage.Staff) (*int64, bool) {
	switch v {
	case "me":
		return &st.ID, true
	case "none":
		return nil, true
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, false
	}
	return &id, true
}
