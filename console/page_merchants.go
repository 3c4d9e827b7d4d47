package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// The merchant registry (商家): every staff member may look merchants up and
// link cases to them (page_case_merchant.go); supervisors and admins add, edit
// and merge them (the routes ask for the role). Merchants are system-wide; what
// a merchant page shows of its cases is limited to the viewer's unit scope.

// merchantsPerPage is the length of a page of the merchant list.
const merchantsPerPage = 50

// merchantCasesShown is how many of a merchant's cases its page lists.
const merchantCasesShown = 50

// merchantRow is one line of the merchant list; the contact's phone is masked.
type merchantRow struct {
	*storage.Merchant
	MaskedPhone string
}

// merchantsView is the 商家 list.
type merchantsView struct {
	Query      string
	Platform   string // "", "1" (入驻) or "0" (未入驻)
	Rows       []merchantRow
	Total      int
	Page       int
	PrevURL    string
	NextURL    string
	MayManage  bool
	Error      string
	New        storage.MerchantInput
	NewAliases string
}

// showMerchants lists the registry with its search and 入驻 filter.
func (s *Server) showMerchants(w http.ResponseWriter, r *http.Request) {
	v, err := s.merchantsPage(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "merchants.html", "商家", v)
}

// merchantsPage reads the list the query asks for.
func (s *Server) merchantsPage(r *http.Request) (*merchantsView, error) {
	q := r.URL.Query()
	v := &merchantsView{Query: strings.TrimSpace(q.Get("q")), Platform: q.Get("platform"),
		MayManage: staffFrom(r.Context()).Role.AtLeast(storage.RoleSupervisor)}
	v.Page, _ = strconv.Atoi(q.Get("page"))
	v.Page = max(v.Page, 1)
	f := storage.MerchantFilter{Search: v.Query, Offset: (v.Page - 1) * merchantsPerPage, Limit: merchantsPerPage}
	if on, ok := platformFilter(v.Platform); ok {
		f.OnPlatform = &on
	}
	list, total, err := s.cfg.Store.FindMerchants(r.Context(), f)
	if err != nil {
		return nil, err
	}
	for _, m := range list {
		v.Rows = append(v.Rows, merchantRow{Merchant: m, MaskedPhone: storage.MaskPhone(m.ContactPhone)})
	}
	v.Total = total
	page := func(n int) string {
		return "/console/merchants?" + url.Values{"q": {v.Query}, "platform": {v.Platform}, "page": {strconv.Itoa(n)}}.Encode()
	}
	if v.Page > 1 {
		v.PrevURL = page(v.Page - 1)
	}
	if v.Page*merchantsPerPage < total {
		v.NextURL = page(v.Page + 1)
	}
	return v, nil
}

// platformFilter reads the 入驻 filter: "1" on the platform, "0" not, else none.
func platformFilter(raw string) (on, ok bool) {
	switch raw {
	case "1":
		return true, true
	case "0":
		return false, true
	}
	return false, false
}

// merchantFromForm reads a merchant form; aliases are one per line.
func merchantFromForm(r *http.Request) storage.MerchantInput {
	return storage.MerchantInput{
		Name: r.PostFormValue("name"), Aliases: strings.Split(r.PostFormValue("aliases"), "\n"),
		CreditCode: r.PostFormValue("credit_code"), Address: r.PostFormValue("address"),
		ContactPerson: r.PostFormValue("contact_person"), ContactPhone: r.PostFormValue("contact_phone"),
		OnPlatform: r.PostFormValue("on_platform") != "", PlatformSince: r.PostFormValue("platform_since"),
	}
}

// createMerchant adds a merchant to the registry (supervisors and admins).
func (s *Server) createMerchant(w http.ResponseWriter, r *http.Request) {
	in := merchantFromForm(r)
	in.By = s.actedBy(r)
	m, err := s.cfg.Store.CreateMerchant(r.Context(), in)
	if err != nil {
		s.refuseNewMerchant(w, r, err)
		return
	}
	redirectFlash(w, r, "/console/merchants/"+strconv.FormatInt(m.ID, 10), "商家已添加。")
}

// refuseNewMerchant shows the list again with the message and the form as
// typed, for input staff can put right; otherwise the error page.
func (s *Server) refuseNewMerchant(w http.ResponseWriter, r *http.Request, err error) {
	if code := storage.ErrorCode(err); code != storage.EINVALID && code != storage.ECONFLICT {
		s.pageError(w, r, err)
		return
	}
	v, lerr := s.merchantsPage(r)
	if lerr != nil {
		s.pageError(w, r, lerr)
		return
	}
	status, message := httpStatus(err)
	v.Error, v.New, v.NewAliases = message, merchantFromForm(r), r.PostFormValue("aliases")
	s.render(w, r, status, "merchants.html", "商家", v)
}

