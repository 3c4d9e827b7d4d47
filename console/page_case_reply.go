package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// replyToCase writes to the consumer: the reply goes on the timeline and into the
// outbox in one transaction; the push worker delivers it. The form's idem key makes
// a second post of the same form (a double click) store and send nothing.
func (s *Server) replyToCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	text, err := parseText("回复", r.PostFormValue("text"), pageMaxReplyRunes)
	if err != nil {
		s.refuseForm(w, r, c, formReply, err)
		return
	}
	by := s.actedBy(r)
	ev := storage.NewEvent{
		CaseID: c.ID, Kind: storage.EventStaffReply, Actor: by.Actor, IP: by.IP, Body: text,
		Notify: &storage.NewNotification{Kind: storage.NoticeStaffReply, Text: text},
	}
	if !s.addFormEvent(w, r, c, formReply, ev) {
		return
	}
	redirectToCase(w, r, c.Number, "回复已保存，正在发送给消费者。")
}

// addFormEvent appends a reply or note posted with the case page's form, made
// idempotent by the form's idem key (a form without one, from a page rendered
// before keys existed, is stored as it comes). On failure the error page is
// written (form, of case c, brought back if it was refused) and false returned.
func (s *Server) addFormEvent(w http.ResponseWriter, r *http.Request, c *storage.Case, form string, ev storage.NewEvent) bool {
	var err error
	if ev.DedupeKey, err = dedupeKey(ev.Kind, ev.Actor, r.PostFormValue(idemField)); err != nil {
		s.refuseForm(w, r, c, form, err)
		return false
	}
	stored, err := s.cfg.Store.AddEvent(r.Context(), ev)
	if err == nil {
		err = checkReplay(stored, ev.Body)
	}
	if err != nil {
		s.refuseForm(w, r, c, form, err)
		return false
	}
	return true
}

// addCaseNote adds an internal note; the consumer is not told.
func (s *Server) addCaseNote(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	text, err := parseText("备注", r.PostFormValue("text"), pageMaxNoteRunes)
	if err != nil {
		s.refuseForm(w, r, c, formNote, err)
		return
	}
	by := s.actedBy(r)
	ev := storage.NewEvent{CaseID: c.ID, Kind: storage.EventNote, Actor: by.Actor, IP: by.IP, Body: text}
	if !s.addFormEvent(w, r, c, formNote, ev) {
		return
	}
	redirectToCase(w, r, c.Number, "内部备注已保存。")
}
