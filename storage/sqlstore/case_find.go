package sqlstore

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// Page sizes for FindCases.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// FindCases returns one page of the cases matching the filter, newest first (by
// created_at, then id), and the total count of matches. A zero Limit means 20; more
// than 100 means 100. See caseWhere for how each filter field selects.
func (d *DB) FindCases(
	ctx context.Context, filter storage.CaseFilter,
) ([]*storage.Case, int, error) {
	var (
		cases []*storage.Case
		total int
	)
	err := d.inReadTx(ctx, "find cases", func(tx *sqlx.Tx) error {
		f, err := d.dueWindow(ctx, tx, filter)
		if err != nil {
			return err
		}
		cases, total, err = findCases(ctx, tx, f)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return cases, total, nil
}

// dueWindow turns filter.Due into the range of due days it selects today, on
// the calendar as stored and the DB's clock.
func (d *DB) dueWindow(ctx context.Context, tx reader, filter storage.CaseFilter) (storage.CaseFilter, error) {
	if filter.Due == "" {
		return filter, nil
	}
	if !filter.Due.Valid() {
		return filter, storage.Errorf(storage.EINVALID, "unknown due filter %q", filter.Due)
	}
	now := d.now()
	cal, err := calendarFrom(ctx, tx, now)
	if err != nil {
		return filter, err
	}
	from, to := storage.DueWindow(cal, now, filter.Due == storage.DueOverdue)
	if from != "" {
		filter.DueFrom = &from
	}
	filter.DueTo = &to
	return filter, nil
}

// findCases reads the page first. When the page is not full it holds the last
// matches, so the total follows without counting: a search for a phone number or
// a case number, which matches a case or two, then costs one query, not two.
func findCases(
	ctx context.Context, tx *sqlx.Tx, filter storage.CaseFilter,
) ([]*storage.Case, int, error) {
	where, args, err := caseWhere(ctx, tx, filter)
	if err != nil {
		return nil, 0, err
	}
	limit, offset := pageBounds(filter)
	q := tx.Rebind("SELECT " + caseColumns + " FROM cases WHERE " + where +
		" ORDER BY " + caseOrder(filter) + " LIMIT ? OFFSET ?")
	cases := []*storage.Case{}
	if err := tx.SelectContext(ctx, &cases, q, append(args, limit, offset)...); err != nil {
		return nil, 0, fmt.Errorf("select cases: %w", err)
	}
	for _, c := range cases {
		utcCase(c)
	}
	if len(cases) < limit && (len(cases) > 0 || offset == 0) {
		return cases, offset + len(cases), nil
	}
	var total int
	q = tx.Rebind("SELECT count(*) FROM cases WHERE " + where)
	if err := tx.GetContext(ctx, &total, q, args...); err != nil {
		return nil, 0, fmt.Errorf("count cases: %w", err)
	}
	return cases, total, nil
}

// caseWhere builds the condition and arguments for the filter's non-nil fields. An
// AssigneeID of 0 selects unassigned cases; Search is explained at searchWhere. The
// unread condition is written out rather than bound so that the partial index on
// unread cases, whose condition it repeats, can serve it.
func caseWhere(
	ctx context.Context, tx reader, filter storage.CaseFilter,
) (string, []any, error) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, a ...any) {
		where, args = append(where, cond), append(args, a...)
	}
	if v := filter.ID; v != nil {
		add("id = ?", *v)
	}
	if v := filter.Number; v != nil {
		add("number = ?", *v)
	}
	if v := filter.OpenID; v != nil {
		add("open_id = ?", *v)
	}
	if v := filter.Status; v != nil {
		add("status = ?", *v)
	}
	if v := filter.Category; v != nil {
		add("category = ?", *v)
	}
	if v := filter.AssigneeID; v != nil && *v == 0 {
		add("assignee_id IS NULL")
	} else if v != nil {
		add("assignee_id = ?", *v)
	}
	if v := filter.Unread; v != nil && *v {
		add("unread = TRUE")
	} else if v != nil {
		add("unread = FALSE")
	}
	if v := filter.Open; v != nil {
		statuses := statusesWhereFinal(!*v)
		add("status IN ("+placeholders(len(statuses))+")", statuses...)
	}
	if filter.DueFrom != nil || filter.DueTo != nil {
		// > '' rather than <> '': the same cases, as a range an index on
		// due_on can start from instead of stepping over every case without one.
		add("due_on > '' AND due_paused = FALSE")
	}
	if v := filter.DueFrom; v != nil {
		add("due_on >= ?", *v)
	}
	if v := filter.DueTo; v != nil {
		add("due_on <= ?", *v)
	}
	if v := filter.TeamID; v != nil && *v == 0 {
		add("team_id IS NULL")
	} else if v != nil {
		add("team_id = ?", *v)
	}
	if v := filter.WorkOf; v != nil {
		add(workOfWhere, *v, *v)
	}
	if filter.UnitIDs != nil {
		cond, a := idsIn("unit_id", filter.UnitIDs)
		add(cond, a...)
	}
	if v := filter.MerchantID; v != nil {
		add("merchant_id = ?", *v)
	}
	if filter.Search != "" {
		cond, a, err := searchWhere(ctx, tx, filter.Search)
		if err != nil {
			return "", nil, err
		}
		if cond != "" {
			add(cond, a...)
		}
	}
	return strings.Join(where, " AND "), args, nil
}

