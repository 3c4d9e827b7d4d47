package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// Page sizes for FindCases.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// caseColumns lists the cases columns in storage.Case order; an unassigned case
// (NULL assignee) reads as assignee 0.
const caseColumns = `id, number, open_id, status, category, merchant_name, merchant_address,
	purchase_date, amount_fen, description, demand, complainant_name, phone, intake_key,
	COALESCE(assignee_id, 0) AS assignee_id, unread, outcome, recovered_fen,
	double_compensation, created_at, updated_at`

// nextSeqSQL takes the next number of a prefix and year. The upsert locks the counter
// row until the transaction ends, so concurrent creators queue here; a rollback undoes
// the increment, which keeps the sequence gapless. Both dialects accept it (SQLite
// since 3.35).
const nextSeqSQL = `INSERT INTO case_numbers (prefix, year, last_seq) VALUES (?, ?, 1)
	ON CONFLICT (prefix, year) DO UPDATE SET last_seq = case_numbers.last_seq + 1
	RETURNING last_seq`

// insertCaseSQL inserts a case unless one with the same intake key exists. On
// Postgres a concurrent insert of the same key makes this statement wait for the other
// transaction; if it commits, no row is returned instead of a unique-violation error
// that would abort our transaction.
const insertCaseSQL = `INSERT INTO cases (number, open_id, status, category, merchant_name,
	merchant_address, purchase_date, amount_fen, description, demand, complainant_name,
	phone, intake_key, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (intake_key) DO NOTHING
	RETURNING id`

// validPrefix matches the prefixes storage.ParseCaseNumber can read back.
var validPrefix = regexp.MustCompile(`^[A-Za-z]{1,8}$`)

