package bot

import (
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestTemplateSummaryOfTransfer checks the template card of a case moved to
// another unit: it names the unit the store wrote, or says it moved.
func TestTemplateSummaryOfTransfer(t *testing.T) {
	p := &Pusher{cfg: PushConfig{Template: Template{ID: "t", CaseNumberField: "c", StatusField: "s", TimeField: "tm", SummaryField: "sum"}}}
	for summary, want := range map[string]string{
		"已移交樊城区消委会": "已移交樊城区消委会",
		"":          transferSummaryDefault,
	} {
		m := p.templateMessage(&storage.Notification{Kind: storage.NoticeTransfer, CaseNumber: "TS-2026-000001",
			StatusLabel: storage.StatusAccepted.Label(), Summary: summary})
		if m.Data["sum"] != want || m.Data["s"] != "已受理" || m.Data["c"] != "TS-2026-000001" {
			t.Errorf("summary %q: template data %v, want %q", summary, m.Data, want)
		}
	}
}
