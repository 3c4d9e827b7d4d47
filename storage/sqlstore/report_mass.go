package sqlstore

import (
	"context"
	"fmt"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// reportMemberOf is the condition that the case c is a member of a collective case.
const reportMemberOf = `EXISTS (SELECT 1 FROM mass_group_cases gc JOIN mass_groups g
	ON g.id = gc.group_id WHERE gc.case_id = c.id AND gc.member AND g.status = 'formed')`

// reportMass counts the scope's collective members, their collective cases and
// its seven-day returns.
func reportMass(ctx context.Context, tx *sqlx.Tx, sc reportScope) (storage.ReportMass, error) {
	var m storage.ReportMass
	q := `SELECT COALESCE(sum(CASE WHEN ` + reportMemberOf + ` THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN c.seven_day_return THEN 1 ELSE 0 END), 0) ` + sc.from()
	row := tx.QueryRowxContext(ctx, tx.Rebind(q), sc.withArgs()...)
	if err := row.Scan(&m.CollectiveMembers, &m.SevenDayReturns); err != nil {
		return m, fmt.Errorf("report mass members: %w", err)
	}
	q = `SELECT count(DISTINCT gc.group_id) FROM mass_group_cases gc JOIN mass_groups g
		ON g.id = gc.group_id WHERE gc.member AND g.status = 'formed' AND gc.case_id IN
		(SELECT c.id ` + sc.from() + `)`
	if err := tx.GetContext(ctx, &m.CollectiveCases, tx.Rebind(q), sc.withArgs()...); err != nil {
		return m, fmt.Errorf("report collective cases: %w", err)
	}
	return m, nil
}
