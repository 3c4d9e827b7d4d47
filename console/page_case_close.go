package console

import (
	"net/http"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// closeCase is the one closing action (结案): the outcome chosen sets the status,
// and the store writes both, the timeline event, the consumer's notice and the
// audit entry in one transaction. An agreement or a settlement needs the money
// recovered (0 is an answer; empty is not) and says whether compensation was
// doubled; a termination needs its ground; a withdrawal nothing more.
func (s *Server) closeCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	cl, err := closingFromForm(r)
	if err != nil {
		s.refuseForm(w, r, c, formClose, err)
		return
	}
	if to, _ := storage.OutcomeStatus(cl.Outcome); !c.Status.CanMoveTo(to) {
		s.refuseForm(w, r, c, formClose, storage.Errorf(storage.ECONFLICT,
			"案件当前为“%s”，不能以“%s”结案。", c.Status.Label(), storage.OutcomeLabel(cl.Outcome)))
		return
	}
	by := s.actedBy(r)
	cl.CaseID, cl.Actor, cl.IP = c.ID, by.Actor, by.IP
	updated, err := s.cfg.Store.CloseCase(r.Context(), cl)
	if err != nil {
		s.refuseForm(w, r, c, formClose, err)
		return
	}
	redirectToCase(w, r, c.Number, "已结案："+storage.OutcomeLabel(cl.Outcome)+"，案件状态为“"+updated.Status.Label()+"”，将通知消费者。")
}

// closingFromForm reads the closing form: outcome, recovered (yuan), double=1,
// reason (a termination's ground) and an optional note.
func closingFromForm(r *http.Request) (storage.Closing, error) {
	cl := storage.Closing{Outcome: r.PostFormValue("outcome")}
	status, ok := storage.OutcomeStatus(cl.Outcome)
	if !ok {
		return cl, storage.Errorf(storage.EINVALID, "请选择调解结果。")
	}
	var err error
	if cl.Note, err = optionalFormText("说明", r.PostFormValue("note"), pageMaxReasonRunes); err != nil {
		return cl, err
	}
	switch status {
	case storage.StatusResolved:
		yuan := strings.TrimSpace(r.PostFormValue("recovered"))
		if yuan == "" {
			return cl, storage.Errorf(storage.EINVALID, "请填写挽回经济损失（元），没有挽回请填 0。")
		}
		cl.RecoveredFen, err = storage.ParseYuan(yuan)
		cl.DoubleCompensation = r.PostFormValue("double") == "1"
	case storage.StatusTerminated:
		cl.Reason, err = pickOne("终止理由", r.PostFormValue("reason"), storage.TerminationReasons)
	}
	return cl, err
}

// closeOutcomes offers the outcomes a case in status s may be closed with now:
// those whose status the table reaches from s.
func closeOutcomes(s storage.Status) []option {
	var out []option
	for _, o := range storage.OutcomeLabels {
		if to, _ := storage.OutcomeStatus(o.Value); s.CanMoveTo(to) {
			out = append(out, option{Value: o.Value, Label: o.Label})
		}
	}
	return out
}
