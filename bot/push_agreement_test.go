package bot

import (
	"testing"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
)

// TestTemplateSummaryOfAgreement checks the template cards of the mediation
// agreement and its payment question: what to do, within the field's 20
// characters, in the words the dialog answers.
func TestTemplateSummaryOfAgreement(t *testing.T) {
	p := &Pusher{cfg: PushConfig{Template: Template{ID: "t", CaseNumberField: "c", StatusField: "s", TimeField: "tm", SummaryField: "sum"}}}
	for kind, want := range map[storage.NotificationKind]string{
		storage.NoticeAgreement:       agreementSummary,
		storage.NoticePaymentQuestion: paymentQuestionSummary,
	} {
		m := p.templateMessage(&storage.Notification{Kind: kind, CaseNumber: "TS-2026-000001", Text: "很长的协议条款"})
		if m.Data["sum"] != want || utf8.RuneCountInString(want) > 20 {
			t.Errorf("%s: summary %q, want %q within 20 characters", kind, m.Data["sum"], want)
		}
	}
	if m := p.templateMessage(&storage.Notification{Kind: storage.NoticePaymentQuestion}); m.Data["sum"] != "款项是否到账？请回复已到账或未到账" {
		t.Errorf("payment question card %q", m.Data["sum"])
	}
}
