package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// pageRoutes registers the case desk's pages: the queue, a case and the actions
// on it, evidence, canned replies, the audit log, the statistics, the account pages
// (one's own password, staff, API tokens) and the settings. Every route passes through
// s.page, which asks for a signed-in staff member of at least the given role and,
// on POST, the session's CSRF token. A handler may check more (assigning a case
// to someone else needs a supervisor; a mediator may only take a case).
func (s *Server) pageRoutes(mux *http.ServeMux) {
	const m, sup, admin = storage.RoleMediator, storage.RoleSupervisor, storage.RoleAdmin

	mux.Handle("GET /console/cases", s.page(m, s.showCaseList))
	mux.Handle("POST /console/cases/assign", s.page(m, s.bulkAssignCases))
	mux.Handle("GET /console/overdue", s.page(m, s.showOverdue))
	mux.Handle("GET /console/cases/{number}", s.page(m, s.showCase))
	s.exportRoutes(mux)
	mux.Handle("GET /console/cases/{number}/events", s.page(m, s.showCaseEvents))
	mux.Handle("POST /console/cases/{number}/accept", s.page(m, s.acceptCase))
	mux.Handle("POST /console/cases/{number}/reject", s.page(m, s.rejectCase))
	mux.Handle("POST /console/cases/{number}/status", s.page(m, s.changeCaseStatus))
	mux.Handle("POST /console/cases/{number}/reopen", s.page(sup, s.reopenCase))
	mux.Handle("POST /console/cases/{number}/assign", s.page(m, s.assignCase))
	mux.Handle("POST /console/cases/{number}/reply", s.page(m, s.replyToCase))
	mux.Handle("POST /console/cases/{number}/note", s.page(m, s.addCaseNote))
	mux.Handle("POST /console/cases/{number}/close", s.page(m, s.closeCase))
	mux.Handle("POST /console/cases/{number}/material", s.page(m, s.requestMaterial))
	mux.Handle("POST /console/cases/{number}/referrals/{id}/result", s.page(m, s.feedBackReferral))
	mux.Handle("POST /console/cases/{number}/arbitration-consent", s.page(m, s.askArbitrationConsent))
	mux.Handle("POST /console/cases/{number}/resume", s.page(m, s.resumeCase))
	mux.Handle("POST /console/cases/{number}/read", s.page(m, s.markCaseRead))
	mux.Handle("POST /console/cases/{number}/reveal-phone", s.page(m, s.revealPhone))
	mux.Handle("POST /console/cases/{number}/classify", s.page(m, s.classifyCase))
	mux.Handle("POST /console/cases/{number}/team", s.page(sup, s.rerouteCase))
	mux.Handle("POST /console/cases/{number}/typical", s.page(sup, s.markTypicalCase))
	mux.Handle("POST /console/cases/{number}/typical/remove", s.page(sup, s.unmarkTypicalCase))
	mux.Handle("POST /console/cases/{number}/legal-hold", s.page(sup, s.setLegalHold))
	mux.Handle("POST /console/cases/{number}/transfer", s.page(sup, s.transferCase))
	mux.Handle("GET /console/cases/{number}/agreement", s.page(m, s.showAgreement))
	mux.Handle("POST /console/cases/{number}/agreement", s.page(m, s.saveAgreement))
	mux.Handle("POST /console/cases/{number}/agreement/issue", s.page(m, s.issueAgreement))
	mux.Handle("POST /console/cases/{number}/agreement/reissue", s.page(m, s.reissueAgreement))

	mux.Handle("POST /console/cases/{number}/merchant", s.page(m, s.linkCaseMerchant))
	mux.Handle("POST /console/cases/{number}/merchant/new", s.page(m, s.createCaseMerchant))

	mux.Handle("GET /console/evidence/{id}", s.page(m, s.showEvidence))

	mux.Handle("GET /console/merchants", s.page(m, s.showMerchants))
	mux.Handle("POST /console/merchants", s.page(sup, s.createMerchant))
	mux.Handle("GET /console/merchants/{id}", s.page(m, s.showMerchant))
	mux.Handle("POST /console/merchants/{id}", s.page(sup, s.updateMerchant))
	mux.Handle("POST /console/merchants/{id}/merge", s.page(sup, s.mergeMerchant))
	mux.Handle("POST /console/merchants/{id}/invite", s.page(sup, s.inviteMerchant))
	mux.Handle("POST /console/merchants/{id}/accounts/{account}", s.page(sup, s.setMerchantAccountDisabled))
	mux.Handle("POST /console/merchants/{id}/accounts/{account}/password", s.page(sup, s.resetMerchantAccountPassword))

	mux.Handle("GET /console/canned", s.page(sup, s.showCannedReplies))
	mux.Handle("POST /console/canned", s.page(sup, s.createCannedReply))
	mux.Handle("POST /console/canned/{id}", s.page(sup, s.updateCannedReply))
	mux.Handle("POST /console/canned/{id}/delete", s.page(sup, s.deleteCannedReply))

	mux.Handle("GET /console/audit", s.page(sup, s.showAudit))
	mux.Handle("GET /console/reports", s.page(sup, s.showReport))
	mux.Handle("GET /console/reports/charts/{file}", s.page(sup, s.showReportChart))
	mux.Handle("GET /console/reports/annual/{year}", s.page(sup, s.showAnnualReport))
	mux.Handle("POST /console/reports/channels/{id}", s.page(sup, s.setChannelTeam))

	mux.Handle("GET /console/workload", s.page(sup, s.showWorkload))
	s.massPageRoutes(mux)
	s.deletionRoutes(mux)
	mux.Handle("GET /console/teams", s.page(sup, s.showTeams))
	mux.Handle("POST /console/teams", s.page(sup, s.createTeam))
	mux.Handle("POST /console/teams/{id}", s.page(sup, s.updateTeam))
	mux.Handle("POST /console/teams/{id}/members", s.page(sup, s.setTeamMembers))
	mux.Handle("POST /console/routing-rules", s.page(sup, s.createRoutingRule))
	mux.Handle("POST /console/routing-rules/{id}/move", s.page(sup, s.moveRoutingRule))
	mux.Handle("POST /console/routing-rules/{id}/delete", s.page(sup, s.deleteRoutingRule))

	// The settings and the calendar hold for the whole system: only the root
	// unit's admins change them (rootOnly).
	//
	// The account pages and the settings go through sessionPage: a leaked API
	// token must not be enough to mint more tokens, change a password, create
	// accounts or change the hotline consumers are told to call.
	mux.Handle("GET /console/password", s.sessionPage(m, s.showOwnPassword))
	mux.Handle("POST /console/password", s.sessionPage(m, s.changeOwnPassword))

	mux.Handle("GET /console/staff", s.sessionPage(admin, s.showStaffList))
	mux.Handle("GET /console/staff/new", s.sessionPage(admin, s.showNewStaff))
	mux.Handle("POST /console/staff", s.sessionPage(admin, s.createStaff))
	mux.Handle("GET /console/staff/{id}", s.sessionPage(admin, s.showStaffEdit))
	mux.Handle("POST /console/staff/{id}", s.sessionPage(admin, s.updateStaffAccount))
	mux.Handle("GET /console/staff/{id}/password", s.sessionPage(admin, s.showStaffPassword))
	mux.Handle("POST /console/staff/{id}/password", s.sessionPage(admin, s.resetStaffPassword))
	mux.Handle("POST /console/staff/{id}/disable", s.sessionPage(admin, s.disableStaff))
	mux.Handle("POST /console/staff/{id}/enable", s.sessionPage(admin, s.enableStaff))

	mux.Handle("GET /console/tokens", s.sessionPage(m, s.showTokens))
	mux.Handle("POST /console/tokens", s.sessionPage(m, s.createToken))
	mux.Handle("POST /console/tokens/{id}/revoke", s.sessionPage(m, s.revokeToken))

	mux.Handle("GET /console/units", s.sessionPage(admin, s.showUnits))
	mux.Handle("POST /console/units", s.sessionPage(admin, s.createUnit))
	mux.Handle("GET /console/units/{id}", s.sessionPage(admin, s.showUnitEdit))
	mux.Handle("POST /console/units/{id}", s.sessionPage(admin, s.updateUnit))

	mux.Handle("GET /console/settings", s.sessionPage(admin, s.rootOnly(s.showSettings)))
	mux.Handle("POST /console/settings", s.sessionPage(admin, s.rootOnly(s.saveSettings)))

	mux.Handle("GET /console/calendar", s.sessionPage(admin, s.rootOnly(s.showCalendarNow)))
	mux.Handle("GET /console/calendar/{year}", s.sessionPage(admin, s.rootOnly(s.showCalendar)))
	mux.Handle("POST /console/calendar/{year}/day", s.sessionPage(admin, s.rootOnly(s.setCalendarDay)))
	mux.Handle("POST /console/calendar/{year}/day/delete", s.sessionPage(admin, s.rootOnly(s.clearCalendarDay)))
	mux.Handle("POST /console/calendar/{year}/import", s.sessionPage(admin, s.rootOnly(s.importCalendarYear)))
}
