package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// reportReferralTarget is the SQL expression naming the channel of the latest
// referral record (alias lr) by its target, the key the report has always used
// for the referral channels (storage.ReferralTargets).
var reportReferralTarget = func() string {
	var b strings.Builder
	b.WriteString("CASE lr.channel")
	for _, id := range storage.ReferralChannels() {
		fmt.Fprintf(&b, " WHEN '%s' THEN '%s'", id, storage.ReferralChannelName(id))
	}
	b.WriteString(" ELSE lr.channel END")
	return b.String()
}()

// reportReferralSettled counts, per referral target, the scope's cases whose
// latest referral the body itself settled (result 达成和解): what a referral
// channel reports as 已调解. A case the body failed on, which the association
// then mediated, stays received by the channel but is not the channel's success.
func reportReferralSettled(ctx context.Context, tx *sqlx.Tx, sc reportScope) (map[string]int, error) {
	var rows []struct {
		Key string `db:"k"`
		N   int    `db:"n"`
	}
	q := tx.Rebind(`SELECT ` + reportReferralTarget + ` AS k, count(*) AS n` + sc.from() +
		` AND lr.outcome = ? GROUP BY lr.channel`)
	if err := tx.SelectContext(ctx, &rows, q, append(sc.withArgs(), storage.ReferralSettled)...); err != nil {
		return nil, fmt.Errorf("report referral results: %w", err)
	}
	settled := make(map[string]int, len(rows))
	for _, r := range rows {
		settled[r.Key] = r.N
	}
	return settled, nil
}

// setReferralSettled makes the referral channels' 已调解 the settlements their
// bodies reported (see reportReferralSettled); the own mediation and the team
// channels keep the cases' outcomes.
func setReferralSettled(channels []storage.ReportCount, settled map[string]int) {
	for i := range channels {
		if storage.ReferralChannelOf(channels[i].Key) != "" {
			channels[i].Mediated = settled[channels[i].Key]
		}
	}
}
