package sqlstore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// filingBenchFilers is how many goroutines file at once: the 32 consumers of
// the intake benchmark (.ci/intakebench), each finishing an intake.
const filingBenchFilers = 32

// BenchmarkCreateCaseConcurrent measures the filing transaction alone: 32
// goroutines call CreateCase at once on a desk with an auto-assigning default
// team of five and a routing rule, the merchants spread over 200 names (so
// the mass detector groups some), on PostgreSQL (COMPLAINTBOT_TEST_POSTGRES_URL;
// SQLite serialises writers, and 32 of them mostly wait). It reports filed cases per second and each
// call's median, 99th percentile and maximum in milliseconds:
//
//	go test -run '^$' -bench CreateCaseConcurrent -benchtime 3000x ./storage/sqlstore/
func BenchmarkCreateCaseConcurrent(b *testing.B) {
	db := testenv.OpenMigrated(b, Open, testenv.PostgresURL(b))
	setUpFilingDesk(b, db)
	warmPool(b, db, filingBenchFilers)
	benchFilings(b, db)
}

// setUpFilingDesk gives db the routing a desk has: a rule sending one category
// to its own team, and an auto-assigning default team of five mediators.
func setUpFilingDesk(b testing.TB, db *DB) {
	ctx := context.Background()
	var ids []int64
	for i := range 5 {
		s, err := db.CreateStaff(ctx, storage.NewStaff{Username: fmt.Sprint("bench", i),
			Name: fmt.Sprint("调解员", i), Role: storage.RoleMediator, PasswordHash: "x"})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	for _, t := range []struct {
		name string
		def  bool
	}{{"综合", true}, {"汽车", false}} {
		tm, err := db.CreateTeam(ctx, storage.TeamInput{Name: t.name, AutoAssign: true, Default: t.def}, by)
		if err == nil {
			_, err = db.SetTeamMembers(ctx, tm.ID, ids, by)
		}
		if err == nil && !t.def {
			_, err = db.CreateRoutingRule(ctx, storage.NewRoutingRule{Kind: storage.RuleCategory,
				Pattern: "交通工具", TeamID: tm.ID}, by)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchFilings runs b.N filings from filingBenchFilers goroutines and reports
// the rate and each call's time.
func benchFilings(b *testing.B, db *DB) {
	run := time.Now().UnixNano()
	took := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range filingBenchFilers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < b.N; i = int(next.Add(1) - 1) {
				nc := newCase(fmt.Sprintf("bench-%x-%d", run, i))
				nc.MerchantName = fmt.Sprintf("襄阳第%d商店", i%200)
				if i%5 == 0 {
					nc.Category = "交通工具"
				}
				t0 := time.Now()
				if _, err := db.CreateCase(context.Background(), "TS", nc); err != nil {
					b.Error(err)
					return
				}
				took[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(took)
	ms := func(q float64) float64 {
		return float64(took[min(len(took)-1, int(q*float64(len(took))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "cases/s")
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(float64(took[len(took)-1])/float64(time.Millisecond), "max-ms")
}

// BenchmarkCreateCasePostgresCPU measures what one filing costs PostgreSQL, in
// the CPU time of the one backend that serves every filing in turn (read from
// /proc, so the database must run on this machine), and the round trips'
// wall time: filings one at a time on the same desk as
// BenchmarkCreateCaseConcurrent, so lock waits play no part. CPU time
// survives a busy machine far better than a rate does:
//
//	go test -run '^$' -bench CreateCasePostgresCPU -benchtime 2000x ./storage/sqlstore/
func BenchmarkCreateCasePostgresCPU(b *testing.B) {
	db := testenv.OpenMigrated(b, Open, testenv.PostgresURL(b))
	setUpFilingDesk(b, db)
	db.db.SetMaxOpenConns(1)
	ctx := context.Background()
	var pid int
	if err := db.db.GetContext(ctx, &pid, "SELECT pg_backend_pid()"); err != nil {
		b.Fatal(err)
	}
	run := time.Now().UnixNano()
	file := func(i int) {
		nc := newCase(fmt.Sprintf("cpu-%x-%d", run, i))
		nc.MerchantName = fmt.Sprintf("襄阳第%d商店", i%200)
		if i%5 == 0 {
			nc.Category = "交通工具"
		}
		if _, err := db.CreateCase(ctx, "TS", nc); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 400 { // every merchant past the mass threshold, the reference data loaded
		file(-1 - i)
	}
	before := backendCPU(b, pid)
	b.ResetTimer()
	for i := range b.N {
		file(i)
	}
	b.StopTimer()
	b.ReportMetric(float64(backendCPU(b, pid)-before)/float64(b.N)/float64(time.Microsecond), "pg-cpu-µs/op")
}

// backendCPU is the user and system CPU time of process pid so far.
func backendCPU(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Skipf("the database's backend is not a process of this machine: %v", err)
	}
	// The command name, in parentheses, may hold spaces; the fields after it
	// are space-separated, utime and stime the 12th and 13th (clock ticks, 100 per second on Linux).
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100)
}
