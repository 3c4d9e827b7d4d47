package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// apiReportMerchants are the 商家 figures of GET /api/v1/reports.
type apiReportMerchants struct {
	OnPlatform    int `json:"on_platform"`     // merchants on the settlement platform (入驻) now
	NewOnPlatform int `json:"new_on_platform"` // of them, those whose 入驻 date lies in the period
	// OnPlatformAtEnd: of them, those whose 入驻 date is before the period's end
	// (the annual report's 入驻企业; see storage.ReportMerchants).
	OnPlatformAtEnd int `json:"on_platform_at_end"`
}

// apiMerchant is a merchant of the registry. The contact phone is masked
// unless the caller may edit merchants (supervisors and admins).
type apiMerchant struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Aliases       []string `json:"aliases"`
	CreditCode    string   `json:"credit_code"`
	Address       string   `json:"address"`
	ContactPerson string   `json:"contact_person"`
	ContactPhone  string   `json:"contact_phone"`
	OnPlatform    bool     `json:"on_platform"`
	PlatformSince string   `json:"platform_since"` // YYYY-MM-DD, "" when not on the platform
	MergedInto    int64    `json:"merged_into"`    // 0 for a live merchant
}

// apiMerchantDetail is a merchant with the figures of the caller's cases.
type apiMerchantDetail struct {
	apiMerchant
	Cases          int      `json:"cases"`
	Concluded      int      `json:"concluded"`
	Settled        int      `json:"settled"`
	SettlementRate float64  `json:"settlement_rate"` // settled / concluded, 0 with none
	Referrals      int      `json:"referrals"`       // ended referrals to the merchant
	AvgResponseHrs float64  `json:"avg_response_hours"`
	CaseNumbers    []string `json:"case_numbers"` // the latest 50, of the caller's units
}

// apiMerchantJSON converts a merchant for a caller who may (full) or may not
// see the contact's whole phone number.
func apiMerchantJSON(m *storage.Merchant, full bool) apiMerchant {
	phone := m.ContactPhone
	if !full {
		phone = storage.MaskPhone(phone)
	}
	return apiMerchant{ID: m.ID, Name: m.Name, Aliases: m.Aliases, CreditCode: m.CreditCode, Address: m.Address,
		ContactPerson: m.ContactPerson, ContactPhone: phone, OnPlatform: m.OnPlatform,
		PlatformSince: m.PlatformSince, MergedInto: m.MergedInto}
}

// mayManageMerchants reports whether the caller edits the registry.
func mayManageMerchants(r *http.Request) bool {
	return staffFrom(r.Context()).Role.AtLeast(storage.RoleSupervisor)
}

// apiMerchants serves GET /api/v1/merchants?q=&on_platform=1|0&page=: live
// merchants by name; phones masked in the list for everyone.
func (s *Server) apiMerchants(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f := storage.MerchantFilter{Search: q.Get("q"), Offset: (page - 1) * merchantsPerPage, Limit: merchantsPerPage}
	if on, ok := platformFilter(q.Get("on_platform")); ok {
		f.OnPlatform = &on
	}
	list, total, err := s.cfg.Store.FindMerchants(r.Context(), f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	items := []apiMerchant{}
	for _, m := range list {
		items = append(items, apiMerchantJSON(m, false))
	}
	writeJSON(w, http.StatusOK, apiPage[apiMerchant]{Items: items, Total: total, Page: page, PerPage: merchantsPerPage})
}

// apiMerchantDetail serves GET /api/v1/merchants/{id}: the merchant and the
// figures and case numbers of the caller's units.
func (s *Server) apiMerchantDetail(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeJSONError(w, http.StatusNotFound, storage.ENOTFOUND, "找不到该商家")
		return
	}
	s.apiWriteMerchant(w, r, http.StatusOK, id)
}

// apiWriteMerchant answers with the merchant's detail.
func (s *Server) apiWriteMerchant(w http.ResponseWriter, r *http.Request, status int, id int64) {
	v, err := s.merchantPage(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiMerchantDetail{apiMerchant: apiMerchantJSON(v.M, v.MayManage), Cases: v.Stats.Cases,
		Concluded: v.Stats.Concluded, Settled: v.Stats.Settled, SettlementRate: v.Stats.SettlementRate(),
		Referrals: v.Stats.Referrals, AvgResponseHrs: v.Stats.AverageResponse().Hours(), CaseNumbers: []string{}}
	for _, c := range v.Cases {
		out.CaseNumbers = append(out.CaseNumbers, c.Number)
	}
	writeJSON(w, status, out)
}

// apiMerchantRequest is the body of POST /api/v1/merchants and of a merchant's
// update; case_number, on creation, links that case (of the caller's units).
type apiMerchantRequest struct {
	Name          string   `json:"name"`
	Aliases       []string `json:"aliases"`
	CreditCode    string   `json:"credit_code"`
	Address       string   `json:"address"`
	ContactPerson string   `json:"contact_person"`
	ContactPhone  string   `json:"contact_phone"`
	OnPlatform    bool     `json:"on_platform"`
	PlatformSince string   `json:"platform_since"`
	CaseNumber    string   `json:"case_number"`
}

// input is the request as the store takes it.
func (req apiMerchantRequest) input(by storage.By) storage.MerchantInput {
	return storage.MerchantInput{Name: req.Name, Aliases: req.Aliases, CreditCode: req.CreditCode,
		Address: req.Address, ContactPerson: req.ContactPerson, ContactPhone: req.ContactPhone,
		OnPlatform: req.OnPlatform, PlatformSince: req.PlatformSince, By: by}
}

// apiCreateMerchant serves POST /api/v1/merchants. Supervisors and admins add
// merchants; with case_number any staff member may, creating the merchant
// from a case of theirs (as on the case page).
func (s *Server) apiCreateMerchant(w http.ResponseWriter, r *http.Request) {
	var req apiMerchantRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	in := req.input(s.actedBy(r))
	if strings.TrimSpace(req.CaseNumber) != "" {
		c, err := s.apiFindCase(r, req.CaseNumber)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		in.CaseID = c.ID
	} else if !mayManageMerchants(r) {
		writeJSONError(w, http.StatusForbidden, storage.EFORBIDDEN, "只有主管和管理员可以直接新建商家；从案件新建请给出 case_number")
		return
	}
	m, err := s.cfg.Store.CreateMerchant(r.Context(), in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteMerchant(w, r, http.StatusCreated, m.ID)
}

// apiLinkRequest is the body of POST /api/v1/cases/{number}/merchant.
type apiLinkRequest struct {
	MerchantID int64 `json:"merchant_id"`
}

// apiLinkMerchant serves POST /api/v1/cases/{number}/merchant: links (or
// corrects the link of) a case of the caller's units to a merchant.
func (s *Server) apiLinkMerchant(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiLinkRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	updated, err := s.cfg.Store.LinkCaseMerchant(r.Context(), c.ID, req.MerchantID, s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}

// apiMergeRequest is the body of POST /api/v1/merchants/{id}/merge.
type apiMergeRequest struct {
	Into int64 `json:"into"`
}

// apiMergeMerchant serves POST /api/v1/merchants/{id}/merge (supervisors and
// admins): merchant {id}, a duplicate, is merged into "into", which answers.
func (s *Server) apiMergeMerchant(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeJSONError(w, http.StatusNotFound, storage.ENOTFOUND, "找不到该商家")
		return
	}
	var req apiMergeRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	if _, err := s.cfg.Store.MergeMerchants(r.Context(), req.Into, id, s.actedBy(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteMerchant(w, r, http.StatusOK, req.Into)
}
