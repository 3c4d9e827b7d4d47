package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.MerchantStore = (*DB)(nil)

// merchantColumns lists the merchants columns in storage.Merchant order; a live
// merchant's NULL merged_into reads as 0.
const merchantColumns = `id, name, credit_code, address, contact_person, contact_phone,
	on_platform, platform_since, COALESCE(merged_into, 0) AS merged_into, created_at, updated_at`

// CreateMerchant implements storage.MerchantStore.
func (d *DB) CreateMerchant(ctx context.Context, in storage.MerchantInput) (*storage.Merchant, error) {
	if err := checkMerchantInput(&in); err != nil {
		return nil, err
	}
	var m *storage.Merchant
	err := d.inWriteTx(ctx, "create merchant", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		if err := creditCodeFree(ctx, tx, in.CreditCode, 0); err != nil {
			return err
		}
		var id int64
		q := tx.Rebind(`INSERT INTO merchants (name, name_key, credit_code, address, contact_person,
			contact_phone, on_platform, platform_since, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
		if err := tx.GetContext(ctx, &id, q, in.Name, storage.MerchantKey(in.Name), in.CreditCode,
			in.Address, in.ContactPerson, in.ContactPhone, in.OnPlatform, in.PlatformSince, now, now); err != nil {
			return fmt.Errorf("create merchant: %w", err)
		}
		if err := addAliases(ctx, tx, id, in.Aliases); err != nil {
			return err
		}
		if err := auditStaff(ctx, tx, in.By, storage.AuditMerchant, in.CaseID,
			fmt.Sprintf("新建商家 #%d %s", id, in.Name), now); err != nil {
			return err
		}
		var err error
		if m, err = findMerchant(ctx, tx, id); err != nil || in.CaseID == 0 {
			return err
		}
		_, err = relinkCase(ctx, tx, in.CaseID, m, in.By, d.MassRule, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// checkMerchantInput normalises and validates the input and checks its actor.
func checkMerchantInput(in *storage.MerchantInput) error {
	in.Normalise()
	if _, ok := storage.StaffIDFromActor(in.By.Actor); !ok {
		return storage.Errorf(storage.EINVALID, "a merchant is changed by a staff member")
	}
	return in.Validate()
}

// creditCodeFree returns ECONFLICT if a live merchant other than self has the
// credit code ("" is always free).
func creditCodeFree(ctx context.Context, tx *sqlx.Tx, code string, self int64) error {
	if code == "" {
		return nil
	}
	var names []string
	q := tx.Rebind(`SELECT name FROM merchants WHERE credit_code = ? AND merged_into IS NULL AND id <> ?`)
	if err := tx.SelectContext(ctx, &names, q, code, self); err != nil {
		return fmt.Errorf("check credit code: %w", err)
	}
	if len(names) > 0 {
		return storage.Errorf(storage.ECONFLICT, "统一社会信用代码 %s 已登记为商家“%s”；如为同一商家，请合并。", code, names[0])
	}
	return nil
}

// addAliases adds aliases to a merchant; one it already has is left alone.
func addAliases(ctx context.Context, tx *sqlx.Tx, id int64, aliases []string) error {
	q := tx.Rebind(`INSERT INTO merchant_aliases (merchant_id, alias, alias_key) VALUES (?, ?, ?)
		ON CONFLICT (merchant_id, alias_key) DO NOTHING`)
	for _, a := range aliases {
		if _, err := tx.ExecContext(ctx, q, id, a, storage.MerchantKey(a)); err != nil {
			return fmt.Errorf("add merchant alias: %w", err)
		}
	}
	return nil
}

// UpdateMerchant implements storage.MerchantStore.
func (d *DB) UpdateMerchant(ctx context.Context, id int64, in storage.MerchantInput) (*storage.Merchant, error) {
	if err := checkMerchantInput(&in); err != nil {
		return nil, err
	}
	var m *storage.Merchant
	err := d.inWriteTx(ctx, "update merchant", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		if _, err := liveMerchant(ctx, tx, id); err != nil {
			return err
		}
		if err := creditCodeFree(ctx, tx, in.CreditCode, id); err != nil {
			return err
		}
		q := tx.Rebind(`UPDATE merchants SET name = ?, name_key = ?, credit_code = ?, address = ?,
			contact_person = ?, contact_phone = ?, on_platform = ?, platform_since = ?, updated_at = ?
			WHERE id = ?`)
		if _, err := tx.ExecContext(ctx, q, in.Name, storage.MerchantKey(in.Name), in.CreditCode, in.Address,
			in.ContactPerson, in.ContactPhone, in.OnPlatform, in.PlatformSince, now, id); err != nil {
			return fmt.Errorf("update merchant: %w", err)
		}
		del := tx.Rebind(`DELETE FROM merchant_aliases WHERE merchant_id = ?`)
		if _, err := tx.ExecContext(ctx, del, id); err != nil {
			return fmt.Errorf("update merchant aliases: %w", err)
		}
		if err := addAliases(ctx, tx, id, in.Aliases); err != nil {
			return err
		}
		if err := auditStaff(ctx, tx, in.By, storage.AuditMerchant, 0,
			fmt.Sprintf("修改商家 #%d %s", id, in.Name), now); err != nil {
			return err
		}
		var err error
		m, err = findMerchant(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FindMerchant implements storage.MerchantStore.
func (d *DB) FindMerchant(ctx context.Context, id int64) (*storage.Merchant, error) {
	var m *storage.Merchant
	err := d.inReadTx(ctx, "find merchant", func(tx *sqlx.Tx) error {
		var err error
		m, err = findMerchant(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// findMerchant reads one merchant with its aliases, or ENOTFOUND.
func findMerchant(ctx context.Context, tx *sqlx.Tx, id int64) (*storage.Merchant, error) {
	m, err := selectOne[storage.Merchant](ctx, tx, "SELECT "+merchantColumns+" FROM merchants WHERE id = ?", "merchant", id)
	if err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, loadAliases(ctx, tx, []*storage.Merchant{m})
}

// lockMerchants locks the merchants' rows, in id order so that two writers
// never wait for each other crosswise: a merge, a link and an edit of the same
// merchant then run one after the other, and none acts on a merchant another
// has just merged (FOR UPDATE on PostgreSQL; SQLite's writers are serialised).
func lockMerchants(ctx context.Context, tx *sqlx.Tx, ids ...int64) error {
	cond, args := idsIn("id", ids)
	var got []int64
	q := tx.Rebind(`SELECT id FROM merchants WHERE ` + cond + ` ORDER BY id` + forUpdate(tx))
	if err := tx.SelectContext(ctx, &got, q, args...); err != nil {
		return fmt.Errorf("lock merchants: %w", err)
	}
	return nil
}

// liveMerchant locks and reads a merchant that is not merged: ECONFLICT for a
// merged one.
func liveMerchant(ctx context.Context, tx *sqlx.Tx, id int64) (*storage.Merchant, error) {
	if err := lockMerchants(ctx, tx, id); err != nil {
		return nil, err
	}
	m, err := findMerchant(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if m.MergedInto != 0 {
		return nil, storage.Errorf(storage.ECONFLICT, "商家“%s”已合并到另一商家，请使用合并后的商家。", m.Name)
	}
	return m, nil
}

// loadAliases fills the merchants' aliases, each in the order of their keys.
func loadAliases(ctx context.Context, tx *sqlx.Tx, ms []*storage.Merchant) error {
	if len(ms) == 0 {
		return nil
	}
	byID := map[int64]*storage.Merchant{}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		byID[m.ID], ids[i] = m, m.ID
		m.Aliases = []string{}
	}
	cond, args := idsIn("merchant_id", ids)
	var rows []struct {
		MerchantID int64  `db:"merchant_id"`
		Alias      string `db:"alias"`
	}
	q := tx.Rebind(`SELECT merchant_id, alias FROM merchant_aliases WHERE ` + cond + ` ORDER BY alias_key`)
	if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return fmt.Errorf("load merchant aliases: %w", err)
	}
	for _, r := range rows {
		byID[r.MerchantID].Aliases = append(byID[r.MerchantID].Aliases, r.Alias)
	}
	return nil
}

// FindMerchants implements storage.MerchantStore.
func (d *DB) FindMerchants(ctx context.Context, f storage.MerchantFilter) ([]*storage.Merchant, int, error) {
	where, args := merchantWhere(f)
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	list := []*storage.Merchant{}
	var total int
	err := d.inReadTx(ctx, "find merchants", func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT count(*) FROM merchants WHERE `+where), args...); err != nil {
			return fmt.Errorf("count merchants: %w", err)
		}
		q := tx.Rebind(`SELECT ` + merchantColumns + ` FROM merchants WHERE ` + where +
			` ORDER BY name_key, id LIMIT ? OFFSET ?`)
		if err := tx.SelectContext(ctx, &list, q, append(args, limit, max(f.Offset, 0))...); err != nil {
			return fmt.Errorf("find merchants: %w", err)
		}
		return loadAliases(ctx, tx, list)
	})
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// merchantWhere is the condition of a merchant filter: live merchants, the
// platform flag, and the search in the name's or an alias's key or the code.
func merchantWhere(f storage.MerchantFilter) (string, []any) {
	where, args := []string{"merged_into IS NULL"}, []any{}
	if f.OnPlatform != nil {
		where, args = append(where, "on_platform = ?"), append(args, *f.OnPlatform)
	}
	if key := storage.MerchantKey(f.Search); key != "" {
		like := "%" + likeEscaper.Replace(key) + "%"
		where = append(where, `(name_key LIKE ? ESCAPE '\' OR lower(credit_code) LIKE ? ESCAPE '\'
			OR id IN (SELECT merchant_id FROM merchant_aliases WHERE alias_key LIKE ? ESCAPE '\'))`)
		args = append(args, like, like, like)
	}
	return strings.Join(where, " AND "), args
}

