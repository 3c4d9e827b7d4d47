package console

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func TestFlashNeedsTheSessionsSignature(t *testing.T) {
	se := &storage.Session{CSRFToken: "token-of-this-session"}
	req := httptest.NewRequest("GET", "/console/cases", nil)
	req = req.WithContext(withSession(req.Context(), se))
	signed := httptest.NewRequest("GET", "/console/cases"+flashQuery(req, "已受理"), nil)
	signed = signed.WithContext(withSession(signed.Context(), se))
	if got := verifiedFlash(signed); got != "已受理" {
		t.Fatalf("our own flash: %q", got)
	}
	forged := httptest.NewRequest("GET", "/console/cases?flash=%E8%B4%A6%E5%8F%B7%E5%B7%B2%E5%81%9C%E7%94%A8&fsig=00", nil)
	forged = forged.WithContext(withSession(forged.Context(), se))
	if got := verifiedFlash(forged); got != "" {
		t.Fatalf("a crafted link showed %q", got)
	}
	other := httptest.NewRequest("GET", signed.URL.RequestURI(), nil)
	other = other.WithContext(withSession(other.Context(), &storage.Session{CSRFToken: "another session"}))
	if got := verifiedFlash(other); got != "" {
		t.Fatalf("a link signed for another session showed %q", got)
	}
}

func withSession(ctx context.Context, se *storage.Session) context.Context {
	return context.WithValue(ctx, sessionKey, se)
}

// TestAPageThatCannotBeRenderedSaysSoInChinese: when a template fails there is
// no layout to show, but the plain answer is still one staff can read.
func TestAPageThatCannotBeRenderedSaysSoInChinese(t *testing.T) {
	broken := template.Must(template.New("broken.html").Parse(`{{template "head" .}}`)) // "head" is undefined
	s := &Server{cfg: Config{Logger: slog.New(slog.DiscardHandler)},
		templates: map[string]*template.Template{"broken.html": broken}}
	for _, name := range []string{"broken.html", "missing.html"} {
		w := httptest.NewRecorder()
		s.render(w, httptest.NewRequest(http.MethodGet, "/console/cases", nil), http.StatusOK, name, "案件", nil)
		if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "系统出错") {
			t.Errorf("%s: %d %q, want 500 in Chinese", name, w.Code, w.Body)
		}
	}
}
