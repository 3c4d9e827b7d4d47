package portal

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// maxAccountName bounds the name a merchant's staff member gives, in characters.
const maxAccountName = 50

// formView is what the sign-in and invitation forms show.
type formView struct {
	Username string
	Name     string
	Merchant string // the inviting merchant's name, on the invitation form
	Token    string // the form's CSRF token (webauth.Auth.LoginToken)
	Error    string
}

// showLogin shows the sign-in form.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) {
	s.renderForm(w, r, http.StatusOK, "login.html", formView{})
}

// renderForm shows a sign-in or invitation form with its CSRF token.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, page string, v formView) {
	v.Token = s.auth.LoginToken(w, r)
	s.render(w, r, status, page, v)
}

// login checks the form and starts a session, in the console's order: the
// form's token, the throttle (reserved before any password is checked), then
// the password, whose every path costs one bcrypt comparison.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	_ = r.ParseForm() // an unreadable form fails the token check
	username := webauth.NormalizeUsername(r.PostFormValue("username"))
	v := formView{Username: username}
	if !s.auth.ValidLoginToken(r) {
		v.Error = "页面已过期，请重新输入并登录。"
		s.renderForm(w, r, http.StatusForbidden, "login.html", v)
		return
	}
	keys := webauth.ThrottleKeys(username, s.auth.ClientIP(r))
	if wait, err := s.auth.ReserveAttempt(r.Context(), keys); err != nil || wait > 0 {
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		w.Header().Set("Retry-After", webauth.RetryAfter(wait))
		v.Error = webauth.ThrottledMessage(wait)
		s.renderForm(w, r, http.StatusTooManyRequests, "login.html", v)
		return
	}
	acc, err := s.checkCredentials(r, username, r.PostFormValue("password"))
	if err != nil {
		s.auth.ReleaseAttempt(r.Context(), keys)
		s.pageError(w, r, err)
		return
	}
	if acc == nil {
		v.Error = "用户名或密码错误。"
		s.renderForm(w, r, http.StatusUnauthorized, "login.html", v)
		return
	}
	if _, err := s.auth.NewSession(w, r, acc.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.auth.LoginSucceeded(r.Context(), keys)
	s.audit(r, storage.AuditPortalLogin, 0, storage.MerchantActor(acc.ID)+" 登录和解平台")
	http.Redirect(w, r, casesPath, http.StatusSeeOther)
}

// checkCredentials returns the account if the password is its own and it is
// enabled, nil if not (audited), or a store error.
func (s *Server) checkCredentials(r *http.Request, username, password string) (*storage.MerchantAccount, error) {
	acc, err := s.cfg.Store.FindMerchantAccountByUsername(r.Context(), username)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		webauth.PasswordMatches(webauth.DummyHash(), password)
		s.audit(r, storage.AuditPortalLogin, 0, "和解平台登录失败：用户名不存在")
		return nil, nil
	case err != nil:
		return nil, err
	}
	if !webauth.PasswordMatches(acc.PasswordHash, password) || acc.Disabled {
		s.audit(r, storage.AuditPortalLogin, 0, storage.MerchantActor(acc.ID)+" 和解平台登录失败")
		return nil, nil
	}
	return acc, nil
}

// logout ends the session in the store, not only the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	if err := s.auth.EndSession(w, r, u.Session.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.audit(r, storage.AuditPortalLogin, 0, storage.MerchantActor(u.Account.ID)+" 退出和解平台")
	http.Redirect(w, r, loginPath, http.StatusSeeOther)
}

// showInvite shows the form to accept an invitation, or that the link is
// used up or expired.
func (s *Server) showInvite(w http.ResponseWriter, r *http.Request) {
	m, ok := s.invitedMerchant(w, r)
	if !ok {
		return
	}
	s.renderForm(w, r, http.StatusOK, "invite.html", formView{Merchant: m.Name})
}

// invitedMerchant returns the merchant of the path's usable invitation, or
// answers 404 with a page saying the link cannot be used.
func (s *Server) invitedMerchant(w http.ResponseWriter, r *http.Request) (*storage.Merchant, bool) {
	inv, err := s.cfg.Store.FindMerchantInvitation(r.Context(), webauth.HashToken(r.PathValue("token")))
	if err == nil {
		var m *storage.Merchant
		if m, err = s.cfg.Store.FindMerchant(r.Context(), inv.MerchantID); err == nil {
			return m, true
		}
	}
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		s.renderError(w, r, http.StatusNotFound, "邀请链接无效、已使用或已过期。请联系消费者协会重新邀请。")
	} else {
		s.pageError(w, r, err)
	}
	return nil, false
}

// acceptInvite creates the account under the console's username and password
// rules, uses the invitation up and signs the new account in.
func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	_ = r.ParseForm()
	m, ok := s.invitedMerchant(w, r)
	if !ok {
		return
	}
	v := formView{Merchant: m.Name, Username: webauth.NormalizeUsername(r.PostFormValue("username")),
		Name: strings.TrimSpace(r.PostFormValue("name"))}
	password := r.PostFormValue("password")
	err := s.checkNewAccount(r, v, password)
	var acc *storage.MerchantAccount
	if err == nil {
		var hash string
		if hash, err = webauth.HashPassword(password); err == nil {
			acc, err = s.cfg.Store.AcceptMerchantInvitation(r.Context(), storage.InvitationAcceptance{
				TokenHash: webauth.HashToken(r.PathValue("token")), Username: v.Username, Name: v.Name,
				PasswordHash: hash, IP: s.auth.ClientIP(r)})
		}
	}
	if code := storage.ErrorCode(err); code == storage.EINVALID || code == storage.ECONFLICT || code == storage.EFORBIDDEN {
		v.Error = storage.ErrorMessage(err)
		s.renderForm(w, r, http.StatusBadRequest, "invite.html", v)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	if _, err := s.auth.NewSession(w, r, acc.ID); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, casesPath, http.StatusSeeOther)
}

// checkNewAccount checks the invitation form: its token, the username, the
// name and the password with its repetition.
func (s *Server) checkNewAccount(r *http.Request, v formView, password string) error {
	if !s.auth.ValidLoginToken(r) {
		return storage.Errorf(storage.EFORBIDDEN, "页面已过期，请重新填写。")
	}
	if err := webauth.ValidateUsername(v.Username); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(v.Name); n == 0 || n > maxAccountName || strings.IndexFunc(v.Name, unicode.IsControl) >= 0 {
		return storage.Errorf(storage.EINVALID, "请填写姓名（最多 %d 个字）。", maxAccountName)
	}
	if err := webauth.ValidatePassword(password); err != nil {
		return err
	}
	if password != r.PostFormValue("password2") {
		return storage.Errorf(storage.EINVALID, "两次输入的密码不一致。")
	}
	return nil
}
