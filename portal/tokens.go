package portal

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// tokensPath is the page where a merchant's staff member makes and revokes
// tokens for the portal's JSON API.
const tokensPath = "/portal/tokens"

// merchantTokenPrefix marks a portal token, so that one pasted into the wrong
// place (the console's API) is recognisable.
const merchantTokenPrefix = "cbm_"

// tokensView is what tokens.html shows; NewToken only on the response that
// created it.
type tokensView struct {
	Tokens   []*storage.MerchantAPIToken
	NewToken string
	Error    string
}

// showTokens lists the account's tokens.
func (s *Server) showTokens(w http.ResponseWriter, r *http.Request) {
	s.renderTokens(w, r, http.StatusOK, tokensView{})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, v tokensView) {
	list, err := s.cfg.Store.MerchantAPITokens(r.Context(), userFrom(r.Context()).Account.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v.Tokens = list
	w.Header().Set("Cache-Control", "no-store") // the new token is on this response only
	s.render(w, r, status, "tokens.html", v)
}

// createToken makes a token and shows it once: only its SHA-256 is stored,
// and the response is no redirect, so the token never sits in a URL.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	token := newMerchantToken()
	_, err := s.cfg.Store.CreateMerchantAPIToken(r.Context(), u.Account.ID, r.PostFormValue("name"),
		webauth.HashToken(token), s.auth.ClientIP(r))
	if storage.ErrorCode(err) == storage.EINVALID {
		s.renderTokens(w, r, http.StatusBadRequest, tokensView{Error: storage.ErrorMessage(err)})
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderTokens(w, r, http.StatusOK, tokensView{NewToken: token})
}

// revokeToken revokes one of the account's own tokens; another's is not found.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		err = s.cfg.Store.RevokeMerchantAPIToken(r.Context(), userFrom(r.Context()).Account.ID, id, s.auth.ClientIP(r))
	} else {
		err = storage.Errorf(storage.ENOTFOUND, "no such token")
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, tokensPath, http.StatusSeeOther)
}

// newMerchantToken returns a fresh token: 256 random bits.
func newMerchantToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return merchantTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}
