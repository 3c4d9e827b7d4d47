package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// maxBulkCases bounds one bulk assignment: a queue page holds 20, a supervisor
// may tick several pages' worth in the API's per_page of 100.
const maxBulkCases = 100

// bulkAssignCases assigns the cases ticked on the queue (POST /console/cases/assign,
// fields case (repeated), assignee and back). The rules are those of assigning
// one case: a supervisor assigns anyone or no one; a mediator may only take
// unassigned cases for themselves. Each case is assigned, and audited, on its own:
// one that cannot be (someone else took it meanwhile) is named in the message
// and does not stop the others.
func (s *Server) bulkAssignCases(w http.ResponseWriter, r *http.Request) {
	back := queueBackURL(r.PostFormValue("back"))
	numbers := r.PostForm["case"]
	st := staffFrom(r.Context())
	assignee, ok := assigneeFromForm(r.PostFormValue("assignee"), st)
	switch {
	case len(numbers) == 0:
		redirectWithFlash(w, r, back, "请先勾选要分配的案件。")
		return
	case len(numbers) > maxBulkCases:
		s.renderError(w, r, http.StatusBadRequest, fmt.Sprintf("一次最多分配 %d 件案件。", maxBulkCases))
		return
	case !ok:
		redirectWithFlash(w, r, back, "请选择承办人。")
		return
	}
	supervisor := st.Role.AtLeast(storage.RoleSupervisor)
	if !supervisor && (assignee == nil || *assignee != st.ID) {
		s.renderError(w, r, http.StatusForbidden, "调解员只能认领尚未分配的案件。")
		return
	}
	done, failed := 0, []string{}
	for _, number := range numbers {
		if err := s.assignOne(r, number, assignee, supervisor); err != nil {
			failed = append(failed, number+"（"+bulkFailure(err)+"）")
			continue
		}
		done++
	}
	redirectWithFlash(w, r, back, bulkAssignFlash(done, failed, assignee == nil))
}

// assignOne assigns (supervisor) or claims (mediator) the case with number.
func (s *Server) assignOne(r *http.Request, number string, assignee *int64, supervisor bool) error {
	c, err := s.findCasePage(r, number)
	if err != nil {
		return err
	}
	if err := s.checkAssignee(r.Context(), c, assignee); err != nil {
		return err
	}
	if supervisor {
		_, err = s.cfg.Store.AssignCase(r.Context(), c.ID, assignee, s.actedBy(r))
	} else {
		_, err = s.cfg.Store.ClaimCase(r.Context(), c.ID, *assignee, s.actedBy(r))
	}
	return err
}

// bulkFailure says in a few words why one case of a bulk assignment failed.
func bulkFailure(err error) string {
	switch storage.ErrorCode(err) {
	case storage.ENOTFOUND:
		return "找不到该案件"
	case storage.ECONFLICT:
		return "已由其他人承办"
	case storage.EINVALID:
		return "承办人不存在、已停用或看不到该案件"
	}
	return "系统出错，请稍后再试"
}

// bulkAssignFlash tells what a bulk assignment did.
func bulkAssignFlash(done int, failed []string, unassign bool) string {
	verb := "分配"
	if unassign {
		verb = "取消分配"
	}
	msg := fmt.Sprintf("已%s %d 件案件。", verb, done)
	if len(failed) > 0 {
		msg += fmt.Sprintf("%d 件未能%s：%s。", len(failed), verb, strings.Join(failed, "；"))
	}
	return msg
}

// queueBackURL rebuilds the queue address a bulk form came from out of its
// query alone, through the queue's own parser, so the redirect can only lead
// back to the queue.
func queueBackURL(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		q = url.Values{}
	}
	qq := parseQueueQuery(q)
	v := qq.values()
	if qq.Page > 1 {
		v.Set("page", fmt.Sprint(qq.Page))
	}
	if enc := v.Encode(); enc != "" {
		return "/console/cases?" + enc
	}
	return "/console/cases"
}

// redirectWithFlash sends the browser to target (a console path, maybe with a
// query) with a signed message (303).
func redirectWithFlash(w http.ResponseWriter, r *http.Request, target, flash string) {
	if fq := flashQuery(r, flash); fq != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + strings.TrimPrefix(fq, "?")
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// bulkAssigneeOptions offers whom ticked cases may go to: for a supervisor, no
// one (取消分配) or any active staff member; for a mediator, only themselves.
func bulkAssigneeOptions(staff *staffDirectory, st *storage.Staff) []option {
	if !st.Role.AtLeast(storage.RoleSupervisor) {
		return []option{{Value: "me", Label: "认领给我（仅未分配的案件）"}}
	}
	out := []option{{Value: "none", Label: "取消分配"}}
	return append(out, staff.options(0)...)
}
