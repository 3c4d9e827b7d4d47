package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.APITokenStore = (*DB)(nil)

// tokenUseResolution is how stale last_used_at may get before a use rewrites it:
// recording every request would turn each API read into a write.
const tokenUseResolution = time.Minute

// maxTokenName bounds a token's name, in characters.
const maxTokenName = 50

// validTokenHash matches a hex SHA-256.
var validTokenHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// apiTokenColumns lists the api_tokens columns in storage.APIToken order.
const apiTokenColumns = `id, staff_id, name, hash, created_at, last_used_at, revoked_at`

// apiTokenRow scans an api_tokens row; its fields override the embedded APIToken's
// for the nullable columns (sqlx prefers the shallower field).
type apiTokenRow struct {
	storage.APIToken
	LastUsedAt sql.NullTime `db:"last_used_at"`
	RevokedAt  sql.NullTime `db:"revoked_at"`
}

// token converts the row, NULLs to zero times and times to UTC.
func (r *apiTokenRow) token() *storage.APIToken {
	t := r.APIToken
	t.LastUsedAt, t.RevokedAt = nullTime(r.LastUsedAt), nullTime(r.RevokedAt)
	t.CreatedAt = t.CreatedAt.UTC()
	return &t
}

// CreateAPIToken stores the hash (hex SHA-256, any case) of a new token of a staff
// member under a name of 1 to 50 characters. ENOTFOUND for an unknown staff member;
// EINVALID for a bad name or hash; ECONFLICT if the hash is stored already.
func (d *DB) CreateAPIToken(ctx context.Context, staffID int64, name, hash string) (*storage.APIToken, error) {
	name, hash = strings.TrimSpace(name), strings.ToLower(hash)
	if n := utf8.RuneCountInString(name); n == 0 || n > maxTokenName {
		return nil, storage.Errorf(storage.EINVALID, "a token name is 1 to %d characters", maxTokenName)
	}
	if !validTokenHash.MatchString(hash) {
		return nil, storage.Errorf(storage.EINVALID, "a token hash is a hex SHA-256")
	}
	var row apiTokenRow
	err := d.inWriteTx(ctx, "create API token", func(tx *sqlx.Tx) error {
		if _, err := findStaff(ctx, tx, "id = ?", staffID); err != nil {
			return err
		}
		q := tx.Rebind(`INSERT INTO api_tokens (staff_id, name, hash, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING RETURNING ` + apiTokenColumns)
		err := tx.GetContext(ctx, &row, q, staffID, name, hash, dbTime(d.now()))
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ECONFLICT, "the token is stored already")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return row.token(), nil
}

// FindAPITokenByHash returns the live token with the hash and records its use,
// at most once a minute per token; ENOTFOUND if there is none or it was revoked.
// Whether its staff member is disabled is for the caller to check.
func (d *DB) FindAPITokenByHash(ctx context.Context, hash string) (*storage.APIToken, error) {
	var row apiTokenRow
	if err := d.findLiveToken(ctx, "api_tokens", apiTokenColumns, hash, &row); err != nil {
		return nil, err
	}
	t := row.token()
	used, err := d.recordTokenUse(ctx, "api_tokens", t.ID, t.LastUsedAt)
	if err != nil {
		return nil, err
	}
	t.LastUsedAt = used
	return t, nil
}

// FindStaffByAPIToken returns the staff member holding the live token with the
// hash, the token and the unit tree's version, read together in one statement
// (an API request asks this first, every time), and records the token's use as
// FindAPITokenByHash does. ENOTFOUND if there is no such token or it was
// revoked. Whether the staff member is disabled is for the caller to check.
func (d *DB) FindStaffByAPIToken(ctx context.Context, hash string) (*storage.APICaller, error) {
	var row struct {
		Token        apiTokenRow   `db:"token"`
		Staff        storage.Staff `db:"staff"`
		UnitsVersion int64         `db:"units_version"`
	}
	err := d.inRead(ctx, "find staff by API token", func(r reader) error {
		q := r.Rebind("SELECT " + aliased("t", "token", apiTokenColumns) + ", " + aliased("s", "staff", staffColumns) +
			", (" + referenceVersionSQL + ") AS units_version" +
			" FROM api_tokens t JOIN staff s ON s.id = t.staff_id WHERE t.hash = ? AND t.revoked_at IS NULL")
		err := r.GetContext(ctx, &row, q, strings.ToLower(hash))
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ENOTFOUND, "no live API token with this hash")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	t := row.Token.token()
	used, err := d.recordTokenUse(ctx, "api_tokens", t.ID, t.LastUsedAt)
	if err != nil {
		return nil, err
	}
	t.LastUsedAt = used
	utcStaff(&row.Staff)
	return &storage.APICaller{Staff: &row.Staff, Token: t, UnitsVersion: row.UnitsVersion}, nil
}

// aliased turns a column list into the columns of the table aliased as table,
// each named prefix.column: how sqlx fills a struct field tagged prefix, so
// that two tables' columns of the same name (id, name) read into one row.
func aliased(table, prefix, columns string) string {
	var out []string
	for _, c := range strings.Split(columns, ",") {
		c = strings.TrimSpace(c)
		out = append(out, table+"."+c+` AS "`+prefix+"."+c+`"`)
	}
	return strings.Join(out, ", ")
}

// findLiveToken reads into dest the unrevoked token of table (api_tokens or
// merchant_api_tokens, which share these columns) whose hash is hash; ENOTFOUND
// when there is none.
func (d *DB) findLiveToken(ctx context.Context, table, columns, hash string, dest any) error {
	return d.inReadTx(ctx, "find "+table, func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT " + columns + " FROM " + table + " WHERE hash = ? AND revoked_at IS NULL")
		err := tx.GetContext(ctx, dest, q, strings.ToLower(hash))
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ENOTFOUND, "no live token in %s with this hash", table)
		}
		return err
	})
}

