package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// merchantStatsSQL counts a merchant's cases (alias c), those concluded (as the
// report counts them) and those ended by agreement or settlement.
const merchantStatsSQL = `SELECT count(*) AS cases,
	COALESCE(sum(CASE WHEN ` + reportConcluded + ` THEN 1 ELSE 0 END), 0) AS concluded,
	COALESCE(sum(CASE WHEN c.outcome IN ('` + storage.OutcomeAgreement + `', '` + storage.OutcomeSettled +
	`') THEN 1 ELSE 0 END), 0) AS settled
	FROM cases c WHERE c.merchant_id = ?`

// MerchantStats implements storage.MerchantStore. The response time comes from
// the cases' status history (case_status_periods): each period of 已转办 to the
// merchant (storage.MerchantReferral) that has ended — the case moved on — counts
// with its length; one still running does not.
func (d *DB) MerchantStats(ctx context.Context, merchantID int64, units []int64) (storage.MerchantCaseStats, error) {
	var st storage.MerchantCaseStats
	err := d.inReadTx(ctx, "merchant stats", func(tx *sqlx.Tx) error {
		cond, unitArgs := reportUnitCond(units)
		args := append([]any{merchantID}, unitArgs...)
		var row struct {
			Cases     int `db:"cases"`
			Concluded int `db:"concluded"`
			Settled   int `db:"settled"`
		}
		if err := tx.GetContext(ctx, &row, tx.Rebind(merchantStatsSQL+cond), args...); err != nil {
			return fmt.Errorf("merchant stats: %w", err)
		}
		st.Cases, st.Concluded, st.Settled = row.Cases, row.Concluded, row.Settled
		periods, err := listStatusPeriods(ctx, tx,
			"case_id IN (SELECT c.id FROM cases c WHERE c.merchant_id = ?"+cond+")", args...)
		if err != nil {
			return err
		}
		for _, h := range periods {
			n, total := merchantResponses(h)
			st.Referrals += n
			st.ResponseTotal += total
		}
		return nil
	})
	return st, err
}

// merchantResponses counts the ended referrals to the merchant in one case's
// history (oldest first) and sums their lengths.
func merchantResponses(h []storage.StatusPeriod) (int, time.Duration) {
	var n int
	var total time.Duration
	for i := 0; i+1 < len(h); i++ {
		if h[i].Status == storage.StatusReferred && h[i].ReferralTarget == storage.MerchantReferral {
			n++
			total += h[i+1].Start.Sub(h[i].Start)
		}
	}
	return n, total
}

// reportMerchants counts the live merchants on the platform, those whose 入驻
// day falls in [from, to) and those whose 入驻 day is before to (China dates).
func reportMerchants(ctx context.Context, tx *sqlx.Tx, from, to time.Time) (storage.ReportMerchants, error) {
	var r storage.ReportMerchants
	q := tx.Rebind(`SELECT COALESCE(sum(CASE WHEN on_platform THEN 1 ELSE 0 END), 0) AS on_platform,
		COALESCE(sum(CASE WHEN on_platform AND platform_since >= ? AND platform_since < ? THEN 1 ELSE 0 END), 0) AS new_on_platform,
		COALESCE(sum(CASE WHEN on_platform AND platform_since < ? THEN 1 ELSE 0 END), 0) AS on_platform_at_end
		FROM merchants WHERE merged_into IS NULL`)
	var row struct {
		OnPlatform      int `db:"on_platform"`
		NewOnPlatform   int `db:"new_on_platform"`
		OnPlatformAtEnd int `db:"on_platform_at_end"`
	}
	day := func(t time.Time) string { return t.In(storage.ChinaTime).Format(time.DateOnly) }
	if err := tx.GetContext(ctx, &row, q, day(from), day(to), day(to)); err != nil {
		return r, fmt.Errorf("report merchants: %w", err)
	}
	r.OnPlatform, r.NewOnPlatform, r.OnPlatformAtEnd = row.OnPlatform, row.NewOnPlatform, row.OnPlatformAtEnd
	return r, nil
}
