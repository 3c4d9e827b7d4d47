package console

import (
	"context"
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// formTypical is the case page's 典型案例 form, for refused posts.
const formTypical = "typical"

// typicalView is the 典型案例 block of the case page.
type typicalView struct {
	// May says the staff member may mark this case: a supervisor or an admin,
	// and the case concluded.
	May                  bool
	Marked               bool
	Title, Summary       string
	TitleMax, SummaryMax int
}

// typicalBlock loads the case's mark for the case page.
func (s *Server) typicalBlock(ctx context.Context, c *storage.Case, st *storage.Staff) (typicalView, error) {
	v := typicalView{May: st.Role.AtLeast(storage.RoleSupervisor) && c.Status.Final(),
		TitleMax: storage.MaxTypicalTitleRunes, SummaryMax: storage.MaxTypicalSummaryRunes}
	tc, err := s.cfg.Store.FindTypicalCase(ctx, c.ID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		return v, nil
	case err != nil:
		return v, err
	}
	v.Marked, v.Title, v.Summary = true, tc.Title, tc.Summary
	return v, nil
}

// markTypicalCase marks the case as a 典型案例 for the annual report, or rewords
// its mark (supervisors and admins; the route asks for the role).
func (s *Server) markTypicalCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	m := storage.TypicalCaseMark{CaseID: c.ID, Title: r.PostFormValue("title"),
		Summary: r.PostFormValue("summary"), By: s.actedBy(r)}
	if _, err := s.cfg.Store.MarkTypicalCase(r.Context(), m); err != nil {
		s.refuseForm(w, r, c, formTypical, err)
		return
	}
	redirectToCase(w, r, c.Number, "已标为典型案例，将列入年度报告。")
}

// unmarkTypicalCase removes the case's 典型案例 mark.
func (s *Server) unmarkTypicalCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Store.UnmarkTypicalCase(r.Context(), c.ID, s.actedBy(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectToCase(w, r, c.Number, "已取消典型案例。")
}
