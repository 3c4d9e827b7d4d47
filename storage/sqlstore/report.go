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

// reportJoins are the cases (alias c) with their mediator (alias s), team
// (alias t), registry merchant (alias m) and latest referral record (alias lr,
// see reportChannelKey). A new
// grouping whose name lives in another table needs a join here, and a row in
// reportDimensions.
const reportJoins = ` FROM cases c LEFT JOIN staff s ON s.id = c.assignee_id
	LEFT JOIN teams t ON t.id = c.team_id LEFT JOIN merchants m ON m.id = c.merchant_id
	LEFT JOIN referrals lr ON lr.id = (SELECT max(r.id) FROM referrals r WHERE r.case_id = c.id)`

// reportScope is which cases a report counts, as a SQL condition on c with its
// arguments: received in the period and, for a unit's report, of its units.
type reportScope struct {
	cond string
	args []any
}

// newReportScope selects the cases received in [from, to) of the units (all
// when units is nil).
func newReportScope(from, to time.Time, units []int64) reportScope {
	sc := reportScope{cond: "c.created_at >= ? AND c.created_at < ?", args: []any{dbTime(from), dbTime(to)}}
	cond, args := reportUnitCond(units)
	sc.cond += cond
	sc.args = append(sc.args, args...)
	return sc
}

// reportUnitCond is " AND c.unit_id IN (…)" with its arguments, or nothing for
// every unit (nil).
func reportUnitCond(units []int64) (string, []any) {
	if units == nil {
		return "", nil
	}
	cond, args := idsIn("c.unit_id", units)
	return " AND " + cond, args
}

// from is the FROM clause of the scope's cases with reportJoins.
func (sc reportScope) from() string { return reportJoins + ` WHERE ` + sc.cond }

// withArgs returns the scope's arguments after before.
func (sc reportScope) withArgs(before ...any) []any { return append(before, sc.args...) }

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

// reportQuery runs a grouping query over the scope's cases: key and name are SQL
// expressions, where more conditions (with args, after the scope's) on c; the
// rows come back per group and stage.
func reportQuery(ctx context.Context, tx *sqlx.Tx, sc reportScope, key, name, where string, args []any) ([]reportRow, error) {
	q := `SELECT ` + key + ` AS k, ` + name + ` AS name, ` + reportSums + sc.from() + where + ` GROUP BY 1, 3`
	args = append(sc.withArgs(), args...)
	var rows []reportRow
	err := tx.SelectContext(ctx, &rows, tx.Rebind(q), args...)
	return rows, err
}

// reportDimension is one breakdown of a Report: the SQL expressions of its key
// and of its group's name over reportJoins, and where its groups go.
type reportDimension struct {
	what      string // for errors
	key, name string
	into      func(rep *storage.Report) *[]storage.ReportCount
}

// reportChannelKey is a case's channel (storage.Report.ByChannel): the target
// of its latest referral record (lr), keyed and named by the target as before
// the records; else the team's, when the team is counted as a channel; else ""
// for the association's own mediation. reportChannelName names it.
var (
	reportChannelKey = `CASE WHEN lr.id IS NOT NULL THEN ` + reportReferralTarget + `
		WHEN t.report_channel THEN 'team:' || CAST(t.id AS TEXT) ELSE '' END`
	reportChannelName = `min(CASE WHEN lr.id IS NOT NULL THEN ` + reportReferralTarget + `
		WHEN t.report_channel THEN t.name ELSE '' END)`
)

// reportDimensions are the breakdowns counted together in reportCube. Adding one
// is a row here and a field of storage.Report.
var reportDimensions = []reportDimension{
	{what: "category", key: "c.category", name: "min(c.category)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByCategory }},
	{what: "nature", key: "c.nature", name: "min(c.nature)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByNature }},
	{what: "channel", key: reportChannelKey, name: reportChannelName,
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByChannel }},
	{what: "mediator", key: "CAST(COALESCE(c.assignee_id, 0) AS TEXT)", name: "min(COALESCE(s.name, ''))",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByMediator }},
	{what: "team", key: "CAST(COALESCE(c.team_id, 0) AS TEXT)", name: "min(COALESCE(t.name, ''))",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByTeam }},
	// Units are named by the console from its unit tree.
	{what: "unit", key: "CAST(c.unit_id AS TEXT)", name: "CAST('' AS TEXT)",
		into: func(r *storage.Report) *[]storage.ReportCount { return &r.ByUnit }},
}

