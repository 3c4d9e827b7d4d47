package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
)

// Text the console refuses at its edge. PostgreSQL refuses a NUL byte (0x00) in
// text and any byte sequence that is not UTF-8, so such input used to reach the
// database and come back as a 500 with an ERROR log line; SQLite would store it
// and hand it to the consumer's WeChat. Every way in is checked once: the path and
// the query by rejectBadText, a form body by cleanForm, a JSON body by
// checkJSONText. What passes holds only valid UTF-8 without NUL.

// badTextPage and badTextAPI say what was wrong, for staff and for API clients.
const (
	badTextPage = "请求中含有空字符或无效的 UTF-8 编码，无法处理。请检查输入的内容后重试。"
	badTextAPI  = "请求中含有空字符（\\u0000）或无效的 UTF-8 编码"
)

// cleanText reports whether s is valid UTF-8 without a NUL.
func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// cleanValues reports whether every name and value of v is clean text.
func cleanValues(v url.Values) bool {
	for name, values := range v {
		if !cleanText(name) {
			return false
		}
		for _, s := range values {
			if !cleanText(s) {
				return false
			}
		}
	}
	return true
}

// cleanURL reports whether the decoded path and every query parameter are clean
// text. A malformed pair of the query is ignored here as r.URL.Query ignores it:
// no handler can read it.
func cleanURL(u *url.URL) bool {
	q, _ := url.ParseQuery(u.RawQuery)
	return cleanText(u.Path) && cleanValues(q)
}

// rejectBadText answers 400 to a request whose path or query holds a NUL or
// invalid UTF-8, before any handler sees it: a JSON error under /api/, a page
// elsewhere. Nothing is logged: it is the caller's mistake, not the server's.
func (s *Server) rejectBadText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cleanURL(r.URL) {
			s.refuseBadText(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuseBadText answers 400 in the caller's language: JSON for the API, a page for
// the console.
func (s *Server) refuseBadText(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSONError(w, http.StatusBadRequest, storage.EINVALID, badTextAPI)
		return
	}
	s.renderError(w, r, http.StatusBadRequest, badTextPage)
}

// cleanForm checks a parsed form body; on bad text it answers 400 and returns
// false. The query part of the form was already checked by rejectBadText.
func (s *Server) cleanForm(w http.ResponseWriter, r *http.Request) bool {
	if cleanValues(r.PostForm) {
		return true
	}
	s.refuseBadText(w, r)
	return false
}

// checkJSONText refuses a JSON body that is not UTF-8 or has a string (a value
// or a field name) holding a NUL. Both are checked on the raw body: the decoder
// silently turns invalid UTF-8 into U+FFFD, and "\u0000" is a NUL only once
// decoded. A body that is no JSON at all passes: the strict decoder says why.
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return storage.Errorf(storage.EINVALID, "%s", badTextAPI)
	}
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return nil // the only way to write a NUL in JSON; spare the walk
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or a syntax error the strict decoder reports
		}
		if s, ok := tok.(string); ok && strings.IndexByte(s, 0) >= 0 {
			return storage.Errorf(storage.EINVALID, "%s", badTextAPI)
		}
	}
}
