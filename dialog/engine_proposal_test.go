package dialog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestEngineProposalAnswer runs a merchant's proposal on real stores: without
// one, 接受 is told there is none; with one, the notice names the answers and
// 接受 closes the case as 协商和解 with the amount.
func TestEngineProposalAnswer(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			cat := mustCatalogue(t, Settings{Hotline: "12315"})
			e := &Engine{Store: store, Cases: db, Referrals: db, Proposals: db, Catalogue: cat,
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now}
			ctx := context.Background()
			boss, err := db.CreateStaff(ctx, storage.NewStaff{Username: "boss", Name: "主管", Role: storage.RoleSupervisor})
			if err != nil {
				t.Fatal(err)
			}
			by := storage.By{Actor: boss.Actor()}
			m, err := db.CreateMerchant(ctx, storage.MerchantInput{Name: "甲商店", OnPlatform: true, PlatformSince: "2026-01-01", By: by})
			if err != nil {
				t.Fatal(err)
			}
			hash := strings.Repeat("e", 64)
			if _, err := db.CreateMerchantInvitation(ctx, m.ID, hash, by); err != nil {
				t.Fatal(err)
			}
			acc, err := db.AcceptMerchantInvitation(ctx, storage.InvitationAcceptance{TokenHash: hash, Username: "shop", Name: "店员", PasswordHash: "h"})
			if err != nil {
				t.Fatal(err)
			}
			c := fileCase(t, db, "oProp", "甲商店")
			if _, err := db.LinkCaseMerchant(ctx, c.ID, m.ID, by); err != nil {
				t.Fatal(err)
			}
			for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating, storage.StatusReferred} {
				ch := storage.StatusChange{CaseID: c.ID, To: to, Actor: by.Actor}
				if to == storage.StatusReferred {
					ch.Reason = storage.MerchantReferral
				}
				if _, err := db.ChangeStatus(ctx, ch); err != nil {
					t.Fatal(err)
				}
			}
			wantIn(t, "no proposal", say(t, e, "oProp", "p1", text("接受")), "没有需要答复的商家和解方案")
			if _, err := db.ProposeSettlement(ctx, storage.ProposalInput{MerchantID: m.ID, AccountID: acc.ID,
				CaseNumber: c.Number, Remedy: "退款", AmountFen: 30_000, PayBy: "2026-11-30"}); err != nil {
				t.Fatal(err)
			}
			notices, err := db.FindNotifications(ctx, storage.NotificationFilter{CaseID: &c.ID})
			if err != nil {
				t.Fatal(err)
			}
			var notice string
			for _, n := range notices {
				if n.Kind == storage.NoticeSettlementProposal {
					notice = cat.Notice(n)
				}
			}
			wantIn(t, "notice", notice, "退款，金额 ¥300.00，2026-11-30 前", "回复 接受", "不接受")

			wantIn(t, "accept", say(t, e, "oProp", "p2", text("接受")), "已记录：您接受商家的和解方案", c.Number)
			got, err := db.FindCaseByNumber(ctx, c.Number)
			if err != nil || got.Status != storage.StatusResolved || got.Outcome != storage.OutcomeSettled || got.RecoveredFen != 30_000 {
				t.Fatalf("after 接受: %+v, %v", got, err)
			}
		})
	}
}
