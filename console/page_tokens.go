package console

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
)

// Personal API tokens: "cbt_" and 32 random bytes in base64url. The prefix lets
// secret scanners (and people) recognise a leaked token; only its HashToken is
// stored.
const (
	tokenPrefix       = "cbt_"
	maxTokenNameRunes = 40
)

// tokensView is what tokens.html shows: the caller's own tokens, newest first.
type tokensView struct {
	Tokens []*storage.APIToken
	Name   string
	Error  string
}

// tokenCreatedView is what tokens_created.html shows, once.
type tokenCreatedView struct {
	Name  string
	Token string
}

// showTokens lists the caller's tokens with a form to create one.
func (s *Server) showTokens(w http.ResponseWriter, r *http.Request) {
	s.renderTokens(w, r, http.StatusOK, tokensView{})
}

// renderTokens shows the list with v's form state.
func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, v tokensView) {
	list, err := s.cfg.Store.ListAPITokens(r.Context(), staffFrom(r.Context()).ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v.Tokens = list
	s.render(w, r, status, "tokens.html", "API 令牌", v)
}

// createToken makes a token and shows it on this response only: it is not stored
// and cannot be shown again. The response is not a redirect, so the token never
// sits in a URL, and the security headers' no-store keeps it out of the cache.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if n := utf8.RuneCountInString(name); n == 0 || n > maxTokenNameRunes || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		s.renderTokens(w, r, http.StatusBadRequest, tokensView{Name: name,
			Error: "请填写令牌用途（1–40 个字符），如“统计脚本”。"})
		return
	}
	token := newAPIToken()
	t, err := s.cfg.Store.CreateAPIToken(r.Context(), staffFrom(r.Context()).ID, name, HashToken(token))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.audit(r, storage.AuditTokenCreate, 0, "创建令牌 "+idText(t.ID))
	s.render(w, r, http.StatusOK, "tokens_created.html", "API 令牌已创建", tokenCreatedView{Name: t.Name, Token: token})
}

// revokeToken revokes one of the caller's own tokens; another person's token is
// "not found", as if it did not exist.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "令牌")
	if !ok {
		return
	}
	if err := s.cfg.Store.RevokeAPIToken(r.Context(), staffFrom(r.Context()).ID, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.audit(r, storage.AuditTokenRevoke, 0, "吊销令牌 "+idText(id))
	redirectFlash(w, r, "/console/tokens", "令牌已吊销，使用它的请求将被拒绝。")
}

// newAPIToken returns a fresh token.
func newAPIToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}
