package console_test

import (
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// wantInForm checks that the page's element with the id holds the text, as the
// staff member typed it (escaped as HTML), whether as a textarea's content or as
// an input's value.
func (r *pageResponse) wantInForm(id, text string) *pageResponse {
	r.t.Helper()
	escaped := regexp.QuoteMeta(template.HTMLEscapeString(text))
	re := regexp.MustCompile(`id="` + id + `"[^>]*>` + escaped + `</textarea>|id="` + id + `"[^>]*value="` + escaped + `"`)
	if !re.MatchString(r.body) {
		r.t.Errorf("#%s does not hold %.40q…", id, text)
	}
	return r
}

// TestRefusedReplyKeepsTheTypedText: a reply the console refuses (too long)
// brings the case page back with a Chinese message and the reply still in its
// box, not an error page that loses what the mediator wrote; the note box stays
// empty, and nothing is sent.
func TestRefusedReplyKeepsTheTypedText(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	med := e.as(e.mediator)
	long := "您好，关于您投诉的<空调>问题：" + strings.Repeat("商家已同意上门检修。", 60)
	r := med.post(pageCasePath(c, "/reply"), pageForm("text", long)).want(http.StatusBadRequest)
	r.contains("未能提交", "回复 不能超过 600 个字", c.Number, "沟通记录").wantInForm("reply-text", long)
	if strings.Contains(r.body, `id="note-text" name="text" rows="3" maxlength="5000" required>`+"您好") {
		t.Errorf("the note box was filled in with the refused reply")
	}
	r = med.post(pageCasePath(c, "/note"), pageForm("text", "   ")).want(http.StatusBadRequest)
	r.contains("备注 不能为空")
	if last := e.lastEvent(c); last.Kind != storage.EventSubmitted {
		t.Fatalf("last event %s %q, want the submission alone", last.Kind, last.Body)
	}
}

// TestRefusedStatusAndOutcomeFormsKeepTheirFields: a rejection without a reason
// and an outcome with a malformed amount come back with the message and every
// field as the staff member left it.
func TestRefusedStatusAndOutcomeFormsKeepTheirFields(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	sup := e.as(e.supervisor)
	r := sup.post(pageCasePath(c, "/reject"), pageForm("reason", "", "detail", "请先向商家所在地消委会投诉")).
		want(http.StatusBadRequest)
	r.contains("未能提交：请选择不予受理理由。").wantInForm("reject-detail", "请先向商家所在地消委会投诉")
	if got := e.reload(c).Status; got != storage.StatusSubmitted {
		t.Fatalf("status %s after a refused rejection", got)
	}

	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	r = sup.post(pageCasePath(c, "/close"), pageForm("outcome", storage.OutcomeSettled, "recovered", "12.345",
		"double", "1", "note", "商家当场退款")).want(http.StatusBadRequest)
	r.contains("金额最多两位小数", `<option value="settled" selected>`, `name="double" value="1" checked`).
		wantInForm("close-recovered", "12.345").wantInForm("close-note", "商家当场退款")
	if got := e.reload(c).Outcome; got != "" {
		t.Fatalf("outcome %q recorded from a refused form", got)
	}
}
