package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage/redisstore"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// BenchmarkQueue100k measures the queue page and GET /api/v1/cases, rendered in
// full, on 100,000 cases: each filtered page's median and 99th percentile in
// milliseconds. The target on PostgreSQL is a p99 under 50 ms:
//
//	COMPLAINTBOT_TEST_POSTGRES_URL=postgres://… go test -run '^$' -bench Queue100k -benchtime 200x ./console/
func BenchmarkQueue100k(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 100,000 cases")
	}
	db := testenv.SQLite(b, sqlstore.Open)
	if os.Getenv(testenv.EnvPostgresURL) != "" {
		db = testenv.Postgres(b, sqlstore.Open)
	}
	seed, err := sqlstore.SeedCases(context.Background(), db, 100_000)
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: miniredis.RunT(b).Addr()})
	sessions := redisstore.NewSessions(rdb, redisstore.SessionOptions{})
	srv, err := New(Config{Store: db, Sessions: sessions, Throttle: redisstore.NewLoginThrottle(rdb, redisstore.ThrottleOptions{}),
		PhoneSearches: redisstore.NewRateLimit(rdb, redisstore.RateLimitOptions{Name: "phone_search", Limit: 1 << 30}), // measure the query, not the limit
		OrgName:       "某市消委会", CasePrefix: "TS"})
	if err != nil {
		b.Fatal(err)
	}
	se, err := sessions.CreateSession(context.Background(), seed.Staff[0])
	if err != nil {
		b.Fatal(err)
	}
	pages := map[string]func(i int) url.Values{
		"status=submitted": func(int) url.Values { return url.Values{"status": {"submitted"}} },
		"mine-open":        func(int) url.Values { return url.Values{"assignee": {"me"}, "open": {"1"}} },
		"unread":           func(int) url.Values { return url.Values{"unread": {"1"}} },
		"category": func(i int) url.Values {
			return url.Values{"category": {sqlstore.SeedCategories[i%len(sqlstore.SeedCategories)]}}
		},
		"search-merchant": func(i int) url.Values { return url.Values{"q": {seed.Merchants[i%len(seed.Merchants)]}} },
		"search-phone": func(i int) url.Values {
			return url.Values{"q": {seed.Phones[i%len(seed.Phones)]}}
		},
		"page-5": func(int) url.Values { return url.Values{"open": {"1"}, "page": {"5"}} },
	}
	for _, name := range []string{"status=submitted", "mine-open", "unread", "category", "search-merchant", "search-phone", "page-5"} {
		for _, base := range []string{"/console/cases", "/api/v1/cases"} {
			b.Run(name+base, func(b *testing.B) {
				benchPage(b, srv, base, pages[name], se.ID)
			})
		}
	}
}

func benchPage(b *testing.B, srv *Server, base string, query func(int) url.Values, sessionID string) {
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest("GET", base+"?"+query(i).Encode(), nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sessionID})
		rec := httptest.NewRecorder()
		start := time.Now()
		srv.ServeHTTP(rec, req)
		took = append(took, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", req.URL, rec.Code, rec.Body.String())
		}
	}
	b.StopTimer()
	slices.Sort(took)
	ms := func(q float64) float64 {
		return float64(took[min(len(took)-1, int(q*float64(len(took))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}
