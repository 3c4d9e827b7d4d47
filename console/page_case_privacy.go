package console

import (
	"context"
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// privacyView is the 个人信息 block of the case page: whether the case's
// personal data was anonymised, whether a legal hold keeps it, and the hold's
// form for supervisors.
type privacyView struct {
	Anonymised bool
	LegalHold  bool
	// MayHold: a supervisor (or admin) may set or clear the hold of a case that
	// still holds personal data.
	MayHold bool
}

// privacyBlock describes c's personal data for st.
func privacyBlock(c *storage.Case, st *storage.Staff) privacyView {
	return privacyView{Anonymised: c.Anonymised, LegalHold: c.LegalHold,
		MayHold: !c.Anonymised && st.Role.AtLeast(storage.RoleSupervisor)}
}

// deletionBanner is the case page's banner while the consumer's request to
// delete the case's personal data is pending: the desk must carry it out (or,
// under a legal hold, refuse it) by DueOn.
type deletionBanner struct {
	DueOn   string // "2006-01-02", China time
	Overdue bool
	// MayHandle: a supervisor (or admin), who handles it on the 删除请求 page.
	MayHandle bool
}

// pendingDeletion returns the case's pending deletion request, nil if none.
// The case was read through the staff member's scope, so its request is theirs
// to see.
func (s *Server) pendingDeletion(ctx context.Context, c *storage.Case) (*storage.DeletionRequest, error) {
	reqs, err := s.cfg.Store.DeletionRequests(ctx, storage.DeletionFilter{
		CaseID: c.ID, Status: storage.DeletionPending, Limit: 1})
	if err != nil || len(reqs) == 0 {
		return nil, err
	}
	return reqs[0], nil
}

// deletionBlock is the banner of c's pending deletion request for st, nil if
// there is none.
func (s *Server) deletionBlock(ctx context.Context, c *storage.Case, st *storage.Staff) (*deletionBanner, error) {
	req, err := s.pendingDeletion(ctx, c)
	if err != nil || req == nil {
		return nil, err
	}
	return &deletionBanner{DueOn: req.DueOn, Overdue: req.Overdue(s.today()),
		MayHandle: st.Role.AtLeast(storage.RoleSupervisor)}, nil
}

// setLegalHold sets (hold=1) or clears (hold=0) the case's legal hold
// (supervisors and admins; the route asks for the role). The store audits it.
func (s *Server) setLegalHold(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	hold := r.PostFormValue("hold") == "1"
	if _, err := s.cfg.Store.SetLegalHold(r.Context(), c.ID, hold, s.actedBy(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	flash := "已解除法律保全，保存期限届满后将匿名化。"
	if hold {
		flash = "已设置法律保全：解除前不会匿名化。"
	}
	redirectToCase(w, r, c.Number, flash)
}

// apiLegalHoldRequest is the body of POST …/legal-hold.
type apiLegalHoldRequest struct {
	Hold *bool `json:"hold"`
}

// apiLegalHold serves POST /api/v1/cases/{number}/legal-hold (supervisors):
// {"hold": true} sets the hold, false clears it; it answers with the case. 409
// for an anonymised case.
func (s *Server) apiLegalHold(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiLegalHoldRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	if req.Hold == nil {
		s.apiError(w, r, storage.Errorf(storage.EINVALID, "hold is required (true or false)"))
		return
	}
	updated, err := s.cfg.Store.SetLegalHold(r.Context(), c.ID, *req.Hold, s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}
