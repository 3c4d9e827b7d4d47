package storage

import "context"

// AuditTeamChannel is the audit action of marking a team as a channel of the
// figures, or unmarking it.
const AuditTeamChannel = "team_channel"

// TeamChannelStore keeps which teams the figures count as channels of their own
// (处理渠道), apart from the association's own mediation: a desk run with a
// partner, such as the car consumer-rights studio (超哥汽车消费维权工作室), whose
// results the association publishes separately. See Report.ByChannel.
type TeamChannelStore interface {
	// ChannelTeams returns the ids of the teams counted as channels, ascending.
	ChannelTeams(ctx context.Context) ([]int64, error)
	// SetTeamChannel marks a team as a channel (on) or not, audited with by in
	// the same transaction (unless it changes nothing). ENOTFOUND for an unknown
	// team; EINVALID without an actor.
	SetTeamChannel(ctx context.Context, teamID int64, on bool, by By) error
}
