package dialog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestCatalogueOverrideMisspeltField checks that an override naming a field its
// message lacks is refused at load with the key and the field in the error, even
// where the template would not reach the field on the sample values.
func TestCatalogueOverrideMisspeltField(t *testing.T) {
	tests := []struct {
		key, text, field string
	}{
		{"case_not_found", "没有找到编号为 {{.Numbr}} 的投诉。", "{{.Numbr}}"},
		{"forwarded", `{{if ne .Count "1"}}您的{{.Cuont}}条消息{{end}}已转给调解员（{{.Number}}）。`, "{{.Cuont}}"},
		{"ask_photos", `请发送照片。{{if eq .Count "99"}}已收到{{.Photo}}张。{{end}}`, "{{.Photo}}"},
		{"welcome", "感谢关注{{$.Organisation}}！", "{{.Organisation}}"},
		{"busy", "系统繁忙{{with .Hotline}}，请致电 {{$.Hotlines}}{{end}}。", "{{.Hotlines}}"},
		{"case_detail_reply", `{{.Reply}}{{if .Len}}（共{{.Len}}字）{{else}}{{.Lenght}}{{end}}`, "{{.Lenght}}"},
	}
	for _, tc := range tests {
		s := testSettings
		s.Overrides = map[string]string{tc.key: tc.text}
		_, err := NewCatalogue(s)
		if err == nil {
			t.Errorf("%s: override %q accepted", tc.key, tc.text)
			continue
		}
		for _, want := range []string{`"` + tc.key + `"`, tc.field, "may use"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %s", tc.key, err, want)
			}
		}
	}
}

// TestCatalogueRenderFailureIsNotCutShort checks what a consumer reads when a
// message fails at run time despite the load-time checks: a whole sentence, never
// the part rendered before the failure, and the failure is logged.
func TestCatalogueRenderFailureIsNotCutShort(t *testing.T) {
	var logged bytes.Buffer
	s := testSettings
	s.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	// Passes the sample values at load (each at most one character long) and fails
	// on a real case number.
	s.Overrides = map[string]string{"case_not_found": `查无此件：{{if gt (len .Number) 5}}{{index .Number 40}}{{end}}`}
	c := mustCatalogue(t, s)

	if got, want := c.CaseNotFound("TS-2026-000123"), mustCatalogue(t, testSettings).CaseNotFound("TS-2026-000123"); got != want {
		t.Errorf("a failing override says %q; want the default wording %q", got, want)
	}
	if !strings.Contains(logged.String(), "case_not_found") || strings.Contains(logged.String(), "TS-2026-000123") {
		t.Errorf("log = %q; want the key and no consumer data", logged.String())
	}

	// A caller that leaves out a field its message declares gets the busy sentence.
	logged.Reset()
	if got := c.text(msgSubmitted, "Number", "TS-2026-000123"); got != renderFailedReply {
		t.Errorf("a message without its field Date says %q; want %q", got, renderFailedReply)
	}
	if !strings.Contains(logged.String(), "Date") {
		t.Errorf("log = %q; want the missing field", logged.String())
	}
	if got := c.text("no_such_message"); got != renderFailedReply {
		t.Errorf("an unknown key says %q", got)
	}
}
