package webauth

import (
	"context"
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// BackgroundHeader ("X-Background: 1") marks a request the page makes on its
// own, such as a polling script: it must not count as use of the session, or an
// unattended desk with a page open would never idle out.
const BackgroundHeader = "X-Background"

// IsBackground reports whether r is a background request (see BackgroundHeader).
func IsBackground(r *http.Request) bool {
	return r.Header.Get(BackgroundHeader) == "1"
}

// Session returns the live session named by r's session cookie; ENOTFOUND if
// there is no cookie or the session has expired (idle or absolute). A
// background request is checked without extending the idle expiry.
func (a *Auth) Session(r *http.Request) (*storage.Session, error) {
	c, err := r.Cookie(a.cfg.SessionCookie)
	if err != nil || c.Value == "" {
		return nil, storage.Errorf(storage.ENOTFOUND, "no session cookie")
	}
	find := a.cfg.Sessions.FindSession
	if IsBackground(r) {
		find = a.cfg.Sessions.PeekSession // checked, expiry and all, but not extended
	}
	return find(r.Context(), c.Value)
}

// NewSession rotates the session: whatever session the browser had ends, and a
// new one for userID is created and set as the cookie, so an id planted before
// sign-in is worth nothing after it. It returns the new session, whose CSRF
// token signs what the response hands to the next page.
func (a *Auth) NewSession(w http.ResponseWriter, r *http.Request, userID int64) (*storage.Session, error) {
	if c, err := r.Cookie(a.cfg.SessionCookie); err == nil && c.Value != "" {
		if err := a.cfg.Sessions.DeleteSession(r.Context(), c.Value); err != nil {
			a.cfg.Logger.Warn("old session not deleted at sign-in", "err", err)
		}
	}
	se, err := a.cfg.Sessions.CreateSession(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	a.setSessionCookie(w, se.ID)
	return se, nil
}

// EndSession ends one session in the store, not only the cookie: a copy of the
// cookie (another tab, a shared computer's profile, a thief) stops working at
// once. The cookie is cleared only once the store has ended the session, so
// that a failure leaves no one believing they are signed out.
func (a *Auth) EndSession(w http.ResponseWriter, r *http.Request, id string) error {
	if err := a.cfg.Sessions.DeleteSession(r.Context(), id); err != nil {
		return err
	}
	a.ClearSessionCookie(w)
	return nil
}

// EndUserSessions ends every session of a user (password changed or reset,
// account disabled).
func (a *Auth) EndUserSessions(ctx context.Context, userID int64) error {
	return a.cfg.Sessions.DeleteStaffSessions(ctx, userID)
}

// setSessionCookie hands the browser a session. No Max-Age: the cookie ends with
// the browser, and the server ends the session (idle and absolute expiry) anyway.
// Lax keeps the cookie off cross-site POSTs while links from WeChat or e-mail to
// a page still arrive signed in.
func (a *Auth) setSessionCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: a.cfg.SessionCookie, Value: id, Path: "/",
		HttpOnly: true, Secure: a.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie tells the browser to forget its session cookie.
func (a *Auth) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: a.cfg.SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}
