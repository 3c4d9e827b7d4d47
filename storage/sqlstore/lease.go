package sqlstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// Work queues (the outbox and evidence downloads) hand rows to workers under a lease:
// a claim stamps the rows with lease_until and a random lease_token in one
// transaction, and the worker must present the token to finish the row. A worker that
// dies loses its rows when the lease expires; if it comes back after someone else
// claimed them, its token no longer matches and its late result is refused.

// skipLocked is appended, per dialect, to the query that selects the rows to claim.
// On PostgreSQL, FOR UPDATE SKIP LOCKED makes concurrent claimers pass over rows
// another claim has locked, instead of waiting for them and then claiming them twice.
// SQLite has no row locks: the write transaction (BEGIN IMMEDIATE, see sqliteParams)
// already lets one claimer at a time in.
const (
	skipLockedPostgres = " FOR UPDATE SKIP LOCKED"
	skipLockedSQLite   = ""
)

// maxLastError bounds the stored error text: a worker passes err.Error(), which may
// quote a whole response body.
const maxLastError = 1000

// leaseQueue describes a table whose rows are claimed under a lease.
type leaseQueue struct {
	table   string // the table name
	noun    string // the entity in messages: "notification"
	pending string // the condition of a row that still waits for a worker
	columns string // the columns a claim returns
}

// skipLocked returns the dialect's suffix for the claim's select.
func skipLocked(tx *sqlx.Tx) string {
	if isPostgres(tx) {
		return skipLockedPostgres
	}
	return skipLockedSQLite
}

// checkClaim refuses a claim that could never succeed: a caller with a zero limit or
// lease has a configuration bug that should surface, not spin.
func checkClaim(limit int, lease time.Duration) error {
	if limit <= 0 || lease <= 0 {
		return storage.Errorf(storage.EINVALID,
			"claim needs a positive limit and lease, got %d and %v", limit, lease)
	}
	return nil
}

// claim selects the ids of due rows with dueSQL (its placeholders filled by dueArgs),
// leases them until until under a fresh token, counts the attempt, and scans the
// updated rows into dest, a pointer to a slice. The rows come back in no particular
// order.
func (q leaseQueue) claim(
	ctx context.Context, tx *sqlx.Tx, dueSQL string, dueArgs []any, until time.Time, dest any,
) error {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, tx.Rebind(dueSQL+skipLocked(tx)), dueArgs...); err != nil {
		return fmt.Errorf("select due %s rows: %w", q.noun, err)
	}
	if len(ids) == 0 {
		return nil
	}
	stmt, args, err := sqlx.In("UPDATE "+q.table+
		" SET lease_until = ?, lease_token = ?, attempts = attempts + 1"+
		" WHERE id IN (?) RETURNING "+q.columns, until, rand.Text(), ids)
	if err != nil {
		return fmt.Errorf("build %s lease: %w", q.noun, err)
	}
	if err := tx.SelectContext(ctx, dest, tx.Rebind(stmt), args...); err != nil {
		return fmt.Errorf("lease %s rows: %w", q.noun, err)
	}
	return nil
}

// finish applies set (assignments with ? placeholders filled by setArgs) to row id if
// leaseToken still holds it, and ends the lease. ECONFLICT if the token does not hold
// it: the lease expired and another worker claimed the row, or it was finished already.
// An empty token never matches, although an unleased row stores the empty string.
func (q leaseQueue) finish(
	ctx context.Context, tx *sqlx.Tx, id int64, leaseToken, set string, setArgs ...any,
) error {
	stmt := tx.Rebind("UPDATE " + q.table + " SET " + set +
		", lease_until = NULL, lease_token = ''" +
		" WHERE id = ? AND lease_token = ? AND lease_token <> '' AND " + q.pending)
	res, err := tx.ExecContext(ctx, stmt, append(setArgs, id, leaseToken)...)
	if err != nil {
		return fmt.Errorf("finish %s: %w", q.noun, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("finish %s: %w", q.noun, err)
	}
	if n == 0 {
		return storage.Errorf(storage.ECONFLICT,
			"%s %d is no longer leased with this token", q.noun, id)
	}
	return nil
}

// lastError trims a worker's error text to what is worth keeping.
func lastError(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if r := []rune(s); len(r) > maxLastError {
		return string(r[:maxLastError])
	}
	return s
}
