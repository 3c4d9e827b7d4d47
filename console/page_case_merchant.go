package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// formCaseMerchant is the case page's 商家 forms, for refused posts.
const formCaseMerchant = "merchant"

// caseMerchantSuggestions is how many registry merchants the case page suggests.
const caseMerchantSuggestions = 5

// caseMerchantView is the 商家 block of the case page: the linked merchant, or
// the registry's suggestions for the name the consumer typed, with the forms to
// confirm, correct or create the link.
type caseMerchantView struct {
	Linked      *storage.Merchant
	Suggestions []merchantSuggestion
}

// merchantSuggestion is one suggested merchant with its similarity in percent.
type merchantSuggestion struct {
	Merchant  *storage.Merchant
	Percent   int
	MatchedOn string
}

// caseMerchantBlock loads the linked merchant, or the suggestions when the case
// is unlinked (a merged link reads as its kept merchant's).
func (s *Server) caseMerchantBlock(ctx context.Context, c *storage.Case) (caseMerchantView, error) {
	var v caseMerchantView
	if c.MerchantID != 0 {
		m, err := s.cfg.Store.FindMerchant(ctx, c.MerchantID)
		v.Linked = m
		return v, err
	}
	cands, err := s.cfg.Store.MatchMerchants(ctx, c.MerchantName, caseMerchantSuggestions)
	for _, cand := range cands {
		v.Suggestions = append(v.Suggestions, merchantSuggestion{Merchant: cand.Merchant,
			Percent: int(cand.Similarity*100 + 0.5), MatchedOn: cand.MatchedOn})
	}
	return v, err
}

// linkCaseMerchant links the case to the merchant the form names (a suggestion
// confirmed, or another merchant's number typed), audited with a timeline note.
func (s *Server) linkCaseMerchant(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	id, err := merchantIDField(r.PostFormValue("merchant_id"))
	if err == nil {
		_, err = s.cfg.Store.LinkCaseMerchant(r.Context(), c.ID, id, s.actedBy(r))
	}
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		err = storage.Errorf(storage.EINVALID, "没有编号为 %d 的商家。", id)
	}
	if err != nil {
		s.refuseForm(w, r, c, formCaseMerchant, err)
		return
	}
	redirectToCase(w, r, c.Number, "已关联商家。")
}

// merchantIDField reads a merchant number typed in a form ("12" or "#12").
func merchantIDField(raw string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(raw), "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, storage.Errorf(storage.EINVALID, "请选择商家，或填写商家编号。")
	}
	return id, nil
}

// createCaseMerchant adds a merchant to the registry from the case (its name as
// corrected by staff, the case's address) and links the case to it.
func (s *Server) createCaseMerchant(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	in := storage.MerchantInput{Name: r.PostFormValue("name"), CreditCode: r.PostFormValue("credit_code"),
		Address: c.MerchantAddress, CaseID: c.ID, By: s.actedBy(r)}
	if _, err := s.cfg.Store.CreateMerchant(r.Context(), in); err != nil {
		s.refuseForm(w, r, c, formCaseMerchant, err)
		return
	}
	redirectToCase(w, r, c.Number, "已新建商家并关联本案。")
}
