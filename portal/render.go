package portal

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// chinaTime is the zone the portal shows times in.
var chinaTime = time.FixedZone("CST", 8*3600)

// templateFuncs are the helpers the templates use.
var templateFuncs = template.FuncMap{
	"yuan":     storage.FormatYuan,
	"filesize": fileSize,
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(chinaTime).Format("2006-01-02 15:04")
	},
}

// fileSize is a byte count as a person reads it: "850 B", "12.3 KB", "1.2 MB".
func fileSize(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1024*1024:
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " MB"
}

// pageData is what every template gets: the page's own data, the signed-in
// account (nil on the forms) and the session's CSRF token.
type pageData struct {
	Org     string
	Account *storage.MerchantAccount
	CSRF    string
	Data    any
}

// render writes a page; a template failure is a 500 without half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	pd := pageData{Org: s.cfg.OrgName, Data: data}
	if u := userFrom(r.Context()); u != nil {
		pd.Account, pd.CSRF = u.Account, u.Session.CSRFToken
	}
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, pd); err != nil {
		s.cfg.Logger.Error("portal template failed", "template", name, "err", err)
		http.Error(w, "系统错误", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderError shows a message page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error.html", msg)
}

// notFound is every path the portal does not have.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "页面不存在，或您无权查看。")
}

// pageError answers a store error: not found as 404 (never saying whether
// the case exists for someone else), a busy store as 503, the rest as 500.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	switch storage.ErrorCode(err) {
	case storage.ENOTFOUND:
		s.notFound(w, r)
	case storage.EUNAVAILABLE:
		s.renderError(w, r, http.StatusServiceUnavailable, "系统繁忙，请稍后再试。")
	default:
		s.cfg.Logger.Error("portal request failed", "path", r.URL.Path, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "系统错误，请稍后再试。")
	}
}
