package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/complaintbot/complaintbot/storage"
)

// A merchant link made or corrected by staff after filing changes the case's
// mass key, so the case moves: out of the candidate groups of its old key, and
// through the detector for the new one, as if it had been filed under it. A
// member of a formed collective case stays (a supervisor formed it on purpose);
// its timeline says so, and the group's page flags it (MassGroupCase.Relinked).

// relinkedMemberNote is the timeline note on a collective member whose link
// changed: the supervisor decides whether it still belongs.
const relinkedMemberNote = "关联商家已更正：本投诉仍为集体投诉（%s，商家：%s）的成员，请主管核对是否移出。"

// relinkCase links the case to m (linkCase) and moves it between mass groups
// if its mass key changes. The locks of the old and the new key are taken
// before the case's row, in a fixed order: filing takes a key's lock and then
// touches the rows of the window's cases, so taking the case's row first could
// deadlock with it, and two re-links between the same merchants take turns.
func relinkCase(
	ctx context.Context, tx *sqlx.Tx, caseID int64, m *storage.Merchant, by storage.By, rule storage.MassRule,
	now time.Time,
) (*storage.Case, error) {
	newKey := massKeyOfName(m.Name)
	oldKey, err := massKeyOfCase(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	if err := lockMassKeys(ctx, tx, oldKey, newKey); err != nil {
		return nil, err
	}
	before, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	c, err := linkCase(ctx, tx, caseID, m, by, now)
	if err != nil || c.MerchantID == before.MerchantID || oldKey == newKey {
		return c, err
	}
	if again, err := massKeyOfCase(ctx, tx, caseID); err != nil {
		return nil, err
	} else if again != oldKey {
		// Another re-link of this case committed between the read and the
		// locks: its key is not one this transaction holds.
		return nil, storage.Errorf(storage.ECONFLICT, "投诉 %s 的关联商家刚被他人更改，请刷新后重试。", c.Number)
	}
	return c, rekeyMassCase(ctx, tx, c, newKey, rule, now)
}

// merchantCaseIDs lists the cases linked to the merchant.
func merchantCaseIDs(ctx context.Context, tx *sqlx.Tx, merchantID int64) ([]int64, error) {
	var ids []int64
	q := tx.Rebind("SELECT id FROM cases WHERE merchant_id = ? ORDER BY id")
	if err := tx.SelectContext(ctx, &ids, q, merchantID); err != nil {
		return nil, fmt.Errorf("list the merchant's cases: %w", err)
	}
	return ids, nil
}

// rekeyMergedCases moves the cases a merge took from the dropped merchant,
// keyed under its name (oldKey), to the kept one's key, as a re-link would
// (rekeyMassCase); a case keyed otherwise (filed under a name of its own
// before staff linked it, and not re-linked since) keeps its key. Under both
// keys' locks.
func rekeyMergedCases(
	ctx context.Context, tx *sqlx.Tx, ids []int64, oldKey, newKey string, rule storage.MassRule, now time.Time,
) error {
	if oldKey == newKey {
		return nil
	}
	for _, id := range ids {
		key, err := massKeyOfCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if key != oldKey {
			continue
		}
		c, err := findCaseByID(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if err := rekeyMassCase(ctx, tx, c, newKey, rule, now); err != nil {
			return err
		}
	}
	return nil
}

// lockMassKeys takes the detector's locks of the keys ("" needs none) in
// sorted order.
func lockMassKeys(ctx context.Context, tx *sqlx.Tx, keys ...string) error {
	keys = slices.Clone(keys)
	slices.Sort(keys)
	for i, k := range keys {
		if k == "" || (i > 0 && keys[i-1] == k) {
			continue
		}
		if err := lockMassKey(ctx, tx, k); err != nil {
			return err
		}
	}
	return nil
}

// rekeyMassCase keys case c under newKey and moves it: out of its candidate
// groups of other keys, then through the detector for newKey as at filing,
// unless it stays a member of a formed collective case. Under both keys' locks.
func rekeyMassCase(ctx context.Context, tx *sqlx.Tx, c *storage.Case, newKey string, rule storage.MassRule, now time.Time) error {
	if err := setMassKey(ctx, tx, c, newKey); err != nil {
		return err
	}
	stays, err := leaveMassGroups(ctx, tx, c.ID, newKey, now)
	if err != nil || stays {
		return err
	}
	return groupMassCase(ctx, tx, c, newKey, rule, now)
}

// massKeyOfName is the mass key of a merchant name, "" when it normalises to
// nothing (massKeyOf's rule).
func massKeyOfName(name string) string {
	if key := storage.MassMerchantKey(name); key != storage.MassMerchantKey("") {
		return key
	}
	return ""
}

// massKeyOfCase is the case's current mass key, "" when it has none.
func massKeyOfCase(ctx context.Context, tx *sqlx.Tx, caseID int64) (string, error) {
	var key string
	err := tx.GetContext(ctx, &key, tx.Rebind("SELECT merchant_key FROM mass_case_keys WHERE case_id = ?"), caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("look up mass key: %w", err)
	}
	return key, nil
}

// setMassKey keys the case under key ("" removes it), keeping its filing time:
// the window counts cases by when they were filed.
func setMassKey(ctx context.Context, tx *sqlx.Tx, c *storage.Case, key string) error {
	q := tx.Rebind("DELETE FROM mass_case_keys WHERE case_id = ?")
	if _, err := tx.ExecContext(ctx, q, c.ID); err != nil {
		return fmt.Errorf("drop mass key: %w", err)
	}
	if key == "" {
		return nil
	}
	q = tx.Rebind("INSERT INTO mass_case_keys (case_id, merchant_key, created_at) VALUES (?, ?, ?)")
	if _, err := tx.ExecContext(ctx, q, c.ID, key, dbTime(c.CreatedAt)); err != nil {
		return fmt.Errorf("set mass key: %w", err)
	}
	return nil
}

// relinkGroup is one group a re-linked case is in.
type relinkGroup struct {
	ID           int64  `db:"group_id"`
	MerchantName string `db:"merchant_name"`
	Status       string `db:"status"`
	Member       bool   `db:"member"`
}

// leaveMassGroups takes the case out of its groups of other keys than newKey,
// except a formed group it is a member of, where it stays with a timeline
// note. Reports whether it stays in such a group (it then joins no other).
func leaveMassGroups(ctx context.Context, tx *sqlx.Tx, caseID int64, newKey string, now time.Time) (bool, error) {
	var groups []relinkGroup
	q := tx.Rebind(`SELECT g.id AS group_id, g.merchant_name, g.status, gc.member FROM mass_group_cases gc
		JOIN mass_groups g ON g.id = gc.group_id WHERE gc.case_id = ? AND g.merchant_key <> ? ORDER BY g.id`)
	if err := tx.SelectContext(ctx, &groups, q, caseID, newKey); err != nil {
		return false, fmt.Errorf("select groups of relinked case: %w", err)
	}
	stays := false
	for _, g := range groups {
		if g.Status == string(storage.MassFormed) && g.Member {
			stays = true
			body := fmt.Sprintf(relinkedMemberNote, massGroupRef(g.ID), g.MerchantName)
			if err := agreementEvent(ctx, tx, caseID, storage.ActorSystem, body, now); err != nil {
				return false, err
			}
			continue
		}
		if err := dropFromMassGroup(ctx, tx, g.ID, caseID, now); err != nil {
			return false, err
		}
	}
	return stays, nil
}

// dropFromMassGroup removes the case from the group and recounts it. The
// group's first and last activity stay: they record when it was seen.
func dropFromMassGroup(ctx context.Context, tx *sqlx.Tx, groupID, caseID int64, now time.Time) error {
	q := tx.Rebind("DELETE FROM mass_group_cases WHERE group_id = ? AND case_id = ?")
	if _, err := tx.ExecContext(ctx, q, groupID, caseID); err != nil {
		return fmt.Errorf("leave mass group: %w", err)
	}
	q = tx.Rebind(`UPDATE mass_groups SET case_count = (SELECT count(*) FROM mass_group_cases
		WHERE group_id = ?), updated_at = ? WHERE id = ?`)
	if _, err := tx.ExecContext(ctx, q, groupID, now, groupID); err != nil {
		return fmt.Errorf("recount mass group: %w", err)
	}
	return nil
}
