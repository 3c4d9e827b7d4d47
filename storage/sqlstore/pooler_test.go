package sqlstore

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
)

func TestWithOneRoundTripQueries(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:p%40ss@db:5432/cb?sslmode=disable": "yes",
		"postgres://db/cb?binary_parameters=no":          "no",
		"postgresql://db/cb":                             "yes",
	} {
		u, err := url.Parse(withOneRoundTripQueries(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := u.Query().Get("binary_parameters"); got != want {
			t.Errorf("%s: binary_parameters=%q, want %q", in, got, want)
		}
		if p, _ := u.User.Password(); u.User != nil && u.User.Username() == "u" && p != "p@ss" {
			t.Errorf("%s: password became %q", in, p)
		}
	}
}

// TestPoolerSafeQueriesRunConcurrently sends many queries with arguments, outside
// any transaction, from many connections at once. Behind PgBouncer in transaction
// mode (CI's PgBouncer pass) lib/pq's default two-round-trip form fails here now
// and then with "unnamed prepared statement does not exist", when the server
// session changes between its prepare and its execute; Open's one-round-trip
// setting must make every query succeed. On a direct connection it passes either
// way.
func TestPoolerSafeQueriesRunConcurrently(t *testing.T) {
	// Three instances' pools: more clients than PgBouncer's pool has sessions, so
	// sessions change hands between a client's messages.
	target := testenv.PostgresURL(t)
	dbs := []*DB{testenv.Open(t, Open, target), testenv.Open(t, Open, target), testenv.Open(t, Open, target)}
	ctx := context.Background()
	const workers, each = 60, 100
	var wg sync.WaitGroup
	var mu sync.Mutex
	failures := map[string]int{}
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				var got string
				want := fmt.Sprintf("%d-%d", w, i)
				err := dbs[w%len(dbs)].db.QueryRowContext(ctx, "SELECT $1::text || '-' || $2::text", w, i).Scan(&got)
				if err == nil && got != want {
					err = fmt.Errorf("got %q", got)
				}
				if err != nil {
					mu.Lock()
					failures[err.Error()]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("failed queries out of %d: %v", workers*each, failures)
	}
}
