package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// TestReportChannelsFromReferralRecords checks that a referral channel reports
// what its body did, from the records: received, settled by it, its rate. A case
// the body failed on and the association then mediated stays received by the
// channel but is not its success; the totals still count it as mediated.
func TestReportChannelsFromReferralRecords(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		feed := func(c *storage.Case, outcome string, fen int64) *storage.Case {
			t.Helper()
			refs := referrals(t, db, c.ID)
			got, err := db.RecordReferralResult(ctx, storage.ReferralResult{CaseID: c.ID, ReferralID: refs[len(refs)-1].ID,
				Outcome: outcome, AmountFen: fen, ResultDate: "2026-03-15", Actor: staff})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		// Two settled by the financial centre, one failed there and then mediated
		// by the association, one still with the centre.
		feed(refer(t, db, mediating(t, db, "f1"), "金融纠纷调解中心", ""), storage.ReferralSettled, 50_000)
		feed(refer(t, db, mediating(t, db, "f2"), "金融纠纷调解中心", ""), storage.ReferralSettled, 0)
		back := feed(refer(t, db, mediating(t, db, "f3"), "金融纠纷调解中心", ""), storage.ReferralFailed, 0)
		move(t, db, back, storage.StatusResolved, "")
		refer(t, db, mediating(t, db, "f4"), "金融纠纷调解中心", "")
		// One with the market regulator, refused there and back in mediation.
		feed(refer(t, db, mediating(t, db, "m1"), "市场监管部门", ""), storage.ReferralRefused, 0)
		// One of the association's own, mediated.
		move(t, db, mediating(t, db, "own"), storage.StatusResolved, "")

		rep, err := db.CaseReport(ctx, time.Date(2026, 3, 1, 0, 0, 0, 0, cst), time.Date(2026, 4, 1, 0, 0, 0, 0, cst))
		if err != nil {
			t.Fatal(err)
		}
		wantGroups(t, "channel", rep.ByChannel, []groupWant{{storage.ChannelOwn, 1, 1, 1},
			{"企业和解（入驻企业）", 0, 0, 0}, {"仲裁委员会", 0, 0, 0}, {"金融纠纷调解中心", 4, 4, 2},
			{"市场监管部门", 1, 1, 0}, {"行政部门", 0, 0, 0}})
		if fin := rep.ByChannel[3]; fin.Rate() != 0.5 {
			t.Errorf("financial rate = %v", fin.Rate())
		}
		if rep.Mediated != 4 || rep.Accepted != 6 {
			t.Errorf("totals = %+v", rep.ReportFigures)
		}
	})
}
