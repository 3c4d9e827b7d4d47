package console

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// apiAssignRequest is the body of …/assign. AssigneeID is kept raw to tell a missing
// field (an error) from null (unassign).
type apiAssignRequest struct {
	AssigneeID json.RawMessage `json:"assignee_id"`
}

// apiCloseRequest is the body of …/close (and of …/outcome, its former name). The
// amount is given once, in yuan (a string or a JSON number, read exactly) or in
// fen; an agreement or a settlement needs it (0 is an answer).
type apiCloseRequest struct {
	Outcome            string   `json:"outcome"`
	RecoveredYuan      *apiYuan `json:"recovered_yuan"`
	RecoveredFen       *int64   `json:"recovered_fen"`
	DoubleCompensation bool     `json:"double_compensation"`
	Reason             string   `json:"reason"` // terminated: one of storage.TerminationReasons
	Note               string   `json:"note"`
}

// apiYuan is an amount in yuan sent as "3999.50" or 3999.5, held in fen. The
// number's literal text is parsed, never a float, so no cent is lost.
type apiYuan int64

// UnmarshalJSON implements json.Unmarshaler.
func (y *apiYuan) UnmarshalJSON(b []byte) error {
	var text string
	if bytes.HasPrefix(b, []byte(`"`)) {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
	} else {
		text = string(b)
	}
	fen, err := storage.ParseYuan(text)
	if err != nil {
		return err
	}
	*y = apiYuan(fen)
	return nil
}

// apiAssign serves POST …/assign. Supervisors assign anyone or unassign; a mediator
// may only take an unassigned case for themself.
func (s *Server) apiAssign(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiAssignRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	assignee, err := apiParseAssignee(req.AssigneeID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	st := staffFrom(r.Context())
	if !apiMayAssign(st, assignee) {
		writeJSONError(w, http.StatusForbidden, storage.EFORBIDDEN, "调解员只能认领尚未分配的案件给自己")
		return
	}
	if err := s.checkAssignee(r.Context(), c, assignee); err != nil {
		s.apiError(w, r, err)
		return
	}
	var updated *storage.Case
	if st.Role.AtLeast(storage.RoleSupervisor) {
		updated, err = s.cfg.Store.AssignCase(r.Context(), c.ID, assignee, s.actedBy(r))
	} else {
		// A mediator's claim: the store checks "unassigned" on the locked row (409
		// if someone else has the case), not c, which may be stale by now.
		updated, err = s.cfg.Store.ClaimCase(r.Context(), c.ID, st.ID, s.actedBy(r))
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}

// apiParseAssignee reads assignee_id: a staff id, or null to unassign.
func apiParseAssignee(raw json.RawMessage) (*int64, error) {
	switch string(bytes.TrimSpace(raw)) {
	case "":
		return nil, storage.Errorf(storage.EINVALID, "缺少 assignee_id（员工编号；null 表示取消分配）")
	case "null":
		return nil, nil
	}
	var id int64
	if err := json.Unmarshal(raw, &id); err != nil || id <= 0 {
		return nil, storage.Errorf(storage.EINVALID, "assignee_id 应为员工编号或 null")
	}
	return &id, nil
}

// apiMayAssign reports whether st may set the case's assignee: supervisors always; a
// mediator only to themself (a claim, which the store refuses, 409, if someone else
// has the case).
func apiMayAssign(st *storage.Staff, assignee *int64) bool {
	if st.Role.AtLeast(storage.RoleSupervisor) {
		return true
	}
	return assignee != nil && *assignee == st.ID
}

// apiClose serves POST …/close (结案): the outcome sets the status, in one
// transaction with the outcome's facts (409 conflict if the case's status cannot
// lead to the outcome's).
func (s *Server) apiClose(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiCloseRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	cl, err := apiClosingFrom(req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	by := s.actedBy(r)
	cl.CaseID, cl.Actor, cl.IP = c.ID, by.Actor, by.IP
	updated, err := s.cfg.Store.CloseCase(r.Context(), cl)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}

// apiClosingFrom checks the request and builds the store's Closing; the store
// checks what each outcome needs (storage.Closing.Validate).
func apiClosingFrom(req apiCloseRequest) (storage.Closing, error) {
	cl := storage.Closing{Outcome: req.Outcome, DoubleCompensation: req.DoubleCompensation, Reason: req.Reason}
	status, ok := storage.OutcomeStatus(req.Outcome)
	if !ok {
		return cl, storage.Errorf(storage.EINVALID, "outcome 必须是以下之一：%s", apiOutcomeValues())
	}
	fen, given, err := apiAmount("recovered", req.RecoveredYuan, req.RecoveredFen)
	switch {
	case err != nil:
		return cl, err
	case given:
		cl.RecoveredFen = fen
	case status == storage.StatusResolved:
		return cl, storage.Errorf(storage.EINVALID, "达成调解协议或协商和解须给出 recovered_yuan 或 recovered_fen（没有挽回填 0）")
	}
	cl.Note, err = optionalText("note", req.Note, apiMaxReasonRunes)
	return cl, err
}

// apiValidOutcome reports whether v is one of the Outcome… codes.
func apiValidOutcome(v string) bool {
	for _, o := range storage.OutcomeLabels {
		if o.Value == v {
			return true
		}
	}
	return false
}

// apiOutcomeValues lists the outcome codes for an error message.
func apiOutcomeValues() string {
	var b bytes.Buffer
	for i, o := range storage.OutcomeLabels {
		if i > 0 {
			b.WriteString("、")
		}
		b.WriteString(o.Value + "（" + o.Label + "）")
	}
	return b.String()
}

// apiAmount reads an amount a request gives either as <name>_yuan (a decimal
// in yuan) or as <name>_fen, not both: the amount in fen, and whether one was
// given. A fen amount must lie between 0 and storage.MaxAmountFen, as a yuan one
// does when it is parsed.
func apiAmount(name string, yuan *apiYuan, fen *int64) (int64, bool, error) {
	switch {
	case yuan != nil && fen != nil:
		return 0, false, storage.Errorf(storage.EINVALID, "%s_yuan 与 %s_fen 只能给一个", name, name)
	case yuan != nil:
		return int64(*yuan), true, nil
	case fen != nil:
		if *fen < 0 || *fen > storage.MaxAmountFen {
			return 0, false, storage.Errorf(storage.EINVALID, "%s_fen 应在 0 到 %d 之间", name, int64(storage.MaxAmountFen))
		}
		return *fen, true, nil
	}
	return 0, false, nil
}
