package console

import (
	"net/http"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// recordCaseOutcome stores how mediation ended: agreement, settlement, withdrawal
// or termination (with its ground), the money recovered and whether compensation
// was doubled.
func (s *Server) recordCaseOutcome(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if !outcomeAllowed(c.Status) {
		s.refuseForm(w, r, c, formOutcome, storage.Errorf(storage.ECONFLICT, "案件当前为“%s”，不能登记调解结果。", c.Status.Label()))
		return
	}
	o, err := outcomeFromForm(r)
	if err != nil {
		s.refuseForm(w, r, c, formOutcome, err)
		return
	}
	by := s.actedBy(r)
	o.CaseID, o.Actor, o.IP = c.ID, by.Actor, by.IP
	if _, err := s.cfg.Store.RecordOutcome(r.Context(), o); err != nil {
		s.refuseForm(w, r, c, formOutcome, err)
		return
	}
	redirectToCase(w, r, c.Number, "调解结果已登记。")
}

// outcomeFromForm reads the outcome form: outcome, recovered (yuan, empty for
// none), double=1, reason (a termination's ground) and an optional note.
func outcomeFromForm(r *http.Request) (storage.Outcome, error) {
	o := storage.Outcome{Outcome: r.PostFormValue("outcome"), DoubleCompensation: r.PostFormValue("double") == "1"}
	if !knownOutcome(o.Outcome) {
		return o, storage.Errorf(storage.EINVALID, "请选择调解结果。")
	}
	var err error
	if yuan := strings.TrimSpace(r.PostFormValue("recovered")); yuan != "" {
		if o.RecoveredFen, err = ParseYuan(yuan); err != nil {
			return o, err
		}
	}
	if o.Note, err = optionalFormText("说明", r.PostFormValue("note"), pageMaxReasonRunes); err != nil {
		return o, err
	}
	if o.Outcome == storage.OutcomeTerminated {
		reason, err := pickOne("终止理由", r.PostFormValue("reason"), storage.TerminationReasons)
		if err != nil {
			return o, err
		}
		o.Note = withDetail(reason, o.Note)
	}
	return o, nil
}
