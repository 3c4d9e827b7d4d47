package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// platformCase is a case of a merchant on the platform, referred to it, with
// the merchant's account that answers it.
func platformCase(t *testing.T, db *DB, key string) (*storage.Case, *storage.MerchantAccount) {
	t.Helper()
	ctx := context.Background()
	boss, err := db.CreateStaff(ctx, storage.NewStaff{Username: "boss" + key, Name: "主管", Role: storage.RoleSupervisor})
	if err != nil {
		t.Fatal(err)
	}
	by := storage.By{Actor: boss.Actor(), IP: "10.0.0.9"}
	token := testTokenHash(key[1])
	m := mustMerchant(t, db, storage.MerchantInput{Name: "丙店" + key, OnPlatform: true, PlatformSince: "2026-01-05", By: by})
	if _, err := db.CreateMerchantInvitation(ctx, m.ID, token, by); err != nil {
		t.Fatal(err)
	}
	acc, err := db.AcceptMerchantInvitation(ctx, storage.InvitationAcceptance{TokenHash: token,
		Username: "shop" + key, Name: "店员", PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.LinkCaseMerchant(ctx, mediating(t, db, key).ID, m.ID, by)
	if err != nil {
		t.Fatal(err)
	}
	return refer(t, db, c, storage.MerchantReferral, ""), acc
}

func proposal(c *storage.Case, acc *storage.MerchantAccount) storage.ProposalInput {
	return storage.ProposalInput{MerchantID: acc.MerchantID, AccountID: acc.ID, CaseNumber: c.Number,
		Remedy: "退款", AmountFen: 12_950, PayBy: "2099-01-01", IP: "192.0.2.7"}
}

func TestProposalAcceptedSettlesTheCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c, acc := platformCase(t, db, "a1")
		bad := proposal(c, acc)
		bad.Remedy = "送券"
		_, err := db.ProposeSettlement(ctx, bad)
		wantCode(t, err, storage.EINVALID)
		other := proposal(c, acc)
		other.MerchantID++
		_, err = db.ProposeSettlement(ctx, other)
		wantCode(t, err, storage.ENOTFOUND)

		p, err := db.ProposeSettlement(ctx, proposal(c, acc))
		if err != nil || p.Refused || p.AmountFen != 12_950 {
			t.Fatalf("proposal %+v, %v", p, err)
		}
		_, err = db.ProposeSettlement(ctx, proposal(c, acc))
		wantCode(t, err, storage.ECONFLICT)
		var sent bool
		for _, n := range caseNotices(t, db, c.ID) {
			sent = sent || n.Kind == storage.NoticeSettlementProposal
		}
		if !sent {
			t.Fatal("no proposal notice in the outbox")
		}
		pending, err := db.PendingProposal(ctx, c.OpenID)
		if err != nil || pending.ID != c.ID {
			t.Fatalf("pending %+v, %v", pending, err)
		}
		closed, err := db.AnswerProposal(ctx, c.ID, storage.ProposalAccepted)
		if err != nil || closed.Status != storage.StatusResolved || closed.Outcome != storage.OutcomeSettled || closed.RecoveredFen != 12_950 {
			t.Fatalf("accepted: %+v, %v", closed, err)
		}
		refs := referrals(t, db, c.ID)
		if last := refs[len(refs)-1]; last.Outcome != storage.ReferralSettled || !last.Closed || last.AmountFen != 12_950 {
			t.Fatalf("referral %+v", last)
		}
		_, err = db.AnswerProposal(ctx, c.ID, storage.ProposalAccepted)
		wantCode(t, err, storage.ECONFLICT)
		wantAudit(t, db, c.ID, storage.AuditPortalProposal)
	})
}

func TestProposalDeclinedOrRefusedReturnsToMediation(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c, acc := platformCase(t, db, "d1")
		if _, err := db.ProposeSettlement(ctx, proposal(c, acc)); err != nil {
			t.Fatal(err)
		}
		back, err := db.AnswerProposal(ctx, c.ID, storage.ProposalDeclined)
		if err != nil || back.Status != storage.StatusMediating || !back.Unread {
			t.Fatalf("declined: %+v, %v", back, err)
		}
		_, err = db.ProposeSettlement(ctx, proposal(c, acc))
		wantCode(t, err, storage.ECONFLICT)

		c2, acc2 := platformCase(t, db, "d2")
		refusal := storage.ProposalInput{MerchantID: acc2.MerchantID, AccountID: acc2.ID, CaseNumber: c2.Number, Refused: true}
		_, err = db.ProposeSettlement(ctx, refusal)
		wantCode(t, err, storage.EINVALID)
		refusal.Reasons = "商品已超过保修期"
		if _, err := db.ProposeSettlement(ctx, refusal); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindCaseByNumber(ctx, c2.Number)
		if err != nil || got.Status != storage.StatusMediating || !got.Unread {
			t.Fatalf("refused: %+v, %v", got, err)
		}
		wantEvent(t, db, c2.ID, storage.EventReferral, "商家答复（和解平台）：商家不同意和解，理由：商品已超过保修期")
	})
}

func TestOverdueReferralReturnsToMediation(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c, _ := platformCase(t, db, "o1")
		if c.DueKind != storage.ClockMerchant || c.DueOn == "" {
			t.Fatalf("no merchant clock: %q %q", c.DueKind, c.DueOn)
		}
		if n, err := db.ReturnOverdueReferrals(ctx, c.DueOn); err != nil || n != 0 {
			t.Fatalf("on the due day: %d, %v", n, err)
		}
		day, _ := time.Parse(time.DateOnly, c.DueOn)
		after := day.AddDate(0, 0, 1).Format(time.DateOnly)
		if n, err := db.ReturnOverdueReferrals(ctx, after); err != nil || n != 1 {
			t.Fatalf("after the due day: %d, %v", n, err)
		}
		got, _ := db.FindCaseByNumber(ctx, c.Number)
		if got.Status != storage.StatusMediating || !got.Unread {
			t.Fatalf("overdue: %+v", got)
		}
		if n, err := db.ReturnOverdueReferrals(ctx, after); err != nil || n != 0 {
			t.Fatalf("again: %d, %v", n, err)
		}
	})
}
