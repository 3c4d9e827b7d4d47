package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// Length limits of what staff write, in characters.
const (
	apiMaxReplyRunes  = 600 // WeChat customer-service texts hold 2048 bytes, about 680 Chinese characters
	apiMaxNoteRunes   = 5000
	apiMaxReasonRunes = 500
)

// The case actions: POST /api/v1/cases/{number}/<action>. Each decodes its JSON body
// (see apiDecode), calls one store method with the caller as actor (the stores
// audit case actions in the same transaction) and answers with the case detail, or
// for a reply or a note with the new timeline entry.

// apiRejectRequest is the body of …/reject.
type apiRejectRequest struct {
	Reason string `json:"reason"` // one of storage.RejectReasons
	Detail string `json:"detail"` // optional words added to it
}

// apiStatusRequest is the body of …/status.
type apiStatusRequest struct {
	Status string `json:"status"`
	Reason string `json:"reason"` // rejected: storage.RejectReasons; terminated: storage.TerminationReasons
	Target string `json:"target"` // referred: storage.ReferralTargets
	Detail string `json:"detail"` // optional; for other statuses the whole reason
	// Contact is, for referred, who at the body took the case (the referral
	// record's contact; not shown to the consumer).
	Contact string `json:"contact"`
}

// apiTextRequest is the body of …/reply and …/note.
type apiTextRequest struct {
	Text string `json:"text"`
}

// apiReopenRequest is the body of …/reopen.
type apiReopenRequest struct {
	Reason string `json:"reason"` // optional
}

// apiAccept serves POST …/accept: 待受理 → 已受理.
func (s *Server) apiAccept(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req struct{}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	s.apiChangeStatus(w, r, storage.StatusChange{CaseID: c.ID, To: storage.StatusAccepted})
}

// apiReject serves POST …/reject: 待受理 → 不予受理, with a reason from the list.
func (s *Server) apiReject(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiRejectRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	reason, err := apiStatusReason(storage.StatusRejected, apiStatusRequest{Reason: req.Reason, Detail: req.Detail})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiChangeStatus(w, r, storage.StatusChange{CaseID: c.ID, To: storage.StatusRejected, Reason: reason})
}

// apiStatus serves POST …/status: any move the status table allows (409 conflict
// otherwise).
func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiStatusRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	to, err := parseStatus(req.Status)
	if err == nil {
		err = plainMoveOnly(to) // 409 naming …/close or …/material
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	reason, err := apiStatusReason(to, req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiChangeStatus(w, r, storage.StatusChange{CaseID: c.ID, To: to, Reason: reason, Contact: req.Contact})
}

// apiStatusReason checks what a move needs and returns the reason the timeline and the
// consumer's notice show: a reject or termination reason from its list, a referral
// target, each with the optional detail; for other moves the detail alone.
func apiStatusReason(to storage.Status, req apiStatusRequest) (string, error) {
	if err := apiNoStrayFields(to, req); err != nil {
		return "", err
	}
	detail, err := optionalText("detail", req.Detail, apiMaxReasonRunes)
	if err != nil {
		return "", err
	}
	var chosen string
	switch to {
	case storage.StatusRejected:
		chosen, err = oneOf("reason", req.Reason, storage.RejectReasons)
	case storage.StatusTerminated:
		chosen, err = oneOf("reason", req.Reason, storage.TerminationReasons)
	case storage.StatusReferred:
		chosen, err = oneOf("target", req.Target, storage.ReferralTargets)
	default:
		return detail, nil
	}
	return withDetail(chosen, detail), err
}

// apiNoStrayFields refuses a reason or a target where the move takes none, rather than
// dropping words staff meant the consumer to read.
func apiNoStrayFields(to storage.Status, req apiStatusRequest) error {
	if req.Reason != "" && to != storage.StatusRejected && to != storage.StatusTerminated {
		return storage.Errorf(storage.EINVALID, "只有不予受理和终止调解需要 reason；其他说明请写在 detail")
	}
	if (req.Target != "" || req.Contact != "") && to != storage.StatusReferred {
		return storage.Errorf(storage.EINVALID, "只有转办（referred）需要 target 和 contact")
	}
	return nil
}

// optionalText trims an optional free text and checks its length.
func optionalText(name, s string, max int) (string, error) {
	if s == "" {
		return "", nil
	}
	return parseText(name, s, max)
}

// apiReopen serves POST …/reopen (supervisors): a finished case back to 调解中.
func (s *Server) apiReopen(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiReopenRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	reason, err := optionalText("reason", req.Reason, apiMaxReasonRunes)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiChangeStatus(w, r, storage.StatusChange{CaseID: c.ID, To: storage.StatusMediating, Reason: reason, Reopen: true})
}

// apiChangeStatus makes the move as the caller and answers with the case.
func (s *Server) apiChangeStatus(w http.ResponseWriter, r *http.Request, ch storage.StatusChange) {
	by := s.actedBy(r)
	ch.Actor, ch.IP = by.Actor, by.IP
	c, err := s.cfg.Store.ChangeStatus(r.Context(), ch)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, c)
}

