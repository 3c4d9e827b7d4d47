package portal

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// The portal's JSON API: its case pages' twin, on a merchant API token (a
// merchant's own systems) or on the session (its scripts in the browser): the
// same cases, the same 404 for any other.

// apiCase is a case in the portal's JSON.
type apiCase struct {
	Number       string    `json:"number"`
	Status       string    `json:"status"`
	Category     string    `json:"category"`
	Description  string    `json:"description,omitempty"`
	Demand       string    `json:"demand"`
	AmountFen    int64     `json:"amount_fen"`
	ReferredAt   time.Time `json:"referred_at"`
	ReferralOpen bool      `json:"referral_open"`
	MerchantDue  string    `json:"merchant_due,omitempty"`
	Name         string    `json:"complainant_name,omitempty"`
	Phone        string    `json:"phone,omitempty"`
}

func newAPICase(it caseItem) apiCase {
	return apiCase{Number: it.Number, Status: it.Status, Category: it.Category, Description: it.Description,
		Demand: it.Demand, AmountFen: it.AmountFen, ReferredAt: it.ReferredAt.UTC(), ReferralOpen: it.ReferralOpen,
		MerchantDue: it.MerchantDue, Name: it.Name, Phone: it.Phone}
}

// apiCases lists the merchant's cases, without personal data or facts.
func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	list, err := s.cfg.Store.PortalCases(r.Context(), u.Account.MerchantID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := []apiCase{}
	for _, pc := range list {
		it := newCaseItem(pc)
		it.Name, it.Phone, it.Description = "", "", ""
		out = append(out, newAPICase(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": out})
}

// apiCase returns one of the merchant's cases; any other is 404.
func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	pc, err := s.cfg.Store.PortalCase(r.Context(), u.Account.MerchantID, r.PathValue("number"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	it := newCaseItem(pc)
	if it.Phone != "" {
		s.audit(r, storage.AuditPortalCase, pc.Case.ID, storage.MerchantActor(u.Account.ID)+" 查看案件（含投诉人联系方式，接口）")
	}
	writeJSON(w, http.StatusOK, newAPICase(it))
}

// apiError answers a store error in JSON: not found as 404, the rest as the
// page would.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	switch storage.ErrorCode(err) {
	case storage.ENOTFOUND:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "message": "案件不存在，或您无权查看"})
	case storage.EINVALID:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid", "message": storage.ErrorMessage(err)})
	case storage.ECONFLICT:
		writeJSON(w, http.StatusConflict, map[string]string{"error": "conflict", "message": storage.ErrorMessage(err)})
	case storage.EUNAVAILABLE:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "unavailable", "message": "系统繁忙，请稍后再试"})
	default:
		s.cfg.Logger.Error("portal API request failed", "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal", "message": "系统错误"})
	}
}

// writeJSON writes v with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiAuth lets an API handler run for a request with a live merchant API
// token ("Authorization: Bearer cbm_…") of an enabled account that need not
// change its password, or else for a signed-in session as the pages are
// (signedIn, with its CSRF check on POST). A token request carries no cookie,
// so it needs no CSRF token.
func (s *Server) apiAuth(next http.HandlerFunc) http.Handler {
	session := s.signedIn(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := webauth.BearerToken(r)
		if !ok {
			session.ServeHTTP(w, r)
			return
		}
		t, err := s.cfg.Store.FindMerchantAPITokenByHash(r.Context(), webauth.HashToken(token))
		var acc *storage.MerchantAccount
		if err == nil {
			acc, err = s.cfg.Store.FindMerchantAccount(r.Context(), t.AccountID)
		}
		switch {
		case storage.ErrorCode(err) == storage.ENOTFOUND || (err == nil && acc.Disabled):
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized", "message": "令牌无效或已吊销"})
			return
		case err != nil:
			s.apiError(w, r, err)
			return
		case acc.MustChange:
			s.changePasswordFirst(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		ctx := context.WithValue(r.Context(), accountKey{}, &signedInUser{Account: acc})
		next(w, r.WithContext(ctx))
	})
}

// apiProposalInput is the JSON of a proposal or a refusal.
type apiProposalInput struct {
	Refused   bool   `json:"refused"`
	Remedy    string `json:"remedy"`
	AmountFen int64  `json:"amount_fen"`
	PayBy     string `json:"pay_by"`
	Reasons   string `json:"reasons"`
}

// apiProposal is a recorded proposal in the portal's JSON.
type apiProposal struct {
	ID        int64     `json:"id"`
	Refused   bool      `json:"refused"`
	Remedy    string    `json:"remedy,omitempty"`
	AmountFen int64     `json:"amount_fen"`
	PayBy     string    `json:"pay_by,omitempty"`
	Reasons   string    `json:"reasons,omitempty"`
	Summary   string    `json:"summary"`
	CreatedAt time.Time `json:"created_at"`
}

// apiPropose records a proposal or a refusal for one of the merchant's
// referred cases, as the case page's form does (the store checks and audits
// it); any other case is 404.
func (s *Server) apiPropose(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	var body apiProposalInput
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		s.apiError(w, r, storage.Errorf(storage.EINVALID, "请求内容应为 JSON：remedy、amount_fen、pay_by，或 refused 与 reasons。"))
		return
	}
	if body.AmountFen < 0 || body.AmountFen > storage.MaxAmountFen {
		s.apiError(w, r, storage.Errorf(storage.EINVALID, "金额超出范围。"))
		return
	}
	p, err := s.cfg.Store.ProposeSettlement(r.Context(), storage.ProposalInput{MerchantID: u.Account.MerchantID,
		AccountID: u.Account.ID, CaseNumber: r.PathValue("number"), Refused: body.Refused, Remedy: body.Remedy,
		AmountFen: body.AmountFen, PayBy: body.PayBy, Reasons: body.Reasons, IP: s.auth.ClientIP(r)})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiProposal{ID: p.ID, Refused: p.Refused, Remedy: p.Remedy, AmountFen: p.AmountFen,
		PayBy: p.PayBy, Reasons: p.Reasons, Summary: p.Summary(), CreatedAt: p.CreatedAt.UTC()})
}
