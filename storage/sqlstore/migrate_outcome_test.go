package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// oldOutcome writes outcome fields as the console could before migration 00009,
// apart from the status, with the note RecordOutcome used to write.
func oldOutcome(t *testing.T, db *DB, c *storage.Case, outcome string, fen int64, double bool, note string) {
	t.Helper()
	ctx := context.Background()
	q := db.db.Rebind("UPDATE cases SET outcome = ?, recovered_fen = ?, double_compensation = ? WHERE id = ?")
	if _, err := db.db.ExecContext(ctx, q, outcome, fen, double, c.ID); err != nil {
		t.Fatal(err)
	}
	if note == "" {
		return
	}
	q = db.db.Rebind("INSERT INTO case_events (case_id, kind, actor, body, created_at) VALUES (?, 'note', ?, ?, ?)")
	if _, err := db.db.ExecContext(ctx, q, c.ID, staff, note, dbTime(db.Now())); err != nil {
		t.Fatal(err)
	}
}

// repairNotes returns the case's timeline notes written by migration 00009.
func repairNotes(t *testing.T, db *DB, c *storage.Case) []string {
	t.Helper()
	var out []string
	for _, e := range events(t, db, c.ID) {
		if e.Kind == storage.EventNote && e.Actor == storage.ActorSystem && strings.HasPrefix(e.Body, "数据修复（迁移 00009）") {
			out = append(out, e.Body)
		}
	}
	return out
}

// TestMigrationRepairsOutcomes builds, below migration 00009, the contradictions
// seen in old data and checks that the migration leaves every case coherent and
// keeps the money: on the case where it belongs, else on the timeline.
func TestMigrationRepairsOutcomes(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		// Built with today's store, then given the old contradictions.
		accepted := move(t, db, mustCreate(t, db, newCase("accepted")), storage.StatusAccepted, "")
		lost := move(t, db, mediating(t, db, "lost"), storage.StatusResolved, "")
		bare := move(t, db, mediating(t, db, "bare"), storage.StatusResolved, "")
		settledClosed := move(t, db, move(t, db, mediating(t, db, "closed"), storage.StatusResolved, ""), storage.StatusClosed, "")
		terminated := move(t, db, mediating(t, db, "terminated"), storage.StatusTerminated, "")
		fine := mediating(t, db, "fine")

		p, err := db.newMigrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 8); err != nil {
			t.Fatalf("down to 8: %v", err)
		}
		oldOutcome(t, db, accepted, storage.OutcomeAgreement, 500_000, false, "调解结果：达成调解协议，挽回经济损失 ¥5000.00")
		oldOutcome(t, db, lost, storage.OutcomeAgreement, 500_000, true, "调解结果：达成调解协议，挽回经济损失 ¥5000.00，加倍赔偿。商家同意")
		oldOutcome(t, db, lost, storage.OutcomeTerminated, 0, false, "调解结果：终止调解")
		oldOutcome(t, db, bare, "", 0, false, "")
		oldOutcome(t, db, settledClosed, storage.OutcomeSettled, 100, false, "")
		oldOutcome(t, db, terminated, "", 2_000, true, "")
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}

		tests := []struct {
			c       *storage.Case
			outcome string
			fen     int64
			double  bool
			note    string // "" for none
		}{
			{accepted, "", 0, false, "数据修复（迁移 00009）：案件状态“已受理”与原登记的调解结果不一致。原登记：达成调解协议，挽回经济损失 ¥5000.00；现为：无，挽回经济损失 ¥0.00。"},
			{lost, storage.OutcomeAgreement, 500_000, true, "数据修复（迁移 00009）：案件状态“调解成功”与原登记的调解结果不一致。原登记：终止调解，挽回经济损失 ¥0.00；现为：达成调解协议，挽回经济损失 ¥5000.00，加倍赔偿。"},
			{bare, storage.OutcomeAgreement, 0, false, "数据修复（迁移 00009）：案件状态“调解成功”与原登记的调解结果不一致。原登记：无，挽回经济损失 ¥0.00；现为：达成调解协议，挽回经济损失 ¥0.00。"},
			{settledClosed, storage.OutcomeSettled, 100, false, ""},
			{terminated, storage.OutcomeTerminated, 0, false, "数据修复（迁移 00009）：案件状态“终止调解”与原登记的调解结果不一致。原登记：无，挽回经济损失 ¥20.00，加倍赔偿；现为：终止调解，挽回经济损失 ¥0.00。"},
			{fine, "", 0, false, ""},
		}
		for _, tc := range tests {
			got := storedCase(t, db, tc.c.ID)
			if got.Outcome != tc.outcome || got.RecoveredFen != tc.fen || got.DoubleCompensation != tc.double {
				t.Errorf("%s (%s): outcome %q %d %v, want %q %d %v", got.Number, got.Status.Label(),
					got.Outcome, got.RecoveredFen, got.DoubleCompensation, tc.outcome, tc.fen, tc.double)
			}
			notes := repairNotes(t, db, tc.c)
			switch {
			case tc.note == "" && len(notes) != 0:
				t.Errorf("%s: repair notes %q on a coherent case", got.Number, notes)
			case tc.note != "" && (len(notes) != 1 || notes[0] != tc.note):
				t.Errorf("%s: repair notes %q, want\n%q", got.Number, notes, tc.note)
			}
			if got.Status.HasOutcome() != (got.Outcome != "") && got.Status != storage.StatusClosed {
				t.Errorf("%s: status %s with outcome %q", got.Number, got.Status, got.Outcome)
			}
		}
	})
}
