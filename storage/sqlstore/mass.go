package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

var _ storage.MassStore = (*DB)(nil)

// massGroupColumns lists the mass_groups columns in storage.MassGroup order, but
// for case_count, which each query counts within the reader's units.
const massGroupColumns = `g.id, g.merchant_key, g.merchant_name, g.status, g.priority,
	g.priority_words, g.first_at, g.last_at, g.warning, g.created_at, g.updated_at`

// insertMassGroupSQL raises a group unless the merchant has an open one. The
// partial unique index is the conflict target in both dialects; on Postgres a
// concurrent filing for the same merchant waits here for the other transaction
// and then inserts nothing, instead of failing the filing.
const insertMassGroupSQL = `INSERT INTO mass_groups (merchant_key, merchant_name, status,
	priority, priority_words, case_count, first_at, last_at, created_at, updated_at)
	VALUES (?, ?, 'open', ?, ?, 0, ?, ?, ?, ?)
	ON CONFLICT (merchant_key) WHERE status = 'open' DO NOTHING
	RETURNING id`

// lockMassKeyPostgres makes filings of one merchant key take turns in the
// detector from here to COMMIT (a transaction-level advisory lock, so it works
// behind a transaction-mode pooler); the first number is this lock's class,
// apart from the one-key locks used elsewhere. Without it two filings could
// each count the window without the other's uncommitted case and both stay
// under the threshold. SQLite's immediate transaction serialises writers anyway.
const lockMassKeyPostgres = "SELECT " + massKeyLockCall

// massKeyLockCall is the call that takes the mass key's lock, for a SELECT of
// its own or a column of the filing's statement (massLockColumn).
const massKeyLockCall = "pg_advisory_xact_lock(20, hashtext(?))"

// lockMassKey takes the detector's lock of the merchant key.
func lockMassKey(ctx context.Context, tx *sqlx.Tx, key string) error {
	if !isPostgres(tx) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(lockMassKeyPostgres), key); err != nil {
		return fmt.Errorf("lock mass merchant key: %w", err)
	}
	return nil
}

// keyMassCase files a new case under its mass key (nothing for ""), taking
// the detector's lock of the key first. On PostgreSQL the filing's insert does
// both (insertFiledCasePostgres).
func keyMassCase(ctx context.Context, tx *sqlx.Tx, caseID int64, key string, now time.Time) error {
	if key == "" {
		return nil
	}
	if err := lockMassKey(ctx, tx, key); err != nil {
		return err
	}
	q := tx.Rebind("INSERT INTO mass_case_keys (case_id, merchant_key, created_at) VALUES (?, ?, ?)")
	if _, err := tx.ExecContext(ctx, q, caseID, key, now); err != nil {
		return fmt.Errorf("insert mass case key: %w", err)
	}
	return nil
}

// groupMassCase runs the mass-complaint detector for a case just filed and
// keyed (keyMassCase; nothing for key ""), in the filing's transaction, or
// just re-linked to another merchant (rekeyMassCase), under the key's lock: it adds the case to the merchant's active group (formed, or
// with a case in the window), or, when the window holds rule.Threshold cases
// of the merchant, raises a new open group with all of them.
func groupMassCase(ctx context.Context, tx *sqlx.Tx, c *storage.Case, key string, rule storage.MassRule, now time.Time) error {
	if key == "" {
		return nil
	}
	rule = rule.OrDefault()
	since := now.Add(-rule.Window)
	if joined, err := joinActiveMassGroup(ctx, tx, c, key, since, now); err != nil || joined {
		return err
	}
	cases, err := massWindowCases(ctx, tx, key, since)
	if err != nil || len(cases) < rule.Threshold || !slices.ContainsFunc(cases, func(w *storage.Case) bool {
		return w.ID == c.ID
	}) {
		return err // a case re-linked after the window does not raise one
	}
	return raiseMassGroup(ctx, tx, key, c.MerchantName, cases, now)
}

// joinActiveMassGroup adds c to the merchant's active group (activeMassGroup)
// and reports whether there was one. On PostgreSQL, where every filing of a
// merchant with a group passes here, finding the group and joining it are one
// statement (joinActiveMassGroupPostgres).
func joinActiveMassGroup(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, key string, since, now time.Time,
) (bool, error) {
	if isPostgres(tx) {
		return joinActiveMassGroupPostgres(ctx, tx, c, key, since, now)
	}
	g, err := activeMassGroup(ctx, tx, key, since)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, addToMassGroup(ctx, tx, g, []*storage.Case{c}, now)
}