// caseOrder is the ORDER BY of the filter's sort. Cases without a due day (or
// an assignee) come last in both directions; ties go by received time and id,
// in the sort's direction, so paging is stable. See sortKeysOf.
func caseOrder(filter storage.CaseFilter) string {
	return sortKeysOf(filter).orderBy(false)
}

// statusRank orders statuses as storage.Statuses lists them, the order a case
// usually passes them, rather than by their ASCII identifiers.
var statusRank = func() string {
	s := "CASE status"
	for i, st := range storage.Statuses() {
		s += fmt.Sprintf(" WHEN '%s' THEN %d", st, i)
	}
	return s + fmt.Sprintf(" ELSE %d END", len(storage.Statuses()))
}()

// knownStatuses lists every status of the storage package's table; which of them are
// final is left to storage.Status.Final.
var knownStatuses = storage.Statuses()

// statusesWhereFinal returns, as query arguments, the known statuses that are final
// (with final) or open (without). The Open filter names the statuses it wants rather than those it
// does not: "status IN (…)" can use the status index (and, with an assignee, combine
// it with the assignee's), "status NOT IN (…)" cannot.
func statusesWhereFinal(final bool) []any {
	var statuses []any
	for _, s := range knownStatuses {
		if s.Final() == final {
			statuses = append(statuses, s)
		}
	}
	return statuses
}

// pageBounds applies the default and maximum page size and ignores negative offsets.
func pageBounds(filter storage.CaseFilter) (limit, offset int) {
	limit, offset = filter.Limit, max(filter.Offset, 0)
	switch {
	case limit <= 0:
		limit = defaultPageSize
	case limit > maxPageSize:
		limit = maxPageSize
	}
	return limit, offset
}

// leadingLetters finds the prefix typed in front of a case number ("ts" in
// "ts2026123").
var leadingLetters = regexp.MustCompile(`^[A-Za-z]{1,8}`)

// likeEscaper escapes LIKE's wildcards (and the escape character itself) so that
// the text searched for matches literally; the queries say ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// searchWhere builds the condition for CaseFilter.Search: a whole mobile number
// (storage.WholePhone) finds that phone number exactly and nothing else; other
// text finds the merchant names it is part of, in any case, or, when it reads as
// a case number typed loosely ("ts2026123", "2026-123"), that number. Part of a phone
// number finds nothing: lists mask the middle digits, and a search by a part
// would uncover them a guess at a time. The merchant condition compares
// merchant_key, the name lower-cased by the database, with a plain LIKE; on
// PostgreSQL a trigram index on merchant_key serves it when pg_trgm is installed
// (see migration 00003). The phone is compared with =, which its b-tree index
// serves.
func searchWhere(ctx context.Context, tx reader, text string) (string, []any, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", nil, nil
	}
	if digits, ok := storage.WholePhone(text); ok {
		// A whole mobile number is a phone search only: no merchant is named by
		// eleven digits, and matching them against every merchant name would cost a
		// scan of the trigram index (tens of milliseconds at a million cases).
		return "phone = ?", []any{digits}, nil
	}
	conds := []string{`merchant_key LIKE ? ESCAPE '\'`}
	args := []any{"%" + likeEscaper.Replace(strings.ToLower(text)) + "%"}
	numbers, err := searchNumbers(ctx, tx, text)
	if err != nil {
		return "", nil, err
	}
	if len(numbers) > 0 {
		conds = append(conds, "number IN ("+placeholders(len(numbers))+")")
		args = append(args, numbers...)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args, nil
}

// searchNumbers returns the canonical case numbers text may stand for. With a
// prefix typed, it is the one number under that prefix; without one, the number
// under each prefix the database has handed out numbers for (usually one).
func searchNumbers(ctx context.Context, tx reader, text string) ([]any, error) {
	text = strings.TrimSpace(text)
	if prefix := leadingLetters.FindString(text); prefix != "" {
		if n, ok := storage.ParseCaseNumber(text, prefix); ok {
			return []any{n}, nil
		}
		return nil, nil
	}
	if _, ok := storage.ParseCaseNumber(text, "X"); !ok {
		return nil, nil // not a number under any prefix: spare the query
	}
	var prefixes []string
	q := "SELECT DISTINCT prefix FROM case_numbers ORDER BY prefix"
	if err := tx.SelectContext(ctx, &prefixes, q); err != nil {
		return nil, fmt.Errorf("select case number prefixes: %w", err)
	}
	var numbers []any
	for _, p := range prefixes {
		if n, ok := storage.ParseCaseNumber(text, p); ok {
			numbers = append(numbers, n)
		}
	}
	return numbers, nil
}
