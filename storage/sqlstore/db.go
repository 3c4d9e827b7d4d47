// Package sqlstore implements the storage interfaces (CaseStore, ConversationStore,
// NotificationStore, EvidenceStore, BlobStore, and the case desk's DeskStore,
// StaffStore, APITokenStore, AuditStore and CalendarStore) on PostgreSQL (github.com/lib/pq) and
// SQLite (modernc.org/sqlite, pure Go) through sqlx.
//
// Postgres is what production runs on: many stateless instances share one database.
// SQLite is the zero-setup default for a single instance on a bare machine. Both run
// the same plain SQL with `?` placeholders rebound per driver; where the dialects truly
// differ (schema, transaction options) the two variants sit side by side.
//
// The schema lives in embedded goose migrations, one folder per dialect. Open does not
// apply them; callers run Migrate, which takes a lock so that instances starting
// together are safe.
//
// Errors: methods return *storage.Error codes (EINVALID, ENOTFOUND, ECONFLICT) for what
// the caller did, EUNAVAILABLE when the database cannot be reached right now, and
// EINTERNAL for anything else; driver errors stay in the chain for operators' logs.
//
// Every public method that writes is one transaction: inWriteTx (db.go) opens it
// with the dialect's options, rolls it back on return unless it was committed,
// and hands the *sqlx.Tx to private helpers that do the work. A read whose
// statements must agree runs in one read transaction (inReadTx); a read that
// one statement answers runs on the pool without one (inRead), its helpers
// taking a reader, which both a transaction and the pool are.
//
// One file per entity, with everything that reads or changes it:
//
//	db.go                 Open, the DB type, transactions (inWriteTx, inReadTx) and query helpers
//	errors.go             driver errors to storage codes
//	migrate.go            Migrate: the embedded goose migrations (migrations/<dialect>)
//	migrate_lock.go       the lock file that serialises SQLite migrations
//	case.go               cases: create, find one, assign, claim, record the outcome, unread flag
//	case_find.go          FindCases: filters, paging and search
//	case_page.go          FindCasePage: the queue by keyset, its count capped
//	case_status.go        ChangeStatus: moves along the status table, with event, notices, audit
//	clock.go              the status history and the stored due day of each case's clock
//	event.go              the timeline: ListEvents, AddEvent
//	evidence.go           a case's evidence: ListEvidence and its insertion
//	evidence_download.go  evidence downloads, claimed under a lease
//	notification.go       the outbox: enqueue, claim under a lease, mark sent, retry, kill
//	lease.go              work queues' leases (claim, finish), shared by the outbox and downloads
//	follower.go           consumers' follow state
//	rating.go             consumers' ratings of closed cases
//	agreement.go          mediation agreements (调解协议书): drafts, versions, issuing
//	agreement_payment.go  the agreement's payment question: asked once per turn, answered
//	case_classify.go      ReclassifyCase: staff change a case's category, subcategory, nature
//	case_route.go         routing at filing (rules, default team, auto-assignment), SetCaseTeam
//	team.go               teams and their members
//	routing_rule.go       routing rules: list, add, move, remove
//	workload.go           each staff member's open and concluded cases
//	calendar.go           the working-day calendar: dated exceptions, seeded per year from calendar/
//	canned.go             canned replies
//	staff.go              staff accounts
//	apitoken.go           staff's API tokens
//	audit.go              the audit log
//	report.go             the monthly case report
//	report_mass.go        the report's collective cases and seven-day returns
//	mass.go               mass-complaint groups: the detector at filing, lists, scope
//	mass_collective.go    collective cases: form, members, fan-out reply and status, warning
//	settings.go           the organisation's settings
//	blob.go               evidence files stored in the database
//	seed.go               a realistic desk for benchmarks (SeedCases)
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // registers the "postgres" driver
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names returned by (*DB).Dialect.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// MemoryPath opens a private in-memory SQLite database; it lives as long as the DB.
const MemoryPath = ":memory:"

