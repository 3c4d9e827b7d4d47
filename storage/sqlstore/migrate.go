package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one folder of goose SQL files per dialect. Applied files are never
// edited; a change is a new, higher-numbered file in both folders.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrations embed.FS

// Postgres migrations wait for the lock by polling it once a second (goose's default
// is every 5 s), for up to 5 minutes.
const (
	postgresLockPoll  = time.Second
	postgresLockPolls = 300
)

// Migrate applies the pending migrations of the DB's dialect. It is safe to call from
// several instances at once: on Postgres they take turns on goose's lock row in the
// goose_lock table; on a SQLite file, on an exclusive lock of a sibling file (see
// lockSQLiteMigrations). Returns EUNAVAILABLE if the database cannot be reached.
//
// The Postgres lock is a row, not goose's session-level advisory lock: behind
// PgBouncer in transaction mode consecutive statements of one client may run on
// different server sessions, so an advisory lock would be taken on one session
// and released (or not) on another, and stay held by whoever uses that session
// next. A row is the same whichever session reads it; its lease (30 s, renewed
// every 5 s while migrating) frees it if the migrating process dies.
func (d *DB) Migrate(ctx context.Context) error {
	if d.path != "" {
		unlock, err := lockSQLiteMigrations(ctx, d.path+migrateLockSuffix)
		if err != nil {
			return wrapErr("migrate", err)
		}
		defer unlock()
	}
	p, err := d.newMigrator()
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	// Not p.Close(): that would close the DB's own pool.
	if _, err := p.Up(ctx); err != nil {
		return wrapErr("migrate", err)
	}
	return nil
}

// newMigrator builds a goose provider for the DB's dialect.
func (d *DB) newMigrator() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+d.dialect)
	if err != nil {
		return nil, err
	}
	// Go migrations registered globally by other packages are none of ours.
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if d.dialect == DialectSQLite {
		// Migrate holds the lock around the whole run; goose's Locker would not
		// cover the version-table check that Up makes first.
		return goose.NewProvider(goose.DialectSQLite3, d.db.DB, fsys, opts...)
	}
	locker, err := lock.NewPostgresTableLocker(
		lock.WithTableLockTimeout(postgresLockPoll, postgresLockPolls))
	if err != nil {
		return nil, err
	}
	opts = append(opts, goose.WithLocker(locker))
	return goose.NewProvider(goose.DialectPostgres, d.db.DB, fsys, opts...)
}
