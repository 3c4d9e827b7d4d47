package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// FindCasePage returns one page of the cases matching the filter; see
// storage.CaseQueueStore. The page is read by keyset (the rows after or before
// the cursor's case in the filter's order, compared as a row of sort keys), and
// the total is counted only up to at.CountCap: the count, not the page, is what
// costs on a large desk. The page, its assignees' names and the count come from
// one statement, so they agree without a transaction around them (a due
// filter reads the calendar first, a search that may be a case number the
// number prefixes).
func (d *DB) FindCasePage(
	ctx context.Context, filter storage.CaseFilter, at storage.CasePageAt,
) (*storage.CasePage, error) {
	var page *storage.CasePage
	err := d.inRead(ctx, "find case page", func(r reader) error {
		f, err := d.dueWindow(ctx, r, filter)
		if err != nil {
			return err
		}
		page, err = findCasePage(ctx, r, f, at)
		return err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// casePageRow is a row of the page: the case, its assignee's name ("" for
// none) and the number of matches, which every row repeats.
type casePageRow struct {
	storage.Case
	AssigneeName string `db:"assignee_name"`
	Matches      int    `db:"matches"`
}

// findCasePage reads one row more than the page holds to learn whether more
// follow; reading backwards (at.Before) it reads in the reverse order and
// turns the rows round. The count is a subquery that does not depend on the
// row, which PostgreSQL and SQLite both run once per statement.
func findCasePage(
	ctx context.Context, r reader, filter storage.CaseFilter, at storage.CasePageAt,
) (*storage.CasePage, error) {
	where, args, err := caseWhere(ctx, r, filter)
	if err != nil {
		return nil, err
	}
	limit, offset := pageBounds(filter)
	keys, back := sortKeysOf(filter), at.After == 0 && at.Before != 0
	rows, rowArgs := where, slices.Clone(args)
	switch {
	case at.After != 0:
		cond, a := keys.after(at.After, false)
		rows, rowArgs, offset = rows+" AND "+cond, append(rowArgs, a...), 0
	case back:
		cond, a := keys.after(at.Before, true)
		rows, rowArgs, offset = rows+" AND "+cond, append(rowArgs, a...), 0
	}
	count, countArgs := countQuery(where, args, at.CountCap)
	q := r.Rebind("SELECT " + caseColumns + ", " + assigneeName + " AS assignee_name, (" + count +
		") AS matches FROM cases WHERE " + rows + " ORDER BY " + keys.orderBy(back) + " LIMIT ? OFFSET ?")
	found := []casePageRow{}
	if err := r.SelectContext(ctx, &found, q, slices.Concat(countArgs, rowArgs, []any{limit + 1, offset})...); err != nil {
		return nil, fmt.Errorf("select case page: %w", err)
	}
	more := len(found) > limit
	found = found[:min(len(found), limit)]
	page := &storage.CasePage{Cases: make([]*storage.Case, 0, len(found)), AssigneeNames: map[int64]string{},
		HasNext: more, HasPrev: offset > 0 || at.After != 0}
	for i := range found {
		c := &found[i].Case
		utcCase(c)
		page.Cases = append(page.Cases, c)
		if c.AssigneeID != 0 {
			page.AssigneeNames[c.AssigneeID] = found[i].AssigneeName
		}
	}
	if back {
		slices.Reverse(page.Cases)
		page.HasNext, page.HasPrev = true, more
	}
	switch {
	case !more && !back && at.After == 0 && offset == 0:
		page.Total = len(found) // the whole result is on this page, whatever the cap
	case len(found) > 0:
		page.Total, page.TotalCapped = capped(found[0].Matches, at.CountCap)
	case at.After != 0 || back || offset > 0:
		// Past the end (or a cursor naming no case): no row carried the count.
		page.Total, page.TotalCapped, err = countCases(ctx, r, where, args, at.CountCap)
	}
	return page, err
}

// countQuery is the query counting the rows matching where, stopping past
// limit when it is positive (a capped count reads at most limit+1 index
// entries however many cases match), with its arguments.
func countQuery(where string, args []any, limit int) (string, []any) {
	if limit <= 0 {
		return "SELECT count(*) FROM cases WHERE " + where, args
	}
	return "SELECT count(*) FROM (SELECT 1 FROM cases WHERE " + where + " LIMIT ?) AS matches",
		append(slices.Clone(args), limit+1)
}

// capped turns a count made by countQuery into the total and whether it
// stopped at the cap.
func capped(n, limit int) (int, bool) {
	if limit > 0 && n > limit {
		return limit, true
	}
	return n, false
}

// countCases counts the rows matching where, up to limit when it is positive.
func countCases(ctx context.Context, r reader, where string, args []any, limit int) (int, bool, error) {
	q, a := countQuery(where, args, limit)
	var n int
	if err := r.GetContext(ctx, &n, r.Rebind(q), a...); err != nil {
		return 0, false, fmt.Errorf("count cases: %w", err)
	}
	total, over := capped(n, limit)
	return total, over, nil
}

// sortKeys is an order of the queue as SQL: an optional group flag, a boolean
// expression sorted ascending in both directions (cases without a due day or
// an assignee come last), then keys sorted in the order's direction, id last
// so that no two rows tie. The ORDER BY and the keyset condition both come
// from it, so they cannot disagree.
type sortKeys struct {
	flag string
	keys []string
	desc bool
}

// sortKeysOf returns the filter's order. The due order needs its group flag
// only ascending and over cases without a due day too: a filter on due days
// selects only cases that have one, and descending, the empty due day sorts
// last by itself. Without the flag the index on (due_on, created_at, id)
// serves the order; with it, migration 00024's index on the flag, due_on,
// created_at and id.
func sortKeysOf(filter storage.CaseFilter) sortKeys {
	k := sortKeys{keys: []string{"created_at", "id"}, desc: filter.SortDesc}
	switch filter.Sort {
	case storage.CaseSortDue:
		k.keys = append([]string{"due_on"}, k.keys...)
		if filter.DueFrom == nil && filter.DueTo == nil && !filter.SortDesc {
			k.flag = "(due_on = '')"
		}
	case storage.CaseSortStatus:
		k.keys = append([]string{statusRank}, k.keys...)
	case storage.CaseSortAssignee:
		k.flag = "(assignee_id IS NULL)"
		k.keys = append([]string{assigneeName}, k.keys...)
	case storage.CaseSortReceived:
	default:
		k.desc = true // the queue's default: newest first
	}
	return k
}

// assigneeName is the name of the case's assignee, empty when it has none (so
// that the keyset's row comparison never meets a NULL).
const assigneeName = "COALESCE((SELECT s.name FROM staff s WHERE s.id = cases.assignee_id), '')"

// orderBy is the ORDER BY clause, turned round when reverse.
func (k sortKeys) orderBy(reverse bool) string {
	dir, flagDir := " ASC", " ASC"
	if k.desc != reverse {
		dir = " DESC"
	}
	if reverse {
		flagDir = " DESC"
	}
	var parts []string
	if k.flag != "" {
		parts = append(parts, k.flag+flagDir)
	}
	for _, key := range k.keys {
		parts = append(parts, key+dir)
	}
	return strings.Join(parts, ", ")
}

// after returns the condition for the rows that come after the case with id
// cursor in the order (turned round when reverse), with its arguments. The
// cursor's sort keys are read by scalar subqueries, so the values compared
// are the database's own (no timestamp goes through Go and back), and the
// planner sees a row comparison it can start an index scan from.
func (k sortKeys) after(cursor int64, reverse bool) (string, []any) {
	op, flagOp := " > ", " > "
	if k.desc != reverse {
		op = " < "
	}
	if reverse {
		flagOp = " < "
	}
	keys := k.keys
	if k.flag != "" && !k.desc {
		// The flag runs the keys' way (ascending, or all turned round): one
		// row comparison, which an index on the flag and the keys serves.
		keys = append([]string{k.flag}, keys...)
	}
	var subs []string
	var args []any
	for _, key := range keys[:len(keys)-1] {
		subs, args = append(subs, cursorKey(key)), append(args, cursor)
	}
	subs, args = append(subs, "?"), append(args, cursor)
	row := "(" + strings.Join(keys, ", ") + ")" + op + "(" + strings.Join(subs, ", ") + ")"
	if k.flag == "" || !k.desc {
		return row, args
	}
	flag := cursorKey(k.flag)
	cond := "(" + k.flag + flagOp + flag + " OR (" + k.flag + " = " + flag + " AND " + row + "))"
	return cond, append([]any{cursor, cursor}, args...)
}

// cursorKey is a subquery reading a sort key of the cursor's case.
func cursorKey(key string) string {
	return "(SELECT " + key + " FROM cases WHERE cases.id = ?)"
}
