package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
)

// BenchmarkCaseReport100k measures the report of a whole year and of two years on
// the 100,000 cases of BenchmarkFindCases100k, each with a timeline of three
// status changes, half of the finished ones without an outcome so that their
// stage is read from the timeline:
//
//	go test -run '^$' -bench CaseReport100k -benchtime 5x ./storage/sqlstore/
func BenchmarkCaseReport100k(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 100,000 cases")
	}
	ctx := context.Background()
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			db := testenv.OpenMigrated(b, Open, d.newTarget(b))
			if _, err := SeedCases(ctx, db, benchCases); err != nil {
				b.Fatal(err)
			}
			for _, q := range []string{
				`INSERT INTO case_events (case_id, kind, actor, body, created_at)
					SELECT id, 'status_change', 'staff:1', '待受理 → 已受理', created_at FROM cases`,
				`INSERT INTO case_events (case_id, kind, actor, body, created_at)
					SELECT id, 'status_change', 'staff:1', '已受理 → 调解中', created_at FROM cases`,
				`INSERT INTO case_events (case_id, kind, actor, body, created_at)
					SELECT id, 'status_change', 'staff:1', '调解中 → 调解成功', created_at FROM cases`,
				`UPDATE cases SET outcome = '' WHERE status = 'closed' AND id % 2 = 0`,
			} {
				if _, err := db.db.ExecContext(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			for name, from := range map[string]time.Time{
				"year":  time.Date(2025, 1, 1, 0, 0, 0, 0, cst),
				"2year": time.Date(2024, 3, 1, 0, 0, 0, 0, cst),
			} {
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						if _, err := db.CaseReport(ctx, from, time.Date(2026, 4, 1, 0, 0, 0, 0, cst)); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
