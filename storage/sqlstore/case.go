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

// caseColumns lists the cases columns in storage.Case order; an unassigned case
// (NULL assignee) reads as assignee 0, a case in no team as team 0.
const caseColumns = `id, number, open_id, status, category, merchant_name, merchant_address,
	purchase_date, amount_fen, description, demand, complainant_name, phone, intake_key,
	COALESCE(assignee_id, 0) AS assignee_id, unread, outcome, recovered_fen,
	double_compensation, subcategory, nature, referral_target, created_at, updated_at,
	due_kind, due_on, due_paused, COALESCE(team_id, 0) AS team_id, unit_id,
	COALESCE(merchant_id, 0) AS merchant_id, seven_day_return, anonymised, legal_hold`

// nextSeqSQL takes the next number of a prefix and year. The upsert locks the counter
// row until the transaction ends, so concurrent creators queue here; a rollback undoes
// the increment, which keeps the sequence gapless. Both dialects accept it (SQLite
// since 3.35). Because every filing of the year queues on that one row, CreateCase
// runs it last (see assignNumber).
const nextSeqSQL = `INSERT INTO case_numbers (prefix, year, last_seq) VALUES (?, ?, 1)
	ON CONFLICT (prefix, year) DO UPDATE SET last_seq = case_numbers.last_seq + 1
	RETURNING last_seq`

// insertCaseSQL inserts a case, already linked and with its due day, unless
// one with the same intake key exists, and returns it. On Postgres a concurrent
// insert of the same key makes this statement wait for the other transaction; if it
// commits, no row is returned instead of a unique-violation error that would abort
// our transaction.
const insertCaseSQL = `INSERT INTO cases (number, open_id, status, category, merchant_name,
	merchant_address, purchase_date, amount_fen, description, demand, complainant_name,
	phone, intake_key, created_at, updated_at, unit_id, seven_day_return,
	merchant_id, due_kind, due_on, due_paused)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (intake_key) DO NOTHING
	RETURNING ` + caseColumns

// unitOrRoot files a case without a unit with the root unit.
func unitOrRoot(id int64) int64 {
	if id == 0 {
		return storage.RootUnitID
	}
	return id
}

// validPrefix matches the prefixes storage.ParseCaseNumber can read back.
var validPrefix = regexp.MustCompile(`^[A-Za-z]{1,8}$`)