// CreateCase assigns the next gapless number of the current year (the year of d.Now()
// in its location) for prefix and inserts the case, its EventSubmitted event and its
// evidence rows in one transaction. If a case with nc.IntakeKey exists, even one committed concurrently, it
// is returned unchanged and nothing is inserted. Returns EINVALID for missing fields, a
// bad prefix or values the schema refuses (a negative amount).
func (d *DB) CreateCase(
	ctx context.Context, prefix string, nc storage.NewCase,
) (*storage.Case, error) {
	if err := nc.Validate(); err != nil {
		return nil, err
	}
	if !validPrefix.MatchString(prefix) {
		return nil, storage.Errorf(storage.EINVALID,
			"case number prefix %q is not 1 to 8 ASCII letters", prefix)
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "create case", func(tx *sqlx.Tx) error {
		var (
			created bool
			err     error
		)
		c, created, err = createCase(ctx, tx, prefix, &nc, d.now())
		if err == nil && !created {
			// Rolling back gives back any number this call took.
			return errRollback
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// createCase does CreateCase's work in tx. It reports created=false, and the existing
// case, when the intake key was already used; the caller must then not commit.
func createCase(
	ctx context.Context, tx *sqlx.Tx, prefix string, nc *storage.NewCase, now time.Time,
) (c *storage.Case, created bool, err error) {
	c, err = findCase(ctx, tx, "intake_key = ?", nc.IntakeKey)
	if storage.ErrorCode(err) != storage.ENOTFOUND {
		return c, false, err // found (a retry of a submitted draft) or failed
	}
	seq, err := nextSeq(ctx, tx, prefix, now.Year())
	if err != nil {
		return nil, false, err
	}
	number := storage.FormatCaseNumber(prefix, now.Year(), seq)
	id, err := insertCase(ctx, tx, number, nc, dbTime(now))
	if errors.Is(err, sql.ErrNoRows) {
		// Another transaction inserted this intake key after our first look and
		// committed; its case is the answer.
		c, err = findCase(ctx, tx, "intake_key = ?", nc.IntakeKey)
		return c, false, err
	} else if err != nil {
		return nil, false, err
	}
	if err := insertSubmission(ctx, tx, id, nc, dbTime(now)); err != nil {
		return nil, false, err
	}
	c, err = findCase(ctx, tx, "id = ?", id)
	return c, err == nil, err
}

// nextSeq increments and returns the counter of (upper(prefix), year).
func nextSeq(ctx context.Context, tx *sqlx.Tx, prefix string, year int) (int64, error) {
	var seq int64
	err := tx.GetContext(ctx, &seq, tx.Rebind(nextSeqSQL), strings.ToUpper(prefix), year)
	if err != nil {
		return 0, fmt.Errorf("next case number: %w", err)
	}
	return seq, nil
}

// insertCase inserts a submitted case and returns its id, or sql.ErrNoRows if a case
// with the same intake key exists.
func insertCase(
	ctx context.Context, tx *sqlx.Tx, number string, nc *storage.NewCase, now time.Time,
) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, tx.Rebind(insertCaseSQL),
		number, nc.OpenID, storage.StatusSubmitted, nc.Category, nc.MerchantName,
		nc.MerchantAddress, nc.PurchaseDate, nc.AmountFen, nc.Description, nc.Demand,
		nc.ComplainantName, nc.Phone, nc.IntakeKey, now, now)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("insert case: %w", err)
	}
	return id, err
}

// insertSubmission adds the first timeline event and the evidence of a new case.
func insertSubmission(
	ctx context.Context, tx *sqlx.Tx, caseID int64, nc *storage.NewCase, now time.Time,
) error {
	err := insertEvent(ctx, tx, &storage.Event{
		CaseID:    caseID,
		Kind:      storage.EventSubmitted,
		Actor:     storage.ActorConsumer,
		Body:      submittedBody(nc),
		CreatedAt: now,
	})
	if err != nil {
		return err
	}
	return insertEvidence(ctx, tx, caseID, nc.Evidence, now)
}

// submittedBody summarises a new case for the timeline. It leaves out the name, phone
// and story: the timeline is shown and exported more widely than the case itself.
func submittedBody(nc *storage.NewCase) string {
	body := "投诉已提交：" + nc.Category
	if n := len(nc.Evidence); n > 0 {
		body += fmt.Sprintf("，附证据 %d 件", n)
	}
	return body
}

// FindCaseByNumber returns the case with that exact number, or ENOTFOUND.
func (d *DB) FindCaseByNumber(
	ctx context.Context, number string,
) (*storage.Case, error) {
	var c *storage.Case
	err := d.inReadTx(ctx, "find case", func(tx *sqlx.Tx) error {
		var err error
		c, err = findCase(ctx, tx, "number = ?", number)
		if storage.ErrorCode(err) == storage.ENOTFOUND {
			return storage.Errorf(storage.ENOTFOUND, "case %s not found", number)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// findCase returns the one case matching where (a condition with ? placeholders), or
// ENOTFOUND.
func findCase(ctx context.Context, tx *sqlx.Tx, where string, args ...any) (*storage.Case, error) {
	c, err := selectOne[storage.Case](ctx, tx, "SELECT "+caseColumns+" FROM cases WHERE "+where, "case", args...)
	if err != nil {
		return nil, err
	}
	utcCase(c)
	return c, nil
}

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
		var err error
		cases, total, err = findCases(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return cases, total, nil
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
		" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?")
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
	ctx context.Context, tx *sqlx.Tx, filter storage.CaseFilter,
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

// utcCase puts the case's times in UTC: lib/pq returns them in the session's zone.
func utcCase(c *storage.Case) {
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
}

// caseExists returns ENOTFOUND unless a case with the id exists.
func caseExists(ctx context.Context, tx *sqlx.Tx, id int64) error {
	var n int
	q := tx.Rebind("SELECT count(*) FROM cases WHERE id = ?")
	if err := tx.GetContext(ctx, &n, q, id); err != nil {
		return fmt.Errorf("look up case: %w", err)
	}
	if n == 0 {
		return storage.Errorf(storage.ENOTFOUND, "case %d not found", id)
	}
	return nil
}
