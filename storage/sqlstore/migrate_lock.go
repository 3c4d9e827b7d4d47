package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// migrateLockSuffix names the file next to a SQLite database that guards migrations.
const migrateLockSuffix = ".migrate-lock"

// sqliteMigrateWait bounds how long Migrate waits for another migrator, like goose's
// Postgres lock does.
const sqliteMigrateWait = 5 * time.Minute

// lockSQLiteMigrations makes concurrent migrations of one SQLite file take turns. It
// holds a write transaction (BEGIN IMMEDIATE) open on a separate, empty SQLite file at
// path, next to the database, until unlock is called. It cannot hold that transaction
// on the database itself, because the migration needs the database's write lock; and
// unlike a lock row with a lease, a file lock dies with its process, so a crashed
// migrator never blocks the next start. The file is left in place: removing it would
// race with a waiter.
func lockSQLiteMigrations(ctx context.Context, path string) (unlock func() error, err error) {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(1000)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open migrate lock: %w", err)
	}
	db.SetMaxOpenConns(1)
	tx, err := beginWhenFree(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("take migrate lock %s: %w", path, err)
	}
	return func() error { return errors.Join(tx.Rollback(), db.Close()) }, nil
}

// beginWhenFree retries BEGIN IMMEDIATE while another connection holds the write lock,
// for up to sqliteMigrateWait. The transaction gets a context that is never cancelled:
// database/sql rolls a transaction back when its context ends, and the lock must
// outlive this call. busy_timeout bounds each try.
func beginWhenFree(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	ctx, cancel := context.WithTimeout(ctx, sqliteMigrateWait)
	defer cancel()
	for {
		tx, err := db.BeginTx(context.WithoutCancel(ctx), nil)
		if err == nil || !isBusy(err) {
			return tx, err
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// isBusy reports whether err is SQLite's "database is locked" (SQLITE_BUSY).
func isBusy(err error) bool {
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
}
