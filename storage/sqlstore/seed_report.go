package sqlstore

// Seeding a year of cases with known totals, for the tests that check the
// published figures at the seed report's scale (here and in the console's annual
// report test). Test support, like seed.go: it returns errors and imports no
// testing.

import (
	"context"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// SeedBatch is a number of cases of one kind for SeedReportYear.
type SeedBatch struct {
	N       int
	Status  storage.Status
	Outcome string
	// RecoveredFen is the batch's total money recovered, spread over its cases
	// (the first ones take the remainder), so the batch sums to it exactly.
	RecoveredFen int64
}

// seedReportColumns are the columns SeedReportYear writes.
const seedReportColumns = `number, open_id, status, category, merchant_name, description, demand,
	complainant_name, phone, intake_key, outcome, recovered_fen, created_at, updated_at`

// SeedReportYear inserts the batches' cases, received evenly through the year
// (China time), with multi-row INSERTs in one transaction. The cases have no
// timeline: their stage is read from their status and outcome, as for imported
// history.
func SeedReportYear(ctx context.Context, db *DB, year int, batches []SeedBatch) error {
	cst := time.FixedZone("CST", 8*3600)
	first := time.Date(year, 1, 1, 0, 0, 0, 0, cst)
	total := 0
	for _, b := range batches {
		total += b.N
	}
	if total == 0 {
		return nil
	}
	step := first.AddDate(1, 0, 0).Sub(first) / time.Duration(total)
	var rows [][]any
	for _, b := range batches {
		for j := range b.N {
			i := len(rows)
			recovered := b.RecoveredFen / int64(b.N)
			if int64(j) < b.RecoveredFen%int64(b.N) {
				recovered++
			}
			at := dbTime(first.Add(time.Duration(i) * step))
			rows = append(rows, []any{fmt.Sprintf("SD-%d-%06d", year, i+1), fmt.Sprintf("o-seed-%d", i),
				string(b.Status), SeedCategories[i%len(SeedCategories)], SeedBrands[i%len(SeedBrands)],
				"购买的商品存在质量问题。", "退款", "张三", "13800138000", fmt.Sprintf("seed-%d-%d", year, i),
				b.Outcome, recovered, at, at})
		}
	}
	return db.inWriteTx(ctx, "seed report year", func(tx *sqlx.Tx) error {
		const perInsert = 500
		for i := 0; i < len(rows); i += perInsert {
			if err := insertCaseRows(ctx, tx, seedReportColumns, rows[i:min(i+perInsert, len(rows))]); err != nil {
				return err
			}
		}
		return nil
	})
}
