package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// apiRoutes registers the JSON API under /api/v1/. Every endpoint needs a signed-in
// staff member (session cookie plus X-CSRF-Token on POST, or a Bearer API token);
// docs/api.md describes each with curl examples.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	mediator, supervisor := storage.RoleMediator, storage.RoleSupervisor
	mux.Handle("GET /api/v1/me", s.api(mediator, s.apiMe))
	mux.Handle("GET /api/v1/options", s.api(mediator, s.apiOptions))
	mux.Handle("GET /api/v1/staff", s.api(mediator, s.apiStaff))
	mux.Handle("GET /api/v1/canned-replies", s.api(mediator, s.apiCannedReplies))
	mux.Handle("GET /api/v1/units", s.api(mediator, s.apiUnits))
	mux.Handle("GET /api/v1/audit", s.api(supervisor, s.apiAudit))
	s.massAPIRoutes(mux)
	mux.Handle("GET /api/v1/reports", s.api(supervisor, s.apiReports))
	mux.Handle("GET /api/v1/reports/channels", s.api(supervisor, s.apiReportChannels))
	mux.Handle("POST /api/v1/teams/{id}/report-channel", s.api(supervisor, s.apiSetReportChannel))

	mux.Handle("GET /api/v1/cases", s.api(mediator, s.apiListCases))
	mux.Handle("GET /api/v1/cases/{number}", s.api(mediator, s.apiWithCase(s.apiCaseDetail)))
	for action, h := range map[string]apiCaseHandler{
		"accept":       s.apiAccept,
		"reject":       s.apiReject,
		"assign":       s.apiAssign,
		"reply":        s.apiReply,
		"note":         s.apiNote,
		"status":       s.apiStatus,
		"close":        s.apiClose,
		"outcome":      s.apiClose, // the former name of close, kept for existing scripts
		"material":     s.apiRequestMaterial,
		"resume":       s.apiResume,
		"read":         s.apiMarkRead,
		"reveal-phone": s.apiRevealPhone,
	} {
		mux.Handle("POST /api/v1/cases/{number}/"+action, s.api(mediator, s.apiWithCase(h)))
	}
	mux.Handle("POST /api/v1/cases/{number}/reopen", s.api(supervisor, s.apiWithCase(s.apiReopen)))
	mux.Handle("POST /api/v1/cases/{number}/transfer", s.api(supervisor, s.apiWithCase(s.apiTransfer)))
	mux.Handle("POST /api/v1/cases/{number}/legal-hold", s.api(supervisor, s.apiWithCase(s.apiLegalHold)))
	mux.Handle("GET /api/v1/cases/{number}/agreement", s.api(mediator, s.apiWithCase(s.apiAgreement)))
	mux.Handle("POST /api/v1/cases/{number}/agreement", s.api(mediator, s.apiWithCase(s.apiSaveAgreement)))
	mux.Handle("POST /api/v1/cases/{number}/agreement/issue", s.api(mediator, s.apiWithCase(s.apiIssueAgreement)))
	mux.Handle("GET /api/v1/cases/{number}/referrals", s.api(mediator, s.apiWithCase(s.apiReferrals)))
	mux.Handle("POST /api/v1/cases/{number}/referrals/{id}/result", s.api(mediator, s.apiWithCase(s.apiReferralResult)))
	mux.Handle("POST /api/v1/cases/{number}/arbitration-consent", s.api(mediator, s.apiWithCase(s.apiAskArbitrationConsent)))
	s.apiRoutingRoutes(mux)

	mux.Handle("GET /api/v1/merchants", s.api(mediator, s.apiMerchants))
	mux.Handle("GET /api/v1/merchants/{id}", s.api(mediator, s.apiMerchantDetail))
	mux.Handle("POST /api/v1/merchants", s.api(mediator, s.apiCreateMerchant))
	mux.Handle("POST /api/v1/merchants/{id}/merge", s.api(supervisor, s.apiMergeMerchant))
	mux.Handle("GET /api/v1/merchants/{id}/accounts", s.api(supervisor, s.apiMerchantAccounts))
	mux.Handle("POST /api/v1/merchants/{id}/invitations", s.api(supervisor, s.apiInviteMerchant))
	mux.Handle("POST /api/v1/merchants/{id}/accounts/{account}/disable", s.api(supervisor, s.apiDisableMerchantAccount))
	mux.Handle("POST /api/v1/merchants/{id}/accounts/{account}/enable", s.api(supervisor, s.apiEnableMerchantAccount))
	mux.Handle("POST /api/v1/merchants/{id}/accounts/{account}/password", s.api(supervisor, s.apiResetMerchantAccountPassword))
	mux.Handle("POST /api/v1/cases/{number}/merchant", s.api(mediator, s.apiWithCase(s.apiLinkMerchant)))

	mux.Handle("/api/v1/", s.api(mediator, func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, storage.ENOTFOUND, "没有这个接口："+r.Method+" "+r.URL.Path)
	}))
}

// apiCaseHandler handles a request about one case, already found.
type apiCaseHandler func(w http.ResponseWriter, r *http.Request, c *storage.Case)

// apiWithCase finds the case named by the {number} path segment (typed loosely too,
// "ts2026123") and passes it on; 404 not_found if there is none or it lies outside
// the caller's units (scopedCase), before the handler reads or changes anything.
func (s *Server) apiWithCase(h apiCaseHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.apiFindCase(r, r.PathValue("number"))
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		h(w, r, c)
	}
}

// apiFindCase looks a case up by its number, canonical or typed loosely, within
// the caller's scope (scopedCase).
func (s *Server) apiFindCase(r *http.Request, raw string) (*storage.Case, error) {
	return s.scopedCase(r, raw)
}

// apiStaffNames loads the names of all staff, to name assignees and actors.
func (s *Server) apiStaffNames(r *http.Request) (apiNames, error) {
	list, err := s.cfg.Store.ListStaff(r.Context())
	if err != nil {
		return nil, err
	}
	names := make(apiNames, len(list))
	for _, st := range list {
		names[st.ID] = st.Name
	}
	return names, nil
}
