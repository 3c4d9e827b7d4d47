package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// apiReferral is a referral record in the API: its channel as a stable id and its
// Chinese name, the result once fed back (outcome "" until then), money as an
// exact yuan string and integer fen.
type apiReferral struct {
	ID          int64      `json:"id"`
	Channel     string     `json:"channel"`
	ChannelName string     `json:"channel_name"`
	ReferredAt  time.Time  `json:"referred_at"`
	ReferredBy  string     `json:"referred_by"`
	Contact     string     `json:"contact"`
	Note        string     `json:"note"`
	Outcome     string     `json:"outcome"`
	AmountYuan  string     `json:"amount_yuan"`
	AmountFen   int64      `json:"amount_fen"`
	ResultDate  string     `json:"result_date"`
	ResultNote  string     `json:"result_note"`
	FedBackBy   string     `json:"fed_back_by"`
	FedBackAt   *time.Time `json:"fed_back_at"`
	Closed      bool       `json:"closed"`
}

// apiConsent is the latest arbitration question: answer "" until the consumer
// answers, then agreed or refused.
type apiConsent struct {
	AskedAt    time.Time  `json:"asked_at"`
	Answer     string     `json:"answer"`
	AnsweredAt *time.Time `json:"answered_at"`
}

// apiReferralsResponse is the body of GET …/referrals.
type apiReferralsResponse struct {
	Referrals []apiReferral `json:"referrals"`
	Consent   *apiConsent   `json:"arbitration_consent"`
}

// apiReferralResultRequest is the body of POST …/referrals/{id}/result: the amount
// in yuan (amount_yuan, a string or a number) or in fen, only with settled.
type apiReferralResultRequest struct {
	Outcome    string   `json:"outcome"` // settled, failed or refused
	AmountYuan *apiYuan `json:"amount_yuan"`
	AmountFen  *int64   `json:"amount_fen"`
	ResultDate string   `json:"result_date"` // YYYY-MM-DD
	Note       string   `json:"note"`
}

// apiReferrals serves GET …/referrals: the case's referrals, oldest first, and
// the arbitration question.
func (s *Server) apiReferrals(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	refs, err := s.cfg.Store.FindReferrals(r.Context(), c.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiReferralsResponse{Referrals: []apiReferral{}}
	for _, ref := range refs {
		out.Referrals = append(out.Referrals, newAPIReferral(ref))
	}
	cs, err := s.cfg.Store.FindArbitrationConsent(r.Context(), c.ID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
	case err != nil:
		s.apiError(w, r, err)
		return
	default:
		out.Consent = &apiConsent{AskedAt: cs.AskedAt, Answer: cs.Answer, AnsweredAt: optionalTime(cs.AnsweredAt)}
	}
	writeJSON(w, http.StatusOK, out)
}

// newAPIReferral converts a record.
func newAPIReferral(r *storage.Referral) apiReferral {
	return apiReferral{ID: r.ID, Channel: r.Channel, ChannelName: r.ChannelName(), ReferredAt: r.ReferredAt,
		ReferredBy: r.ReferredBy, Contact: r.Contact, Note: r.Note, Outcome: r.Outcome,
		AmountYuan: FormatYuan(r.AmountFen), AmountFen: r.AmountFen, ResultDate: r.ResultDate,
		ResultNote: r.ResultNote, FedBackBy: r.FedBackBy, FedBackAt: optionalTime(r.FedBackAt), Closed: r.Closed}
}

// apiReferralResult serves POST …/referrals/{id}/result: the body's result is
// recorded and the case closed with 协商和解 (settled) or back to 调解中, the
// consumer notified; it answers with the case.
func (s *Server) apiReferralResult(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.apiError(w, r, storage.Errorf(storage.ENOTFOUND, "没有这条转办记录"))
		return
	}
	var req apiReferralResultRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	amount, err := apiReferralAmount(req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	by := s.actedBy(r)
	res := storage.ReferralResult{CaseID: c.ID, ReferralID: id, Outcome: strings.TrimSpace(req.Outcome),
		AmountFen: amount, ResultDate: req.ResultDate, Note: req.Note, Actor: by.Actor, IP: by.IP}
	updated, err := s.cfg.Store.RecordReferralResult(r.Context(), res)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}

// apiReferralAmount is the amount the request gives, in fen: amount_yuan or
// amount_fen, not both; none is 0.
func apiReferralAmount(req apiReferralResultRequest) (int64, error) {
	fen, _, err := apiAmount("amount", req.AmountYuan, req.AmountFen)
	return fen, err
}

// apiAskArbitrationConsent serves POST …/arbitration-consent: the consumer is
// asked in the chat whether they agree to arbitration. It answers 201 with the
// question.
func (s *Server) apiAskArbitrationConsent(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	cs, err := s.cfg.Store.AskArbitrationConsent(r.Context(), c.ID, s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiConsent{AskedAt: cs.AskedAt, Answer: cs.Answer})
}
