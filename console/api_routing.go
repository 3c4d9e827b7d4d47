package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// The JSON twin of classification and routing: the category tree, re-classifying
// and re-routing a case, teams, routing rules and the workload. docs/api.md
// describes each endpoint.

// apiRoutingRoutes registers the endpoints (called from apiRoutes).
func (s *Server) apiRoutingRoutes(mux *http.ServeMux) {
	mediator, supervisor := storage.RoleMediator, storage.RoleSupervisor
	mux.Handle("GET /api/v1/categories", s.api(mediator, s.apiCategories))
	mux.Handle("POST /api/v1/cases/{number}/classify", s.api(mediator, s.apiWithCase(s.apiClassify)))
	mux.Handle("POST /api/v1/cases/{number}/team", s.api(supervisor, s.apiWithCase(s.apiReroute)))
	mux.Handle("GET /api/v1/teams", s.api(mediator, s.apiTeams))
	mux.Handle("POST /api/v1/teams", s.api(supervisor, s.apiCreateTeam))
	mux.Handle("POST /api/v1/teams/{id}", s.api(supervisor, s.apiUpdateTeam))
	mux.Handle("POST /api/v1/teams/{id}/members", s.api(supervisor, s.apiTeamMembers))
	mux.Handle("GET /api/v1/routing-rules", s.api(supervisor, s.apiRules))
	mux.Handle("POST /api/v1/routing-rules", s.api(supervisor, s.apiCreateRule))
	mux.Handle("POST /api/v1/routing-rules/{id}/move", s.api(supervisor, s.apiMoveRule))
	mux.Handle("POST /api/v1/routing-rules/{id}/delete", s.api(supervisor, s.apiDeleteRule))
	mux.Handle("GET /api/v1/workload", s.api(supervisor, s.apiWorkload))
}

// apiCategoryTree is GET /api/v1/categories.
type apiCategoryTree struct {
	Categories []apiCategory `json:"categories"`
	Natures    []string      `json:"natures"`
}

// apiCategory is a level-1 category with its subcategories.
type apiCategory struct {
	Name          string   `json:"name"`
	Group         string   `json:"group"`
	Subcategories []string `json:"subcategories"`
}

