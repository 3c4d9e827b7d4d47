package sqlstore

import (
	"context"
	"fmt"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.TeamChannelStore = (*DB)(nil)

// ChannelTeams returns the ids of the teams the figures count as channels.
func (d *DB) ChannelTeams(ctx context.Context) ([]int64, error) {
	ids := []int64{}
	err := d.inReadTx(ctx, "channel teams", func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &ids, "SELECT id FROM teams WHERE report_channel ORDER BY id")
	})
	if err != nil {
		return nil, fmt.Errorf("select channel teams: %w", err)
	}
	return ids, nil
}

// SetTeamChannel marks a team as a channel of the figures or not, audited in
// the same transaction when it changes. ENOTFOUND for an unknown team.
func (d *DB) SetTeamChannel(ctx context.Context, teamID int64, on bool, by storage.By) error {
	if by.Actor == "" {
		return storage.Errorf(storage.EINVALID, "a team change needs an actor")
	}
	return d.inWriteTx(ctx, "set team channel", func(tx *sqlx.Tx) error {
		q := "SELECT name, report_channel FROM teams WHERE id = ?" + forUpdate(tx)
		team, err := selectOne[channelTeam](ctx, tx, q, "team", teamID)
		if err != nil {
			return err
		}
		if team.Channel == on {
			return nil
		}
		now := dbTime(d.now())
		q = tx.Rebind("UPDATE teams SET report_channel = ?, updated_at = ? WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, on, now, teamID); err != nil {
			return fmt.Errorf("update team channel: %w", err)
		}
		detail := "组 " + team.Name + " 不再单独统计为处理渠道"
		if on {
			detail = "组 " + team.Name + " 作为处理渠道单独统计"
		}
		return auditStaff(ctx, tx, by, storage.AuditTeamChannel, 0, detail, now)
	})
}

// channelTeam is a team's name and channel mark.
type channelTeam struct {
	Name    string `db:"name"`
	Channel bool   `db:"report_channel"`
}
