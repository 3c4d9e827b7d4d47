package sqlstore

import (
	"context"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestReferralRecordsItsTarget checks that a referral stores its target without
// staff's detail, and that migration 00007 gives cases referred before it their
// target back from the timeline.
func TestReferralRecordsItsTarget(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("ref"))
		move(t, db, c, storage.StatusAccepted, "")
		c = move(t, db, c, storage.StatusReferred, "仲裁委员会（申请人同意仲裁）")
		if c.ReferralTarget != "仲裁委员会" {
			t.Fatalf("returned target = %q, want 仲裁委员会", c.ReferralTarget)
		}
		c = move(t, db, c, storage.StatusMediating, "")
		if c.ReferralTarget != "仲裁委员会" {
			t.Fatalf("target after coming back = %q; the channel that handled it is kept", c.ReferralTarget)
		}

		p, err := db.newMigrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 6); err != nil {
			t.Fatalf("down to 6: %v", err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		got, err := db.FindCaseByNumber(ctx, c.Number)
		if err != nil {
			t.Fatal(err)
		}
		if got.ReferralTarget != "仲裁委员会" {
			t.Fatalf("backfilled target = %q, want 仲裁委员会", got.ReferralTarget)
		}
	})
}
