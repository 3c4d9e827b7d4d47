package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/complaintbot/complaintbot/storage"
)

var _ storage.PortalStore = (*DB)(nil)

// merchantAccountColumns lists merchant_accounts in storage.MerchantAccount order.
const merchantAccountColumns = `id, merchant_id, username, name, password_hash, disabled, must_change, created_at`

// invitationColumns lists merchant_invitations in storage.MerchantInvitation order.
const invitationColumns = `id, merchant_id, expires_at, created_by, created_at`

// CreateMerchantInvitation implements storage.PortalStore.
func (d *DB) CreateMerchantInvitation(
	ctx context.Context, merchantID int64, tokenHash string, by storage.By,
) (*storage.MerchantInvitation, error) {
	staffID, ok := storage.StaffIDFromActor(by.Actor)
	if !ok {
		return nil, storage.Errorf(storage.EINVALID, "an invitation is made by a staff member")
	}
	tokenHash = strings.ToLower(tokenHash)
	if !validTokenHash.MatchString(tokenHash) {
		return nil, storage.Errorf(storage.EINVALID, "an invitation token hash is a hex SHA-256")
	}
	now := dbTime(d.now())
	var inv *storage.MerchantInvitation
	err := d.inWriteTx(ctx, "create merchant invitation", func(tx *sqlx.Tx) error {
		m, err := findMerchant(ctx, tx, merchantID)
		if err != nil {
			return err
		}
		if m.MergedInto != 0 {
			return storage.Errorf(storage.ENOTFOUND, "merchant %d was merged", merchantID)
		}
		if !m.OnPlatform {
			return storage.Errorf(storage.EINVALID, "该商家尚未入驻，不能邀请账号。")
		}
		q := tx.Rebind(`INSERT INTO merchant_invitations (merchant_id, token_hash, expires_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING ` + invitationColumns)
		inv = &storage.MerchantInvitation{}
		if err := tx.GetContext(ctx, inv, q, merchantID, tokenHash, now.Add(storage.InvitationTTL), staffID, now); err != nil {
			return fmt.Errorf("insert merchant invitation: %w", err)
		}
		return insertAudit(ctx, tx, &storage.AuditEntry{StaffID: staffID, Action: storage.AuditMerchantInvite,
			Detail: fmt.Sprintf("邀请商家 %d 开通和解平台账号（邀请 %d）", merchantID, inv.ID), IP: by.IP, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	inv.ExpiresAt, inv.CreatedAt = inv.ExpiresAt.UTC(), inv.CreatedAt.UTC()
	return inv, nil
}

// findUsableInvitation reads the unused, unexpired invitation with the hash.
func findUsableInvitation(ctx context.Context, tx *sqlx.Tx, tokenHash string, now any, lock string) (*storage.MerchantInvitation, error) {
	inv, err := selectOne[storage.MerchantInvitation](ctx, tx, "SELECT "+invitationColumns+
		" FROM merchant_invitations WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?"+lock,
		"invitation", strings.ToLower(tokenHash), now)
	if err != nil {
		return nil, err
	}
	inv.ExpiresAt, inv.CreatedAt = inv.ExpiresAt.UTC(), inv.CreatedAt.UTC()
	return inv, nil
}

// FindMerchantInvitation implements storage.PortalStore.
func (d *DB) FindMerchantInvitation(ctx context.Context, tokenHash string) (*storage.MerchantInvitation, error) {
	var inv *storage.MerchantInvitation
	err := d.inReadTx(ctx, "find merchant invitation", func(tx *sqlx.Tx) error {
		var err error
		inv, err = findUsableInvitation(ctx, tx, tokenHash, dbTime(d.now()), "")
		return err
	})
	return inv, err
}

// AcceptMerchantInvitation implements storage.PortalStore.
func (d *DB) AcceptMerchantInvitation(
	ctx context.Context, in storage.InvitationAcceptance,
) (*storage.MerchantAccount, error) {
	now := dbTime(d.now())
	var acc *storage.MerchantAccount
	err := d.inWriteTx(ctx, "accept merchant invitation", func(tx *sqlx.Tx) error {
		inv, err := findUsableInvitation(ctx, tx, in.TokenHash, now, forUpdate(tx))
		if err != nil {
			return err
		}
		q := tx.Rebind(`INSERT INTO merchant_accounts (merchant_id, username, name, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING RETURNING ` + merchantAccountColumns)
		acc = &storage.MerchantAccount{}
		err = tx.GetContext(ctx, acc, q, inv.MerchantID, in.Username, strings.TrimSpace(in.Name), in.PasswordHash, now)
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ECONFLICT, "用户名“%s”已被使用。", in.Username)
		} else if err != nil {
			return fmt.Errorf("insert merchant account: %w", err)
		}
		q = tx.Rebind("UPDATE merchant_invitations SET used_at = ?, account_id = ? WHERE id = ? AND used_at IS NULL")
		res, err := tx.ExecContext(ctx, q, now, acc.ID, inv.ID)
		if err := oneRow(res, err, "invitation %d was used", inv.ID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, &storage.AuditEntry{Action: storage.AuditPortalAccount, IP: in.IP, CreatedAt: now,
			Detail: fmt.Sprintf("%s 接受邀请 %d，开通商家 %d 的和解平台账号", storage.MerchantActor(acc.ID), inv.ID, inv.MerchantID)})
	})
	if err != nil {
		return nil, err
	}
	acc.CreatedAt = acc.CreatedAt.UTC()
	return acc, nil
}

// FindMerchantAccount implements storage.PortalStore.
func (d *DB) FindMerchantAccount(ctx context.Context, id int64) (*storage.MerchantAccount, error) {
	return d.findMerchantAccount(ctx, "id = ?", id)
}

// FindMerchantAccountByUsername implements storage.PortalStore.
func (d *DB) FindMerchantAccountByUsername(ctx context.Context, username string) (*storage.MerchantAccount, error) {
	return d.findMerchantAccount(ctx, "username = ?", username)
}

// findMerchantAccount reads the one account matching where.
func (d *DB) findMerchantAccount(ctx context.Context, where string, arg any) (*storage.MerchantAccount, error) {
	var acc *storage.MerchantAccount
	err := d.inReadTx(ctx, "find merchant account", func(tx *sqlx.Tx) error {
		var err error
		acc, err = selectOne[storage.MerchantAccount](ctx, tx,
			"SELECT "+merchantAccountColumns+" FROM merchant_accounts WHERE "+where, "merchant account", arg)
		return err
	})
	if err != nil {
		return nil, err
	}
	acc.CreatedAt = acc.CreatedAt.UTC()
	return acc, nil
}

// portalCaseWhere selects the cases of merchant ? that were ever referred to
// the settlement platform: linked to the merchant now AND with a referral
// record to the platform. A case relinked to another merchant leaves the list.
const portalCaseWhere = `merchant_id = ? AND EXISTS (SELECT 1 FROM referrals r
	WHERE r.case_id = cases.id AND r.channel = '` + storage.ChannelMerchantPlatform + `')`

// portalReferral is the latest platform referral of a case.
type portalReferral struct {
	ReferredAt sql.NullTime `db:"referred_at"`
	Closed     bool         `db:"closed"`
}

// PortalCases implements storage.PortalStore.
func (d *DB) PortalCases(ctx context.Context, merchantID int64) ([]*storage.PortalCase, error) {
	var out []*storage.PortalCase
	err := d.inReadTx(ctx, "portal cases", func(tx *sqlx.Tx) error {
		var cases []*storage.Case
		q := tx.Rebind("SELECT " + caseColumns + " FROM cases WHERE " + portalCaseWhere + " ORDER BY id DESC LIMIT 500")
		if err := tx.SelectContext(ctx, &cases, q, merchantID); err != nil {
			return fmt.Errorf("select portal cases: %w", err)
		}
		for _, c := range cases {
			utcCase(c)
			pc, err := portalCase(ctx, tx, c)
			if err != nil {
				return err
			}
			out = append(out, pc)
		}
		return nil
	})
	return out, err
}

// PortalCase implements storage.PortalStore.
func (d *DB) PortalCase(ctx context.Context, merchantID int64, number string) (*storage.PortalCase, error) {
	var out *storage.PortalCase
	err := d.inReadTx(ctx, "portal case", func(tx *sqlx.Tx) error {
		c, err := findCase(ctx, tx, "number = ? AND "+portalCaseWhere, number, merchantID)
		if err != nil {
			return err
		}
		out, err = portalCase(ctx, tx, c)
		return err
	})
	return out, err
}

// portalCase adds the state of the case's latest platform referral.
func portalCase(ctx context.Context, tx *sqlx.Tx, c *storage.Case) (*storage.PortalCase, error) {
	var ref portalReferral
	q := tx.Rebind(`SELECT referred_at, closed FROM referrals WHERE case_id = ? AND channel = ?
		ORDER BY id DESC LIMIT 1`)
	if err := tx.GetContext(ctx, &ref, q, c.ID, storage.ChannelMerchantPlatform); err != nil {
		return nil, fmt.Errorf("latest platform referral: %w", err)
	}
	return &storage.PortalCase{Case: c, ReferralOpen: !ref.Closed, ReferredAt: nullTime(ref.ReferredAt)}, nil
}

var _ storage.PortalAccountAdmin = (*DB)(nil)

// MerchantAccounts implements storage.PortalAccountAdmin.
func (d *DB) MerchantAccounts(ctx context.Context, merchantID int64) ([]*storage.MerchantAccount, error) {
	var out []*storage.MerchantAccount
	err := d.inReadTx(ctx, "merchant accounts", func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT " + merchantAccountColumns + " FROM merchant_accounts WHERE merchant_id = ? ORDER BY id")
		return tx.SelectContext(ctx, &out, q, merchantID)
	})
	if err != nil {
		return nil, err
	}
	for _, a := range out {
		a.CreatedAt = a.CreatedAt.UTC()
	}
	return out, nil
}

// SetMerchantAccountDisabled implements storage.PortalAccountAdmin.
func (d *DB) SetMerchantAccountDisabled(
	ctx context.Context, merchantID, accountID int64, disabled bool, by storage.By,
) error {
	staffID, ok := storage.StaffIDFromActor(by.Actor)
	if !ok {
		return storage.Errorf(storage.EINVALID, "an account is disabled by a staff member")
	}
	return d.inWriteTx(ctx, "disable merchant account", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		q := tx.Rebind("UPDATE merchant_accounts SET disabled = ? WHERE id = ? AND merchant_id = ?")
		res, err := tx.ExecContext(ctx, q, disabled, accountID, merchantID)
		if err := oneRow(res, err, "merchant %d has no account %d", merchantID, accountID); err != nil {
			return err
		}
		if disabled {
			if _, err := revokeAccountTokens(ctx, tx, accountID, now); err != nil {
				return err
			}
		}
		what := "启用"
		if disabled {
			what = "停用"
		}
		return insertAudit(ctx, tx, &storage.AuditEntry{StaffID: staffID, Action: storage.AuditPortalAccountDisable,
			Detail: fmt.Sprintf("%s和解平台账号 %s（商家 %d）", what, storage.MerchantActor(accountID), merchantID),
			IP:     by.IP, CreatedAt: now})
	})
}

