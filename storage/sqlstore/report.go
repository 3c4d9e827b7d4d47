package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.ReportStore = (*DB)(nil)

// The stages of storage.ReportFigures, as reportStage names them.
const (
	stageAccepted  = "accepted"
	stageRejected  = "rejected"
	stageWithdrawn = "withdrawn"
	stagePending   = "pending"
)

// reportConcluded is the SQL condition behind Report.Concluded; keep it in step
// with storage.Status.Final.
const reportConcluded = `(c.outcome <> '' OR c.status IN ('resolved', 'terminated', 'rejected', 'withdrawn', 'closed'))`

// reportAcceptedStatuses are the statuses a case can only reach once accepted.
var reportAcceptedStatuses = []storage.Status{storage.StatusAccepted, storage.StatusMediating,
	storage.StatusAppraisal, storage.StatusReferred, storage.StatusResolved, storage.StatusTerminated}

// reportStage is the SQL expression giving each case (alias c) its stage. Most
// cases show it by their status or outcome: 不予受理 is final; 已受理 and the
// statuses after it, or an outcome other than a withdrawal, mean accepted; 待受理
// has had no decision. Only a case now 已撤回, 已办结 or 待补正 without such an
// outcome needs its history, read from the timeline: every move writes an
// EventStatusChange whose body is "<from> → <to>[：reason]" (statusChangeBody),
// so the case was ever refused, or ever accepted, exactly when such an entry
// names that target. The CASE asks the timeline only for those cases, which keeps
// the report fast on a large desk. A case with no timeline (imported history)
// and no telling outcome counts as withdrawn early if 已撤回 or 已办结, else pending.
var reportStage = func() string {
	var accepted []string
	for _, st := range reportAcceptedStatuses {
		accepted = append(accepted, "e.body LIKE '% → "+st.Label()+"%'")
	}
	// history is 2 if the case was ever refused, 1 if ever accepted, else 0 (or
	// NULL without a timeline). A correlated scalar subquery, so that each
	// database looks up only the cases the CASE reaches, by the case_id index.
	history := `(SELECT max(CASE WHEN e.body LIKE '% → ` + storage.StatusRejected.Label() + `%' THEN 2
		WHEN ` + strings.Join(accepted, " OR ") + ` THEN 1 ELSE 0 END)
		FROM case_events e WHERE e.case_id = c.id AND e.kind = '` + string(storage.EventStatusChange) + `')`
	return `CASE
		WHEN c.status = '` + string(storage.StatusRejected) + `' THEN '` + stageRejected + `'
		WHEN c.status IN (` + sqlStatuses(reportAcceptedStatuses) + `) OR c.outcome IN ('` +
		storage.OutcomeAgreement + `', '` + storage.OutcomeSettled + `', '` + storage.OutcomeTerminated +
		`') THEN '` + stageAccepted + `'
		WHEN c.status = '` + string(storage.StatusSubmitted) + `' THEN '` + stagePending + `'
		ELSE CASE ` + history + `
			WHEN 2 THEN '` + stageRejected + `' WHEN 1 THEN '` + stageAccepted + `'
			ELSE CASE WHEN c.status IN ('` + string(storage.StatusWithdrawn) + `', '` +
		string(storage.StatusClosed) + `') THEN '` + stageWithdrawn + `' ELSE '` + stagePending + `' END
		END END`
}()

// sqlStatuses is a SQL list of quoted status codes (ASCII identifiers).
func sqlStatuses(ss []storage.Status) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "'" + string(s) + "'"
	}
	return strings.Join(q, ", ")
}

// reportFrom is the cases received in the period (two placeholders: from, to),
// alias c, with their mediator (alias s). A new grouping (a team, say) needs a
// join here if its name lives in another table, and a row in reportDimensions.
const reportFrom = ` FROM cases c LEFT JOIN staff s ON s.id = c.assignee_id
	WHERE c.created_at >= ? AND c.created_at < ?`

// reportSums are the aggregates of one group and stage. The stage is a column of
// the grouping (GROUP BY key, stage), never referred to inside an aggregate, so
// the database works it out once per case.
var reportSums = reportStage + ` AS stage, count(*) AS n,
	COALESCE(sum(CASE WHEN c.outcome IN ('` + storage.OutcomeAgreement + `', '` + storage.OutcomeSettled +
	`') THEN 1 ELSE 0 END), 0) AS mediated,
	CAST(COALESCE(sum(c.recovered_fen), 0) AS BIGINT) AS recovered,
	COALESCE(sum(CASE WHEN c.double_compensation THEN 1 ELSE 0 END), 0) AS doubled,
	CAST(COALESCE(sum(c.amount_fen), 0) AS BIGINT) AS amount,
	COALESCE(sum(CASE WHEN ` + reportConcluded + ` THEN 1 ELSE 0 END), 0) AS concluded`