// apiReply serves POST …/reply: a message to the consumer, on the timeline and
// queued for WeChat in one transaction. It answers 201 with the timeline entry,
// whose delivery is "pending". With an Idempotency-Key header, a repeat of the
// request answers with the first one's entry and stores and sends nothing; the
// key used for other words is a 409 conflict.
func (s *Server) apiReply(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	s.apiAddText(w, r, c, storage.EventStaffReply, apiMaxReplyRunes)
}

// apiNote serves POST …/note: an internal note the consumer never sees;
// Idempotency-Key as for apiReply.
func (s *Server) apiNote(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	s.apiAddText(w, r, c, storage.EventNote, apiMaxNoteRunes)
}

// apiAddText appends a reply or a note; a reply also enqueues its notice.
func (s *Server) apiAddText(w http.ResponseWriter, r *http.Request, c *storage.Case, kind storage.EventKind, max int) {
	var req apiTextRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	text, err := parseText("text", req.Text, max)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	by := s.actedBy(r)
	ev := storage.NewEvent{CaseID: c.ID, Kind: kind, Actor: by.Actor, IP: by.IP, Body: text}
	if ev.DedupeKey, err = dedupeKey(kind, ev.Actor, r.Header.Get(idemHeader)); err != nil {
		s.apiError(w, r, err)
		return
	}
	delivery := ""
	if kind == storage.EventStaffReply {
		ev.Notify = &storage.NewNotification{Kind: storage.NoticeStaffReply, Text: text}
		delivery = apiDeliveryPending
	}
	e, err := s.cfg.Store.AddEvent(r.Context(), ev)
	if err == nil {
		err = checkReplay(e, text)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	names := apiNames{staffFrom(r.Context()).ID: staffFrom(r.Context()).Name}
	writeJSON(w, http.StatusCreated, apiEventJSON(e, names, delivery))
}

// apiMarkRead serves POST …/read: staff have seen the consumer's latest messages.
func (s *Server) apiMarkRead(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req struct{}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	if err := s.cfg.Store.MarkCaseRead(r.Context(), c.ID); err != nil {
		s.apiError(w, r, err)
		return
	}
	s.audit(r, storage.AuditMarkRead, c.ID, "")
	c.Unread = false
	s.apiWriteCase(w, r, http.StatusOK, c)
}

// apiRevealPhone serves POST …/reveal-phone: the complainant's full number, for a
// mediator who must call. It is a POST (CSRF-checked, never cached or prefetched)
// and audited first: if the audit entry cannot be written, the number is not shown.
func (s *Server) apiRevealPhone(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req struct{}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	err := s.cfg.Store.AddAudit(r.Context(), storage.AuditEntry{
		StaffID: staffFrom(r.Context()).ID, Action: storage.AuditRevealPhone, CaseID: c.ID,
		Detail: "API", IP: s.auth.ClientIP(r), CreatedAt: s.cfg.Now(),
	})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"number": c.Number, "phone": c.Phone})
}
