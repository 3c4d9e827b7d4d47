package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.ReportStore = (*DB)(nil)

// reportMediated and reportConcluded are the SQL conditions behind Report.Mediated
// and Report.Concluded; keep them in step with storage.Status.Final.
const (
	reportMediated  = `outcome IN ('` + storage.OutcomeAgreement + `', '` + storage.OutcomeSettled + `')`
	reportConcluded = `(outcome <> '' OR status IN ('resolved', 'terminated', 'rejected', 'withdrawn', 'closed'))`
)

// CaseReport implements storage.ReportStore with three aggregate queries in one read
// snapshot. Months are bucketed in SQL with a CASE on boundaries computed in Go, so
// both dialects compare plain timestamps.
func (d *DB) CaseReport(ctx context.Context, from, to time.Time) (*storage.Report, error) {
	if !from.Before(to) {
		return nil, storage.Errorf(storage.EINVALID, "the report's start must be before its end")
	}
	if n := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()); n > storage.MaxReportMonths {
		return nil, storage.Errorf(storage.EINVALID, "a report spans at most %d months", storage.MaxReportMonths)
	}
	starts := storage.ReportMonths(from, to)
	rep := &storage.Report{From: from, To: to, ByCategory: []storage.ReportCount{},
		TopMerchants: []storage.ReportCount{}, ByMonth: make([]storage.ReportMonth, len(starts))}
	for i, s := range starts {
		rep.ByMonth[i] = storage.ReportMonth{Month: s.Format("2006-01"), Start: s}
	}
	span := []any{dbTime(from), dbTime(to)}
	err := d.inReadTx(ctx, "case report", func(tx *sqlx.Tx) error {
		if err := reportMonths(ctx, tx, rep, starts, span); err != nil {
			return err
		}
		q := tx.Rebind(`SELECT category AS name, count(*) AS count FROM cases
			WHERE created_at >= ? AND created_at < ? GROUP BY category ORDER BY count(*) DESC, category`)
		if err := tx.SelectContext(ctx, &rep.ByCategory, q, span...); err != nil {
			return fmt.Errorf("report by category: %w", err)
		}
		q = tx.Rebind(`SELECT min(merchant_name) AS name, count(*) AS count FROM cases
			WHERE created_at >= ? AND created_at < ? GROUP BY merchant_key
			ORDER BY count(*) DESC, min(merchant_name) LIMIT ?`)
		if err := tx.SelectContext(ctx, &rep.TopMerchants, q, append(span, storage.ReportTopMerchants)...); err != nil {
			return fmt.Errorf("report top merchants: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rep.Received > 0 {
		rep.MediationRate = float64(rep.Mediated) / float64(rep.Received)
	}
	return rep, nil
}

// reportMonths fills rep's totals and months.
func reportMonths(ctx context.Context, tx *sqlx.Tx, rep *storage.Report, starts []time.Time, span []any) error {
	var b strings.Builder
	args := []any{}
	if len(starts) == 1 {
		b.WriteString("0")
	} else {
		b.WriteString("CASE")
		for i := 1; i < len(starts); i++ {
			fmt.Fprintf(&b, " WHEN created_at < ? THEN %d", i-1)
			args = append(args, dbTime(starts[i]))
		}
		fmt.Fprintf(&b, " ELSE %d END", len(starts)-1)
	}
	q := tx.Rebind(`SELECT ` + b.String() + ` AS month,
		count(*) AS received,
		COALESCE(sum(CASE WHEN ` + reportMediated + ` THEN 1 ELSE 0 END), 0) AS mediated,
		COALESCE(sum(CASE WHEN ` + reportConcluded + ` THEN 1 ELSE 0 END), 0) AS concluded,
		CAST(COALESCE(sum(recovered_fen), 0) AS BIGINT) AS recovered,
		COALESCE(sum(CASE WHEN double_compensation THEN 1 ELSE 0 END), 0) AS doubled
		FROM cases WHERE created_at >= ? AND created_at < ? GROUP BY 1`)
	var rows []struct {
		Month     int   `db:"month"`
		Received  int   `db:"received"`
		Mediated  int   `db:"mediated"`
		Concluded int   `db:"concluded"`
		Recovered int64 `db:"recovered"`
		Double    int   `db:"doubled"`
	}
	if err := tx.SelectContext(ctx, &rows, q, append(args, span...)...); err != nil {
		return fmt.Errorf("report by month: %w", err)
	}
	for _, r := range rows {
		if r.Month < 0 || r.Month >= len(rep.ByMonth) {
			return fmt.Errorf("report by month: bucket %d out of range", r.Month)
		}
		m := &rep.ByMonth[r.Month]
		m.Received, m.Mediated, m.RecoveredFen = r.Received, r.Mediated, r.Recovered
		rep.Received += r.Received
		rep.Mediated += r.Mediated
		rep.Concluded += r.Concluded
		rep.RecoveredFen += r.Recovered
		rep.DoubleCompensation += r.Double
	}
	return nil
}