// reportRow is the cases of one group in one stage.
type reportRow struct {
	Key       string `db:"k"`
	Name      string `db:"name"`
	Stage     string `db:"stage"`
	N         int    `db:"n"`
	Mediated  int    `db:"mediated"`
	Recovered int64  `db:"recovered"`
	Doubled   int    `db:"doubled"`
	Amount    int64  `db:"amount"`
	Concluded int    `db:"concluded"`
}

// addTo adds the row's cases to f. Only accepted cases count as mediated.
func (r reportRow) addTo(f *storage.ReportFigures) {
	f.Received += r.N
	switch r.Stage {
	case stageAccepted:
		f.Accepted += r.N
		f.Mediated += r.Mediated
	case stageRejected:
		f.Rejected += r.N
	case stageWithdrawn:
		f.WithdrawnEarly += r.N
	default:
		f.Pending += r.N
	}
	f.RecoveredFen += r.Recovered
	f.DoubleCompensation += r.Doubled
	f.AmountFen += r.Amount
}

// reportQuery runs a grouping query over reportFrom: key and name are SQL
// expressions, where more conditions (with args) on c; the rows come back per
// group and stage.
func reportQuery(ctx context.Context, tx *sqlx.Tx, key, name, where string, args []any) ([]reportRow, error) {
	q := `SELECT ` + key + ` AS k, ` + name + ` AS name, ` + reportSums + reportFrom + where + ` GROUP BY 1, 3`
	var rows []reportRow
	err := tx.SelectContext(ctx, &rows, tx.Rebind(q), args...)
	return rows, err
}

// reportDimension is one breakdown of a Report: the SQL expressions of its key
// and of its group's name over reportFrom, and where its groups go.
type reportDimension struct {
	what      string // for errors
	key, name string
	into      func(rep *storage.Report) *[]storage.ReportCount
}