// sqliteParams configure every SQLite connection:
//   - busy_timeout makes a writer wait for the lock instead of failing at once;
//   - WAL lets readers run while one writer writes;
//   - foreign_keys is off by default in SQLite;
//   - _txlock=immediate takes the write lock at BEGIN, so two read-then-write
//     transactions cannot deadlock on lock upgrade ("database is locked");
//   - times are written as integer microseconds and read back as UTC (see the
//     SQLite migration for why).
//
// synchronous stays at its default, FULL: a consumer who was told a case number must
// find the case after a power cut too.
const sqliteParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_txlock=immediate" +
	"&_time_integer_format=unix_micro&_inttotime=1&_timezone=UTC"

// sqliteMaxConns bounds the pool on a SQLite file. Writers are serialised by the file
// lock anyway; queueing them in database/sql rather than in SQLite's sleeping busy
// handler keeps waits short and fair.
const sqliteMaxConns = 8

// DB is a connection pool to one database. It implements storage.CaseStore,
// ConversationStore, NotificationStore, EvidenceStore, BlobStore, DeskStore,
// StaffStore, APITokenStore and AuditStore, and is safe for concurrent use.
type DB struct {
	// Now returns the current time. CreateCase takes the case number's year from it,
	// in the location of the returned time, so production wiring should return the
	// association's local time (e.g. time.Now().In(Asia/Shanghai)); stored timestamps
	// are UTC whatever the location. Every time the DB stores or compares (leases,
	// due notifications and downloads) comes from it too, so tests replace it to
	// cross a year boundary or to let a lease expire. It defaults to time.Now; set it
	// before the DB is shared between goroutines.
	Now func() time.Time

	// MaterialWait is how long a consumer has to send the material asked for
	// (待补正) before the complaint may be rejected for it; zero means
	// storage.DefaultMaterialWait. Set it before the DB is shared.
	MaterialWait time.Duration

	// MassRule is the mass-complaint detector's threshold and window
	// (casework.mass_threshold, casework.mass_window); zero fields mean the
	// defaults. Set it before the DB is shared.
	MassRule storage.MassRule

	// Retention is how long finished cases keep their personal data
	// (privacy.retention_*); the zero policy means storage.DefaultRetention. Set it
	// before the DB is shared.
	Retention storage.RetentionPolicy

	// DeletionDueDays is how many working days the desk has to answer a
	// consumer's deletion request for an open case
	// (privacy.deletion_due_working_days); zero means
	// storage.DefaultDeletionDueDays. Set it before the DB is shared.
	DeletionDueDays int

	// reference is the desk's reference data as last read by a filing, tagged
	// with its version (reference.go); nil until the first filing.
	reference atomic.Pointer[deskReference]

	db      *sqlx.DB
	dialect string
	url     string // as given to Open, for String
	path    string // SQLite file path; "" for Postgres and for MemoryPath
}

// The case's stores: their methods live in case*.go, event.go, evidence.go,
// rating.go and canned.go.
var (
	_ storage.CaseStore         = (*DB)(nil)
	_ storage.ConversationStore = (*DB)(nil)
	_ storage.DeskStore         = (*DB)(nil)
)

