package sqlstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
)

// filingStatementBudget is the most statements (BEGIN and COMMIT included) one
// filing may send to PostgreSQL, once the instance holds the desk's reference
// data, for a case joining its merchant's mass group: on a desk without teams
// (BEGIN; the reference version and the merchant; the case with its event,
// status period, mass key and mass lock; the case joining the mass group; the
// number; COMMIT), and into an auto-assigning team (also the team's lock,
// its members' lock and their open cases; the routing note goes with the
// number), and after the COMMIT the wait for the disk (awaitDurable), outside
// every lock. Before issue 12's item 4 they were 17 and 21.
var filingStatementBudget = map[string]int64{"no team": 7, "auto-assigning team": 10}

// TestFilingStatementsOnPostgres counts, on the wire, the statements and round
// trips of one filing in the steady state of the intake benchmark: the merchant
// already has a mass group, the desk's routing is unchanged since the last
// filing.
func TestFilingStatementsOnPostgres(t *testing.T) {
	for _, desk := range []string{"no team", "auto-assigning team"} {
		t.Run(desk, func(t *testing.T) {
			target, wire := startWireCounter(t, testenv.PostgresURL(t))
			db := testenv.OpenMigrated(t, Open, target)
			if desk != "no team" {
				setUpFilingDesk(t, db)
			}
			for i := range 6 { // past the mass threshold: the group exists
				mustCreate(t, db, newCase(fmt.Sprint("warm-", i)))
			}
			wire.reset()
			if _, err := db.CreateCase(context.Background(), "TS", newCase("counted")); err != nil {
				t.Fatal(err)
			}
			n, rt := wire.statements.Load(), wire.roundTrips.Load()
			t.Logf("%s: %d statements, %d round trips per filing", desk, n, rt)
			if n > filingStatementBudget[desk] {
				t.Errorf("a filing took %d statements, want at most %d", n, filingStatementBudget[desk])
			}
		})
	}
}
