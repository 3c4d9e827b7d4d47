package sqlstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// benchCases is the size of the desk BenchmarkFindCases100k queries: about ten years
// of a city association's complaints (the seed took 11,550 in two years).
const benchCases = 100_000

// BenchmarkFindCases100k measures the console's queue: one page of FindCases under
// the filters staff use most, on 100,000 cases, on each dialect (PostgreSQL only
// with COMPLAINTBOT_TEST_POSTGRES_URL). It reports each query's median and 99th
// percentile in milliseconds (p50-ms, p99-ms); the target on PostgreSQL is a p99
// under 50 ms. Seeding takes a while, and happens only when benchmarks run (-bench):
//
//	go test -run '^$' -bench FindCases100k -benchtime 200x ./storage/sqlstore/
func BenchmarkFindCases100k(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 100,000 cases")
	}
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			db := testenv.OpenMigrated(b, Open, d.newTarget(b))
			seed, err := SeedCases(context.Background(), db, benchCases)
			if err != nil {
				b.Fatal(err)
			}
			for _, q := range benchQueries(seed) {
				b.Run(q.name, func(b *testing.B) { benchFindCases(b, db, q.filter) })
			}
		})
	}
}

// benchQuery is one kind of queue page; filter returns the filter of iteration i,
// varying its values so that no one page stays cached.
type benchQuery struct {
	name   string
	filter func(i int) storage.CaseFilter
}

// benchQueries returns the queue pages staff open most.
func benchQueries(s *Seed) []benchQuery {
	submitted, yes := storage.StatusSubmitted, true
	return []benchQuery{
		{"status=submitted", func(int) storage.CaseFilter { return storage.CaseFilter{Status: &submitted} }},
		{"open+assignee", func(i int) storage.CaseFilter {
			return storage.CaseFilter{Open: &yes, AssigneeID: &s.Staff[i%len(s.Staff)]}
		}},
		{"unread", func(int) storage.CaseFilter { return storage.CaseFilter{Unread: &yes} }},
		{"category", func(i int) storage.CaseFilter {
			return storage.CaseFilter{Category: &SeedCategories[i%len(SeedCategories)]}
		}},
		{"search-merchant", func(i int) storage.CaseFilter {
			return storage.CaseFilter{Search: s.Merchants[i%len(s.Merchants)]}
		}},
		{"search-brand", func(i int) storage.CaseFilter {
			return storage.CaseFilter{Search: SeedBrands[i%len(SeedBrands)]}
		}},
		{"search-phone", func(i int) storage.CaseFilter {
			return storage.CaseFilter{Search: s.Phones[i%len(s.Phones)]}
		}},
		{"search-number", func(i int) storage.CaseFilter {
			return storage.CaseFilter{Search: s.Loose[i%len(s.Loose)]}
		}},
	}
}

// benchFindCases times b.N pages and reports their median and 99th percentile.
func benchFindCases(b *testing.B, db *DB, filter func(int) storage.CaseFilter) {
	ctx := context.Background()
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, total, err := db.FindCases(ctx, filter(i)); err != nil || total == 0 {
			b.Fatalf("FindCases(%+v) found %d, %v; the seed has matches", filter(i), total, err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	ms := func(q float64) float64 {
		return float64(took[min(len(took)-1, int(q*float64(len(took))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}