// ChangeMerchantPassword implements storage.PortalStore.
func (d *DB) ChangeMerchantPassword(ctx context.Context, accountID int64, hash, ip string) error {
	return d.inWriteTx(ctx, "change merchant password", func(tx *sqlx.Tx) error {
		q := tx.Rebind("UPDATE merchant_accounts SET password_hash = ?, must_change = ? WHERE id = ?")
		res, err := tx.ExecContext(ctx, q, hash, false, accountID)
		if err := oneRow(res, err, "no merchant account %d", accountID); err != nil {
			return err
		}
		if _, err := revokeAccountTokens(ctx, tx, accountID, dbTime(d.now())); err != nil {
			return err
		}
		return insertAudit(ctx, tx, &storage.AuditEntry{Action: storage.AuditPortalPassword,
			Detail: storage.MerchantActor(accountID) + " 修改和解平台密码", IP: ip, CreatedAt: dbTime(d.now())})
	})
}

// ResetMerchantAccountPassword implements storage.PortalAccountAdmin.
func (d *DB) ResetMerchantAccountPassword(
	ctx context.Context, merchantID, accountID int64, hash string, by storage.By,
) error {
	staffID, ok := storage.StaffIDFromActor(by.Actor)
	if !ok {
		return storage.Errorf(storage.EINVALID, "a password is reset by a staff member")
	}
	return d.inWriteTx(ctx, "reset merchant password", func(tx *sqlx.Tx) error {
		q := tx.Rebind("UPDATE merchant_accounts SET password_hash = ?, must_change = ? WHERE id = ? AND merchant_id = ?")
		res, err := tx.ExecContext(ctx, q, hash, true, accountID, merchantID)
		if err := oneRow(res, err, "merchant %d has no account %d", merchantID, accountID); err != nil {
			return err
		}
		if _, err := revokeAccountTokens(ctx, tx, accountID, dbTime(d.now())); err != nil {
			return err
		}
		return insertAudit(ctx, tx, &storage.AuditEntry{StaffID: staffID, Action: storage.AuditPortalPassword,
			Detail: fmt.Sprintf("重置和解平台账号 %s（商家 %d）的密码", storage.MerchantActor(accountID), merchantID),
			IP:     by.IP, CreatedAt: dbTime(d.now())})
	})
}
