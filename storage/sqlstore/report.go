package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.ReportStore = (*DB)(nil)

// The stages of storage.ReportFigures, as the SQL of reportFacts names them.
const (
	stageAccepted  = "accepted"
	stageRejected  = "rejected"
	stageWithdrawn = "withdrawn"
	stagePending   = "pending"
)

// reportConcluded is the SQL condition behind Report.Concluded; keep it in step
// with storage.Status.Final.
const reportConcluded = `(outcome <> '' OR status IN ('resolved', 'terminated', 'rejected', 'withdrawn', 'closed'))`

// reportAcceptedStatuses are the statuses a case can only reach once accepted.
var reportAcceptedStatuses = []storage.Status{storage.StatusAccepted, storage.StatusMediating,
	storage.StatusAppraisal, storage.StatusReferred, storage.StatusResolved, storage.StatusTerminated}

// reportStage is the SQL expression giving each case (alias c) its stage. The
// history is read from the timeline: every move writes an EventStatusChange
// whose body is "<from> → <to>[：reason]" (statusChangeBody), so a case was ever
// refused, or ever accepted, exactly when such an entry names that target. The
// current status and outcome are checked as well, so rows without a timeline
// (imported history) are staged by what they show.
var reportStage = func() string {
	moved := func(targets ...storage.Status) string {
		var likes []string
		for _, s := range targets {
			likes = append(likes, "e.body LIKE '% → "+s.Label()+"%'")
		}
		return `EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = '` +
			string(storage.EventStatusChange) + `' AND (` + strings.Join(likes, " OR ") + `))`
	}
	return `CASE
		WHEN c.status = '` + string(storage.StatusRejected) + `' OR ` + moved(storage.StatusRejected) +
		` THEN '` + stageRejected + `'
		WHEN c.status IN (` + sqlStatuses(reportAcceptedStatuses) + `)
			OR c.outcome IN ('` + storage.OutcomeAgreement + `', '` + storage.OutcomeSettled + `', '` +
		storage.OutcomeTerminated + `') OR ` + moved(reportAcceptedStatuses...) + ` THEN '` + stageAccepted + `'
		WHEN c.status IN ('` + string(storage.StatusWithdrawn) + `', '` + string(storage.StatusClosed) +
		`') THEN '` + stageWithdrawn + `'
		ELSE '` + stagePending + `' END`
}()

// sqlStatuses is a SQL list of quoted status codes (ASCII identifiers).
func sqlStatuses(ss []storage.Status) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "'" + string(s) + "'"
	}
	return strings.Join(q, ", ")
}

// reportFacts is the derived table every figure is counted from: the cases
// received in the period (two placeholders: from, to) with their stage and their
// mediator's name. A new grouping (a team, say) needs its column here and a row
// in reportGroupings.
var reportFacts = `SELECT c.id, c.status, c.category, c.subcategory, c.nature, c.referral_target,
	COALESCE(c.assignee_id, 0) AS assignee_id, COALESCE(s.name, '') AS assignee_name,
	c.merchant_key, c.merchant_name, c.outcome, c.recovered_fen, c.double_compensation,
	c.amount_fen, c.created_at, ` + reportStage + ` AS stage
	FROM cases c LEFT JOIN staff s ON s.id = c.assignee_id
	WHERE c.created_at >= ? AND c.created_at < ?`

// reportSums are the aggregates of storage.ReportFigures over rows of reportFacts.
const reportSums = `count(*) AS received,
	COALESCE(sum(CASE WHEN stage = '` + stageAccepted + `' THEN 1 ELSE 0 END), 0) AS accepted,
	COALESCE(sum(CASE WHEN stage = '` + stageRejected + `' THEN 1 ELSE 0 END), 0) AS rejected,
	COALESCE(sum(CASE WHEN stage = '` + stageWithdrawn + `' THEN 1 ELSE 0 END), 0) AS withdrawn_early,
	COALESCE(sum(CASE WHEN stage = '` + stagePending + `' THEN 1 ELSE 0 END), 0) AS pending,
	COALESCE(sum(CASE WHEN stage = '` + stageAccepted + `' AND outcome IN ('` + storage.OutcomeAgreement +
	`', '` + storage.OutcomeSettled + `') THEN 1 ELSE 0 END), 0) AS mediated,
	CAST(COALESCE(sum(recovered_fen), 0) AS BIGINT) AS recovered,
	COALESCE(sum(CASE WHEN double_compensation THEN 1 ELSE 0 END), 0) AS doubled,
	CAST(COALESCE(sum(amount_fen), 0) AS BIGINT) AS amount,
	COALESCE(sum(CASE WHEN ` + reportConcluded + ` THEN 1 ELSE 0 END), 0) AS concluded`