// reportDimensions are the breakdowns counted together in reportCube. Adding one
// (a team: key "CAST(COALESCE(c.team_id, 0) AS TEXT)", name the team's name
// joined in reportFrom) is a row here and a field of storage.Report.
var reportDimensions = []reportDimension{
	{what: "category", key: "c.category", name: "min(c.category)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByCategory }},
	{what: "nature", key: "c.nature", name: "min(c.nature)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByNature }},
	{what: "channel", key: "c.referral_target", name: "min(c.referral_target)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByChannel }},
	{what: "mediator", key: "CAST(COALESCE(c.assignee_id, 0) AS TEXT)", name: "min(COALESCE(s.name, ''))",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByMediator }},
}

// reportMerchant is the merchants' breakdown. There are many merchants, so it is
// queried apart, for the top ones only.
var reportMerchant = reportDimension{what: "merchant", key: "c.merchant_key", name: "min(c.merchant_name)"}

// CaseReport implements storage.ReportStore in one read snapshot: one pass
// (reportCube) for the totals, the months, the years and the breakdowns, then
// the top merchants, the hot topics and the ratings.
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
		if err := reportCube(ctx, tx, rep, span); err != nil {
			return err
		}
		var err error
		if rep.TopMerchants, err = reportTopMerchants(ctx, tx, span); err != nil {
			return err
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

// reportMonthSQL is the SQL expression numbering each case's month (0 is the
// first), with its arguments: a CASE on the boundaries computed in Go, so both
// dialects compare plain timestamps.
func reportMonthSQL(months []storage.ReportMonth) (string, []any) {
	if len(months) == 1 {
		return "0", nil
	}
	var b strings.Builder
	var args []any
	b.WriteString("CASE")
	for i := 1; i < len(months); i++ {
		fmt.Fprintf(&b, " WHEN c.created_at < ? THEN %d", i-1)
		args = append(args, dbTime(months[i].Start))
	}
	fmt.Fprintf(&b, " ELSE %d END", len(months)-1)
	return b.String(), args
}

// reportCube counts the totals, the months, the years and every dimension in one
// pass over the period's cases, grouped by all the dimensions, the month and the
// stage, and added up here: the stage of each case is worked out once.
func reportCube(ctx context.Context, tx *sqlx.Tx, rep *storage.Report, span []any) error {
	month, args := reportMonthSQL(rep.ByMonth)
	var cols, groupBy []string
	for i, d := range reportDimensions {
		cols = append(cols, fmt.Sprintf("%s AS k%d, %s AS n%d", d.key, i, d.name, i))
		groupBy = append(groupBy, strconv.Itoa(2*i+1))
	}
	n := len(reportDimensions)
	groupBy = append(groupBy, strconv.Itoa(2*n+1), strconv.Itoa(2*n+2))
	q := tx.Rebind(`SELECT ` + strings.Join(cols, ", ") + `, ` + month + ` AS month, ` + reportSums +
		reportFrom + ` GROUP BY ` + strings.Join(groupBy, ", "))
	rows, err := tx.QueryContext(ctx, q, append(args, span...)...)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer rows.Close()
	perDim := make([][]reportRow, n)
	for rows.Next() {
		keys := make([]string, 2*n)
		var m int
		var r reportRow
		dest := []any{}
		for i := range keys {
			dest = append(dest, &keys[i])
		}
		dest = append(dest, &m, &r.Stage, &r.N, &r.Mediated, &r.Recovered, &r.Doubled, &r.Amount, &r.Concluded)
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if err := reportAddMonth(rep, m, r); err != nil {
			return err
		}
		for i := range n {
			r.Key, r.Name = keys[2*i], keys[2*i+1]
			perDim[i] = append(perDim[i], r)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for i, d := range reportDimensions {
		*d.into(rep) = combineGroups(perDim[i])
	}
	return nil
}

// reportAddMonth adds a row of month m to the month, its year and the totals.
func reportAddMonth(rep *storage.Report, m int, r reportRow) error {
	if m < 0 || m >= len(rep.ByMonth) {
		return fmt.Errorf("report: month bucket %d out of range", m)
	}
	r.addTo(&rep.ByMonth[m].ReportFigures)
	y := rep.ByMonth[m].Start.Year() - rep.ByYear[0].Start.Year()
	r.addTo(&rep.ByYear[y].ReportFigures)
	r.addTo(&rep.ReportFigures)
	rep.Concluded += r.Concluded
	return nil
}

// reportTopMerchants returns the merchants with most cases: first picked with a
// plain count, then only their cases are staged.
func reportTopMerchants(ctx context.Context, tx *sqlx.Tx, span []any) ([]storage.ReportCount, error) {
	g := reportMerchant
	var keys []string
	q := tx.Rebind(`SELECT ` + g.key + ` FROM cases c WHERE c.created_at >= ? AND c.created_at < ?
		GROUP BY ` + g.key + ` ORDER BY count(*) DESC, ` + g.name + ` LIMIT ?`)
	if err := tx.SelectContext(ctx, &keys, q, append(span, storage.ReportTopMerchants)...); err != nil {
		return nil, fmt.Errorf("report top merchants: %w", err)
	}
	if len(keys) == 0 {
		return []storage.ReportCount{}, nil
	}
	where := ` AND ` + g.key + ` IN (` + placeholders(len(keys)) + `)`
	rows, err := reportQuery(ctx, tx, g.key, g.name, where, append(append([]any{}, span...), anys(keys)...))
	if err != nil {
		return nil, fmt.Errorf("report top merchants: %w", err)
	}
	return combineGroups(rows), nil
}

// combineGroups adds up each group's rows (stages, months), most cases first,
// ties by name (bytewise, the same on both dialects).
func combineGroups(rows []reportRow) []storage.ReportCount {
	index := map[string]int{}
	out := []storage.ReportCount{}
	for _, r := range rows {
		i, ok := index[r.Key]
		if !ok {
			i = len(out)
			index[r.Key] = i
			out = append(out, storage.ReportCount{Key: r.Key, Name: r.Name})
		}
		if r.Name < out[i].Name {
			out[i].Name = r.Name
		}
		r.addTo(&out[i].ReportFigures)
		out[i].Count = out[i].Received
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// anys converts strings to query arguments.
func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
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
	const classified = ` FROM cases c WHERE c.created_at >= ? AND c.created_at < ?
		AND (c.subcategory <> '' OR c.nature <> '')`
	q := tx.Rebind(`SELECT c.category, c.subcategory, c.nature, count(*) AS count` + classified + `
		GROUP BY c.category, c.subcategory, c.nature
		ORDER BY count(*) DESC, c.category, c.subcategory, c.nature LIMIT ?`)
	if err := tx.SelectContext(ctx, &rep.HotTopics, q, append(span, storage.ReportHotTopics)...); err != nil {
		return fmt.Errorf("report hot topics: %w", err)
	}
	q = tx.Rebind(`SELECT count(*)` + classified)
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