// apiCategories serves the category tree and the natures.
func (s *Server) apiCategories(w http.ResponseWriter, _ *http.Request) {
	out := apiCategoryTree{Natures: storage.Natures()}
	for _, c := range storage.Categories() {
		out.Categories = append(out.Categories, apiCategory{Name: c.Name, Group: c.Group, Subcategories: c.Subcategories})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiClassifyRequest is the body of …/classify.
type apiClassifyRequest struct {
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
	Nature      string `json:"nature"`
}

// apiClassify serves POST …/classify: the same rule as the case page (a mediator
// only on their own case).
func (s *Server) apiClassify(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiClassifyRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	if !mayReclassify(staffFrom(r.Context()), c) {
		writeJSONError(w, http.StatusForbidden, storage.EFORBIDDEN, "调解员只能修改分配给自己的案件的分类")
		return
	}
	cl := storage.Classification{Category: req.Category, Subcategory: req.Subcategory, Nature: req.Nature}
	updated, err := s.cfg.Store.ReclassifyCase(r.Context(), storage.Reclassification{CaseID: c.ID, Classification: cl, By: s.actedBy(r)})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}

// apiRerouteRequest is the body of …/team: a team id, or null for none.
type apiRerouteRequest struct {
	TeamID json.RawMessage `json:"team_id"`
}

// apiReroute serves POST …/team (supervisors).
func (s *Server) apiReroute(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiRerouteRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	var teamID int64
	switch raw := bytes.TrimSpace(req.TeamID); {
	case len(raw) == 0:
		s.apiError(w, r, storage.Errorf(storage.EINVALID, "缺少 team_id（组编号；null 表示不分组）"))
		return
	case string(raw) != "null":
		if err := json.Unmarshal(raw, &teamID); err != nil || teamID <= 0 {
			s.apiError(w, r, storage.Errorf(storage.EINVALID, "team_id 应为组编号或 null"))
			return
		}
	}
	if err := s.checkCaseTeam(r.Context(), c, teamID); err != nil {
		s.apiError(w, r, err)
		return
	}
	updated, err := s.cfg.Store.SetCaseTeam(r.Context(), c.ID, teamID, s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}

// apiTeam is a team with its members.
type apiTeam struct {
	ID         int64         `json:"id"`
	Name       string        `json:"name"`
	AutoAssign bool          `json:"auto_assign"`
	Default    bool          `json:"default"`
	Members    []apiStaffRef `json:"members"`
}

// apiTeams serves GET /api/v1/teams.
func (s *Server) apiTeams(w http.ResponseWriter, r *http.Request) {
	teams, _, err := s.scopedTeams(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	names, err := s.apiStaffNames(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := make([]apiTeam, 0, len(teams))
	for _, t := range teams {
		out = append(out, apiTeamJSON(t, names))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// apiTeamJSON converts a team.
func apiTeamJSON(t *storage.Team, names apiNames) apiTeam {
	out := apiTeam{ID: t.ID, Name: t.Name, AutoAssign: t.AutoAssign, Default: t.Default, Members: []apiStaffRef{}}
	for _, id := range t.Members {
		out.Members = append(out.Members, *names.ref(id))
	}
	return out
}

// apiTeamRequest is the body of POST /api/v1/teams and …/teams/{id}.
type apiTeamRequest struct {
	Name       string `json:"name"`
	AutoAssign bool   `json:"auto_assign"`
	Default    bool   `json:"default"`
	// UnitID is a new team's unit (absent: the caller's); ignored on update.
	UnitID int64 `json:"unit_id"`
}

// input is the request as the store's TeamInput.
func (req apiTeamRequest) input() storage.TeamInput {
	return storage.TeamInput{Name: req.Name, AutoAssign: req.AutoAssign, Default: req.Default}
}

// apiCreateTeam serves POST /api/v1/teams.
func (s *Server) apiCreateTeam(w http.ResponseWriter, r *http.Request) {
	var req apiTeamRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	ti := req.input()
	var t *storage.Team
	var err error
	if ti.UnitID, err = s.newTeamUnit(r.Context(), strconv.FormatInt(req.UnitID, 10)); err == nil {
		t, err = s.cfg.Store.CreateTeam(r.Context(), ti, s.actedBy(r))
	}
	s.apiWriteTeam(w, r, http.StatusCreated, t, err)
}

// apiTeamFromPath reads the team of …/teams/{id} and the JSON body into req. It
// answers the request itself, and returns false, for a bad id or body or a team
// outside the caller's units (not found).
func (s *Server) apiTeamFromPath(w http.ResponseWriter, r *http.Request, req any) (*storage.Team, bool) {
	id, ok := s.apiPathID(w, r)
	if !ok {
		return nil, false
	}
	if err := apiDecode(w, r, req); err != nil {
		s.apiDecodeError(w, r, err)
		return nil, false
	}
	t, err := s.scopedTeam(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return nil, false
	}
	return t, true
}

// apiUpdateTeam serves POST /api/v1/teams/{id}.
func (s *Server) apiUpdateTeam(w http.ResponseWriter, r *http.Request) {
	var req apiTeamRequest
	team, ok := s.apiTeamFromPath(w, r, &req)
	if !ok {
		return
	}
	t, err := s.cfg.Store.UpdateTeam(r.Context(), team.ID, req.input(), s.actedBy(r))
	s.apiWriteTeam(w, r, http.StatusOK, t, err)
}

// apiMembersRequest is the body of …/teams/{id}/members: every member's id.
type apiMembersRequest struct {
	StaffIDs []int64 `json:"staff_ids"`
}

// apiTeamMembers serves POST /api/v1/teams/{id}/members.
func (s *Server) apiTeamMembers(w http.ResponseWriter, r *http.Request) {
	var req apiMembersRequest
	t, ok := s.apiTeamFromPath(w, r, &req)
	if !ok {
		return
	}
	ids, err := s.scopedMembers(r.Context(), t, req.StaffIDs)
	if err == nil {
		t, err = s.cfg.Store.SetTeamMembers(r.Context(), t.ID, ids, s.actedBy(r))
	}
	s.apiWriteTeam(w, r, http.StatusOK, t, err)
}

// apiWriteTeam answers with the team, or the error.
func (s *Server) apiWriteTeam(w http.ResponseWriter, r *http.Request, status int, t *storage.Team, err error) {
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	names, err := s.apiStaffNames(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, status, apiTeamJSON(t, names))
}

// apiPathID reads the {id} of the path; 404 when it is no id.
func (s *Server) apiPathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeJSONError(w, http.StatusNotFound, storage.ENOTFOUND, "找不到该记录。")
		return 0, false
	}
	return id, true
}

// apiRule is a routing rule; Position is its place in the order, from 1.
type apiRule struct {
	ID        int64            `json:"id"`
	Position  int              `json:"position"`
	Kind      storage.RuleKind `json:"kind"`
	KindLabel string           `json:"kind_label"`
	Pattern   string           `json:"pattern"`
	TeamID    int64            `json:"team_id"`
}

// apiRules serves GET /api/v1/routing-rules, in the order they are tried.
func (s *Server) apiRules(w http.ResponseWriter, r *http.Request) {
	rules, _, err := s.scopedRules(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := make([]apiRule, 0, len(rules))
	for i, rule := range rules {
		out = append(out, apiRule{ID: rule.ID, Position: i + 1, Kind: rule.Kind, KindLabel: rule.Kind.Label(),
			Pattern: rule.Pattern, TeamID: rule.TeamID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// apiRuleRequest is the body of POST /api/v1/routing-rules.
type apiRuleRequest struct {
	Kind    storage.RuleKind `json:"kind"`
	Pattern string           `json:"pattern"`
	TeamID  int64            `json:"team_id"`
}

// apiCreateRule serves POST /api/v1/routing-rules: the rule goes last.
func (s *Server) apiCreateRule(w http.ResponseWriter, r *http.Request) {
	var req apiRuleRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	if err := s.scopedNewRule(r.Context(), storage.NewRoutingRule(req)); err != nil {
		s.apiError(w, r, err)
		return
	}
	rule, err := s.cfg.Store.CreateRoutingRule(r.Context(), storage.NewRoutingRule(req), s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiRule{ID: rule.ID, Kind: rule.Kind, KindLabel: rule.Kind.Label(),
		Pattern: rule.Pattern, TeamID: rule.TeamID, Position: rule.Position})
}

// apiMoveRequest is the body of …/move: "up" (earlier) or "down".
type apiMoveRequest struct {
	Direction string `json:"direction"`
}

// apiMoveRule serves POST /api/v1/routing-rules/{id}/move; 204.
func (s *Server) apiMoveRule(w http.ResponseWriter, r *http.Request) {
	id, ok := s.apiPathID(w, r)
	if !ok {
		return
	}
	var req apiMoveRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	if req.Direction != "up" && req.Direction != "down" {
		s.apiError(w, r, storage.Errorf(storage.EINVALID, "direction 应为 up 或 down"))
		return
	}
	if err := s.moveScopedRule(r.Context(), id, req.Direction == "up", s.actedBy(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiDeleteRule serves POST /api/v1/routing-rules/{id}/delete; 204.
func (s *Server) apiDeleteRule(w http.ResponseWriter, r *http.Request) {
	id, ok := s.apiPathID(w, r)
	if !ok {
		return
	}
	if err := s.scopedRule(r.Context(), id); err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.cfg.Store.DeleteRoutingRule(r.Context(), id, s.actedBy(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiWorkloadRow is one staff member's workload; see storage.Workload.
type apiWorkloadRow struct {
	Staff         apiStaffRef `json:"staff"`
	Open          int         `json:"open"`
	Overdue       int         `json:"overdue"` // open cases whose running clock is past due
	Concluded     int         `json:"concluded"`
	Mediated      int         `json:"mediated"`
	MediationRate float64     `json:"mediation_rate"`
	AverageDays   float64     `json:"average_calendar_days"`
}

// apiWorkload serves GET /api/v1/workload?month=2026-03 (this month by default).
func (s *Server) apiWorkload(w http.ResponseWriter, r *http.Request) {
	if err := apiOnlyParams(r.URL.Query(), map[string]bool{"month": true}); err != nil {
		s.apiError(w, r, err)
		return
	}
	from, to, msg := workloadMonth(r.URL.Query().Get("month"), s.cfg.Now())
	if msg != "" {
		s.apiError(w, r, storage.Errorf(storage.EINVALID, "%s", msg))
		return
	}
	rows, err := s.scopedWorkload(r.Context(), from, to)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := make([]apiWorkloadRow, 0, len(rows))
	for _, wl := range rows {
		out = append(out, apiWorkloadRow{Staff: apiStaffRef{ID: wl.StaffID, Name: wl.Name}, Open: wl.Open, Overdue: wl.Overdue,
			Concluded: wl.Concluded, Mediated: wl.Mediated, MediationRate: wl.MediationRate, AverageDays: wl.AverageDays})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}