// matchPrefilterBigrams is how many of a typed name's bigrams the LIKE
// pre-filter of MatchMerchants looks for; more widens the net and the query.
const matchPrefilterBigrams = 8

// merchantName is one name (or alias) of a merchant, by its key.
type merchantName struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	Key  string `db:"name_key"`
}

// MatchMerchants implements storage.MerchantStore. The database pre-selects the
// live merchants whose name or an alias key contains one of the typed name's
// bigrams (a plain LIKE, the same on both dialects: pg_trgm is not assumed, a
// managed database may refuse the extension); the similarity is computed here.
func (d *DB) MatchMerchants(ctx context.Context, name string, limit int) ([]storage.MerchantCandidate, error) {
	out := []storage.MerchantCandidate{}
	err := d.inReadTx(ctx, "match merchants", func(tx *sqlx.Tx) error {
		var err error
		out, err = matchMerchants(ctx, tx, name, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// matchMerchants does MatchMerchants' work in tx.
func matchMerchants(ctx context.Context, tx *sqlx.Tx, name string, limit int) ([]storage.MerchantCandidate, error) {
	key := storage.MerchantKey(name)
	names, err := namesLike(ctx, tx, key)
	if err != nil {
		return nil, err
	}
	best := map[int64]storage.MerchantCandidate{}
	for _, n := range names {
		sim := storage.MerchantSimilarity(key, n.Key)
		if c, ok := best[n.ID]; sim >= storage.MerchantSuggestThreshold && (!ok || sim > c.Similarity) {
			best[n.ID] = storage.MerchantCandidate{Similarity: sim, MatchedOn: n.Name}
		}
	}
	out := []storage.MerchantCandidate{}
	for id, c := range best {
		if c.Merchant, err = findMerchant(ctx, tx, id); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Similarity != out[j].Similarity {
			return out[i].Similarity > out[j].Similarity
		}
		return out[i].Merchant.ID < out[j].Merchant.ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// namesLike returns the names and aliases of live merchants whose key contains
// one of the first bigrams of key.
func namesLike(ctx context.Context, tx *sqlx.Tx, key string) ([]merchantName, error) {
	rs := []rune(key)
	if len(rs) == 0 {
		return nil, nil
	}
	var pats []any
	for i := 0; i < len(rs) && len(pats) < matchPrefilterBigrams; i++ {
		pats = append(pats, "%"+likeEscaper.Replace(string(rs[i:min(i+2, len(rs))]))+"%")
	}
	var names, aliases []string
	for range pats {
		names = append(names, `m.name_key LIKE ? ESCAPE '\'`)
		aliases = append(aliases, `a.alias_key LIKE ? ESCAPE '\'`)
	}
	q := tx.Rebind(`SELECT m.id, m.name, m.name_key FROM merchants m
		WHERE m.merged_into IS NULL AND (` + strings.Join(names, " OR ") + `)
		UNION ALL SELECT m.id, a.alias, a.alias_key FROM merchant_aliases a JOIN merchants m ON m.id = a.merchant_id
		WHERE m.merged_into IS NULL AND (` + strings.Join(aliases, " OR ") + `)`)
	var out []merchantName
	if err := tx.SelectContext(ctx, &out, q, append(pats, pats...)...); err != nil {
		return nil, fmt.Errorf("match merchants: %w", err)
	}
	return out, nil
}

// newCaseMerchant returns the registry merchant a case being filed links to:
// the live one with the id filingLookup found (nil for 0), and then the case
// stays unlinked for staff.
func newCaseMerchant(ctx context.Context, tx *sqlx.Tx, id int64) (*storage.Merchant, error) {
	if id == 0 {
		return nil, nil
	}
	// Locked, so that a merge running now either finishes first (and the case
	// is left for staff) or waits for this filing (and moves the case along).
	m, err := liveMerchant(ctx, tx, id)
	if storage.ErrorCode(err) == storage.ECONFLICT {
		return nil, nil
	}
	return m, err
}

// LinkCaseMerchant implements storage.MerchantStore.
func (d *DB) LinkCaseMerchant(ctx context.Context, caseID, merchantID int64, by storage.By) (*storage.Case, error) {
	if _, ok := storage.StaffIDFromActor(by.Actor); !ok {
		return nil, storage.Errorf(storage.EINVALID, "a case is linked by a staff member")
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "link case merchant", func(tx *sqlx.Tx) error {
		m, err := liveMerchant(ctx, tx, merchantID)
		if err != nil {
			return err
		}
		c, err = relinkCase(ctx, tx, caseID, m, by, d.MassRule, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// linkCase links the case to m with a timeline note, audited; the same link
// again changes nothing.
func linkCase(
	ctx context.Context, tx *sqlx.Tx, caseID int64, m *storage.Merchant, by storage.By, now time.Time,
) (*storage.Case, error) {
	c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
	if err != nil || c.MerchantID == m.ID {
		return c, err
	}
	q := tx.Rebind(`UPDATE cases SET merchant_id = ?, updated_at = ? WHERE id = ?`)
	if _, err := tx.ExecContext(ctx, q, m.ID, now, c.ID); err != nil {
		return nil, fmt.Errorf("link case merchant: %w", err)
	}
	body := fmt.Sprintf("关联商家：%s（商家 #%d）", m.Name, m.ID)
	if c.MerchantID != 0 {
		body = fmt.Sprintf("更正关联商家：由商家 #%d 改为 %s（商家 #%d）", c.MerchantID, m.Name, m.ID)
	}
	ev := &storage.Event{CaseID: c.ID, Kind: storage.EventNote, Actor: by.Actor, Body: body, CreatedAt: now}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return nil, err
	}
	c.MerchantID, c.UpdatedAt = m.ID, now
	return c, auditStaff(ctx, tx, by, storage.AuditMerchantLink, c.ID, body, now)
}

// MergeMerchants implements storage.MerchantStore.
func (d *DB) MergeMerchants(ctx context.Context, keepID, dropID int64, by storage.By) (*storage.Merchant, error) {
	switch {
	case keepID == dropID:
		return nil, storage.Errorf(storage.EINVALID, "不能把商家合并到它自己。")
	case !isStaffActor(by.Actor):
		return nil, storage.Errorf(storage.EINVALID, "merchants are merged by a staff member")
	}
	var m *storage.Merchant
	err := d.inWriteTx(ctx, "merge merchants", func(tx *sqlx.Tx) error {
		if err := lockMerchants(ctx, tx, keepID, dropID); err != nil {
			return err
		}
		keep, err := liveMerchant(ctx, tx, keepID)
		if err != nil {
			return err
		}
		drop, err := liveMerchant(ctx, tx, dropID)
		if err != nil {
			return err
		}
		now := dbTime(d.now())
		// The keys' locks before the cases' rows, as filing and re-linking take them.
		oldKey, newKey := massKeyOfName(drop.Name), massKeyOfName(keep.Name)
		if err := lockMassKeys(ctx, tx, oldKey, newKey); err != nil {
			return err
		}
		moved, err := merchantCaseIDs(ctx, tx, drop.ID)
		if err != nil {
			return err
		}
		if err := mergeInto(ctx, tx, keep, drop, now); err != nil {
			return err
		}
		if err := rekeyMergedCases(ctx, tx, moved, oldKey, newKey, d.MassRule, now); err != nil {
			return err
		}
		detail := fmt.Sprintf("合并商家 #%d %s 到 #%d %s", drop.ID, drop.Name, keep.ID, keep.Name)
		if err := auditStaff(ctx, tx, by, storage.AuditMerchantMerge, 0, detail, now); err != nil {
			return err
		}
		m, err = findMerchant(ctx, tx, keep.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// isStaffActor reports whether actor names a staff member.
func isStaffActor(actor string) bool {
	_, ok := storage.StaffIDFromActor(actor)
	return ok
}

// mergeInto moves drop's cases and names to keep and marks drop merged.
func mergeInto(ctx context.Context, tx *sqlx.Tx, keep, drop *storage.Merchant, now time.Time) error {
	aliases := append([]string{drop.Name}, drop.Aliases...)
	var kept []string
	for _, a := range aliases {
		if storage.MerchantKey(a) != storage.MerchantKey(keep.Name) {
			kept = append(kept, a)
		}
	}
	if err := addAliases(ctx, tx, keep.ID, kept); err != nil {
		return err
	}
	moves := []struct {
		what, q string
		args    []any
	}{
		{"move cases", `UPDATE cases SET merchant_id = ? WHERE merchant_id = ?`, []any{keep.ID, drop.ID}},
		{"mark merged", `UPDATE merchants SET merged_into = ?, updated_at = ? WHERE id = ?`, []any{keep.ID, now, drop.ID}},
		// Merchants merged into drop earlier now point at keep directly.
		{"repoint", `UPDATE merchants SET merged_into = ? WHERE merged_into = ?`, []any{keep.ID, drop.ID}},
	}
	for _, mv := range moves {
		if _, err := tx.ExecContext(ctx, tx.Rebind(mv.q), mv.args...); err != nil {
			return fmt.Errorf("merge merchants: %s: %w", mv.what, err)
		}
	}
	return nil
}
