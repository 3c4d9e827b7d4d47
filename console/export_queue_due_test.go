package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// TestQueueExportCarriesTheDueColumn: the queue's download ends with its 期限
// column (the clock, its due day, where it stands), so the download of the
// 已超期 list says what is late and by how much.
func TestQueueExportCarriesTheDueColumn(t *testing.T) {
	e := newPageEnv(t)
	late := e.newCase(nil) // filed Monday 2 March: its decision was due on the 11th
	e.jump(time.Date(2026, 3, 16, 1, 0, 0, 0, time.UTC))
	running := e.newCase(nil)
	paused := e.newCase(nil)
	if _, err := e.db.RequestMaterial(context.Background(), storage.NewMaterialRequest{CaseID: paused.ID, Material: "购物发票", Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	sup := e.as(e.supervisor)

	records := exportCSV(t, sup, "/console/cases/export.csv")
	if got := strings.Join(records[0][len(records[0])-3:], "|"); got != "期限|到期日|期限状态" {
		t.Fatalf("the download's last columns are %q, want the 期限 column", got)
	}
	want := map[string]string{
		late.Number:    "受理决定|2026-03-11|已超期 3 个工作日",
		running.Number: "受理决定|2026-03-25|剩余 7 个工作日",
		paused.Number:  "受理决定||暂停中",
	}
	for _, r := range records[1:] {
		if got := strings.Join(r[len(r)-3:], "|"); got != want[r[0]] {
			t.Errorf("%s: 期限 %q, want %q", r[0], got, want[r[0]])
		}
	}
	if len(records) != 4 {
		t.Fatalf("%d lines, want the header and 3 cases", len(records))
	}

	overdue := exportCSV(t, sup, "/console/cases/export.csv?due=overdue")
	if len(overdue) != 2 || overdue[1][0] != late.Number {
		t.Fatalf("the 已超期 download holds %q, want only %s", overdue, late.Number)
	}
}
