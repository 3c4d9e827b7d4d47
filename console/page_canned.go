package console

import (
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// Length limits of a canned reply; the body is sent as a reply, so it has the
// reply's limit.
const maxCannedTitleRunes = 40

// showCannedReplies lists the canned replies with forms to edit, delete and add.
func (s *Server) showCannedReplies(w http.ResponseWriter, r *http.Request) {
	list, sc, err := s.managedCanned(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "canned.html", "常用回复", cannedView{Replies: list, Inherited: inheritedCanned(list, sc)})
}

// createCannedReply adds a canned reply.
func (s *Server) createCannedReply(w http.ResponseWriter, r *http.Request) {
	title, body, err := cannedFromForm(r)
	if err != nil {
		s.refuseCanned(w, r, 0, err)
		return
	}
	st := staffFrom(r.Context())
	c, err := s.cfg.Store.CreateCannedReply(r.Context(), title, body, st.ID)
	if err != nil {
		s.refuseCanned(w, r, 0, err)
		return
	}
	s.audit(r, storage.AuditCannedReply, 0, "新建常用回复 #"+strconv.FormatInt(c.ID, 10))
	redirectToCanned(w, r, "常用回复已添加。")
}

// updateCannedReply replaces a canned reply's title and body.
func (s *Server) updateCannedReply(w http.ResponseWriter, r *http.Request) {
	id, ok := s.cannedID(w, r)
	if !ok {
		return
	}
	if err := s.scopedCannedChange(r.Context(), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	title, body, err := cannedFromForm(r)
	if err != nil {
		s.refuseCanned(w, r, id, err)
		return
	}
	if err := s.cfg.Store.UpdateCannedReply(r.Context(), id, title, body); err != nil {
		s.refuseCanned(w, r, id, err)
		return
	}
	s.audit(r, storage.AuditCannedReply, 0, "修改常用回复 #"+strconv.FormatInt(id, 10))
	redirectToCanned(w, r, "常用回复已保存。")
}

// refuseCanned answers a refused add (id 0) or change of a canned reply: for
// invalid input, the page again with the message and the form as it was filled
// in; otherwise the error page.
func (s *Server) refuseCanned(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if storage.ErrorCode(err) != storage.EINVALID {
		s.pageError(w, r, err)
		return
	}
	list, sc, lerr := s.managedCanned(r.Context())
	if lerr != nil {
		s.pageError(w, r, lerr)
		return
	}
	status, message := httpStatus(err)
	v := cannedView{Replies: list, Error: message, EditID: id, Inherited: inheritedCanned(list, sc)}
	typed := storage.CannedReply{ID: id, Title: r.PostFormValue("title"), Body: r.PostFormValue("body")}
	if id == 0 {
		v.New = typed
	}
	for i, c := range list {
		if c.ID == id {
			typed.UpdatedAt = c.UpdatedAt
			v.Replies[i] = &typed
		}
	}
	s.render(w, r, status, "canned.html", "常用回复", v)
}

// deleteCannedReply removes a canned reply.
func (s *Server) deleteCannedReply(w http.ResponseWriter, r *http.Request) {
	id, ok := s.cannedID(w, r)
	if !ok {
		return
	}
	if err := s.scopedCannedChange(r.Context(), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	if err := s.cfg.Store.DeleteCannedReply(r.Context(), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.audit(r, storage.AuditCannedReply, 0, "删除常用回复 #"+strconv.FormatInt(id, 10))
	redirectToCanned(w, r, "常用回复已删除。")
}

// cannedID reads the {id} of the path; on failure the error page is written.
func (s *Server) cannedID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.renderError(w, r, http.StatusNotFound, "找不到该常用回复。")
		return 0, false
	}
	return id, true
}

// cannedFromForm reads the title and body, or says what is wrong.
func cannedFromForm(r *http.Request) (title, body string, err error) {
	if title, err = parseText("标题", r.PostFormValue("title"), maxCannedTitleRunes); err != nil {
		return "", "", err
	}
	if body, err = parseText("正文", r.PostFormValue("body"), pageMaxReplyRunes); err != nil {
		return "", "", err
	}
	return title, body, nil
}

// redirectToCanned goes back to the list with a message.
func redirectToCanned(w http.ResponseWriter, r *http.Request, flash string) {
	http.Redirect(w, r, "/console/canned"+flashQuery(r, flash), http.StatusSeeOther)
}

// inheritedCanned marks the replies of units above the staff member's own.
func inheritedCanned(list []*storage.CannedReply, sc *unitScope) map[int64]bool {
	out := map[int64]bool{}
	for _, c := range list {
		if !sc.hasUnit(c.UnitID) {
			out[c.ID] = true
		}
	}
	return out
}
