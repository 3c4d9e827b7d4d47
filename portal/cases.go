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
	it := newCaseItem(pc)
	if it.Phone != "" {
		// Who at a merchant saw a consumer's contact details is on record.
		s.audit(r, storage.AuditPortalCase, pc.Case.ID, storage.MerchantActor(u.Account.ID)+" 查看案件（含投诉人联系方式）")
	}
	s.render(w, r, http.StatusOK, "case.html", it)
}
