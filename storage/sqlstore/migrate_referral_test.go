package sqlstore

import (
	"context"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestMigrationBackfillsReferrals builds referred cases with today's store,
// takes migration 00018 down and up again, and checks the records it rebuilds
// from the status history: one per referral, closed once the case left 已转办,
// settled only where the case went straight from that referral to 调解成功.
func TestMigrationBackfillsReferrals(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		settled := refer(t, db, mediating(t, db, "settled"), storage.MerchantReferral, "")
		if _, err := db.CloseCase(ctx, storage.Closing{CaseID: settled.ID, Outcome: storage.OutcomeSettled,
			RecoveredFen: 8_800, Actor: staff}); err != nil {
			t.Fatal(err)
		}
		back := move(t, db, refer(t, db, mediating(t, db, "back"), "金融纠纷调解中心", ""), storage.StatusMediating, "")
		open := refer(t, db, mediating(t, db, "open"), "行政部门：区商务局", "")
		twice := move(t, db, refer(t, db, mediating(t, db, "twice"), "市场监管部门", ""), storage.StatusMediating, "")
		twice = refer(t, db, twice, "金融纠纷调解中心", "")

		p, err := db.newMigrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 17); err != nil {
			t.Fatalf("down to 17: %v", err)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}

		type want struct {
			channel, outcome string
			amount           int64
			closed           bool
		}
		check := func(c *storage.Case, wants ...want) {
			t.Helper()
			refs := referrals(t, db, c.ID)
			if len(refs) != len(wants) {
				t.Fatalf("%s: %d referrals, want %d", c.Number, len(refs), len(wants))
			}
			for i, w := range wants {
				r := refs[i]
				got := want{r.Channel, r.Outcome, r.AmountFen, r.Closed}
				if got != w || r.ReferredBy != storage.ActorSystem || r.ReferredAt.IsZero() {
					t.Errorf("%s referral %d = %+v, want %+v", c.Number, i, r, w)
				}
				if w.outcome != "" && (r.ResultDate != "2026-03-15" || r.FedBackAt.IsZero()) {
					t.Errorf("%s result date %q at %v", c.Number, r.ResultDate, r.FedBackAt)
				}
			}
		}
		check(settled, want{storage.ChannelMerchantPlatform, storage.ReferralSettled, 8_800, true})
		check(back, want{storage.ChannelFinancial, "", 0, true})
		check(open, want{storage.ChannelAdministrative, "", 0, false})
		check(twice, want{storage.ChannelRegulator, "", 0, true}, want{storage.ChannelFinancial, "", 0, false})
	})
}
