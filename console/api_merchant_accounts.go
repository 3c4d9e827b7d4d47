package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// The JSON twin of the merchant page's portal block (page_merchant_invite.go):
// a merchant's portal accounts, invitations, 停用/启用 and 重置密码. Like the
// page, it is for supervisors and admins (the routes say so), the store audits
// each action, and an account is only ever reached through its own merchant.

// apiMerchantAccount is a portal account as the API shows it: never its
// password hash.
type apiMerchantAccount struct {
	ID         int64     `json:"id"`
	MerchantID int64     `json:"merchant_id"`
	Username   string    `json:"username"`
	Name       string    `json:"name"`
	Disabled   bool      `json:"disabled"`
	MustChange bool      `json:"must_change"` // 待修改密码: set by a supervisor's reset
	CreatedAt  time.Time `json:"created_at"`
}

func apiMerchantAccountJSON(a *storage.MerchantAccount) apiMerchantAccount {
	return apiMerchantAccount{ID: a.ID, MerchantID: a.MerchantID, Username: a.Username, Name: a.Name,
		Disabled: a.Disabled, MustChange: a.MustChange, CreatedAt: a.CreatedAt.UTC()}
}

// apiInvitation is the answer to a new invitation. Link holds the one-time
// token: it is in this response only (the store keeps its SHA-256).
type apiInvitation struct {
	ID         int64     `json:"id"`
	MerchantID int64     `json:"merchant_id"`
	Link       string    `json:"link"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// apiMerchantAccounts serves GET /api/v1/merchants/{id}/accounts: the
// merchant's portal accounts, oldest first; 404 for an unknown merchant.
func (s *Server) apiMerchantAccounts(w http.ResponseWriter, r *http.Request) {
	id, ok := apiMerchantID(w, r)
	if !ok {
		return
	}
	if _, err := s.cfg.Store.FindMerchant(r.Context(), id); err != nil {
		s.apiError(w, r, err)
		return
	}
	list, err := s.cfg.Store.MerchantAccounts(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	items := []apiMerchantAccount{}
	for _, a := range list {
		items = append(items, apiMerchantAccountJSON(a))
	}
	writeJSON(w, http.StatusOK, struct {
		Items []apiMerchantAccount `json:"items"`
	}{items})
}

// apiInviteMerchant serves POST /api/v1/merchants/{id}/invitations: a
// one-time link for a merchant on the platform, 201 with the link and its
// expiry. Not idempotent: a retry makes a second invitation (each one makes
// one account; an unused one expires).
func (s *Server) apiInviteMerchant(w http.ResponseWriter, r *http.Request) {
	id, ok := apiMerchantID(w, r)
	if !ok {
		return
	}
	var req struct{}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	token := newInvitationToken()
	inv, err := s.cfg.Store.CreateMerchantInvitation(r.Context(), id, HashToken(token), s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, apiInvitation{ID: inv.ID, MerchantID: inv.MerchantID,
		Link: requestOrigin(r) + PortalInvitePath + token, ExpiresAt: inv.ExpiresAt.UTC()})
}

// apiDisableMerchantAccount serves POST …/accounts/{account}/disable and
// apiEnableMerchantAccount …/enable; both answer with the account.
func (s *Server) apiDisableMerchantAccount(w http.ResponseWriter, r *http.Request) {
	s.apiSetMerchantAccountDisabled(w, r, true)
}

func (s *Server) apiEnableMerchantAccount(w http.ResponseWriter, r *http.Request) {
	s.apiSetMerchantAccountDisabled(w, r, false)
}

// apiSetMerchantAccountDisabled sets the account's state (setting it again is
// harmless, and audited again, as on the page). Disabling ends the account's
// portal sessions, as the page does; the store revokes its API tokens.
func (s *Server) apiSetMerchantAccountDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	id, account, ok := apiMerchantAccountIDs(w, r)
	if !ok {
		return
	}
	var req struct{}
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	err := s.cfg.Store.SetMerchantAccountDisabled(r.Context(), id, account, disabled, s.actedBy(r))
	if err == nil && disabled {
		err = s.endPortalSessions(r, account)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteMerchantAccount(w, r, account)
}

// apiMerchantPasswordRequest is the body of …/accounts/{account}/password.
type apiMerchantPasswordRequest struct {
	Password string `json:"password"`
}

// apiResetMerchantAccountPassword serves POST …/accounts/{account}/password:
// the password the supervisor chose (the console's rules), marked must_change;
// every portal session of the account ends. Answers with the account.
func (s *Server) apiResetMerchantAccountPassword(w http.ResponseWriter, r *http.Request) {
	id, account, ok := apiMerchantAccountIDs(w, r)
	if !ok {
		return
	}
	var req apiMerchantPasswordRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	err := webauth.ValidatePassword(req.Password)
	var hash string
	if err == nil {
		hash, err = webauth.HashPassword(req.Password)
	}
	if err == nil {
		err = s.cfg.Store.ResetMerchantAccountPassword(r.Context(), id, account, hash, s.actedBy(r))
	}
	if err == nil {
		err = s.endPortalSessions(r, account)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteMerchantAccount(w, r, account)
}

// apiWriteMerchantAccount answers with the account as it is now.
func (s *Server) apiWriteMerchantAccount(w http.ResponseWriter, r *http.Request, account int64) {
	a, err := s.cfg.Store.FindMerchantAccount(r.Context(), account)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiMerchantAccountJSON(a))
}

// apiMerchantID reads the {id} of the path; anything but a positive number
// answers 404, as a merchant that does not exist.
func apiMerchantID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeJSONError(w, http.StatusNotFound, storage.ENOTFOUND, "找不到该商家")
		return 0, false
	}
	return id, true
}

// apiMerchantAccountIDs reads {id} and {account}; an unreadable account is
// 404 like one of another merchant.
func apiMerchantAccountIDs(w http.ResponseWriter, r *http.Request) (int64, int64, bool) {
	id, ok := apiMerchantID(w, r)
	if !ok {
		return 0, 0, false
	}
	account, err := strconv.ParseInt(r.PathValue("account"), 10, 64)
	if err != nil || account <= 0 {
		writeJSONError(w, http.StatusNotFound, storage.ENOTFOUND, "该商家没有这个和解平台账号")
		return 0, 0, false
	}
	return id, account, true
}
