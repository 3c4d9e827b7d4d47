// Command benchseed prepares a database for the console benchmark
// (.ci/consolebench): it migrates the database, seeds n cases when it holds none
// (sqlstore.SeedCases: a realistic desk over two years, in district units), and
// creates API tokens: an administrator's at the root, a district supervisor's,
// and one for each of 100 mediators who share the whole-phone searches (each
// may make only so many an hour). It prints what the benchmark's views ask for as shell
// assignments. A database that already holds n cases is reused as it is; one
// holding another number of cases is refused.
//
//	benchseed -db postgres://…/cb_bench -n 100000
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

func main() {
	dbURL := flag.String("db", "", "the database's URL (PostgreSQL, or a SQLite file)")
	n := flag.Int("n", 100_000, "how many cases the database is to hold")
	flag.Parse()
	if err := run(context.Background(), *dbURL, *n, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchseed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL string, n int, out io.Writer) error {
	if dbURL == "" {
		return errors.New("-db is required")
	}
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := seedOnce(ctx, db, n); err != nil {
		return err
	}
	v, err := sqlstore.ConsoleBenchViews(ctx, db)
	if err != nil {
		return err
	}
	admin, err := benchToken(ctx, db, "benchadmin", storage.RoleAdmin, storage.RootUnitID)
	if err != nil {
		return err
	}
	district, err := benchToken(ctx, db, "benchdistrict", storage.RoleSupervisor, v.District)
	if err != nil {
		return err
	}
	phone, err := phoneSearchTokens(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "TOKEN_ADMIN=%s\nTOKEN_DISTRICT=%s\nTOKENS_PHONE=%s\n", admin, district, strings.Join(phone, ","))
	fmt.Fprintf(out, "PHONE=%s\nBRAND_Q=%s\nTEAM=%d\nASSIGNEE=%d\nPAGE5_AFTER=%d\n",
		v.Phone, url.QueryEscape(v.Brand), v.Team, v.Assignee, v.Page5After)
	return nil
}

// seedOnce seeds n cases into an empty database and leaves one that already
// holds n alone.
func seedOnce(ctx context.Context, db *sqlstore.DB, n int) error {
	have, err := sqlstore.CountAllCases(ctx, db)
	switch {
	case err != nil:
		return err
	case have == n:
		fmt.Fprintf(os.Stderr, "benchseed: reusing the %d cases already there\n", have)
		return nil
	case have != 0:
		return fmt.Errorf("the database holds %d cases, not %d: drop it or use another", have, n)
	}
	fmt.Fprintf(os.Stderr, "benchseed: seeding %d cases\n", n)
	_, err = sqlstore.SeedCases(ctx, db, n)
	return err
}

// phoneSearchers is how many mediators share the whole-phone searches: each may
// make at most console.phone_searches_per_hour (1,000 at most) of them, and the
// benchmark measures the search, not the limit.
const phoneSearchers = 100

// phoneSearchTokens returns a new token of each phone searcher.
func phoneSearchTokens(ctx context.Context, db *sqlstore.DB) ([]string, error) {
	var tokens []string
	for i := range phoneSearchers {
		t, err := benchToken(ctx, db, fmt.Sprintf("benchphone%03d", i), storage.RoleMediator, storage.RootUnitID)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	return tokens, nil
}

// benchToken returns a new API token of the staff member username, whom it
// creates with role in unit when missing.
func benchToken(ctx context.Context, db *sqlstore.DB, username string, role storage.Role, unit int64) (string, error) {
	st, err := db.FindStaffByUsername(ctx, username)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		st, err = db.CreateStaff(ctx, storage.NewStaff{Username: username, Name: "压测" + username, Role: role, UnitID: unit})
	}
	if err != nil {
		return "", err
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := hex.EncodeToString(raw)
	if _, err := db.CreateAPIToken(ctx, st.ID, "consolebench", webauth.HashToken(token)); err != nil {
		return "", err
	}
	return token, nil
}