// joinActiveMassGroupSQL is activeMassGroup ("g") and addToMassGroupPostgres
// for one case in one statement; it returns the group's id, or no row when
// the merchant has no active group. The group's priority words are merged in
// SQL as massWords merges them: the words of storage.MassPriorityWords (the
// first array, in its order) that the group had or the case brings (the second).
// It runs after the filing took the key's mass lock, so its snapshot sees every
// group an earlier holder raised.
const joinActiveMassGroupSQL = `WITH g AS (
		SELECT id, priority_words FROM mass_groups
		WHERE merchant_key = ? AND (status = 'formed' OR last_at >= ?) ORDER BY id DESC LIMIT 1),
	ins AS (INSERT INTO mass_group_cases (group_id, case_id, member, added_at)
		SELECT id, ?, FALSE, ? FROM g ON CONFLICT (group_id, case_id) DO NOTHING RETURNING case_id),
	w AS (SELECT coalesce(string_agg(t.word, '、' ORDER BY t.ord), '') AS words
		FROM g, unnest(?::text[]) WITH ORDINALITY AS t(word, ord)
		WHERE t.word = ANY (string_to_array(g.priority_words, '、') || ?::text[]))
	UPDATE mass_groups SET case_count = (SELECT count(*) FROM mass_group_cases WHERE group_id = g.id)
		+ (SELECT count(*) FROM ins), last_at = ?,
		priority = CASE WHEN w.words <> '' THEN 1 ELSE 0 END, priority_words = w.words, updated_at = ?
	FROM g, w WHERE mass_groups.id = g.id
	RETURNING mass_groups.id`

// joinActiveMassGroupPostgres is joinActiveMassGroup on PostgreSQL.
func joinActiveMassGroupPostgres(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, key string, since, now time.Time,
) (bool, error) {
	caseWords := append([]string{}, storage.PriorityWordsIn(c.MerchantName+" "+c.Description+" "+c.Demand)...) // never NULL
	var id int64
	err := tx.GetContext(ctx, &id, tx.Rebind(joinActiveMassGroupSQL), key, since, c.ID, now,
		pq.Array(storage.MassPriorityWords), pq.Array(caseWords), now, now)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("join mass group: %w", err)
	}
	return true, nil
}

// activeMassGroup returns the merchant's latest group that still takes new
// cases: a formed one, or one whose last case is within the window. ENOTFOUND
// when there is none.
func activeMassGroup(ctx context.Context, tx *sqlx.Tx, key string, since time.Time) (*storage.MassGroup, error) {
	return selectOne[storage.MassGroup](ctx, tx, "SELECT "+massGroupColumns+
		", g.case_count FROM mass_groups g WHERE g.merchant_key = ? AND (g.status = 'formed' OR g.last_at >= ?)"+
		" ORDER BY g.id DESC LIMIT 1", "mass group", key, since)
}

// massWindowCases returns the merchant's cases filed since, oldest first.
func massWindowCases(ctx context.Context, tx *sqlx.Tx, key string, since time.Time) ([]*storage.Case, error) {
	var cases []*storage.Case
	q := tx.Rebind("SELECT " + caseColumns + " FROM cases WHERE id IN (SELECT case_id FROM mass_case_keys" +
		" WHERE merchant_key = ? AND created_at >= ?) ORDER BY created_at, id")
	if err := tx.SelectContext(ctx, &cases, q, key, since); err != nil {
		return nil, fmt.Errorf("select mass window cases: %w", err)
	}
	for _, c := range cases {
		utcCase(c)
	}
	return cases, nil
}

// raiseMassGroup inserts an open group holding cases (oldest first). If a
// concurrent filing raised the merchant's open group first, the cases join it.
func raiseMassGroup(ctx context.Context, tx *sqlx.Tx, key, name string, cases []*storage.Case, now time.Time) error {
	words := massWords(cases, "")
	var id int64
	err := tx.GetContext(ctx, &id, tx.Rebind(insertMassGroupSQL), key, name, massPriority(words),
		words, cases[0].CreatedAt, now, now, now)
	if errors.Is(err, sql.ErrNoRows) {
		g, err := selectOne[storage.MassGroup](ctx, tx, "SELECT "+massGroupColumns+
			", g.case_count FROM mass_groups g WHERE g.merchant_key = ? AND g.status = 'open'", "mass group", key)
		if err != nil {
			return err
		}
		return addToMassGroup(ctx, tx, g, cases, now)
	} else if err != nil {
		return fmt.Errorf("insert mass group: %w", err)
	}
	return addToMassGroup(ctx, tx, &storage.MassGroup{ID: id, PriorityWords: words}, cases, now)
}

