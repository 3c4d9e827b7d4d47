package console

import (
	"context"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// formAgreement is the case page's 调解协议书 form, for refused posts.
const formAgreement = "agreement"

// agreementView is the 调解协议书 block of the case page: the draft's form while
// it may change, the issued agreement and its payment follow-up after.
type agreementView struct {
	Show     bool // the case is (or was) in mediation, or has an agreement
	Exists   bool
	Editable bool // a draft on a case still in mediation or 调解成功
	Issuable bool // a draft on a 调解成功 case
	Issued   bool
	Version  int
	// Reissuable: the consumer answered 未到账 and the case is 调解成功 again,
	// so the agreement may get a new payment date.
	Reissuable bool

	Terms, MerchantName, CreditCode, Mediator, PaymentDue, AmountYuan string
	Amount, AmountCapitals                                            string
	TermsMax                                                          int
	// Payment is the follow-up in words: "已询问 1 次，尚未答复", "消费者答复：未到账".
	Payment string
}

// agreementBlock loads the case's agreement for the case page; a new draft is
// filled with the case's merchant and the staff member's name.
func (s *Server) agreementBlock(ctx context.Context, c *storage.Case, st *storage.Staff) (agreementView, error) {
	v := agreementView{TermsMax: storage.MaxAgreementTermsRunes, MerchantName: c.MerchantName, Mediator: st.Name}
	a, err := s.cfg.Store.FindAgreement(ctx, c.ID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		v.Editable = agreementCaseOpen(c.Status)
		v.Show = v.Editable
		return v, nil
	case err != nil:
		return v, err
	}
	v.Show, v.Exists, v.Issued, v.Version = true, true, a.Issued(), a.Version
	v.Editable = !a.Issued() && agreementCaseOpen(c.Status)
	v.Issuable = !a.Issued() && c.Status == storage.StatusResolved
	v.Terms, v.MerchantName, v.CreditCode, v.Mediator, v.PaymentDue = a.Terms, a.MerchantName, a.CreditCode,
		a.Mediator, a.PaymentDue
	if a.AmountFen > 0 {
		v.AmountYuan = strings.TrimPrefix(strings.ReplaceAll(storage.FormatYuan(a.AmountFen), ",", ""), "¥")
		v.Amount, v.AmountCapitals = storage.FormatYuan(a.AmountFen), storage.AmountInCapitals(a.AmountFen)
	}
	v.Payment = paymentProgress(a)
	v.Reissuable = a.Issued() && a.AmountFen > 0 && c.Status == storage.StatusResolved &&
		(a.PaymentAnswer == storage.PaymentNotReceived || a.PaymentAnswer == storage.PaymentExpired)
	return v, nil
}

// agreementCaseOpen reports whether a case in status s may have its agreement
// drafted (the store's rule, for the form's display).
func agreementCaseOpen(s storage.Status) bool {
	switch s {
	case storage.StatusMediating, storage.StatusAppraisal, storage.StatusReferred, storage.StatusResolved:
		return true
	}
	return false
}

// paymentProgress describes the payment follow-up for staff.
func paymentProgress(a *storage.Agreement) string {
	switch {
	case !a.Issued() || a.AmountFen == 0:
		return ""
	case a.PaymentAnswer == storage.PaymentReceived:
		return "消费者答复：已到账（" + a.AnsweredAt.In(chinaTime).Format("2006-01-02 15:04") + "）"
	case a.PaymentAnswer == storage.PaymentNotReceived:
		return "消费者答复：未到账（" + a.AnsweredAt.In(chinaTime).Format("2006-01-02 15:04") + "），案件已退回调解"
	case a.PaymentAnswer == storage.PaymentExpired:
		return "已询问 " + strconv.Itoa(a.PaymentAsks) + " 次，消费者未在规定时间内答复，询问已于 " +
			a.AnsweredAt.In(chinaTime).Format("2006-01-02 15:04") + " 失效，请跟进核实款项是否到账"
	case a.PaymentAsks == 0:
		return "将于 " + a.NextAskAt.In(chinaTime).Format("2006-01-02 15:04") + " 询问消费者款项是否到账"
	case a.NextAskAt.IsZero():
		return "已询问 " + strconv.Itoa(a.PaymentAsks) + " 次，消费者未答复，不再询问"
	}
	return "已询问 " + strconv.Itoa(a.PaymentAsks) + " 次，尚未答复；" +
		a.NextAskAt.In(chinaTime).Format("2006-01-02 15:04") + " 再问一次"
}

// saveAgreement writes the agreement's draft, or a new version of it.
func (s *Server) saveAgreement(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	d, err := agreementDraftFrom(r, c, s.actedBy(r))
	if err == nil {
		_, err = s.cfg.Store.SaveAgreement(r.Context(), d)
	}
	if err != nil {
		s.refuseForm(w, r, c, formAgreement, err)
		return
	}
	redirectToCase(w, r, c.Number, "调解协议书已保存。")
}

// agreementDraftFrom reads the agreement form; the amount is in yuan.
func agreementDraftFrom(r *http.Request, c *storage.Case, by storage.By) (storage.AgreementDraft, error) {
	d := storage.AgreementDraft{CaseID: c.ID, Terms: r.PostFormValue("terms"),
		PaymentDue: r.PostFormValue("payment_due"), MerchantName: r.PostFormValue("merchant_name"),
		CreditCode: r.PostFormValue("credit_code"), Mediator: r.PostFormValue("mediator"), By: by}
	d.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	if yuan := strings.TrimSpace(r.PostFormValue("amount")); yuan != "" {
		fen, err := storage.ParseYuan(yuan)
		if err != nil {
			return d, err
		}
		d.AmountFen = fen
	}
	return d, nil
}

// issueAgreement issues the agreement: the consumer gets its terms in the chat.
func (s *Server) issueAgreement(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if _, err := s.cfg.Store.IssueAgreement(r.Context(), c.ID, s.actedBy(r)); err != nil {
		s.refuseForm(w, r, c, formAgreement, err)
		return
	}
	redirectToCase(w, r, c.Number, "调解协议书已出具，协议内容已发送给消费者。")
}

// reissueAgreement gives the agreement a new payment date after 未到账: the
// consumer gets the terms with the new date and the follow-up starts afresh.
func (s *Server) reissueAgreement(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if _, err := s.cfg.Store.ReissueAgreement(r.Context(), c.ID, r.PostFormValue("payment_due"), s.actedBy(r)); err != nil {
		s.refuseForm(w, r, c, formAgreement, err)
		return
	}
	redirectToCase(w, r, c.Number, "调解协议书已重新出具，新的付款日期已发送给消费者。")
}

// agreementDocView is the 调解协议书 as printed: a document for the parties, so
// it names the consumer with their phone (opening it is audited).
type agreementDocView struct {
	Number, Org                             string
	ConsumerName, Phone                     string
	MerchantName, CreditCode, MerchantPlace string
	Facts, Demand, Terms                    string
	Amount, AmountCapitals, PaymentDue      string
	Mediator, Date                          string
	Issued                                  bool
	Version                                 int
	DownloadURL                             string
	CSS                                     template.CSS // the stylesheet, inlined in the downloaded file
}

// showAgreement renders the printable agreement (A4), or with ?download=1 the
// same document as a standalone HTML file. Either shows the consumer's name and
// phone, so either is audited like a phone reveal.
func (s *Server) showAgreement(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	a, err := s.cfg.Store.FindAgreement(r.Context(), c.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	download := r.URL.Query().Get("download") == "1"
	detail := "查看调解协议书"
	if download {
		detail = "下载调解协议书"
	}
	err = s.cfg.Store.AddAudit(r.Context(), storage.AuditEntry{StaffID: staffFrom(r.Context()).ID,
		Action: storage.AuditAgreementView, CaseID: c.ID, Detail: detail, IP: s.auth.ClientIP(r), CreatedAt: s.cfg.Now()})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v, err := s.agreementDoc(r.Context(), c, a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !download {
		s.render(w, r, http.StatusOK, "agreement.html", "调解协议书 "+c.Number, v)
		return
	}
	v.CSS = agreementCSS()
	name := "调解协议书-" + c.Number + ".html"
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	s.render(w, r, http.StatusOK, "agreement_file.html", "调解协议书 "+c.Number, v)
}

// agreementDoc builds the document of c's agreement a.
func (s *Server) agreementDoc(ctx context.Context, c *storage.Case, a *storage.Agreement) (*agreementDocView, error) {
	org, err := s.caseUnitName(ctx, c)
	if err != nil {
		return nil, err
	}
	v := &agreementDocView{Number: c.Number, Org: org, ConsumerName: shownText(c, c.ComplainantName), Phone: shownText(c, c.Phone),
		MerchantName: a.MerchantName, CreditCode: a.CreditCode, MerchantPlace: c.MerchantAddress,
		Facts: shownText(c, c.Description), Demand: c.Demand, Terms: a.Terms, Mediator: a.Mediator,
		Issued: a.Issued(), Version: a.Version,
		DownloadURL: "/console/cases/" + url.PathEscape(c.Number) + "/agreement?download=1"}
	if a.AmountFen > 0 {
		v.Amount, v.AmountCapitals = storage.FormatYuan(a.AmountFen), storage.AmountInCapitals(a.AmountFen)
		v.PaymentDue = chineseDate(a.PaymentDue)
	}
	when := a.UpdatedAt
	if a.Issued() {
		when = a.IssuedAt
	}
	v.Date = when.In(chinaTime).Format("2006年1月2日")
	return v, nil
}

// chineseDate writes a YYYY-MM-DD day as 2026年3月20日 (the day itself if it is
// not one).
func chineseDate(day string) string {
	t, err := storage.ParseDay(day)
	if err != nil {
		return day
	}
	return t.Format("2006年1月2日")
}

// caseUnitName is the name of the committee the case belongs to, which mediated
// it and issues the agreement.
func (s *Server) caseUnitName(ctx context.Context, c *storage.Case) (string, error) {
	org, err := s.orgSettings(ctx)
	if err != nil {
		return "", err
	}
	units, err := s.loadUnits(ctx)
	if err != nil {
		return "", err
	}
	for _, u := range units {
		if u.ID == c.UnitID {
			return unitLabel(u, org), nil
		}
	}
	return org.Name, nil
}

// agreementCSS is the document's stylesheet for the downloaded file, which has
// no server to fetch it from. It is the file the page links to, so the two print
// alike.
func agreementCSS() template.CSS {
	b, err := fs.ReadFile(staticFS, "static/agreement.css")
	if err != nil {
		return "" // embedded at build time: cannot be missing
	}
	return template.CSS(b) //nolint:gosec // our own embedded stylesheet
}
