package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// refer moves c to 已转办 with the target (and detail) or fails the test.
func refer(t *testing.T, db *DB, c *storage.Case, reason, contact string) *storage.Case {
	t.Helper()
	moved, err := db.ChangeStatus(context.Background(), storage.StatusChange{
		CaseID: c.ID, To: storage.StatusReferred, Actor: staff, Reason: reason, Contact: contact})
	if err != nil {
		t.Fatalf("refer %s: %v", c.Number, err)
	}
	return moved
}

// referrals returns the case's referral records or fails the test.
func referrals(t *testing.T, db *DB, caseID int64) []*storage.Referral {
	t.Helper()
	refs, err := db.FindReferrals(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

func TestReferralRecordCreatedWithTheMove(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		c := refer(t, db, mediating(t, db, "r1"), "金融纠纷调解中心：涉及信用卡分期", "李科长 0710-1234567")
		refs := referrals(t, db, c.ID)
		if len(refs) != 1 {
			t.Fatalf("referrals = %d, want 1", len(refs))
		}
		r := refs[0]
		if r.Channel != storage.ChannelFinancial || r.ReferredBy != staff || r.Contact != "李科长 0710-1234567" ||
			r.Note != "涉及信用卡分期" || r.Closed || r.Outcome != "" || !r.ReferredAt.Equal(dbTime(db.Now())) {
			t.Fatalf("referral = %+v", r)
		}
		// A refused move writes no record.
		_, err := db.ChangeStatus(context.Background(), storage.StatusChange{
			CaseID: c.ID, To: storage.StatusReferred, Actor: staff, Reason: "市场监管部门"})
		wantCode(t, err, storage.ECONFLICT)
		// Leaving 已转办 another way closes the record without a result.
		move(t, db, c, storage.StatusMediating, "")
		refs = referrals(t, db, c.ID)
		if len(refs) != 1 || !refs[0].Closed || refs[0].Outcome != "" {
			t.Fatalf("after 继续调解 = %+v", refs[0])
		}
		// A referral must name a target.
		_, err = db.ChangeStatus(context.Background(), storage.StatusChange{
			CaseID: c.ID, To: storage.StatusReferred, Actor: staff, Reason: "别处"})
		wantCode(t, err, storage.EINVALID)
	})
}

func TestReferralResultSettledClosesWithSettlement(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := refer(t, db, mediating(t, db, "r2"), storage.MerchantReferral, "")
		ref := referrals(t, db, c.ID)[0]
		res := storage.ReferralResult{CaseID: c.ID, ReferralID: ref.ID, Outcome: storage.ReferralSettled,
			AmountFen: 30_000, ResultDate: "2026-03-14", Note: "商家退款", Actor: staff, IP: "10.0.0.1"}
		got, err := db.RecordReferralResult(ctx, res)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != storage.StatusResolved || got.Outcome != storage.OutcomeSettled || got.RecoveredFen != 30_000 {
			t.Fatalf("case = %s %s %d", got.Status, got.Outcome, got.RecoveredFen)
		}
		ref = referrals(t, db, c.ID)[0]
		if ref.Outcome != storage.ReferralSettled || ref.AmountFen != 30_000 || ref.ResultDate != "2026-03-14" ||
			ref.FedBackBy != staff || ref.FedBackAt.IsZero() || !ref.Closed || ref.ResultNote != "商家退款" {
			t.Fatalf("referral = %+v", ref)
		}
		wantEvent(t, db, c.ID, storage.EventReferral, "转办结果（企业和解（入驻企业），2026-03-14）：达成和解（调解成功），金额 ¥300.00（商家退款）")
		wantAudit(t, db, c.ID, storage.AuditReferralResult)
		notices := caseNotices(t, db, c.ID)
		last := notices[len(notices)-1]
		if last.Kind != storage.NoticeStatusChange || !strings.Contains(last.Text, "协商和解") {
			t.Fatalf("last notice = %+v", last)
		}
		// A second result for the closed referral is refused.
		_, err = db.RecordReferralResult(ctx, res)
		wantCode(t, err, storage.ECONFLICT)
	})
}

func TestReferralResultFailedComesBackToMediation(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := refer(t, db, mediating(t, db, "r3"), "金融纠纷调解中心", "")
		ref := referrals(t, db, c.ID)[0]
		bad := []storage.ReferralResult{
			{Outcome: "maybe", ResultDate: "2026-03-14"},
			{Outcome: storage.ReferralFailed, AmountFen: 100, ResultDate: "2026-03-14"},
			{Outcome: storage.ReferralFailed, ResultDate: "2026-03-16"},
			{Outcome: storage.ReferralFailed, ResultDate: "14/03/2026"},
		}
		for _, b := range bad {
			b.CaseID, b.ReferralID, b.Actor = c.ID, ref.ID, staff
			_, err := db.RecordReferralResult(ctx, b)
			wantCode(t, err, storage.EINVALID)
		}
		_, err := db.RecordReferralResult(ctx, storage.ReferralResult{CaseID: c.ID, ReferralID: ref.ID + 99,
			Outcome: storage.ReferralFailed, ResultDate: "2026-03-14", Actor: staff})
		wantCode(t, err, storage.ENOTFOUND)
		got, err := db.RecordReferralResult(ctx, storage.ReferralResult{CaseID: c.ID, ReferralID: ref.ID,
			Outcome: storage.ReferralRefused, ResultDate: "2026-03-15", Actor: staff})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != storage.StatusMediating || got.Outcome != "" {
			t.Fatalf("case = %s %q", got.Status, got.Outcome)
		}
		notices := caseNotices(t, db, c.ID)
		if last := notices[len(notices)-1]; !strings.Contains(last.Text, "本会继续调解") {
			t.Fatalf("last notice = %+v", last)
		}
	})
}

