package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// The case page's forms of the 转办记录 block, for refused posts.
const (
	formReferralResult  = "referral-result"
	formArbitrationAsk  = "arbitration-ask"
	referralDateLayout  = "2006-01-02"
	referralNoteMaxRune = 300
)

// referralsView is the 转办记录 block of the case page: the case's referrals
// with their results, the form feeding back the open one's result, and the
// arbitration question (征求仲裁意愿) with the consumer's answer.
type referralsView struct {
	Referrals []referralRowView
	// Open is the referral whose result may be fed back: the latest, while the
	// case is 已转办.
	Open     *referralRowView
	Outcomes []option
	Today    string
	// Consent is the latest arbitration question, nil if never asked; MayAsk
	// offers 征求仲裁意愿 while the case may still be referred.
	Consent *consentView
	MayAsk  bool
}

// referralRowView is one referral as staff read it.
type referralRowView struct {
	ID         int64
	Channel    string
	ReferredAt time.Time
	ReferredBy string
	Contact    string
	Note       string
	Result     string // "" until fed back
	ResultDate string
	AmountFen  int64
	FedBackBy  string
	Closed     bool
}

// consentView is the consumer's answer to the arbitration question.
type consentView struct {
	AskedAt    time.Time
	Answer     string // 待答复, 同意仲裁 or 不同意
	Agreed     bool
	Refused    bool
	AnsweredAt time.Time
}

// referralsBlock builds the block for case c; staff names the actors.
func (s *Server) referralsBlock(ctx context.Context, c *storage.Case, staff *staffDirectory) (referralsView, error) {
	v := referralsView{Today: s.cfg.Now().In(chinaTime).Format(referralDateLayout),
		MayAsk: c.Status.CanMoveTo(storage.StatusReferred)}
	for _, o := range storage.ReferralOutcomeLabels {
		v.Outcomes = append(v.Outcomes, option{Value: o.Value, Label: o.Label})
	}
	refs, err := s.cfg.Store.FindReferrals(ctx, c.ID)
	if err != nil {
		return v, err
	}
	for _, r := range refs {
		v.Referrals = append(v.Referrals, newReferralRowView(r, staff))
	}
	if n := len(v.Referrals); n > 0 && c.Status == storage.StatusReferred && !v.Referrals[n-1].Closed {
		v.Open = &v.Referrals[n-1]
	}
	cs, err := s.cfg.Store.FindArbitrationConsent(ctx, c.ID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
	case err != nil:
		return v, err
	default:
		v.Consent = newConsentView(cs)
	}
	return v, nil
}

// newReferralRowView names the actors of r from staff ("系统" for migrated rows).
func newReferralRowView(r *storage.Referral, staff *staffDirectory) referralRowView {
	row := referralRowView{ID: r.ID, Channel: r.ChannelName(), ReferredAt: r.ReferredAt,
		ReferredBy: staff.actorName(r.ReferredBy), Contact: r.Contact, Note: r.Note,
		ResultDate: r.ResultDate, AmountFen: r.AmountFen, Closed: r.Closed}
	if r.Outcome != "" {
		row.Result, row.FedBackBy = storage.ReferralOutcomeLabel(r.Outcome), staff.actorName(r.FedBackBy)
	}
	return row
}

// newConsentView describes the latest arbitration question.
func newConsentView(cs *storage.ArbitrationConsent) *consentView {
	v := &consentView{AskedAt: cs.AskedAt, AnsweredAt: cs.AnsweredAt, Answer: "待消费者答复"}
	switch cs.Answer {
	case storage.ConsentAgreed:
		v.Answer, v.Agreed = "同意仲裁", true
	case storage.ConsentRefused:
		v.Answer, v.Refused = "不同意仲裁", true
	}
	return v
}

// feedBackReferral records the result of the case's open referral (反馈转办结果):
// the case is closed with 协商和解 or comes back to 调解中, and the consumer is told.
func (s *Server) feedBackReferral(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	res, err := referralResultFromForm(r)
	if err != nil {
		s.refuseForm(w, r, c, formReferralResult, err)
		return
	}
	by := s.actedBy(r)
	res.CaseID, res.Actor, res.IP = c.ID, by.Actor, by.IP
	updated, err := s.cfg.Store.RecordReferralResult(r.Context(), res)
	if err != nil {
		s.refuseForm(w, r, c, formReferralResult, err)
		return
	}
	redirectToCase(w, r, c.Number, "已登记转办结果，案件状态为“"+updated.Status.Label()+"”，将通知消费者。")
}

// referralResultFromForm reads the result form: the referral (path), outcome,
// amount (yuan, only with a settlement), result date and note.
func referralResultFromForm(r *http.Request) (storage.ReferralResult, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return storage.ReferralResult{}, storage.Errorf(storage.ENOTFOUND, "没有这条转办记录。")
	}
	res := storage.ReferralResult{ReferralID: id, Outcome: r.PostFormValue("outcome"),
		ResultDate: strings.TrimSpace(r.PostFormValue("date"))}
	if res.Outcome == "" {
		return res, storage.Errorf(storage.EINVALID, "请选择转办结果。")
	}
	if res.Note, err = optionalFormText("说明", r.PostFormValue("note"), referralNoteMaxRune); err != nil {
		return res, err
	}
	if yuan := strings.TrimSpace(r.PostFormValue("amount")); yuan != "" {
		res.AmountFen, err = storage.ParseYuan(yuan)
	}
	return res, err
}

// askArbitrationConsent sends the consumer the arbitration question
// (征求仲裁意愿); their answer in the chat is recorded on the case.
func (s *Server) askArbitrationConsent(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if _, err := s.cfg.Store.AskArbitrationConsent(r.Context(), c.ID, s.actedBy(r)); err != nil {
		s.refuseForm(w, r, c, formArbitrationAsk, err)
		return
	}
	redirectToCase(w, r, c.Number, "已向消费者征求仲裁意愿，消费者回复后记录在案件中。")
}
