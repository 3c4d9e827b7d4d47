package console

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// chinaTime shows times as staff in China read them, without needing tzdata.
var chinaTime = time.FixedZone("CST", 8*60*60)

// templateFuncs are available in every template.
var templateFuncs = template.FuncMap{
	"statusLabel": func(s storage.Status) string { return s.Label() },
	"roleLabel":   func(r storage.Role) string { return r.Label() },
	"maskPhone":   storage.MaskPhone,
	"yuan":        FormatYuan,
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(chinaTime).Format("2006-01-02 15:04")
	},
	"date": func(t time.Time) string { return t.In(chinaTime).Format("2006-01-02") },
}

// FormatYuan shows fen as yuan: 399950 → "3999.50".
func FormatYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// parseTemplates parses each page with the layout and the partials, once, at
// start-up: a template error stops the program instead of a page at run time.
func parseTemplates(fsys fs.FS) (map[string]*template.Template, error) {
	pages, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	partials, _ := fs.Glob(fsys, "templates/_*.html")
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := path.Base(p)
		if strings.HasPrefix(name, "_") {
			continue
		}
		files := append([]string{p}, partials...)
		t, err := template.New(name).Funcs(templateFuncs).ParseFS(fsys, files...)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// pageData is what every page template receives.
type pageData struct {
	Title string
	Staff *storage.Staff
	CSRF  string
	Org   string
	Flash string
	Data  any
	// Query is the request's query without "page", re-encoded, for links that
	// keep a list's filter (the export links under the queue, the report and
	// the audit log).
	Query template.URL
	// MassAlerts is the number of open mass-complaint groups a supervisor sees,
	// shown by the navigation's 群体投诉 link (view_mass.go).
	MassAlerts int
}

// filterQuery is the request's query without "page" (and the flash), encoded
// afresh by url.Values, so it holds only escaped text and is safe in a link.
func filterQuery(r *http.Request) template.URL {
	q := r.URL.Query()
	for _, k := range []string{"page", "flash", "fsig"} {
		q.Del(k)
	}
	return template.URL(q.Encode())
}

// renderFailed is the plain-text answer when a page cannot be rendered at all (a
// template is missing or failed): there is no layout to put a message in.
const renderFailed = "系统出错，请稍后再试。"

// render writes a page. It renders into a buffer first so a template error gives
// a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := s.templates[name]
	if !ok {
		s.cfg.Logger.Error("console template missing", "name", name)
		http.Error(w, renderFailed, http.StatusInternalServerError)
		return
	}
	pd := pageData{Title: title, Staff: staffFrom(r.Context()), Org: s.cfg.OrgName, Data: data,
		Flash: verifiedFlash(r), Query: filterQuery(r), MassAlerts: s.massAlerts(r)}
	if se := sessionFrom(r.Context()); se != nil {
		pd.CSRF = se.CSRFToken
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, pd); err != nil {
		s.cfg.Logger.Error("console template failed", "name", name, "err", err)
		http.Error(w, renderFailed, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderError shows a short Chinese explanation in the layout.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, message string) {
	s.render(w, r, status, "error.html", "出错了", message)
}

// notFound is the console's 404 page: in Chinese, in the layout (with the
// navigation for a signed-in staff member), for a path the console does not have.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "error.html", "页面不存在", "您要找的页面不存在。链接可能有误，或页面已被移除。")
}

// pageError maps a store error to a page: not found, conflict, invalid input or
// an internal error (logged, with nothing internal shown).
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	status, message := httpStatus(err)
	if status == http.StatusInternalServerError {
		s.logFailure(r, "console request failed", err)
	}
	s.renderError(w, r, status, message)
}

// httpStatus maps storage error codes to HTTP statuses and a message for people.
func httpStatus(err error) (int, string) {
	switch storage.ErrorCode(err) {
	case storage.ENOTFOUND:
		return http.StatusNotFound, "找不到该记录。"
	case storage.ECONFLICT:
		return http.StatusConflict, storage.ErrorMessage(err)
	case storage.EINVALID:
		return http.StatusBadRequest, storage.ErrorMessage(err)
	case storage.EFORBIDDEN:
		return http.StatusForbidden, "您没有权限进行此操作。"
	case storage.EUNAVAILABLE:
		return http.StatusServiceUnavailable, "系统繁忙，请稍后再试。"
	}
	return http.StatusInternalServerError, "系统出错，请稍后再试。"
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// flashQuery is "?flash=…&fsig=…": the message for the next page, signed with the
// session's CSRF token. A link someone else crafted cannot carry a valid signature,
// so the console never shows text that it did not write itself.
func flashQuery(r *http.Request, flash string) string {
	se := sessionFrom(r.Context())
	if se == nil || flash == "" {
		return ""
	}
	return "?flash=" + url.QueryEscape(flash) + "&fsig=" + flashSignature(se.CSRFToken, flash)
}

// verifiedFlash returns the request's flash message if its signature holds.
func verifiedFlash(r *http.Request) string {
	se := sessionFrom(r.Context())
	flash := r.URL.Query().Get("flash")
	if se == nil || flash == "" {
		return ""
	}
	want := flashSignature(se.CSRFToken, flash)
	if !hmac.Equal([]byte(r.URL.Query().Get("fsig")), []byte(want)) {
		return ""
	}
	return flash
}

func flashSignature(key, flash string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(flash))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// pathID reads the {id} of the path; on failure the not-found page is written.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, what string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.renderError(w, r, http.StatusNotFound, "找不到该"+what+"。")
		return 0, false
	}
	return id, true
}

// redirectFlash sends the browser to path with a message for the next page.
func redirectFlash(w http.ResponseWriter, r *http.Request, path, flash string) {
	http.Redirect(w, r, path+flashQuery(r, flash), http.StatusSeeOther)
}

// idText is "#12", how audit details name a record without personal data.
func idText(id int64) string { return "#" + strconv.FormatInt(id, 10) }