// reportRow is one group of a grouping query.
type reportRow struct {
	Key       string `db:"k"`
	Name      string `db:"name"`
	Received  int    `db:"received"`
	Accepted  int    `db:"accepted"`
	Rejected  int    `db:"rejected"`
	Withdrawn int    `db:"withdrawn_early"`
	Pending   int    `db:"pending"`
	Mediated  int    `db:"mediated"`
	Recovered int64  `db:"recovered"`
	Doubled   int    `db:"doubled"`
	Amount    int64  `db:"amount"`
	Concluded int    `db:"concluded"`
}

// figures returns the row's figures.
func (r reportRow) figures() storage.ReportFigures {
	return storage.ReportFigures{Received: r.Received, Accepted: r.Accepted, Rejected: r.Rejected,
		WithdrawnEarly: r.Withdrawn, Pending: r.Pending, Mediated: r.Mediated, RecoveredFen: r.Recovered,
		DoubleCompensation: r.Doubled, AmountFen: r.Amount}
}

// count returns the row as a ReportCount.
func (r reportRow) count() storage.ReportCount {
	return storage.ReportCount{Key: r.Key, Name: r.Name, Count: r.Received, ReportFigures: r.figures()}
}

// reportGrouping is one breakdown of a Report: the SQL expressions of its key and
// name over reportFacts, and where its rows go.
type reportGrouping struct {
	what      string // for errors
	key, name string
	into      func(rep *storage.Report) *[]storage.ReportCount
	limit     int // 0: every group
}