// recordTokenUse stamps the use of token id of table at most once per
// tokenUseResolution, so that a busy client does not write on every request,
// and returns the last use to report.
func (d *DB) recordTokenUse(ctx context.Context, table string, id int64, lastUsed time.Time) (time.Time, error) {
	now := dbTime(d.now())
	if now.Sub(lastUsed) < tokenUseResolution {
		return lastUsed, nil
	}
	err := d.inWriteTx(ctx, "record "+table+" use", func(tx *sqlx.Tx) error {
		// The condition keeps two instances from both writing within the minute.
		q := tx.Rebind("UPDATE " + table + ` SET last_used_at = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`)
		_, err := tx.ExecContext(ctx, q, now, id, now.Add(-tokenUseResolution))
		return err
	})
	if err != nil {
		return time.Time{}, err
	}
	return now, nil
}

// ListAPITokens returns a staff member's tokens, newest first, revoked ones too.
func (d *DB) ListAPITokens(ctx context.Context, staffID int64) ([]*storage.APIToken, error) {
	var rows []apiTokenRow
	err := d.inReadTx(ctx, "list API tokens", func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT " + apiTokenColumns + " FROM api_tokens WHERE staff_id = ?" +
			" ORDER BY created_at DESC, id DESC")
		return tx.SelectContext(ctx, &rows, q, staffID)
	})
	if err != nil {
		return nil, err
	}
	tokens := make([]*storage.APIToken, 0, len(rows))
	for i := range rows {
		tokens = append(tokens, rows[i].token())
	}
	return tokens, nil
}

// RevokeAPIToken revokes one of staffID's tokens; revoking it again changes
// nothing. ENOTFOUND if the token is not theirs.
func (d *DB) RevokeAPIToken(ctx context.Context, staffID, tokenID int64) error {
	return d.inWriteTx(ctx, "revoke API token", func(tx *sqlx.Tx) error {
		q := tx.Rebind(`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?)
			WHERE id = ? AND staff_id = ?`)
		res, err := tx.ExecContext(ctx, q, dbTime(d.now()), tokenID, staffID)
		return oneRow(res, err, "staff member %d has no API token %d", staffID, tokenID)
	})
}

// RevokeStaffTokens revokes every live token of staffID at once and returns how
// many it revoked; tokens revoked before keep their time. An unknown staff member
// has none: 0, nil.
func (d *DB) RevokeStaffTokens(ctx context.Context, staffID int64) (int, error) {
	var n int64
	err := d.inWriteTx(ctx, "revoke staff API tokens", func(tx *sqlx.Tx) error {
		q := tx.Rebind("UPDATE api_tokens SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL")
		res, err := tx.ExecContext(ctx, q, dbTime(d.now()), staffID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
