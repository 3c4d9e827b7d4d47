package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// replyToCase writes to the consumer: the reply goes on the timeline and into the
// outbox in one transaction; the push worker delivers it.
func (s *Server) replyToCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	text, err := parseText("回复", r.PostFormValue("text"), pageMaxReplyRunes)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ev := storage.NewEvent{
		CaseID: c.ID, Kind: storage.EventStaffReply, Actor: staffFrom(r.Context()).Actor(), Body: text,
		Notify: &storage.NewNotification{Kind: storage.NoticeStaffReply, Text: text},
	}
	if _, err := s.cfg.Store.AddEvent(r.Context(), ev); err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectToCase(w, r, c.Number, "回复已保存，正在发送给消费者。")
}

// addCaseNote adds an internal note; the consumer is not told.
func (s *Server) addCaseNote(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	text, err := parseText("备注", r.PostFormValue("text"), pageMaxNoteRunes)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ev := storage.NewEvent{CaseID: c.ID, Kind: storage.EventNote, Actor: staffFrom(r.Context()).Actor(), Body: text}
	if _, err := s.cfg.Store.AddEvent(r.Context(), ev); err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectToCase(w, r, c.Number, "内部备注已保存。")
}