// CreateCase assigns the next gapless number of the current year (the year of d.Now()
// in its location) for prefix and inserts the case, its EventSubmitted event and its
// evidence rows in one transaction. If a case with nc.IntakeKey exists, even one
// committed concurrently, it is returned unchanged and nothing is inserted. Returns
// EINVALID for missing fields, a bad prefix or values the schema refuses (a negative
// amount).
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
		c, created, err = d.createCase(ctx, tx, prefix, &nc, d.now())
		if err == nil && !created {
			return errRollback // the routing locks taken on the way are let go
		}
		return err
	})
	if err == nil {
		err = d.awaitDurable(ctx, "create case")
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// awaitDurable returns once everything committed on the server so far is on
// its disk; on SQLite, which commits synchronously, at once.
//
// A filing's transaction commits on PostgreSQL without waiting for its WAL
// flush (filingLookup turns synchronous_commit off for it). The year's counter
// row, which every filing locks, is then let go at COMMIT without an fsync
// under the lock: with the flush inside, the lock's hold time was the disk's
// flush time, and filings queued on it one flush each. Here the filings share
// their flushes instead, outside the lock: a transaction that takes a
// transaction id commits synchronously, and its commit record follows the
// filing's in the WAL, so its flush covers the filing.
//
// Nobody learns a number before this returns. A server crash before the flush
// loses the filing whole — the case and the counter's step together, and every
// later filing with it, since the WAL is replayed in order — so the numbers
// stay gapless; and the consumer, not answered, files again under the same
// intake key.
func (d *DB) awaitDurable(ctx context.Context, op string) error {
	if d.dialect != DialectPostgres {
		return nil
	}
	_, err := d.db.ExecContext(ctx, "SELECT txid_current()")
	return wrapErr(op+": wait for the commit to reach the disk", err)
}

// createCase does CreateCase's work in tx. It reports created=false, and the existing
// case, when the intake key was already used; the caller must then not commit.
//
// Filings queue on two locks held to COMMIT: the year's counter row, which every
// filing takes, and an auto-assigning team's members, which filings into the team
// take to count their open cases. So the order matters: everything else (the
// merchant link, the due day, the choice of team, the case under a provisional
// number, the timeline, the status period, the mass detector) is done first; then
// the case enters its team, and the last statement before COMMIT takes the number
// and writes it with the route (assignNumber). A rollback at any point gives back
// everything taken.
func (d *DB) createCase(
	ctx context.Context, tx *sqlx.Tx, prefix string, nc *storage.NewCase, now time.Time,
) (c *storage.Case, created bool, err error) {
	year := now.Year() // in now's location, before dbTime makes it UTC
	now = dbTime(now)
	f, err := d.prepareFiling(ctx, tx, nc, now)
	if err != nil {
		return nil, false, err
	}
	c, err = insertFiledCase(ctx, tx, nc, f, now)
	if errors.Is(err, sql.ErrNoRows) {
		// A case with this intake key exists (a retry of a submitted draft),
		// maybe committed by another transaction while we waited; it is the answer.
		c, err = findCase(ctx, tx, "intake_key = ?", nc.IntakeKey)
		return c, false, err
	} else if err != nil {
		return nil, false, err
	}
	if err := groupMassCase(ctx, tx, c, f.massKey, d.MassRule, now); err != nil {
		return nil, false, err
	}
	r, err := enterTeam(ctx, tx, f.teamID, f.rule)
	if err != nil {
		return nil, false, err
	}
	return c, true, assignNumber(ctx, tx, c, r, prefix, year, now)
}

// filing is what is found out about a new case before it is inserted: its
// registry merchant, the key the mass detector files it under, the due day of
// its acceptance clock, and the team it goes to (0 for none) by rule (nil for
// the default team).
type filing struct {
	merchant *storage.Merchant // nil when the typed name names none exactly
	massKey  string            // "" when the merchant normalises to nothing
	due      storage.CaseDue
	teamID   int64
	rule     *storage.RoutingRule
}

// prepareFiling matches the merchant of a case being filed (locking it),
// computes its due day and finds its team, on the reference data of the
// version the transaction sees (one statement when the DB holds that version).
func (d *DB) prepareFiling(ctx context.Context, tx *sqlx.Tx, nc *storage.NewCase, now time.Time) (*filing, error) {
	version, merchantID, err := filingLookup(ctx, tx, nc.MerchantName)
	if err != nil {
		return nil, err
	}
	m, err := newCaseMerchant(ctx, tx, merchantID)
	if err != nil {
		return nil, err
	}
	ref, err := d.deskReferenceAt(ctx, tx, version)
	if err != nil {
		return nil, err
	}
	f := &filing{merchant: m, due: ref.due(now)}
	f.teamID, f.rule = ref.route(nc)
	f.massKey = massKeyOf(nc, m)
	return f, nil
}

// massKeyOf is the key the mass detector files a new case under: that of its
// registry merchant's name when linked (see storage.MassMerchantKey), else of
// the name as typed; "" when the name normalises to nothing (not grouped).
func massKeyOf(nc *storage.NewCase, m *storage.Merchant) string {
	if m != nil {
		return massKeyOfName(m.Name)
	}
	return massKeyOfName(nc.MerchantName)
}

// provisionalNumber stands in for a case's number until assignNumber sets it,
// before the transaction commits, so no other transaction ever sees it. It is
// unique as the intake key is, and no real number has its form.
func provisionalNumber(intakeKey string) string {
	return "~" + intakeKey
}

// assignNumberPostgres is assignNumber in one statement: the counter's upsert
// (nextSeqSQL) and the case's update, so that the lock is held for one round
// trip and the COMMIT instead of two. The number is formatted as
// storage.FormatCaseNumber does (its head, "TS-2026-", is the first argument
// after the CTEs), which assignNumber checks. A routed case's note
// (routeNoteCTE) goes in the same statement. SQLite serialises writers anyway
// and takes a statement each (noteRoute, nextSeq, numberCaseSQL).
const (
	assignNumberSeqCTE = `WITH seq AS (` + nextSeqSQL + `)`
	routeNoteCTE       = `,
	note AS (INSERT INTO case_events (case_id, kind, actor, body, created_at) VALUES (?, ?, ?, ?, ?))`
	assignNumberUpdate = `
	UPDATE cases SET number = ?::text || lpad(seq.last_seq::text, greatest(6, length(seq.last_seq::text)), '0'),
		team_id = ?, assignee_id = ?
	FROM seq WHERE cases.id = ?
	RETURNING seq.last_seq, cases.number`
)

// numberCaseSQL writes a case's number and route.
const numberCaseSQL = "UPDATE cases SET number = ?, team_id = ?, assignee_id = ? WHERE id = ?"

// assignNumber puts the routing note of route r on the case's timeline (see
// noteRoute), takes the next number of (prefix, year) and writes it, with r,
// into the case. From the counter's upsert on, its row lock is held to COMMIT
// and every other filing of the year waits: call it last.
func assignNumber(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, r route, prefix string, year int, now time.Time,
) error {
	var number string
	var err error
	if isPostgres(tx) {
		number, err = assignNumberOnPostgres(ctx, tx, c, r, prefix, year, now)
	} else {
		number, err = assignNumberOnSQLite(ctx, tx, c, r, prefix, year, now)
	}
	if err != nil {
		return err
	}
	c.Number, c.TeamID, c.AssigneeID = number, r.teamID(), r.assigneeID()
	return nil
}

// assignNumberOnPostgres is assignNumber's one statement on PostgreSQL; it
// returns the number.
func assignNumberOnPostgres(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, r route, prefix string, year int, now time.Time,
) (string, error) {
	q, args := assignNumberSeqCTE, []any{strings.ToUpper(prefix), year}
	if r.team != nil {
		q += routeNoteCTE
		args = append(args, c.ID, storage.EventNote, storage.ActorSystem, routedBody(r.team, r.rule, r.assignee), now)
	}
	head := strings.TrimSuffix(storage.FormatCaseNumber(prefix, year, 0), "000000")
	args = append(args, head, nullID(r.teamID()), nullID(r.assigneeID()), c.ID)
	var got struct {
		Seq    int64  `db:"last_seq"`
		Number string `db:"number"`
	}
	if err := tx.GetContext(ctx, &got, tx.Rebind(q+assignNumberUpdate), args...); err != nil {
		return "", fmt.Errorf("number case: %w", err)
	}
	if number := storage.FormatCaseNumber(prefix, year, got.Seq); got.Number != number {
		return "", fmt.Errorf("number case: stored %q, want %q", got.Number, number)
	}
	return got.Number, nil
}

// assignNumberOnSQLite is assignNumber's statements on SQLite; it returns the
// number.
func assignNumberOnSQLite(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, r route, prefix string, year int, now time.Time,
) (string, error) {
	if err := noteRoute(ctx, tx, c.ID, r, now); err != nil {
		return "", err
	}
	seq, err := nextSeq(ctx, tx, prefix, year)
	if err != nil {
		return "", err
	}
	number := storage.FormatCaseNumber(prefix, year, seq)
	q := tx.Rebind(numberCaseSQL)
	if _, err := tx.ExecContext(ctx, q, number, nullID(r.teamID()), nullID(r.assigneeID()), c.ID); err != nil {
		return "", fmt.Errorf("number case: %w", err)
	}
	return number, nil
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

// insertCase inserts a submitted case under its provisional number and returns it,
// or sql.ErrNoRows if a case with the same intake key exists.
func insertCase(
	ctx context.Context, tx *sqlx.Tx, nc *storage.NewCase, f *filing, now time.Time,
) (*storage.Case, error) {
	c := &storage.Case{}
	err := tx.GetContext(ctx, c, tx.Rebind(insertCaseSQL), newCaseArgs(nc, f, now)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("insert case: %w", err)
	}
	utcCase(c)
	return c, nil
}

// newCaseArgs are insertCaseSQL's arguments for the case being filed.
func newCaseArgs(nc *storage.NewCase, f *filing, now time.Time) []any {
	var merchantID int64
	if f.merchant != nil {
		merchantID = f.merchant.ID
	}
	return []any{provisionalNumber(nc.IntakeKey), nc.OpenID, storage.StatusSubmitted, nc.Category, nc.MerchantName,
		nc.MerchantAddress, nc.PurchaseDate, nc.AmountFen, nc.Description, nc.Demand,
		nc.ComplainantName, nc.Phone, nc.IntakeKey, now, now, unitOrRoot(nc.UnitID), nc.SevenDayReturn,
		nullID(merchantID),
		f.due.Kind, f.due.On, f.due.Paused}
}

// insertFiledCase inserts the case being filed with what comes with it: the
// 已提交 event, its evidence, the first status period (the receipt starts the
// acceptance clock; its due day is already in the row) and, with a mass key,
// the key's row, taking the detector's lock of the key. sql.ErrNoRows, and
// nothing inserted, if a case with the same intake key exists.
//
// On PostgreSQL one statement does it all but the evidence (insertFiledCasePostgres);
// on SQLite, which has no data-modifying CTEs, a statement each.
func insertFiledCase(
	ctx context.Context, tx *sqlx.Tx, nc *storage.NewCase, f *filing, now time.Time,
) (*storage.Case, error) {
	if isPostgres(tx) {
		c, err := insertFiledCasePostgres(ctx, tx, nc, f, now)
		if err != nil {
			return nil, err
		}
		return c, insertEvidence(ctx, tx, c.ID, nc.Evidence, now)
	}
	c, err := insertCase(ctx, tx, nc, f, now)
	if err != nil {
		return nil, err
	}
	if err := insertSubmission(ctx, tx, c.ID, nc, now); err != nil {
		return nil, err
	}
	if err := insertStatusPeriod(ctx, tx, c, false, now); err != nil {
		return nil, err
	}
	return c, keyMassCase(ctx, tx, c.ID, f.massKey, now)
}

// filedCaseCTEs follow insertCaseSQL, the CTE "c", in insertFiledCasePostgres's
// statement: the event and the status period are inserted from c's row, so
// nothing is inserted when c conflicts.
const filedCaseCTEs = `,
	e AS (INSERT INTO case_events (case_id, kind, actor, body, created_at)
		SELECT id, ?, ?, ?, ? FROM c),
	p AS (INSERT INTO case_status_periods (case_id, status, referral_target, reopen, started_at)
		SELECT id, status, '', FALSE, ? FROM c)`

// massKeyCTE inserts the case's mass key row, from c's row.
const massKeyCTE = `,
	k AS (INSERT INTO mass_case_keys (case_id, merchant_key, created_at) SELECT id, ?, ? FROM c)`

// massLockColumn takes the detector's lock of the mass key (lockMassKeyPostgres)
// in the projection of c's row, so only once the insert has returned it: a
// filing that waits for a concurrent one with the same intake key holds no
// mass lock meanwhile, and the two cannot wait for each other in a circle.
// The statements after this one start once the lock is granted, so they see
// every filing of the key that held it before. noMassLock stands in for it
// when the case has no mass key.
const (
	massLockColumn = `, ` + massKeyLockCall + `::text AS mass_lock`
	noMassLock     = `, '' AS mass_lock`
)

// insertFiledCasePostgres is insertFiledCase in one statement on PostgreSQL,
// but for the evidence.
func insertFiledCasePostgres(
	ctx context.Context, tx *sqlx.Tx, nc *storage.NewCase, f *filing, now time.Time,
) (*storage.Case, error) {
	q := "WITH c AS (" + insertCaseSQL + ")" + filedCaseCTEs
	args := newCaseArgs(nc, f, now)
	args = append(args, storage.EventSubmitted, storage.ActorConsumer, submittedBody(nc), now, now)
	lock := noMassLock
	if f.massKey != "" {
		q += massKeyCTE
		args = append(args, f.massKey, now, f.massKey) // the last for massLockColumn
		lock = massLockColumn
	}
	q += "\n\tSELECT c.*" + lock + " FROM c"
	var got struct {
		storage.Case
		MassLock string `db:"mass_lock"`
	}
	err := tx.GetContext(ctx, &got, tx.Rebind(q), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("insert case: %w", err)
	}
	c := got.Case
	utcCase(&c)
	return &c, nil
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

// findCaseByID returns the case with the id, or ENOTFOUND naming it. lock is appended
// to the query (forUpdate's result, or "").
func findCaseByID(ctx context.Context, tx *sqlx.Tx, id int64, lock string) (*storage.Case, error) {
	c, err := findCase(ctx, tx, "id = ?"+lock, id)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil, storage.Errorf(storage.ENOTFOUND, "case %d not found", id)
	}
	return c, err
}

// AssignCase makes assigneeID the mediator of the case, or, with nil (or 0), leaves
// it unassigned, and audits the change in the same transaction; assigning the
// current assignee again changes and audits nothing. ENOTFOUND for an unknown case;
// EINVALID for a missing actor, or an assignee who does not exist or is disabled.
// The audit entry carries by.IP.
func (d *DB) AssignCase(
	ctx context.Context, caseID int64, assigneeID *int64, by storage.By,
) (*storage.Case, error) {
	if by.Actor == "" {
		return nil, storage.Errorf(storage.EINVALID, "an assignment needs an actor")
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "assign case", func(tx *sqlx.Tx) error {
		var err error
		c, err = assignCase(ctx, tx, caseID, assigneeID, by, false, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ClaimCase makes staffID the mediator of the case if it has none, and audits it as
// AssignCase does. The case's row is locked (FOR UPDATE on PostgreSQL; SQLite's
// immediate transaction serialises writers) before it is checked, so a concurrent
// claim or assignment waits and then sees this one. Claiming one's own case again
// changes nothing. ECONFLICT if someone else has the case.
func (d *DB) ClaimCase(ctx context.Context, caseID, staffID int64, by storage.By) (*storage.Case, error) {
	switch {
	case by.Actor == "":
		return nil, storage.Errorf(storage.EINVALID, "a claim needs an actor")
	case staffID <= 0:
		return nil, storage.Errorf(storage.EINVALID, "a claim needs a staff member")
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "claim case", func(tx *sqlx.Tx) error {
		var err error
		c, err = assignCase(ctx, tx, caseID, &staffID, by, true, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// errClaimed is ClaimCase's answer when someone else has the case.
func errClaimed() error {
	return storage.Errorf(storage.ECONFLICT, "该案件已由其他人认领或已分配给他人，未能认领。请刷新页面查看当前承办人。")
}

// assignCase does AssignCase's work in tx; with onlyIfFree (ClaimCase) it refuses,
// ECONFLICT, a case that someone other than the new assignee has.
func assignCase(
	ctx context.Context, tx *sqlx.Tx, caseID int64, assigneeID *int64, by storage.By, onlyIfFree bool, now time.Time,
) (*storage.Case, error) {
	c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	var to int64
	if assigneeID != nil {
		to = *assigneeID
	}
	if to == c.AssigneeID {
		return c, nil
	}
	if onlyIfFree && c.AssigneeID != 0 {
		return nil, errClaimed()
	}
	detail := "取消指派"
	if to != 0 {
		s, err := activeStaff(ctx, tx, to)
		if err != nil {
			return nil, err
		}
		detail = "指派给 " + s.Name
	}
	q := tx.Rebind("UPDATE cases SET assignee_id = ?, updated_at = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, nullID(to), now, c.ID); err != nil {
		return nil, fmt.Errorf("assign case: %w", err)
	}
	c.AssigneeID, c.UpdatedAt = to, now
	return c, auditStaff(ctx, tx, by, storage.AuditAssign, c.ID, detail, now)
}

// MarkCaseRead clears the case's unread flag: staff have seen the consumer's latest
// messages. ENOTFOUND for an unknown case.
func (d *DB) MarkCaseRead(ctx context.Context, caseID int64) error {
	return d.inWriteTx(ctx, "mark case read", func(tx *sqlx.Tx) error {
		q := tx.Rebind("UPDATE cases SET unread = FALSE WHERE id = ?")
		res, err := tx.ExecContext(ctx, q, caseID)
		return oneRow(res, err, "case %d not found", caseID)
	})
}

// markCaseUnread sets the case's unread flag: the consumer wrote, and staff have
// not seen it yet.
func markCaseUnread(ctx context.Context, tx *sqlx.Tx, caseID int64) error {
	q := tx.Rebind("UPDATE cases SET unread = TRUE WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, caseID); err != nil {
		return fmt.Errorf("mark case unread: %w", err)
	}
	return nil
}