// addToMassGroup puts cases in the group (those already in it stay as they are)
// and updates its count, last activity and priority words: on PostgreSQL in
// one statement (addToMassGroupPostgres), on SQLite a statement per case and
// the update.
func addToMassGroup(ctx context.Context, tx *sqlx.Tx, g *storage.MassGroup, cases []*storage.Case, now time.Time) error {
	words := massWords(cases, g.PriorityWords)
	if isPostgres(tx) {
		return addToMassGroupPostgres(ctx, tx, g, cases, words, now)
	}
	q := tx.Rebind(`INSERT INTO mass_group_cases (group_id, case_id, member, added_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (group_id, case_id) DO NOTHING`)
	for _, c := range cases {
		if _, err := tx.ExecContext(ctx, q, g.ID, c.ID, false, now); err != nil {
			return fmt.Errorf("insert mass group case: %w", err)
		}
	}
	q = tx.Rebind(`UPDATE mass_groups SET case_count = (SELECT count(*) FROM mass_group_cases
		WHERE group_id = ?), last_at = ?, priority = ?, priority_words = ?, updated_at = ? WHERE id = ?`)
	if _, err := tx.ExecContext(ctx, q, g.ID, now, massPriority(words), words, now, g.ID); err != nil {
		return fmt.Errorf("update mass group: %w", err)
	}
	return nil
}

// addToMassGroupPostgres inserts the cases' rows and updates the group in one
// statement. Its parts share one snapshot, in which the count does not see
// the rows the statement inserts: those that "ins" returns are added to it.
func addToMassGroupPostgres(
	ctx context.Context, tx *sqlx.Tx, g *storage.MassGroup, cases []*storage.Case, words string, now time.Time,
) error {
	rows := make([]string, len(cases))
	args := make([]any, 0, 4*len(cases)+6)
	for i, c := range cases {
		rows[i] = "(?, ?, FALSE, ?)"
		args = append(args, g.ID, c.ID, now)
	}
	q := `WITH ins AS (INSERT INTO mass_group_cases (group_id, case_id, member, added_at)
		VALUES ` + strings.Join(rows, ", ") + ` ON CONFLICT (group_id, case_id) DO NOTHING RETURNING case_id)
	UPDATE mass_groups SET case_count = (SELECT count(*) FROM mass_group_cases WHERE group_id = ?)
		+ (SELECT count(*) FROM ins), last_at = ?, priority = ?, priority_words = ?, updated_at = ? WHERE id = ?`
	args = append(args, g.ID, now, massPriority(words), words, now, g.ID)
	if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
		return fmt.Errorf("add to mass group: %w", err)
	}
	return nil
}

// massWords merges the priority words of cases into had ("、"-separated), in
// the order of storage.MassPriorityWords.
func massWords(cases []*storage.Case, had string) string {
	found := map[string]bool{}
	for _, w := range strings.Split(had, "、") {
		found[w] = w != ""
	}
	for _, c := range cases {
		for _, w := range storage.PriorityWordsIn(c.MerchantName + " " + c.Description + " " + c.Demand) {
			found[w] = true
		}
	}
	var out []string
	for _, w := range storage.MassPriorityWords {
		if found[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, "、")
}

// massPriority is 1 (高) when any priority word was found.
func massPriority(words string) int {
	if words != "" {
		return 1
	}
	return 0
}

// massUnitCond is " AND c.unit_id IN (…)" for units, or nothing for nil.
func massUnitCond(units []int64) (string, []any) {
	if units != nil && len(units) == 0 {
		return " AND 1 = 0", nil // an empty scope sees nothing
	}
	return reportUnitCond(units)
}

// massScopedCount counts a group's cases in the units, as the column case_count.
func massScopedCount(units []int64) (string, []any) {
	cond, args := massUnitCond(units)
	return `(SELECT count(*) FROM mass_group_cases gc JOIN cases c ON c.id = gc.case_id
		WHERE gc.group_id = g.id` + cond + `) AS case_count`, args
}

// FindMassGroups returns the groups with a case in f.UnitIDs (all when nil),
// open ones first, then the latest activity first; CaseCount counts the cases
// in those units only.
func (d *DB) FindMassGroups(ctx context.Context, f storage.MassFilter) ([]*storage.MassGroup, error) {
	count, args := massScopedCount(f.UnitIDs)
	q := "SELECT " + massGroupColumns + ", " + count + " FROM mass_groups g WHERE 1 = 1"
	if f.Status != nil {
		q += " AND g.status = ?"
		args = append(args, *f.Status)
	}
	q = "SELECT * FROM (" + q + ") g WHERE case_count > 0" +
		" ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, last_at DESC, id DESC"
	groups := []*storage.MassGroup{}
	err := d.inReadTx(ctx, "find mass groups", func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &groups, tx.Rebind(q), args...); err != nil {
			return fmt.Errorf("select mass groups: %w", err)
		}
		return nil
	})
	for _, g := range groups {
		utcMassGroup(g)
	}
	return groups, err
}