// merchantView is one merchant's page.
type merchantView struct {
	M           *storage.Merchant
	MergedInto  int64
	Phone       string // masked unless the viewer may edit the merchant
	Stats       storage.MerchantCaseStats
	SettledPct  string
	AvgResponse string
	Cases       []caseRow
	MoreCases   bool
	MayManage   bool
	Error       string
	Aliases     string // one per line, for the edit form
	// Typed is the edit form as it was filled in, when it was refused; else M.
	Typed *storage.Merchant
	// Accounts are the merchant's portal accounts, for supervisors and admins.
	Accounts []*storage.MerchantAccount
}

// showMerchant shows a merchant: its details, its figures and its cases, both
// of the viewer's units only.
func (s *Server) showMerchant(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "商家")
	if !ok {
		return
	}
	v, err := s.merchantPage(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "merchant.html", "商家 "+v.M.Name, v)
}

// merchantPage gathers a merchant's page for the signed-in staff member.
func (s *Server) merchantPage(ctx context.Context, id int64) (*merchantView, error) {
	m, err := s.cfg.Store.FindMerchant(ctx, id)
	if err != nil {
		return nil, err
	}
	st := staffFrom(ctx)
	v := &merchantView{M: m, MergedInto: m.MergedInto, MayManage: st.Role.AtLeast(storage.RoleSupervisor),
		Phone: storage.MaskPhone(m.ContactPhone), Aliases: strings.Join(m.Aliases, "\n"), Typed: m}
	if v.MayManage {
		v.Phone = m.ContactPhone
		if v.Accounts, err = s.cfg.Store.MerchantAccounts(ctx, id); err != nil {
			return nil, err
		}
	}
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	if v.Stats, err = s.cfg.Store.MerchantStats(ctx, id, sc.unitIDs()); err != nil {
		return nil, err
	}
	v.SettledPct, v.AvgResponse = merchantRates(v.Stats)
	cases, total, err := s.cfg.Store.FindCases(ctx, storage.CaseFilter{MerchantID: &id,
		UnitIDs: sc.unitIDs(), Limit: merchantCasesShown})
	if err != nil {
		return nil, err
	}
	staff, err := s.loadStaff(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		v.Cases = append(v.Cases, newCaseRow(c, staff))
	}
	v.MoreCases = total > len(cases)
	return v, nil
}

// merchantRates formats the settlement rate and the average response time, "—"
// when there is nothing to average.
func merchantRates(st storage.MerchantCaseStats) (rate, response string) {
	rate, response = "—", "—"
	if st.Concluded > 0 {
		rate = fmt.Sprintf("%.1f%%（%d/%d）", st.SettlementRate()*100, st.Settled, st.Concluded)
	}
	if st.Referrals > 0 {
		response = fmt.Sprintf("%.1f 天（%d 次转办）", st.AverageResponse().Hours()/24, st.Referrals)
	}
	return rate, response
}

// updateMerchant saves a merchant's edit form (supervisors and admins).
func (s *Server) updateMerchant(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "商家")
	if !ok {
		return
	}
	in := merchantFromForm(r)
	in.By = s.actedBy(r)
	if _, err := s.cfg.Store.UpdateMerchant(r.Context(), id, in); err != nil {
		s.refuseMerchant(w, r, id, err)
		return
	}
	redirectFlash(w, r, "/console/merchants/"+strconv.FormatInt(id, 10), "商家信息已保存。")
}

// mergeMerchant merges this merchant, a duplicate, into the one the form names
// (supervisors and admins), and shows the kept merchant.
func (s *Server) mergeMerchant(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "商家")
	if !ok {
		return
	}
	into, err := merchantIDField(r.PostFormValue("into"))
	if err == nil {
		_, err = s.cfg.Store.MergeMerchants(r.Context(), into, id, s.actedBy(r))
	}
	if err != nil {
		s.refuseMerchant(w, r, id, err)
		return
	}
	redirectFlash(w, r, "/console/merchants/"+strconv.FormatInt(into, 10), "商家已合并。")
}

// refuseMerchant shows the merchant's page again with the message, for input
// staff can put right; otherwise the error page.
func (s *Server) refuseMerchant(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if code := storage.ErrorCode(err); code != storage.EINVALID && code != storage.ECONFLICT {
		s.pageError(w, r, err)
		return
	}
	v, lerr := s.merchantPage(r.Context(), id)
	if lerr != nil {
		s.pageError(w, r, lerr)
		return
	}
	status, message := httpStatus(err)
	v.Error = message
	if r.PostForm.Has("name") { // the edit form: show it as typed
		typed := *v.M
		in := merchantFromForm(r)
		typed.Name, typed.CreditCode, typed.Address = in.Name, in.CreditCode, in.Address
		typed.ContactPerson, typed.ContactPhone = in.ContactPerson, in.ContactPhone
		typed.OnPlatform, typed.PlatformSince = in.OnPlatform, in.PlatformSince
		v.Typed, v.Aliases = &typed, r.PostFormValue("aliases")
	}
	s.render(w, r, status, "merchant.html", "商家 "+v.M.Name, v)
}
