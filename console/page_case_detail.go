package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// showCase renders a case: its fields, the chat thread with delivery states, the
// evidence and the actions allowed now. Opening the page marks the case read.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	s.markRead(r, c)
	v, err := s.casePage(r.Context(), c, staffFrom(r.Context()))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "case_detail.html", "案件 "+c.Number, v)
}

// revealPhone renders the case page with the consumer's full phone number. The
// look is audited first (the entry holds no number): if the audit entry cannot
// be written, the number is not shown.
func (s *Server) revealPhone(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	v, err := s.casePage(r.Context(), c, staffFrom(r.Context()))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	err = s.cfg.Store.AddAudit(r.Context(), storage.AuditEntry{
		StaffID: staffFrom(r.Context()).ID, Action: storage.AuditRevealPhone, CaseID: c.ID,
		Detail: "控制台", IP: s.auth.ClientIP(r), CreatedAt: s.cfg.Now(),
	})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v.Case.Phone = c.Phone
	s.render(w, r, http.StatusOK, "case_detail.html", "案件 "+c.Number, v)
}

// markCaseRead clears the case's unread flag on request (the page polls, so new
// messages can arrive while it is open).
func (s *Server) markCaseRead(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Store.MarkCaseRead(r.Context(), c.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.audit(r, storage.AuditMarkRead, c.ID, "")
	redirectToCase(w, r, c.Number, "已标为已读")
}

// markRead clears the unread flag of a case being opened. A failure only costs a
// stale badge in the queue, so it is logged, not shown.
func (s *Server) markRead(r *http.Request, c *storage.Case) {
	if !c.Unread {
		return
	}
	if err := s.cfg.Store.MarkCaseRead(r.Context(), c.ID); err != nil {
		s.cfg.Logger.Warn("mark case read", "case", c.ID, "err", err)
		return
	}
	c.Unread = false
}

// casePage gathers what the case page shows.
func (s *Server) casePage(ctx context.Context, c *storage.Case, st *storage.Staff) (*caseDetailView, error) {
	staff, err := s.loadStaff(ctx)
	if err != nil {
		return nil, err
	}
	in, err := s.loadTimeline(ctx, c, staff)
	if err != nil {
		return nil, err
	}
	canned, err := s.usableCanned(ctx, c.UnitID)
	if err != nil {
		return nil, err
	}
	mv, err := s.findMaterialView(ctx, c)
	if err != nil {
		return nil, err
	}
	v := &caseDetailView{
		Case: newCaseFields(c, staff), Actions: allowedActions(c, st, mv),
		Timeline: buildTimeline(in), Canned: canned, Assignees: staff.seeing(c.UnitID).options(c.AssigneeID),
		RejectReasons: initialRejectReasons(), TerminationReasons: storage.TerminationReasons,
		ReplyMax: pageMaxReplyRunes, NoteMax: pageMaxNoteRunes, ReasonMax: pageMaxReasonRunes,
		MaterialMax: storage.MaterialMaxRunes,
		Idem:        newIdemKey(),
	}
	for _, ev := range in.evidence {
		v.Evidence = append(v.Evidence, newEvidenceView(ev))
	}
	if v.Rating, err = s.findRatingView(ctx, c); err != nil {
		return nil, err
	}
	if v.Clocks, err = s.caseClockViews(ctx, c); err != nil {
		return nil, err
	}
	if v.Classify, err = s.classifyBlock(ctx, c, st); err != nil {
		return nil, err
	}
	if v.Typical, err = s.typicalBlock(ctx, c, st); err != nil {
		return nil, err
	}
	v.Privacy = privacyBlock(c, st)
	if v.Deletion, err = s.deletionBlock(ctx, c, st); err != nil {
		return nil, err
	}
	if v.Mass, err = s.caseMassBlock(ctx, c, st); err != nil {
		return nil, err
	}
	if v.Transfer, err = s.transferBlock(ctx, c, st); err != nil {
		return nil, err
	}
	if v.Merchant, err = s.caseMerchantBlock(ctx, c); err != nil {
		return nil, err
	}
	if v.Agreement, err = s.agreementBlock(ctx, c, st); err != nil {
		return nil, err
	}
	if v.Referrals, err = s.referralsBlock(ctx, c, staff); err != nil {
		return nil, err
	}
	if n := len(in.events); n > 0 {
		v.LastEventID = in.events[n-1].ID
	}
	units, err := s.unitNames(ctx, staff.scope)
	if err != nil {
		return nil, err
	}
	v.Unit = units[c.UnitID]
	return v, nil
}

// findRatingView returns the consumer's rating of the case for the page, or nil
// if they have not rated it.
func (s *Server) findRatingView(ctx context.Context, c *storage.Case) (*ratingView, error) {
	rt, err := s.cfg.Store.FindRating(ctx, c.ID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &ratingView{Label: ratingLabel(rt.Rating), Comment: rt.Comment}, nil
}

// loadTimeline reads the case's events, evidence and notifications.
func (s *Server) loadTimeline(ctx context.Context, c *storage.Case, staff *staffDirectory) (timelineInput, error) {
	in := timelineInput{staff: staff}
	var err error
	if in.events, err = s.cfg.Store.ListEvents(ctx, c.ID); err != nil {
		return in, err
	}
	if in.evidence, err = s.cfg.Store.ListEvidence(ctx, c.ID); err != nil {
		return in, err
	}
	in.notices, err = s.cfg.Store.FindNotifications(ctx, storage.NotificationFilter{CaseID: &c.ID, Limit: maxCaseNotices})
	return in, err
}

// Length limits of the case page's forms, in characters (as the JSON API's).
const (
	pageMaxReplyRunes  = 600 // WeChat customer-service texts hold 2048 bytes, about 680 characters
	pageMaxNoteRunes   = 5000
	pageMaxReasonRunes = 500
)

// maxCaseNotices bounds the outbox rows read for one case page.
const maxCaseNotices = 10000

// caseFromPath finds the case named by the {number} of the path (typed loosely
// too, see findCasePage). On failure it has already written the error page: for
// a number that names no case, a 404 that says which number was looked up.
func (s *Server) caseFromPath(w http.ResponseWriter, r *http.Request) (*storage.Case, bool) {
	number := r.PathValue("number")
	c, err := s.findCasePage(r, number)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		s.render(w, r, http.StatusNotFound, "error.html", "案件不存在",
			"找不到编号为“"+number+"”的案件，请检查编号是否正确。")
		return nil, false
	case err != nil:
		s.pageError(w, r, err)
		return nil, false
	}
	return c, true
}

// findCasePage looks a case up by its number, canonical or typed loosely
// ("ts2026123"), within the signed-in staff member's scope (scopedCase).
func (s *Server) findCasePage(r *http.Request, raw string) (*storage.Case, error) {
	return s.scopedCase(r, raw)
}

// findCaseByRawNumber looks a case up by its number, canonical or typed loosely
// ("ts2026123"); other text is looked up as it is. It does not look at scope:
// only scopedCase calls it.
func (s *Server) findCaseByRawNumber(r *http.Request, raw string) (*storage.Case, error) {
	number, ok := storage.ParseCaseNumber(raw, s.cfg.CasePrefix)
	if !ok || s.cfg.CasePrefix == "" {
		number = strings.TrimSpace(raw)
	}
	return s.cfg.Store.FindCaseByNumber(r.Context(), number)
}

// optionalFormText trims an optional free text and checks its length.
func optionalFormText(name, s string, max int) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return parseText(name, s, max)
}

// redirectToCase sends the browser back to the case page with a message (303, so
// a reload does not post again).
func redirectToCase(w http.ResponseWriter, r *http.Request, number, flash string) {
	target := "/console/cases/" + url.PathEscape(number) + flashQuery(r, flash)
	http.Redirect(w, r, target, http.StatusSeeOther)
}
