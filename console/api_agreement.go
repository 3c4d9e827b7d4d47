package console

import (
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// apiAgreementOut is a case's 调解协议书 in the API: the agreement's own fields
// and its payment follow-up; never the consumer's name or phone (the printable
// page, audited, has them).
type apiAgreementOut struct {
	Number         string     `json:"number"`
	Version        int        `json:"version"`
	Terms          string     `json:"terms"`
	AmountFen      int64      `json:"amount_fen"`
	AmountCapitals string     `json:"amount_capitals,omitempty"`
	PaymentDue     string     `json:"payment_due,omitempty"`
	MerchantName   string     `json:"merchant_name"`
	CreditCode     string     `json:"credit_code"`
	Mediator       string     `json:"mediator"`
	IssuedAt       *time.Time `json:"issued_at,omitempty"`
	PaymentAsks    int        `json:"payment_asks"`
	NextAskAt      *time.Time `json:"next_ask_at,omitempty"`
	PaymentAnswer  string     `json:"payment_answer,omitempty"` // received, not_received or expired (lapsed unanswered)
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
}

// newAPIAgreement converts a for the API.
func newAPIAgreement(c *storage.Case, a *storage.Agreement) apiAgreementOut {
	out := apiAgreementOut{Number: c.Number, Version: a.Version, Terms: a.Terms, AmountFen: a.AmountFen,
		PaymentDue: a.PaymentDue, MerchantName: a.MerchantName, CreditCode: a.CreditCode, Mediator: a.Mediator,
		PaymentAsks: a.PaymentAsks, PaymentAnswer: a.PaymentAnswer,
		IssuedAt: optionalTime(a.IssuedAt), NextAskAt: optionalTime(a.NextAskAt), AnsweredAt: optionalTime(a.AnsweredAt)}
	if a.AmountFen > 0 {
		out.AmountCapitals = storage.AmountInCapitals(a.AmountFen)
	}
	return out
}

// apiAgreementRequest is the body of POST …/agreement: the draft, with the
// version it was read at (0 for a new one).
type apiAgreementRequest struct {
	Version      int    `json:"version"`
	Terms        string `json:"terms"`
	AmountFen    int64  `json:"amount_fen"`
	PaymentDue   string `json:"payment_due"`
	MerchantName string `json:"merchant_name"`
	CreditCode   string `json:"credit_code"`
	Mediator     string `json:"mediator"`
}

// apiAgreement serves GET /api/v1/cases/{number}/agreement.
func (s *Server) apiAgreement(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	a, err := s.cfg.Store.FindAgreement(r.Context(), c.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPIAgreement(c, a))
}

// apiSaveAgreement serves POST /api/v1/cases/{number}/agreement, the twin of the
// case page's 保存协议书草稿.
func (s *Server) apiSaveAgreement(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiAgreementRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	a, err := s.cfg.Store.SaveAgreement(r.Context(), storage.AgreementDraft{CaseID: c.ID, Version: req.Version,
		Terms: req.Terms, AmountFen: req.AmountFen, PaymentDue: req.PaymentDue, MerchantName: req.MerchantName,
		CreditCode: req.CreditCode, Mediator: req.Mediator, By: s.actedBy(r)})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPIAgreement(c, a))
}

// apiIssueAgreement serves POST /api/v1/cases/{number}/agreement/issue, the twin
// of 出具协议书并发送给消费者.
func (s *Server) apiIssueAgreement(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req struct{}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	a, err := s.cfg.Store.IssueAgreement(r.Context(), c.ID, s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPIAgreement(c, a))
}
