package portal

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// The portal's JSON twin of its case pages, on the same session (a merchant's
// own scripts in the browser): the same cases, the same 404 for any other.

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
