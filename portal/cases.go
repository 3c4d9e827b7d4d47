package portal

import (
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// caseItem is one case as the portal shows it.
type caseItem struct {
	Number       string
	Status       string
	Category     string
	Description  string
	Demand       string
	AmountFen    int64
	PurchaseDate string
	ReferredAt   time.Time
	ReferralOpen bool
	// MerchantDue is the last day of the merchant's clock (企业和解), "" when
	// it does not run.
	MerchantDue string
	// Name and Phone are the consumer's, shown only while the referral to the
	// platform is open (see docs/portal.md); "" otherwise.
	Name  string
	Phone string
	// Proposals are the merchant's answers so far; MayPropose says whether a
	// new one may be made (the referral is open and none awaits the consumer).
	Proposals  []*storage.Proposal
	MayPropose bool
	// Evidence is the consumer's evidence, with download links while
	// EvidenceShown (see evidence.go).
	Evidence      []evidenceItem
	EvidenceShown bool
	Remedies      []string
	Error         string
	Typed         proposalForm
}

// proposalForm is the proposal form as typed.
type proposalForm struct {
	Remedy, Amount, PayBy, Reasons string
}

// newCaseItem is pc as the merchant may see it.
func newCaseItem(pc *storage.PortalCase) caseItem {
	c := pc.Case
	it := caseItem{Number: c.Number, Status: c.Status.Label(), Category: c.Category, Description: c.Description,
		Demand: c.Demand, AmountFen: c.AmountFen, PurchaseDate: c.PurchaseDate, ReferredAt: pc.ReferredAt,
		ReferralOpen: pc.ReferralOpen}
	if c.DueKind == storage.ClockMerchant {
		it.MerchantDue = c.DueOn
	}
	if pc.ReferralOpen {
		it.Name, it.Phone = c.ComplainantName, c.Phone
	}
	if c.Anonymised {
		// The consumer's words were removed at the end of the case's retention:
		// say so rather than show an empty complaint.
		it.Description = storage.AnonymisedLabel
	}
	return it
}

// casesView is the case list.
type casesView struct {
	Merchant string
	Cases    []caseItem
}

// showCases lists the cases currently or formerly referred to the account's
// merchant on the platform.
func (s *Server) showCases(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	m, err := s.cfg.Store.FindMerchant(r.Context(), u.Account.MerchantID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	list, err := s.cfg.Store.PortalCases(r.Context(), u.Account.MerchantID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := casesView{Merchant: m.Name}
	for _, pc := range list {
		it := newCaseItem(pc)
		it.Name, it.Phone = "", "" // lists show no personal data
		v.Cases = append(v.Cases, it)
	}
	s.render(w, r, http.StatusOK, "cases.html", v)
}

// showCase shows one case of the merchant's; any other case number, whoever
// it belongs to, is the same 404 as a number that does not exist.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	pc, err := s.cfg.Store.PortalCase(r.Context(), u.Account.MerchantID, r.PathValue("number"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderCase(w, r, http.StatusOK, pc, "", proposalForm{})
}

// renderCase shows a case page with its proposals and, when refused, the
// form as typed with the reason.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, status int, pc *storage.PortalCase, msg string, typed proposalForm) {
	u := userFrom(r.Context())
	it := newCaseItem(pc)
	props, err := s.cfg.Store.CaseProposals(r.Context(), pc.Case.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	it.Proposals, it.Remedies, it.Error, it.Typed = props, storage.Remedies, msg, typed
	if it.Evidence, err = s.caseEvidence(r.Context(), pc); err != nil {
		s.pageError(w, r, err)
		return
	}
	it.EvidenceShown = evidenceShown(pc)
	it.MayPropose = pc.ReferralOpen && pc.Case.Status == storage.StatusReferred
	for _, p := range props {
		if !p.Refused && p.Answer == "" {
			it.MayPropose = false
		}
	}
	if it.Phone != "" && status == http.StatusOK {
		// Who at a merchant saw a consumer's contact details is on record.
		s.audit(r, storage.AuditPortalCase, pc.Case.ID, storage.MerchantActor(u.Account.ID)+" 查看案件（含投诉人联系方式）")
	}
	s.render(w, r, status, "case.html", it)
}

// propose records the merchant's proposal or refusal; what the store refuses
// for the input shows on the case page again.
func (s *Server) propose(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	number := r.PathValue("number")
	pc, err := s.cfg.Store.PortalCase(r.Context(), u.Account.MerchantID, number)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	typed := proposalForm{Remedy: r.PostFormValue("remedy"), Amount: r.PostFormValue("amount"),
		PayBy: r.PostFormValue("pay_by"), Reasons: r.PostFormValue("reasons")}
	in := storage.ProposalInput{MerchantID: u.Account.MerchantID, AccountID: u.Account.ID, CaseNumber: number,
		Refused: r.PostFormValue("refuse") == "1", Remedy: typed.Remedy, PayBy: typed.PayBy, Reasons: typed.Reasons,
		IP: s.auth.ClientIP(r)}
	if !in.Refused {
		in.AmountFen, err = storage.ParseYuan(typed.Amount)
	}
	if err == nil {
		_, err = s.cfg.Store.ProposeSettlement(r.Context(), in)
	}
	if code := storage.ErrorCode(err); code == storage.EINVALID || code == storage.ECONFLICT {
		s.renderCase(w, r, http.StatusBadRequest, pc, storage.ErrorMessage(err), typed)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, casesPath+"/"+number, http.StatusSeeOther)
}
