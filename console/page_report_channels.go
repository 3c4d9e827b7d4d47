package console

import (
	"context"
	"net/http"
	"slices"
)

// A team may be counted as a channel of its own in the figures (处理渠道): a desk
// the association runs with a partner and reports apart, such as the car
// consumer-rights studio (超哥汽车消费维权工作室). Its cases that were never
// referred leave 本会调解 for a row of their own; referred ones count under the
// referral, as always. Supervisors mark such teams on the report page, where the
// rule is explained.

// channelTeamView is a team and whether it is counted as a channel.
type channelTeamView struct {
	ID   int64
	Name string
	On   bool
}

// channelTeamViews lists the teams of the staff member's units with their
// channel mark.
func (s *Server) channelTeamViews(ctx context.Context) ([]channelTeamView, error) {
	teams, _, err := s.scopedTeams(ctx)
	if err != nil {
		return nil, err
	}
	on, err := s.cfg.Store.ChannelTeams(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]channelTeamView, 0, len(teams))
	for _, t := range teams {
		out = append(out, channelTeamView{ID: t.ID, Name: t.Name, On: slices.Contains(on, t.ID)})
	}
	return out, nil
}

// setChannelTeam marks a team as a channel (POST /console/reports/channels/{id},
// on=1) or unmarks it (on=0), then goes back to the report page.
func (s *Server) setChannelTeam(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "组")
	if !ok {
		return
	}
	if _, err := s.scopedTeam(r.Context(), id); err != nil { // another unit's team reads as not found
		s.pageError(w, r, err)
		return
	}
	on := r.PostFormValue("on") == "1"
	if err := s.cfg.Store.SetTeamChannel(r.Context(), id, on, s.actedBy(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	flash := "该组不再单独统计为处理渠道。"
	if on {
		flash = "该组已作为处理渠道单独统计。"
	}
	redirectFlash(w, r, "/console/reports", flash)
}
