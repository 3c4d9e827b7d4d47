package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/complaintbot/complaintbot/storage"
)

var _ storage.MerchantTokenStore = (*DB)(nil)

// merchantTokenColumns lists merchant_api_tokens in storage.MerchantAPIToken order.
const merchantTokenColumns = `id, account_id, name, hash, created_at, last_used_at, revoked_at`

// merchantTokenRow scans a token with its nullable times.
type merchantTokenRow struct {
	storage.MerchantAPIToken
	LastUsedAt sql.NullTime `db:"last_used_at"`
	RevokedAt  sql.NullTime `db:"revoked_at"`
}

func (r *merchantTokenRow) token() *storage.MerchantAPIToken {
	t := r.MerchantAPIToken
	t.LastUsedAt, t.RevokedAt, t.CreatedAt = nullTime(r.LastUsedAt), nullTime(r.RevokedAt), t.CreatedAt.UTC()
	return &t
}

// CreateMerchantAPIToken implements storage.MerchantTokenStore.
func (d *DB) CreateMerchantAPIToken(
	ctx context.Context, accountID int64, name, hash, ip string,
) (*storage.MerchantAPIToken, error) {
	name, hash = strings.TrimSpace(name), strings.ToLower(hash)
	if n := utf8.RuneCountInString(name); n == 0 || n > maxTokenName {
		return nil, storage.Errorf(storage.EINVALID, "请填写令牌名称（%d 个字以内）。", maxTokenName)
	}
	if !validTokenHash.MatchString(hash) {
		return nil, storage.Errorf(storage.EINVALID, "a token hash is a hex SHA-256")
	}
	var row merchantTokenRow
	err := d.inWriteTx(ctx, "create merchant API token", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		if _, err := selectOne[storage.MerchantAccount](ctx, tx,
			"SELECT "+merchantAccountColumns+" FROM merchant_accounts WHERE id = ?", "merchant account", accountID); err != nil {
			return err
		}
		q := tx.Rebind(`INSERT INTO merchant_api_tokens (account_id, name, hash, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING RETURNING ` + merchantTokenColumns)
		err := tx.GetContext(ctx, &row, q, accountID, name, hash, now)
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ECONFLICT, "the token is stored already")
		} else if err != nil {
			return fmt.Errorf("insert merchant API token: %w", err)
		}
		return insertAudit(ctx, tx, &storage.AuditEntry{Action: storage.AuditPortalTokenCreate, IP: ip, CreatedAt: now,
			Detail: fmt.Sprintf("%s 创建接口令牌 %d", storage.MerchantActor(accountID), row.ID)})
	})
	if err != nil {
		return nil, err
	}
	return row.token(), nil
}

// FindMerchantAPITokenByHash implements storage.MerchantTokenStore; the use
// is recorded at most once a minute per token, as for the console's tokens.
func (d *DB) FindMerchantAPITokenByHash(ctx context.Context, hash string) (*storage.MerchantAPIToken, error) {
	var row merchantTokenRow
	if err := d.findLiveToken(ctx, "merchant_api_tokens", merchantTokenColumns, hash, &row); err != nil {
		return nil, err
	}
	t := row.token()
	used, err := d.recordTokenUse(ctx, "merchant_api_tokens", t.ID, t.LastUsedAt)
	if err != nil {
		return nil, err
	}
	t.LastUsedAt = used
	return t, nil
}

// MerchantAPITokens implements storage.MerchantTokenStore.
func (d *DB) MerchantAPITokens(ctx context.Context, accountID int64) ([]*storage.MerchantAPIToken, error) {
	var rows []merchantTokenRow
	err := d.inReadTx(ctx, "list merchant API tokens", func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT " + merchantTokenColumns + " FROM merchant_api_tokens WHERE account_id = ?" +
			" ORDER BY created_at DESC, id DESC")
		return tx.SelectContext(ctx, &rows, q, accountID)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*storage.MerchantAPIToken, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].token())
	}
	return out, nil
}

// RevokeMerchantAPIToken implements storage.MerchantTokenStore; revoking it
// again changes nothing.
func (d *DB) RevokeMerchantAPIToken(ctx context.Context, accountID, tokenID int64, ip string) error {
	return d.inWriteTx(ctx, "revoke merchant API token", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		q := tx.Rebind(`UPDATE merchant_api_tokens SET revoked_at = COALESCE(revoked_at, ?)
			WHERE id = ? AND account_id = ?`)
		res, err := tx.ExecContext(ctx, q, now, tokenID, accountID)
		if err := oneRow(res, err, "merchant account %d has no API token %d", accountID, tokenID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, &storage.AuditEntry{Action: storage.AuditPortalTokenRevoke, IP: ip, CreatedAt: now,
			Detail: fmt.Sprintf("%s 吊销接口令牌 %d", storage.MerchantActor(accountID), tokenID)})
	})
}

// RevokeMerchantAccountTokens implements storage.MerchantTokenStore.
func (d *DB) RevokeMerchantAccountTokens(ctx context.Context, accountID int64) (int, error) {
	var n int64
	err := d.inWriteTx(ctx, "revoke merchant account API tokens", func(tx *sqlx.Tx) error {
		var err error
		n, err = revokeAccountTokens(ctx, tx, accountID, dbTime(d.now()))
		return err
	})
	return int(n), err
}

// revokeAccountTokens revokes every live token of the account in tx: a new
// password (changed or reset) or a disabled account leaves no token working.
func revokeAccountTokens(ctx context.Context, tx *sqlx.Tx, accountID int64, now time.Time) (int64, error) {
	q := tx.Rebind("UPDATE merchant_api_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL")
	res, err := tx.ExecContext(ctx, q, now, accountID)
	if err != nil {
		return 0, fmt.Errorf("revoke merchant account tokens: %w", err)
	}
	return res.RowsAffected()
}
