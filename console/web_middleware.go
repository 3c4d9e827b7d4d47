package console

import (
	"errors"
	"net/http"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// maxFormBody bounds a console form post. The longest form, a note of 5,000
// Chinese characters, is about 45 KiB once URL-encoded.
const maxFormBody = 64 << 10

// page wraps an HTML handler: sign-in required (else a redirect to the login
// page), the role required (else 403), a form post within maxFormBody (else 413),
// and the CSRF token on state changes.
func (s *Server) page(min storage.Role, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := staffFrom(r.Context())
		switch {
		case st == nil && webauth.IsBackground(r):
			// A poll has no use for the login page; the page's next real request
			// goes there.
			writeJSONError(w, http.StatusUnauthorized, "unauthorized", "登录已过期，请重新登录")
		case st == nil:
			http.Redirect(w, r, "/console/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case !st.Role.AtLeast(min):
			s.renderError(w, r, http.StatusForbidden, "您没有权限进行此操作。")
		case !s.readForm(w, r):
			// answered: too large or unreadable
		case !checkCSRF(r):
			s.renderError(w, r, http.StatusForbidden, "页面已过期或请求来源不可信，请刷新页面后重试。")
		default:
			h(w, r)
		}
	})
}

// readForm bounds the body of a state-changing request to maxFormBody and parses
// its form before anything else reads it; GET and HEAD are left alone. On failure
// it answers 413 (too large) or 400 (unreadable, or text with a NUL or invalid
// UTF-8) and returns false.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	err := r.ParseForm()
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "提交的内容过长，请删减后重试。")
		return false
	case err != nil:
		s.renderError(w, r, http.StatusBadRequest, "无法读取提交的表单，请刷新页面后重试。")
		return false
	}
	return s.cleanForm(w, r)
}

// api wraps a JSON handler the same way, answering with JSON errors.
func (s *Server) api(min storage.Role, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := staffFrom(r.Context())
		switch {
		case st == nil:
			writeJSONError(w, http.StatusUnauthorized, "unauthorized", "请先登录或提供有效的 API 令牌")
		case !st.Role.AtLeast(min):
			writeJSONError(w, http.StatusForbidden, "forbidden", "没有权限进行此操作")
		case !checkCSRF(r):
			writeJSONError(w, http.StatusForbidden, "csrf", "缺少或错误的 CSRF 令牌")
		default:
			h(w, r)
		}
	})
}

// actedBy is the caller as the stores record a case action: the staff member, and
// the client address the store writes into the action's audit entry (the same
// address the login throttle counts). Every handler passes it on explicitly rather
// than the store reading it from the context, so a store call shows where its
// audit address comes from.
func (s *Server) actedBy(r *http.Request) storage.By {
	return storage.By{Actor: staffFrom(r.Context()).Actor(), IP: s.auth.ClientIP(r)}
}

// audit records a staff action that the stores do not audit themselves. A failure
// is logged: the action already happened and must not be reported as failed.
func (s *Server) audit(r *http.Request, action string, caseID int64, detail string) {
	e := storage.AuditEntry{Action: action, CaseID: caseID, Detail: detail, IP: s.auth.ClientIP(r), CreatedAt: s.cfg.Now()}
	if st := staffFrom(r.Context()); st != nil {
		e.StaffID = st.ID
	}
	if err := s.cfg.Store.AddAudit(r.Context(), e); err != nil {
		s.cfg.Logger.Error("audit entry lost", "action", action, "case", caseID, "err", err)
	}
}

// sessionPage is page for the account pages, which also refuse API tokens: a
// leaked token must not be enough to mint more tokens, change a password or
// create accounts. Only a person signed in with a password may.
func (s *Server) sessionPage(min storage.Role, h http.HandlerFunc) http.Handler {
	return s.page(min, func(w http.ResponseWriter, r *http.Request) {
		if sessionFrom(r.Context()) == nil {
			s.renderError(w, r, http.StatusForbidden, "此页面只能在登录后的工作台中使用，不接受 API 令牌。")
			return
		}
		h(w, r)
	})
}

// auditAs records an action by a given staff member; sign-in needs it because
// the caller is not in the request's context yet (or is someone else's stale
// session). staffID is 0 for an unknown username.
func (s *Server) auditAs(r *http.Request, staffID int64, action, detail string) {
	e := storage.AuditEntry{StaffID: staffID, Action: action, Detail: detail, IP: s.auth.ClientIP(r), CreatedAt: s.cfg.Now()}
	if err := s.cfg.Store.AddAudit(r.Context(), e); err != nil {
		s.cfg.Logger.Error("audit entry lost", "action", action, "err", err)
	}
}
