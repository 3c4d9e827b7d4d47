package console

import (
	"net/http"
)

// apiChannelRequest is the body of POST /api/v1/teams/{id}/report-channel.
type apiChannelRequest struct {
	On bool `json:"on"`
}

// apiChannelTeam is a team and whether the figures count it as a channel.
type apiChannelTeam struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	On   bool   `json:"on"`
}

// apiReportChannels serves GET /api/v1/reports/channels (supervisors): every
// team with its channel mark, as the report page's 处理渠道设置 shows them.
func (s *Server) apiReportChannels(w http.ResponseWriter, r *http.Request) {
	teams, err := s.channelTeamViews(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := make([]apiChannelTeam, 0, len(teams))
	for _, t := range teams {
		out = append(out, apiChannelTeam(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": out})
}

// apiSetReportChannel serves POST /api/v1/teams/{id}/report-channel
// (supervisors) with {"on": true} or {"on": false}: the team is counted as a
// channel of the figures, or no longer; audited. 404 for an unknown team.
func (s *Server) apiSetReportChannel(w http.ResponseWriter, r *http.Request) {
	var req apiChannelRequest
	t, ok := s.apiTeamFromPath(w, r, &req) // another unit's team reads as not found
	if !ok {
		return
	}
	if err := s.cfg.Store.SetTeamChannel(r.Context(), t.ID, req.On, s.actedBy(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiReportChannels(w, r)
}