// CountOpenMassGroups counts the open groups with a case in units (all when nil):
// the number the console's navigation shows supervisors.
func (d *DB) CountOpenMassGroups(ctx context.Context, units []int64) (int, error) {
	st := storage.MassOpen
	groups, err := d.FindMassGroups(ctx, storage.MassFilter{UnitIDs: units, Status: &st})
	return len(groups), err
}

// MassGroup returns the group with its cases in units (all when nil), newest
// first. ENOTFOUND for an unknown group or one with no case in units.
func (d *DB) MassGroup(ctx context.Context, id int64, units []int64) (*storage.MassGroup, []storage.MassGroupCase, error) {
	var (
		g     *storage.MassGroup
		cases []storage.MassGroupCase
	)
	err := d.inReadTx(ctx, "mass group", func(tx *sqlx.Tx) error {
		var err error
		g, cases, err = findMassGroup(ctx, tx, id, units, "")
		return err
	})
	return g, cases, err
}

// findMassGroup reads a group and its cases in units; ENOTFOUND when none of
// its cases is in units. lock is appended to the group's query.
func findMassGroup(
	ctx context.Context, tx *sqlx.Tx, id int64, units []int64, lock string,
) (*storage.MassGroup, []storage.MassGroupCase, error) {
	g, err := selectOne[storage.MassGroup](ctx, tx, "SELECT "+massGroupColumns+
		", g.case_count FROM mass_groups g WHERE g.id = ?"+lock, "mass group", id)
	if err != nil {
		return nil, nil, err
	}
	utcMassGroup(g)
	cases, err := massGroupCases(ctx, tx, id, units)
	if err != nil {
		return nil, nil, err
	}
	if len(cases) == 0 {
		return nil, nil, storage.Errorf(storage.ENOTFOUND, "mass group not found")
	}
	g.CaseCount = len(cases)
	return g, cases, nil
}

// massGroupCases returns a group's cases in units (all when nil), newest first.
func massGroupCases(ctx context.Context, tx *sqlx.Tx, id int64, units []int64) ([]storage.MassGroupCase, error) {
	cond, args := massUnitCond(units)
	var cases []*storage.Case
	q := tx.Rebind("SELECT " + caseColumns + " FROM cases c WHERE c.id IN (SELECT case_id FROM" +
		" mass_group_cases WHERE group_id = ?)" + cond + " ORDER BY c.created_at DESC, c.id DESC")
	if err := tx.SelectContext(ctx, &cases, q, append([]any{id}, args...)...); err != nil {
		return nil, fmt.Errorf("select mass group cases: %w", err)
	}
	var members []int64
	q = tx.Rebind("SELECT case_id FROM mass_group_cases WHERE group_id = ? AND member")
	if err := tx.SelectContext(ctx, &members, q, id); err != nil {
		return nil, fmt.Errorf("select collective members: %w", err)
	}
	var relinked []int64
	q = tx.Rebind(`SELECT gc.case_id FROM mass_group_cases gc JOIN mass_groups g ON g.id = gc.group_id
		JOIN mass_case_keys k ON k.case_id = gc.case_id WHERE gc.group_id = ? AND k.merchant_key <> g.merchant_key`)
	if err := tx.SelectContext(ctx, &relinked, q, id); err != nil {
		return nil, fmt.Errorf("select relinked mass cases: %w", err)
	}
	out := make([]storage.MassGroupCase, len(cases))
	for i, c := range cases {
		utcCase(c)
		out[i] = storage.MassGroupCase{Case: c, Member: slices.Contains(members, c.ID),
			Relinked: slices.Contains(relinked, c.ID)}
	}
	return out, nil
}

// MassGroupsOfCase returns the groups a case belongs to, latest first.
func (d *DB) MassGroupsOfCase(ctx context.Context, caseID int64) ([]*storage.MassGroup, error) {
	groups := []*storage.MassGroup{}
	err := d.inReadTx(ctx, "mass groups of case", func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT " + massGroupColumns + ", g.case_count FROM mass_groups g" +
			" JOIN mass_group_cases gc ON gc.group_id = g.id WHERE gc.case_id = ? ORDER BY g.id DESC")
		if err := tx.SelectContext(ctx, &groups, q, caseID); err != nil {
			return fmt.Errorf("select mass groups of case: %w", err)
		}
		return nil
	})
	for _, g := range groups {
		utcMassGroup(g)
	}
	return groups, err
}

// utcMassGroup puts the group's times in UTC: lib/pq returns them in the session's zone.
func utcMassGroup(g *storage.MassGroup) {
	g.FirstAt, g.LastAt = g.FirstAt.UTC(), g.LastAt.UTC()
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
}