// Open connects to the database named by rawURL and checks that it answers. A URL
// starting with postgres:// or postgresql:// opens PostgreSQL; anything else is the
// path of a SQLite file, whose directory is created if missing, or MemoryPath. Open does
// not migrate; call Migrate. Returns EUNAVAILABLE if the database cannot be reached.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	var (
		d   *DB
		err error
	)
	if isPostgresURL(rawURL) {
		d, err = openPostgres(rawURL)
	} else {
		d, err = openSQLite(rawURL)
	}
	if err != nil {
		return nil, err
	}
	if err := d.Ping(ctx); err != nil {
		d.db.Close()
		return nil, err
	}
	return d, nil
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func openPostgres(rawURL string) (*DB, error) {
	db, err := sqlx.Open("postgres", withOneRoundTripQueries(rawURL))
	if err != nil {
		// The URL did not parse; say so without echoing it, as it may hold a password.
		return nil, fmt.Errorf("sqlstore: open postgres: %w: %w",
			storage.Errorf(storage.EINVALID, "invalid database URL"), err)
	}
	// database/sql keeps only 2 idle connections by default: a burst of outbox
	// marks would then open and close a connection (a PostgreSQL backend process)
	// per statement. Keep a pool sized for the workers and webhook turns.
	db.SetMaxOpenConns(postgresMaxConns)
	db.SetMaxIdleConns(postgresMaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{db: db, dialect: DialectPostgres, url: rawURL}, nil
}

// withOneRoundTripQueries sets lib/pq's binary_parameters unless the URL sets it.
// Without it a query with arguments outside a transaction takes two round trips,
// each ending in a Sync: prepare the unnamed statement, then bind and run it.
// Behind PgBouncer in transaction mode the server session may change between the
// two, and the second fails with "unnamed prepared statement does not exist".
// With it, parse, bind and execute go in one message, which also saves a round
// trip on a direct connection. Its other effect, []byte arguments sent in binary,
// is what the only []byte column (blobs.data, bytea) wants anyway. A URL that
// does not parse is left for sqlx.Open to refuse.
func withOneRoundTripQueries(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	if q.Has("binary_parameters") {
		return rawURL
	}
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String()
}

// postgresMaxConns bounds one instance's connections; several instances share the
// server's max_connections (100 by default).
const postgresMaxConns = 20

func openSQLite(path string) (*DB, error) {
	if strings.ContainsAny(path, "?#") || path == "" {
		return nil, storage.Errorf(storage.EINVALID, "invalid SQLite path %q", path)
	}
	d := &DB{dialect: DialectSQLite, url: path}
	if path != MemoryPath {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("sqlstore: create database directory: %w", err)
		}
		d.path = path
	}
	db, err := sqlx.Open("sqlite", path+"?"+sqliteParams)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	if path == MemoryPath {
		// Every connection to :memory: is a separate empty database: keep exactly one,
		// forever.
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		db.SetMaxOpenConns(sqliteMaxConns)
	}
	d.db = db
	return d, nil
}

// Close closes the connection pool. Call it after the last use of the DB.
func (d *DB) Close() error {
	return d.db.Close()
}

// Dialect returns DialectPostgres or DialectSQLite.
func (d *DB) Dialect() string {
	return d.dialect
}

// Ping checks that the database answers. Returns EUNAVAILABLE if it cannot be reached.
func (d *DB) Ping(ctx context.Context) error {
	return wrapErr("ping", d.db.PingContext(ctx))
}

