package console

import (
	"net/http"
	"net/url"

	"github.com/complaintbot/complaintbot/storage"
)

// The forms of the case page, by the name a refused post is brought back to. A
// status move's form is formMove plus the status it moves to.
const (
	formReply    = "reply"
	formNote     = "note"
	formAccept   = "accept"
	formReject   = "reject"
	formMove     = "status:"
	formReopen   = "reopen"
	formAssign   = "assign"
	formClose    = "close"
	formMaterial = "material"
	formResume   = "resume"
)

// formState is a refused post of one of the case page's forms: which form, why it
// was refused, and what the staff member had typed, so that the page comes back
// with the words still in the form instead of losing a long reply to a typo.
type formState struct {
	Name   string
	Error  string
	values url.Values
}

// Refused reports whether form is the one that was refused (to show the message
// by it and fill it in again).
func (f formState) Refused(form string) bool {
	return f.Error != "" && f.Name == form
}

// Value returns what was typed in field of form, or "" unless form is the one
// that was refused: only that form is filled in again, the others stay fresh.
func (f formState) Value(form, field string) string {
	if !f.Refused(form) {
		return ""
	}
	return f.values.Get(field)
}

// refuseForm answers a post of the case page's form that failed. A refusal the
// staff member can put right (invalid input, or a conflict with the case as it
// now stands) brings the case page back, current, with the message and the
// form as they filled it in; anything else is the error page.
func (s *Server) refuseForm(w http.ResponseWriter, r *http.Request, c *storage.Case, form string, err error) {
	switch storage.ErrorCode(err) {
	case storage.EINVALID, storage.ECONFLICT:
	default:
		s.pageError(w, r, err)
		return
	}
	status, message := httpStatus(err)
	current, ferr := s.cfg.Store.FindCaseByNumber(r.Context(), c.Number) // a conflict means c is stale
	if ferr != nil {
		s.pageError(w, r, ferr)
		return
	}
	v, ferr := s.casePage(r.Context(), current, staffFrom(r.Context()))
	if ferr != nil {
		s.pageError(w, r, ferr)
		return
	}
	v.Form = formState{Name: form, Error: message, values: r.PostForm}
	s.render(w, r, status, "case_detail.html", "案件 "+current.Number, v)
}