func TestArbitrationNeedsConsent(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mediating(t, db, "r4")
		toArbitration := storage.StatusChange{CaseID: c.ID, To: storage.StatusReferred, Actor: staff, Reason: "仲裁委员会"}
		_, err := db.ChangeStatus(ctx, toArbitration)
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.FindArbitrationConsent(ctx, c.ID)
		wantCode(t, err, storage.ENOTFOUND)
		_, err = db.AnswerArbitrationConsent(ctx, c.ID, storage.ConsentAgreed)
		wantCode(t, err, storage.ECONFLICT)

		if _, err := db.AskArbitrationConsent(ctx, c.ID, storage.By{Actor: staff, IP: "10.0.0.2"}); err != nil {
			t.Fatal(err)
		}
		wantAudit(t, db, c.ID, storage.AuditArbitrationAsk)
		notices := caseNotices(t, db, c.ID)
		if last := notices[len(notices)-1]; last.Kind != storage.NoticeArbitrationConsent {
			t.Fatalf("last notice = %+v", last)
		}
		pending, err := db.PendingArbitrationConsent(ctx, c.OpenID)
		if err != nil || pending.ID != c.ID {
			t.Fatalf("pending = %v, %v", pending, err)
		}
		_, err = db.ChangeStatus(ctx, toArbitration) // asked, not answered
		wantCode(t, err, storage.ECONFLICT)

		cs, err := db.AnswerArbitrationConsent(ctx, c.ID, storage.ConsentRefused)
		if err != nil || cs.Answer != storage.ConsentRefused || cs.AnsweredAt.IsZero() {
			t.Fatalf("answer = %+v, %v", cs, err)
		}
		wantEvent(t, db, c.ID, storage.EventReferral, "消费者答复仲裁意愿：不同意仲裁")
		_, err = db.PendingArbitrationConsent(ctx, c.OpenID)
		wantCode(t, err, storage.ENOTFOUND)
		_, err = db.ChangeStatus(ctx, toArbitration) // refused
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.AnswerArbitrationConsent(ctx, c.ID, storage.ConsentAgreed) // answered already
		wantCode(t, err, storage.ECONFLICT)

		if _, err := db.AskArbitrationConsent(ctx, c.ID, storage.By{Actor: staff}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AnswerArbitrationConsent(ctx, c.ID, storage.ConsentAgreed); err != nil {
			t.Fatal(err)
		}
		// A retried answer is no error and changes nothing.
		if _, err := db.AnswerArbitrationConsent(ctx, c.ID, storage.ConsentAgreed); err != nil {
			t.Fatal(err)
		}
		c = refer(t, db, c, "仲裁委员会", "王仲裁员")
		if refs := referrals(t, db, c.ID); len(refs) != 1 || refs[0].Channel != storage.ChannelArbitration {
			t.Fatalf("referrals = %+v", refs)
		}
		// Nothing to ask once the case was referred.
		_, err = db.AskArbitrationConsent(ctx, c.ID, storage.By{Actor: staff})
		wantCode(t, err, storage.ECONFLICT)
	})
}

// wantEvent fails the test unless the case's timeline has an event of kind with
// exactly body.
func wantEvent(t *testing.T, db *DB, caseID int64, kind storage.EventKind, body string) {
	t.Helper()
	var seen []string
	for _, e := range events(t, db, caseID) {
		if e.Kind == kind && e.Body == body {
			return
		}
		seen = append(seen, e.Body)
	}
	t.Fatalf("no %s event %q; timeline: %q", kind, body, seen)
}

// wantAudit fails the test unless the case has an audit entry of action.
func wantAudit(t *testing.T, db *DB, caseID int64, action string) {
	t.Helper()
	entries, _, err := db.FindAudit(context.Background(), storage.AuditFilter{CaseID: &caseID})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == action {
			return
		}
	}
	t.Fatalf("no audit entry %s for case %d", action, caseID)
}

// consentToArbitration asks the consumer of c about arbitration and records
// their 同意仲裁, as a referral to 仲裁委员会 needs, or fails the test.
func consentToArbitration(t *testing.T, db *DB, c *storage.Case) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.AskArbitrationConsent(ctx, c.ID, storage.By{Actor: staff}); err != nil {
		t.Fatalf("ask consent on %s: %v", c.Number, err)
	}
	if _, err := db.AnswerArbitrationConsent(ctx, c.ID, storage.ConsentAgreed); err != nil {
		t.Fatalf("consent on %s: %v", c.Number, err)
	}
}