// reportMerchant is the merchants' breakdown. There are many merchants, so it is
// queried apart, for the top ones only.
// A case linked to a registry merchant counts under it (key "m<id>", its
// registry name); an unlinked case under its typed name, lower-cased.
var reportMerchant = reportDimension{what: "merchant",
	key:  "CASE WHEN c.merchant_id IS NULL THEN c.merchant_key ELSE 'm' || CAST(c.merchant_id AS TEXT) END",
	name: "min(COALESCE(m.name, c.merchant_name))"}

// CaseReport implements storage.ReportStore for every unit.
func (d *DB) CaseReport(ctx context.Context, from, to time.Time) (*storage.Report, error) {
	return d.caseReport(ctx, from, to, nil)
}

// UnitReport implements storage.ReportStore for the cases of some units.
func (d *DB) UnitReport(ctx context.Context, from, to time.Time, units []int64) (*storage.Report, error) {
	if len(units) == 0 {
		return nil, storage.Errorf(storage.EINVALID, "a unit's report needs its units")
	}
	return d.caseReport(ctx, from, to, units)
}

// caseReport reports on the units' cases (all when nil) in one read snapshot:
// one pass (reportCube) for the totals, the months, the years and the
// breakdowns, then the top merchants, the hot topics, the ratings and the
// overdue cases now.
func (d *DB) caseReport(ctx context.Context, from, to time.Time, units []int64) (*storage.Report, error) {
	if !from.Before(to) {
		return nil, storage.Errorf(storage.EINVALID, "the report's start must be before its end")
	}
	if n := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()); n > storage.MaxReportMonths {
		return nil, storage.Errorf(storage.EINVALID, "a report spans at most %d months", storage.MaxReportMonths)
	}
	rep := &storage.Report{From: from, To: to, HotTopics: []storage.ReportTopic{},
		ByMonth: reportBuckets(storage.ReportMonths(from, to), "2006-01"),
		ByYear:  reportBuckets(storage.ReportYears(from, to), "2006")}
	sc := newReportScope(from, to, units)
	var channelTeams []reportChannelTeam
	var settled map[string]int
	err := d.inReadTx(ctx, "case report", func(tx *sqlx.Tx) error {
		if err := reportCube(ctx, tx, rep, sc); err != nil {
			return err
		}
		var err error
		if rep.TopMerchants, err = reportTopMerchants(ctx, tx, sc); err != nil {
			return err
		}
		if err := reportHotTopics(ctx, tx, rep, sc); err != nil {
			return err
		}
		if err := reportSatisfaction(ctx, tx, rep, sc); err != nil {
			return err
		}
		if channelTeams, err = reportChannelTeams(ctx, tx); err != nil {
			return err
		}
		if rep.Merchants, err = reportMerchants(ctx, tx, from, to); err != nil {
			return err
		}
		if settled, err = reportReferralSettled(ctx, tx, sc); err != nil {
			return err
		}
		if rep.Mass, err = reportMass(ctx, tx, sc); err != nil {
			return err
		}
		rep.Overdue, err = d.reportOverdue(ctx, tx, units)
		return err
	})
	if err != nil {
		return nil, err
	}
	rep.ByChannel = reportChannels(rep.ByChannel, channelTeams)
	setReferralSettled(rep.ByChannel, settled)
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
func reportCube(ctx context.Context, tx *sqlx.Tx, rep *storage.Report, sc reportScope) error {
	month, args := reportMonthSQL(rep.ByMonth)
	var cols, groupBy []string
	for i, d := range reportDimensions {
		cols = append(cols, fmt.Sprintf("%s AS k%d, %s AS n%d", d.key, i, d.name, i))
		groupBy = append(groupBy, strconv.Itoa(2*i+1))
	}
	n := len(reportDimensions)
	groupBy = append(groupBy, strconv.Itoa(2*n+1), strconv.Itoa(2*n+2))
	q := tx.Rebind(`SELECT ` + strings.Join(cols, ", ") + `, ` + month + ` AS month, ` + reportSums +
		sc.from() + ` GROUP BY ` + strings.Join(groupBy, ", "))
	rows, err := tx.QueryContext(ctx, q, sc.withArgs(args...)...)
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
func reportTopMerchants(ctx context.Context, tx *sqlx.Tx, sc reportScope) ([]storage.ReportCount, error) {
	g := reportMerchant
	var keys []string
	q := tx.Rebind(`SELECT ` + g.key + ` FROM cases c LEFT JOIN merchants m ON m.id = c.merchant_id
		WHERE ` + sc.cond + ` GROUP BY ` + g.key + ` ORDER BY count(*) DESC, ` + g.name + ` LIMIT ?`)
	if err := tx.SelectContext(ctx, &keys, q, append(sc.withArgs(), storage.ReportTopMerchants)...); err != nil {
		return nil, fmt.Errorf("report top merchants: %w", err)
	}
	if len(keys) == 0 {
		return []storage.ReportCount{}, nil
	}
	where := ` AND ` + g.key + ` IN (` + placeholders(len(keys)) + `)`
	rows, err := reportQuery(ctx, tx, sc, g.key, g.name, where, anys(keys))
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

// reportChannelTeam is a team counted as a channel.
type reportChannelTeam struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// reportChannelTeams returns the teams counted as channels, by name.
func reportChannelTeams(ctx context.Context, tx *sqlx.Tx) ([]reportChannelTeam, error) {
	teams := []reportChannelTeam{}
	q := "SELECT id, name FROM teams WHERE report_channel ORDER BY name, id"
	if err := tx.SelectContext(ctx, &teams, q); err != nil {
		return nil, fmt.Errorf("report channel teams: %w", err)
	}
	return teams, nil
}

// reportChannels orders the channels as the association reports them — its own
// mediation, the teams counted as channels, then each referral target — listing
// every one, empty or not. A target no longer in storage.ReferralTargets, or a
// team no longer marked, keeps its row after the others.
func reportChannels(got []storage.ReportCount, teams []reportChannelTeam) []storage.ReportCount {
	out := []storage.ReportCount{{}}
	for _, t := range teams {
		out = append(out, storage.ReportCount{Key: storage.ChannelTeamKey(t.ID), Name: t.Name})
	}
	for _, t := range storage.ReferralTargets {
		out = append(out, storage.ReportCount{Key: t, Name: t})
	}
	rank := make(map[string]int, len(out))
	for i, c := range out {
		rank[c.Key] = i
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
func reportHotTopics(ctx context.Context, tx *sqlx.Tx, rep *storage.Report, sc reportScope) error {
	classified := ` FROM cases c WHERE ` + sc.cond + ` AND (c.subcategory <> '' OR c.nature <> '')`
	q := tx.Rebind(`SELECT c.category, c.subcategory, c.nature, count(*) AS count` + classified + `
		GROUP BY c.category, c.subcategory, c.nature
		ORDER BY count(*) DESC, c.category, c.subcategory, c.nature LIMIT ?`)
	if err := tx.SelectContext(ctx, &rep.HotTopics, q, append(sc.withArgs(), storage.ReportHotTopics)...); err != nil {
		return fmt.Errorf("report hot topics: %w", err)
	}
	q = tx.Rebind(`SELECT count(*)` + classified)
	if err := tx.GetContext(ctx, &rep.Classified, q, sc.withArgs()...); err != nil {
		return fmt.Errorf("report classified: %w", err)
	}
	return nil
}

// reportSatisfaction counts the ratings of the cases received in the period.
func reportSatisfaction(ctx context.Context, tx *sqlx.Tx, rep *storage.Report, sc reportScope) error {
	q := tx.Rebind(`SELECT r.rating AS k, count(*) AS received FROM case_ratings r
		JOIN cases c ON c.id = r.case_id WHERE ` + sc.cond + ` GROUP BY r.rating`)
	var rows []struct {
		Rating string `db:"k"`
		Count  int    `db:"received"`
	}
	if err := tx.SelectContext(ctx, &rows, q, sc.withArgs()...); err != nil {
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
