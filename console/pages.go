package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// pageRoutes registers the case desk's pages: the queue, a case and the actions
// on it, evidence, canned replies, the audit log and the statistics. Every route passes through
// s.page, which asks for a signed-in staff member of at least the given role and,
// on POST, the session's CSRF token. A handler may check more (assigning a case
// to someone else needs a supervisor; a mediator may only take a case).
func (s *Server) pageRoutes(mux *http.ServeMux) {
	const m, sup = storage.RoleMediator, storage.RoleSupervisor

	mux.Handle("GET /console/cases", s.page(m, s.showCaseList))
	mux.Handle("GET /console/cases/{number}", s.page(m, s.showCase))
	mux.Handle("GET /console/cases/{number}/events", s.page(m, s.showCaseEvents))
	mux.Handle("POST /console/cases/{number}/accept", s.page(m, s.acceptCase))
	mux.Handle("POST /console/cases/{number}/reject", s.page(m, s.rejectCase))
	mux.Handle("POST /console/cases/{number}/status", s.page(m, s.changeCaseStatus))
	mux.Handle("POST /console/cases/{number}/reopen", s.page(sup, s.reopenCase))
	mux.Handle("POST /console/cases/{number}/assign", s.page(m, s.assignCase))
	mux.Handle("POST /console/cases/{number}/reply", s.page(m, s.replyToCase))
	mux.Handle("POST /console/cases/{number}/note", s.page(m, s.addCaseNote))
	mux.Handle("POST /console/cases/{number}/outcome", s.page(m, s.recordCaseOutcome))
	mux.Handle("POST /console/cases/{number}/read", s.page(m, s.markCaseRead))
	mux.Handle("POST /console/cases/{number}/reveal-phone", s.page(m, s.revealPhone))

	mux.Handle("GET /console/evidence/{id}", s.page(m, s.showEvidence))

	mux.Handle("GET /console/canned", s.page(sup, s.showCannedReplies))
	mux.Handle("POST /console/canned", s.page(sup, s.createCannedReply))
	mux.Handle("POST /console/canned/{id}", s.page(sup, s.updateCannedReply))
	mux.Handle("POST /console/canned/{id}/delete", s.page(sup, s.deleteCannedReply))

	mux.Handle("GET /console/audit", s.page(sup, s.showAudit))
	mux.Handle("GET /console/reports", s.page(sup, s.showReport))

	// Settings go through sessionPage: a leaked API token must not be enough to
	// change the hotline consumers are told to call.
	mux.Handle("GET /console/settings", s.sessionPage(storage.RoleAdmin, s.showSettings))
	mux.Handle("POST /console/settings", s.sessionPage(storage.RoleAdmin, s.saveSettings))
}
