package console

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// PortalInvitePath is where the merchant portal accepts an invitation; the
// link shown to the supervisor is this path and the token.
const PortalInvitePath = "/portal/invite/"

// inviteCreatedView is what merchant_invite.html shows, once.
type inviteCreatedView struct {
	M         *storage.Merchant
	Link      string
	ExpiresAt time.Time
}

// inviteMerchant creates a one-time invitation to the portal for a merchant
// on the platform (supervisors and admins) and shows its link on this
// response only: only the token's SHA-256 is stored, the response is no
// redirect (the token never sits in a console URL) and is not cached.
func (s *Server) inviteMerchant(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "商家")
	if !ok {
		return
	}
	token := newInvitationToken()
	inv, err := s.cfg.Store.CreateMerchantInvitation(r.Context(), id, HashToken(token), s.actedBy(r))
	if err != nil {
		s.refuseMerchant(w, r, id, err)
		return
	}
	m, err := s.cfg.Store.FindMerchant(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "merchant_invite.html", "商家账号邀请",
		inviteCreatedView{M: m, Link: requestOrigin(r) + PortalInvitePath + token, ExpiresAt: inv.ExpiresAt})
}

// newInvitationToken returns 32 random bytes in base64url.
func newInvitationToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// requestOrigin is the scheme and host the supervisor reached the console
// at, which is where the merchant reaches the portal too.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// setMerchantAccountDisabled disables or enables one of the merchant's portal
// accounts (supervisors and admins); an account of another merchant is not
// found. Disabling ends the account's portal sessions (and the portal refuses
// a disabled account on every request anyway).
func (s *Server) setMerchantAccountDisabled(w http.ResponseWriter, r *http.Request) {
	id, account, ok := s.merchantAccountPath(w, r)
	if !ok {
		return
	}
	disabled := r.PostFormValue("disabled") == "1"
	if err := s.cfg.Store.SetMerchantAccountDisabled(r.Context(), id, account, disabled, s.actedBy(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	msg := "账号已启用。"
	if disabled {
		if err := s.endPortalSessions(r, account); err != nil {
			s.pageError(w, r, err)
			return
		}
		msg = "账号已停用，其和解平台登录已全部退出。"
	}
	redirectFlash(w, r, "/console/merchants/"+strconv.FormatInt(id, 10), msg)
}

// resetMerchantAccountPassword sets a password the supervisor chose for one of
// the merchant's portal accounts (someone forgot theirs, or it leaked): the
// owner must replace it at the next sign-in, and every portal session of the
// account ends. Audited by the store.
func (s *Server) resetMerchantAccountPassword(w http.ResponseWriter, r *http.Request) {
	id, account, ok := s.merchantAccountPath(w, r)
	if !ok {
		return
	}
	hash, err := newPasswordFromForm(r)
	if err == nil {
		err = s.cfg.Store.ResetMerchantAccountPassword(r.Context(), id, account, hash, s.actedBy(r))
	}
	if err != nil {
		s.refuseMerchant(w, r, id, err)
		return
	}
	if err := s.endPortalSessions(r, account); err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectFlash(w, r, "/console/merchants/"+strconv.FormatInt(id, 10),
		"已重置该商家账号的密码，其和解平台登录已全部退出；对方下次登录时须修改密码。")
}

// merchantAccountPath reads the merchant and account ids of the path; an
// unreadable one answers not found.
func (s *Server) merchantAccountPath(w http.ResponseWriter, r *http.Request) (int64, int64, bool) {
	id, ok := s.pathID(w, r, "商家")
	if !ok {
		return 0, 0, false
	}
	account, err := strconv.ParseInt(r.PathValue("account"), 10, 64)
	if err != nil {
		s.pageError(w, r, storage.Errorf(storage.ENOTFOUND, "no such account"))
		return 0, 0, false
	}
	return id, account, true
}

// endPortalSessions ends every portal session of a merchant account.
func (s *Server) endPortalSessions(r *http.Request, accountID int64) error {
	if s.cfg.PortalSessions == nil {
		return nil // no portal runs: there are no portal sessions
	}
	return s.cfg.PortalSessions.DeleteStaffSessions(r.Context(), accountID)
}
