package sqlstore

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

func TestCaseReport(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		type seed struct {
			at                 time.Time
			category, merchant string
			status             storage.Status
			outcome            string
			recovered          int64
			double             bool
		}
		day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, cst) }
		seeds := []seed{
			// Before the period (2025-12-31 23:59 CST is 15:59 UTC).
			{time.Date(2025, 12, 31, 23, 59, 0, 0, cst), "食品安全", "早到超市", storage.StatusResolved, storage.OutcomeAgreement, 999, true},
			// January: the first instant of the period counts.
			{day(1, 1, 0), "食品安全", "好又多超市", storage.StatusResolved, storage.OutcomeAgreement, 10_000, true},
			{day(1, 20, 8), "家用电器", "好又多超市", storage.StatusTerminated, storage.OutcomeTerminated, 0, false},
			{day(1, 31, 23), "家用电器", "<b>坏商家</b>", storage.StatusMediating, "", 0, false},
			// February 1 00:30 CST is still January 31 in UTC: bucketed as February.
			{day(2, 1, 0).Add(30 * time.Minute), "食品安全", "好又多超市", storage.StatusClosed, storage.OutcomeSettled, 2_550, false},
			{day(2, 10, 9), "美容美发", "好又多超市", storage.StatusRejected, "", 0, false},
			{day(2, 11, 9), "食品安全", "<B>坏商家</B>", storage.StatusSubmitted, "", 0, false},
			// March has none; April 1 00:00 CST is the end, excluded.
			{day(4, 1, 0), "食品安全", "迟到商店", storage.StatusResolved, storage.OutcomeAgreement, 777, true},
		}
		for i, s := range seeds {
			setClock(db, s.at)
			nc := newCase(string(rune('a' + i)))
			nc.Category, nc.MerchantName = s.category, s.merchant
			c := mustCreate(t, db, nc)
			_, err := db.db.ExecContext(ctx, db.db.Rebind(`UPDATE cases SET status = ?, outcome = ?,
				recovered_fen = ?, double_compensation = ? WHERE id = ?`),
				string(s.status), s.outcome, s.recovered, s.double, c.ID)
			if err != nil {
				t.Fatal(err)
			}
		}

		from, to := day(1, 1, 0), day(4, 1, 0)
		rep, err := db.CaseReport(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.From.Equal(from) || !rep.To.Equal(to) {
			t.Errorf("period = %v..%v", rep.From, rep.To)
		}
		// Concluded: Jan 1 (outcome), Jan 20 (outcome), Feb 1 (outcome), Feb 10 (rejected).
		if rep.Received != 6 || rep.Mediated != 2 || rep.Concluded != 4 || rep.MediationRate != 2.0/6 ||
			rep.RecoveredFen != 12_550 || rep.DoubleCompensation != 1 {
			t.Errorf("totals = received %d, mediated %d, concluded %d, rate %v, recovered %d, double %d",
				rep.Received, rep.Mediated, rep.Concluded, rep.MediationRate, rep.RecoveredFen, rep.DoubleCompensation)
		}
		wantCats := []storage.ReportCount{{Name: "食品安全", Count: 3}, {Name: "家用电器", Count: 2}, {Name: "美容美发", Count: 1}}
		if !reflect.DeepEqual(rep.ByCategory, wantCats) {
			t.Errorf("ByCategory = %v, want %v", rep.ByCategory, wantCats)
		}
		// Merchant names are grouped case-insensitively; the smallest spelling names the group.
		wantTop := []storage.ReportCount{{Name: "好又多超市", Count: 4}, {Name: "<B>坏商家</B>", Count: 2}}
		if !reflect.DeepEqual(rep.TopMerchants, wantTop) {
			t.Errorf("TopMerchants = %v, want %v", rep.TopMerchants, wantTop)
		}
		got := make([]storage.ReportMonth, len(rep.ByMonth))
		for i, m := range rep.ByMonth {
			got[i] = m
			got[i].Start = time.Time{}
		}
		wantMonths := []storage.ReportMonth{
			{Month: "2026-01", Received: 3, Mediated: 1, RecoveredFen: 10_000},
			{Month: "2026-02", Received: 3, Mediated: 1, RecoveredFen: 2_550},
			{Month: "2026-03"},
		}
		if !reflect.DeepEqual(got, wantMonths) {
			t.Errorf("ByMonth = %+v, want %+v", got, wantMonths)
		}

		// An empty period.
		rep, err = db.CaseReport(ctx, day(5, 1, 0), day(6, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Received != 0 || rep.MediationRate != 0 || len(rep.ByCategory) != 0 || len(rep.TopMerchants) != 0 ||
			len(rep.ByMonth) != 1 || rep.ByMonth[0].Received != 0 {
			t.Errorf("empty report = %+v", rep)
		}

		_, err = db.CaseReport(ctx, to, from)
		wantCode(t, err, storage.EINVALID)
		_, err = db.CaseReport(ctx, from, from.AddDate(30, 0, 0))
		wantCode(t, err, storage.EINVALID)
	})
}
