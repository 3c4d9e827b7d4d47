package console

import (
	"net/http"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// acceptCase accepts a submitted complaint.
func (s *Server) acceptCase(w http.ResponseWriter, r *http.Request) {
	s.moveCase(w, r, storage.StatusAccepted, formAccept)
}

// rejectCase refuses a complaint on one of the grounds of storage.RejectReasons.
func (s *Server) rejectCase(w http.ResponseWriter, r *http.Request) {
	s.moveCase(w, r, storage.StatusRejected, formReject)
}

// changeCaseStatus moves a case to the status of the form's "to" field.
func (s *Server) changeCaseStatus(w http.ResponseWriter, r *http.Request) {
	to, err := parseStatus(r.PostFormValue("to"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.moveCase(w, r, to, formMove+string(to))
}

// moveCase checks the move against the table and its reason, then asks the
// store, which checks the table again under a lock and notifies the consumer. A
// refusal brings form back as it was filled in.
func (s *Server) moveCase(w http.ResponseWriter, r *http.Request, to storage.Status, form string) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if !c.Status.CanMoveTo(to) {
		s.refuseForm(w, r, c, form, storage.Errorf(storage.ECONFLICT, "案件当前为“%s”，不能改为“%s”。", c.Status.Label(), to.Label()))
		return
	}
	if err := plainMoveOnly(to); err != nil {
		s.refuseForm(w, r, c, form, err)
		return
	}
	reason, err := moveReason(to, r)
	if err != nil {
		s.refuseForm(w, r, c, form, err)
		return
	}
	by := s.actedBy(r)
	change := storage.StatusChange{CaseID: c.ID, To: to, Actor: by.Actor, IP: by.IP, Reason: reason}
	if to == storage.StatusReferred {
		change.Contact = strings.TrimSpace(r.PostFormValue("contact"))
	}
	if _, err := s.cfg.Store.ChangeStatus(r.Context(), change); err != nil {
		s.refuseForm(w, r, c, form, err)
		return
	}
	redirectToCase(w, r, c.Number, "案件状态已改为“"+to.Label()+"”，将通知消费者。")
}

// plainMoveOnly refuses, with a pointer to the right action, the moves that take
// more than a reason: an outcome (结案) or the material asked for (要求补正).
func plainMoveOnly(to storage.Status) error {
	switch {
	case to.ClosingOnly():
		return storage.Errorf(storage.ECONFLICT, "“%s”请通过“结案”选择调解结果登记。", to.Label())
	case to == storage.StatusAwaitingMaterial:
		return storage.Errorf(storage.ECONFLICT, "“%s”请通过“要求补正”写明所需材料。", to.Label())
	}
	return nil
}

// reopenCase lets a supervisor take a finished case back into mediation.
func (s *Server) reopenCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if !c.Status.CanReopen() {
		s.refuseForm(w, r, c, formReopen, storage.Errorf(storage.ECONFLICT, "案件当前为“%s”，不能重新调解。", c.Status.Label()))
		return
	}
	detail, err := optionalFormText("补充说明", r.PostFormValue("detail"), pageMaxReasonRunes)
	if err != nil {
		s.refuseForm(w, r, c, formReopen, err)
		return
	}
	by := s.actedBy(r)
	change := storage.StatusChange{CaseID: c.ID, To: storage.StatusMediating, Reopen: true, Actor: by.Actor, IP: by.IP, Reason: detail}
	if _, err := s.cfg.Store.ChangeStatus(r.Context(), change); err != nil {
		s.refuseForm(w, r, c, formReopen, err)
		return
	}
	redirectToCase(w, r, c.Number, "案件已重新进入调解。")
}

// moveReason builds the reason of a move from the form: a ground chosen from its
// list ("reason") for a rejection or a termination, a target for a referral, and
// the optional free text ("detail"), as the API does (withDetail).
func moveReason(to storage.Status, r *http.Request) (string, error) {
	detail, err := optionalFormText("补充说明", r.PostFormValue("detail"), pageMaxReasonRunes)
	if err != nil {
		return "", err
	}
	var chosen string
	switch to {
	case storage.StatusRejected:
		chosen, err = pickOne("不予受理理由", r.PostFormValue("reason"), storage.RejectReasons)
	case storage.StatusTerminated:
		chosen, err = pickOne("终止理由", r.PostFormValue("reason"), storage.TerminationReasons)
	case storage.StatusReferred:
		chosen, err = pickOne("转办去向", r.PostFormValue("target"), storage.ReferralTargets)
	default:
		return detail, nil
	}
	return withDetail(chosen, detail), err
}

// pickOne is oneOf for a form's list: nothing chosen is asked for in a few words
// rather than answered with the whole list, which the page shows anyway.
func pickOne(name, s string, choices []string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", storage.Errorf(storage.EINVALID, "请选择%s。", name)
	}
	return oneOf(name, s, choices)
}