// reportGroupings are the Report's breakdowns by a column. Adding one (a team:
// key "team_id", name the team's name joined in reportFacts) is a row here and
// a field of storage.Report.
var reportGroupings = []reportGrouping{
	{what: "category", key: "category", name: "min(category)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByCategory }},
	{what: "nature", key: "nature", name: "min(nature)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByNature }},
	{what: "channel", key: "referral_target", name: "min(referral_target)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByChannel }},
	{what: "mediator", key: "CAST(assignee_id AS TEXT)", name: "min(assignee_name)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByMediator }},
	{what: "merchant", key: "merchant_key", name: "min(merchant_name)", limit: storage.ReportTopMerchants,
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.TopMerchants }},
}

// CaseReport implements storage.ReportStore: aggregate queries over reportFacts
// in one read snapshot. Months and years are bucketed in SQL with a CASE on
// boundaries computed in Go, so both dialects compare plain timestamps.
func (d *DB) CaseReport(ctx context.Context, from, to time.Time) (*storage.Report, error) {
	if !from.Before(to) {
		return nil, storage.Errorf(storage.EINVALID, "the report's start must be before its end")
	}
	if n := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()); n > storage.MaxReportMonths {
		return nil, storage.Errorf(storage.EINVALID, "a report spans at most %d months", storage.MaxReportMonths)
	}
	rep := &storage.Report{From: from, To: to, HotTopics: []storage.ReportTopic{},
		ByMonth: reportBuckets(storage.ReportMonths(from, to), "2006-01"),
		ByYear:  reportBuckets(storage.ReportYears(from, to), "2006")}
	span := []any{dbTime(from), dbTime(to)}
	err := d.inReadTx(ctx, "case report", func(tx *sqlx.Tx) error {
		if err := reportPeriods(ctx, tx, rep, rep.ByMonth, span, true); err != nil {
			return err
		}
		if err := reportPeriods(ctx, tx, rep, rep.ByYear, span, false); err != nil {
			return err
		}
		for _, g := range reportGroupings {
			rows, err := reportGroup(ctx, tx, g, span)
			if err != nil {
				return err
			}
			*g.into(rep) = rows
		}
		if err := reportHotTopics(ctx, tx, rep, span); err != nil {
			return err
		}
		return reportSatisfaction(ctx, tx, rep, span)
	})
	if err != nil {
		return nil, err
	}
	rep.ByChannel = reportChannels(rep.ByChannel)
	rep.MediationRate = rep.Rate()
	return rep, nil
}

// reportBuckets returns one empty period per start, named in layout.
func reportBuckets(starts []time.Time, layout string) []storage.ReportMonth {
	out := make([]storage.ReportMonth, len(starts))
	for i, s := range starts {
		out[i] = storage.ReportMonth{Month: s.Format(layout), Start: s}
	}
	return out
}

// reportGroup runs one grouping: its groups, most cases first, ties by key.
func reportGroup(ctx context.Context, tx *sqlx.Tx, g reportGrouping, span []any) ([]storage.ReportCount, error) {
	q := `SELECT ` + g.key + ` AS k, ` + g.name + ` AS name, ` + reportSums +
		` FROM (` + reportFacts + `) f GROUP BY ` + g.key + ` ORDER BY count(*) DESC, ` + g.name
	args := append([]any{}, span...)
	if g.limit > 0 {
		q += ` LIMIT ?`
		args = append(args, g.limit)
	}
	var rows []reportRow
	if err := tx.SelectContext(ctx, &rows, tx.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("report by %s: %w", g.what, err)
	}
	out := make([]storage.ReportCount, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.count())
	}
	return out, nil
}

// reportPeriods fills the periods (months or years) and, with totals, rep's
// totals.
func reportPeriods(
	ctx context.Context, tx *sqlx.Tx, rep *storage.Report, periods []storage.ReportMonth, span []any, totals bool,
) error {
	var b strings.Builder
	var args []any
	if len(periods) == 1 {
		b.WriteString("0")
	} else {
		b.WriteString("CASE")
		for i := 1; i < len(periods); i++ {
			fmt.Fprintf(&b, " WHEN created_at < ? THEN %d", i-1)
			args = append(args, dbTime(periods[i].Start))
		}
		fmt.Fprintf(&b, " ELSE %d END", len(periods)-1)
	}
	q := tx.Rebind(`SELECT ` + b.String() + ` AS k, '' AS name, ` + reportSums +
		` FROM (` + reportFacts + `) f GROUP BY 1`)
	var rows []reportRow
	if err := tx.SelectContext(ctx, &rows, q, append(args, span...)...); err != nil {
		return fmt.Errorf("report by period: %w", err)
	}
	for _, r := range rows {
		i, err := strconv.Atoi(r.Key)
		if err != nil || i < 0 || i >= len(periods) {
			return fmt.Errorf("report by period: bucket %q out of range", r.Key)
		}
		periods[i].ReportFigures = r.figures()
		if totals {
			addFigures(&rep.ReportFigures, r.figures())
			rep.Concluded += r.Concluded
		}
	}
	return nil
}

// addFigures adds f to sum.
func addFigures(sum *storage.ReportFigures, f storage.ReportFigures) {
	sum.Received += f.Received
	sum.Accepted += f.Accepted
	sum.Rejected += f.Rejected
	sum.WithdrawnEarly += f.WithdrawnEarly
	sum.Pending += f.Pending
	sum.Mediated += f.Mediated
	sum.RecoveredFen += f.RecoveredFen
	sum.DoubleCompensation += f.DoubleCompensation
	sum.AmountFen += f.AmountFen
}

// reportChannels orders the channels as the association reports them — its own
// mediation, then each referral target — listing every one, empty or not. A
// target no longer in storage.ReferralTargets keeps its row, after the others.
func reportChannels(got []storage.ReportCount) []storage.ReportCount {
	order := append([]string{""}, storage.ReferralTargets...)
	rank := make(map[string]int, len(order))
	for i, t := range order {
		rank[t] = i
	}
	out := make([]storage.ReportCount, 0, len(order))
	for _, t := range order {
		out = append(out, storage.ReportCount{Key: t, Name: t})
	}
	for _, c := range got {
		if i, ok := rank[c.Key]; ok {
			out[i] = c
		} else {
			out = append(out, c)
		}
	}
	out[0].Name = storage.ChannelOwn
	return out
}

// reportHotTopics fills the hot topics and the count of classified cases.
func reportHotTopics(ctx context.Context, tx *sqlx.Tx, rep *storage.Report, span []any) error {
	const classified = `(subcategory <> '' OR nature <> '')`
	q := tx.Rebind(`SELECT category, subcategory, nature, count(*) AS count FROM (` + reportFacts + `) f
		WHERE ` + classified + ` GROUP BY category, subcategory, nature
		ORDER BY count(*) DESC, category, subcategory, nature LIMIT ?`)
	if err := tx.SelectContext(ctx, &rep.HotTopics, q, append(span, storage.ReportHotTopics)...); err != nil {
		return fmt.Errorf("report hot topics: %w", err)
	}
	q = tx.Rebind(`SELECT count(*) FROM (` + reportFacts + `) f WHERE ` + classified)
	if err := tx.GetContext(ctx, &rep.Classified, q, span...); err != nil {
		return fmt.Errorf("report classified: %w", err)
	}
	return nil
}

// reportSatisfaction counts the ratings of the cases received in the period.
func reportSatisfaction(ctx context.Context, tx *sqlx.Tx, rep *storage.Report, span []any) error {
	q := tx.Rebind(`SELECT r.rating AS k, count(*) AS received FROM case_ratings r
		JOIN cases c ON c.id = r.case_id WHERE c.created_at >= ? AND c.created_at < ? GROUP BY r.rating`)
	var rows []struct {
		Rating string `db:"k"`
		Count  int    `db:"received"`
	}
	if err := tx.SelectContext(ctx, &rows, q, span...); err != nil {
		return fmt.Errorf("report satisfaction: %w", err)
	}
	for _, r := range rows {
		switch r.Rating {
		case storage.RatingSatisfied:
			rep.Satisfaction.Satisfied = r.Count
		case storage.RatingMostly:
			rep.Satisfaction.Mostly = r.Count
		case storage.RatingDissatisfied:
			rep.Satisfaction.Dissatisfied = r.Count
		}
	}
	return nil
}
