package dialog

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestEngineArbitrationConsent runs the arbitration question on real stores:
// without a question, 同意仲裁 is told there is none and 不同意 is a message for
// the mediator; once staff ask, 不同意 is recorded as the answer (and a referral
// to arbitration refused), and after a new question 同意仲裁 is recorded and the
// referral goes through.
func TestEngineArbitrationConsent(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Referrals: db, Catalogue: mustCatalogue(t, Settings{Hotline: "12315"}),
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now}
			ctx := context.Background()
			c := fileCase(t, db, "oArb", "甲商店")
			for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating} {
				if _, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: to, Actor: "staff:1"}); err != nil {
					t.Fatal(err)
				}
			}
			wantIn(t, "no question", say(t, e, "oArb", "a1", text("同意仲裁")), "没有需要答复是否同意仲裁的投诉")
			say(t, e, "oArb", "a2", text("不同意"))
			events, err := db.ListEvents(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if countMessages(events, "不同意") != 1 {
				t.Errorf("a bare 不同意 without a question should reach the mediator")
			}

			ask := func() {
				t.Helper()
				if _, err := db.AskArbitrationConsent(ctx, c.ID, storage.By{Actor: "staff:1"}); err != nil {
					t.Fatal(err)
				}
			}
			ask()
			wantIn(t, "refuse", say(t, e, "oArb", "a3", text("不同意")), "已记录：您不同意仲裁", c.Number)
			cs, err := db.FindArbitrationConsent(ctx, c.ID)
			if err != nil || cs.Answer != storage.ConsentRefused {
				t.Fatalf("consent = %+v, %v", cs, err)
			}
			toArbitration := storage.StatusChange{CaseID: c.ID, To: storage.StatusReferred, Actor: "staff:1", Reason: "仲裁委员会"}
			if _, err := db.ChangeStatus(ctx, toArbitration); storage.ErrorCode(err) != storage.ECONFLICT {
				t.Fatalf("referral after 不同意: %v", err)
			}

			ask()
			wantIn(t, "agree", say(t, e, "oArb", "a4", text("同意仲裁")), "已记录：您同意将投诉 "+c.Number+" 转交仲裁委员会")
			if _, err := db.ChangeStatus(ctx, toArbitration); err != nil {
				t.Fatalf("referral after 同意仲裁: %v", err)
			}
		})
	}
}