// String names the database for logs without the password a Postgres URL may hold.
func (d *DB) String() string {
	if d.dialect == DialectSQLite {
		return "sqlite:" + d.url
	}
	u, err := url.Parse(d.url)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// now returns the clock's time; the year for case numbers comes from its location.
func (d *DB) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// dbTime is how a time is stored: UTC, truncated to the microseconds both databases
// keep, so the value CreateCase returns equals the one read back later.
func dbTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// Transaction options per dialect. Writes on Postgres run at READ COMMITTED whatever
// the server default: CreateCase relies on a statement seeing rows that a concurrent
// transaction committed while it waited for a lock. Reads on Postgres use one
// REPEATABLE READ snapshot so a page and its total count agree. SQLite transactions
// are serialisable anyway; ReadOnly there makes the driver issue a plain BEGIN
// instead of BEGIN IMMEDIATE, so readers do not queue behind writers.
var (
	postgresWriteTx = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	postgresReadTx  = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	sqliteWriteTx   = &sql.TxOptions{}
	sqliteReadTx    = &sql.TxOptions{ReadOnly: true}
)

// beginWrite starts a transaction that may write.
func (d *DB) beginWrite(ctx context.Context) (*sqlx.Tx, error) {
	if d.dialect == DialectPostgres {
		return d.db.BeginTxx(ctx, postgresWriteTx)
	}
	return d.db.BeginTxx(ctx, sqliteWriteTx)
}

// beginRead starts a read-only transaction.
func (d *DB) beginRead(ctx context.Context) (*sqlx.Tx, error) {
	if d.dialect == DialectPostgres {
		return d.db.BeginTxx(ctx, postgresReadTx)
	}
	return d.db.BeginTxx(ctx, sqliteReadTx)
}

// forUpdatePostgres and forUpdateSQLite lock a row read in a write transaction until
// it ends, so a read-check-write sequence cannot interleave with another; SQLite's
// immediate transaction serialises writers anyway.
const (
	forUpdatePostgres = " FOR UPDATE"
	forUpdateSQLite   = ""
)

// isPostgres reports whether tx runs on PostgreSQL; Open registers each dialect under
// a driver of the same name.
func isPostgres(tx *sqlx.Tx) bool {
	return tx.DriverName() == DialectPostgres
}

// forUpdate returns the dialect's suffix that locks the selected rows.
func forUpdate(tx *sqlx.Tx) string {
	if isPostgres(tx) {
		return forUpdatePostgres
	}
	return forUpdateSQLite
}

// errRollback, returned by a write transaction's fn, rolls the transaction back
// without failing the call: fn found nothing to change, and what it wrote on the way
// (a case number taken) must not be kept.
var errRollback = errors.New("sqlstore: nothing to commit")

// inWriteTx runs fn in a write transaction and commits if fn succeeds; errors are
// wrapped for op. It is the frame of every public method that writes, the one way
// this package writes. If fn returns errRollback, the transaction is rolled back and
// inWriteTx returns nil.
func (d *DB) inWriteTx(ctx context.Context, op string, fn func(tx *sqlx.Tx) error) error {
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return wrapErr(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); errors.Is(err, errRollback) {
		return nil
	} else if err != nil {
		return wrapErr(op, err)
	}
	return wrapErr(op, tx.Commit())
}

// inReadTx runs fn in a read-only transaction; errors are wrapped for op. It is the
// frame of every public method that only reads.
func (d *DB) inReadTx(ctx context.Context, op string, fn func(tx *sqlx.Tx) error) error {
	tx, err := d.beginRead(ctx)
	if err != nil {
		return wrapErr(op, err)
	}
	defer tx.Rollback()
	return wrapErr(op, fn(tx))
}

// reader runs a read's statements: a read transaction (inReadTx), when several
// statements must see one snapshot, or the pool itself (inRead).
type reader interface {
	sqlx.QueryerContext
	Rebind(query string) string
	DriverName() string
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

// inRead runs fn on the pool, outside any transaction; errors are wrapped for
// op. It is the frame of a read that one statement answers (or whose statements
// need not agree with one another): PostgreSQL runs each statement in a
// snapshot of its own anyway, and the REPEATABLE READ transaction inReadTx
// opens costs two round trips more (BEGIN, ROLLBACK) and the server the work of
// both, which on the console's queue was more than the page query itself.
func (d *DB) inRead(ctx context.Context, op string, fn func(r reader) error) error {
	return wrapErr(op, fn(d.db))
}

// nullTime reads a nullable timestamp: NULL is the zero time, others are in UTC
// (lib/pq returns the session's zone).
func nullTime(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// selectOne runs a query for exactly one row of T: ENOTFOUND naming noun when there
// is none.
func selectOne[T any](ctx context.Context, tx reader, query, noun string, args ...any) (*T, error) {
	var v T
	if err := tx.GetContext(ctx, &v, tx.Rebind(query), args...); errors.Is(err, sql.ErrNoRows) {
		return nil, storage.Errorf(storage.ENOTFOUND, "%s not found", noun)
	} else if err != nil {
		return nil, fmt.Errorf("select %s: %w", noun, err)
	}
	return &v, nil
}

// placeholders returns n comma-separated "?".
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// oneRow checks a write meant to change exactly one existing row: ENOTFOUND with the
// formatted message if it matched none.
func oneRow(res sql.Result, err error, format string, args ...any) error {
	return changedRow(res, err, storage.ENOTFOUND, format, args...)
}

// changedRow returns err, or an error with code and the formatted message when the
// write changed no row.
func changedRow(res sql.Result, err error, code, format string, args ...any) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return storage.Errorf(code, format, args...)
	}
	return nil
}

// onceOrConflict checks a write meant to happen once: ECONFLICT with the formatted
// message if it changed no row.
func onceOrConflict(res sql.Result, err error, format string, args ...any) error {
	return changedRow(res, err, storage.ECONFLICT, format, args...)
}
