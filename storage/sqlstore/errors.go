package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// wrapErr gives a database error a storage code the edges can act on, keeping the
// driver's error in the chain for the operator's log. Errors that already carry a
// *storage.Error pass through unchanged. op names the operation ("create case").
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *storage.Error
	if errors.As(err, &se) {
		return err
	}
	code, msg := classify(err)
	if code == storage.EINTERNAL {
		// storage.ErrorCode already reports EINTERNAL for errors without a code.
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	return fmt.Errorf("sqlstore: %s: %w: %w", op, storage.Errorf(code, "%s", msg), err)
}

// classify returns the storage code for a driver error and a message safe to show.
func classify(err error) (code, msg string) {
	if unreachable(err) {
		return storage.EUNAVAILABLE, "the database cannot be reached"
	}
	if code := pqCode(err); code != "" {
		return code, constraintMessage(code)
	}
	if code := sqliteCode(err); code != "" {
		return code, constraintMessage(code)
	}
	return storage.EINTERNAL, ""
}

// unreachable reports whether err means the database could not be reached or dropped
// the connection, as opposed to refusing a statement: a retry later may succeed.
func unreachable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}

// pqCode maps a PostgreSQL SQLSTATE to a storage code, or "" if it has none.
func pqCode(err error) string {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return ""
	}
	state := pqErr.SQLState()
	switch {
	// Class 08 is a connection exception, class 53 insufficient resources (too many
	// connections); 57P01-03 mean the server is shutting down or starting up.
	case strings.HasPrefix(state, "08"), strings.HasPrefix(state, "53"),
		state == "57P01", state == "57P02", state == "57P03":
		return storage.EUNAVAILABLE
	case state == "23505": // unique_violation
		return storage.ECONFLICT
	// Not-null, foreign-key and check violations; value too long; number out of range.
	case state == "23502", state == "23503", state == "23514", state == "22001", state == "22003":
		return storage.EINVALID
	}
	return ""
}

// sqliteCode maps a SQLite result code to a storage code, or "" if it has none.
func sqliteCode(err error) string {
	var sqErr *sqlite.Error
	if !errors.As(err, &sqErr) {
		return ""
	}
	switch sqErr.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return storage.ECONFLICT
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL,
		sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return storage.EINVALID
	}
	// The primary code is the low byte of an extended code.
	switch sqErr.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN:
		return storage.EUNAVAILABLE
	}
	return ""
}

func constraintMessage(code string) string {
	switch code {
	case storage.ECONFLICT:
		return "the record conflicts with an existing one"
	case storage.EINVALID:
		return "the record breaks a database rule"
	case storage.EUNAVAILABLE:
		return "the database is busy or cannot be reached"
	}
	return "internal error"
}
