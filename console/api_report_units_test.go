package console_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// TestAPIReportsPerUnit: the API takes the figures of a unit's subtree, by
// default the caller's own, compares the units under it, and refuses a unit
// outside the caller's subtree as not found.
func TestAPIReportsPerUnit(t *testing.T) {
	e := newAPIEnv(t)
	ctx := context.Background()
	a := addTestUnit(t, e.db, storage.RootUnitID, "甲区消委会", "JQ")
	b := addTestUnit(t, e.db, storage.RootUnitID, "乙区消委会", "YQ")
	supA, err := e.db.CreateStaff(ctx, storage.NewStaff{Username: "sup_a", Name: "甲区主管",
		Role: storage.RoleSupervisor, PasswordHash: "x", UnitID: a})
	if err != nil {
		t.Fatal(err)
	}
	token := "cbt_units_report_0123456789abcdef"
	if _, err := e.db.CreateAPIToken(ctx, supA.ID, "test", console.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	for i, unit := range []int64{storage.RootUnitID, a, a, b} {
		nc := storage.NewCase{OpenID: "openid-u" + strconv.Itoa(i), IntakeKey: "intake-u" + strconv.Itoa(i),
			Category: "食品", MerchantName: "某超市", Description: "过期食品。", Demand: "退款",
			ComplainantName: "张三", Phone: "13800138000", UnitID: unit}
		if _, err := e.db.CreateCase(ctx, "TS", nc); err != nil {
			t.Fatal(err)
		}
	}
	type group struct {
		Key, Name string
		Received  int
	}
	var rep struct {
		Totals struct{ Received int }
		Unit   struct {
			ID         int64
			Code, Name string
		}
		Units   []group `json:"by_unit"`
		Teams   []group `json:"by_team"`
		Overdue struct {
			AsOf  string `json:"as_of"`
			Total int
		}
	}
	e.do("GET", "/api/v1/reports?from=2026-03&to=2026-03", e.as(e.supervisor), "").ok(t, http.StatusOK, &rep)
	// The children in the units' order (by name), then the city's own cases.
	want := []group{{strconv.FormatInt(b, 10), "乙区消委会", 1}, {strconv.FormatInt(a, 10), "甲区消委会", 2},
		{"own", "本级（某市消费者委员会）", 1}}
	if rep.Totals.Received != 4 || rep.Unit.ID != 1 || rep.Unit.Code != "ROOT" || len(rep.Units) != 3 ||
		rep.Units[0] != want[0] || rep.Units[1] != want[1] || rep.Units[2] != want[2] ||
		len(rep.Teams) != 1 || rep.Teams[0].Key != "0" || rep.Overdue.AsOf == "" {
		t.Fatalf("city report %+v", rep)
	}

	district := apiAuth{token: token}
	rep.Units = nil
	e.do("GET", "/api/v1/reports?from=2026-03&to=2026-03", district, "").ok(t, http.StatusOK, &rep)
	if rep.Totals.Received != 2 || rep.Unit.Code != "JQ" || len(rep.Units) != 0 {
		t.Fatalf("district report %+v", rep)
	}
	for _, q := range []string{"&unit=" + strconv.FormatInt(b, 10), "&unit=1", "&unit=abc"} {
		e.do("GET", "/api/v1/reports?from=2026-03&to=2026-03"+q, district, "").
			fails(t, http.StatusNotFound, storage.ENOTFOUND)
	}
}

// TestAPIReportsPerUnitOnPostgres runs the per-unit report API on PostgreSQL.
func TestAPIReportsPerUnitOnPostgres(t *testing.T) {
	testenv.Postgres(t, sqlstore.Open)
	defer func(open func(*testing.T) *sqlstore.DB) { apiOpenStore = open }(apiOpenStore)
	apiOpenStore = func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) }
	TestAPIReportsPerUnit(t)
}

// TestAPIReportChannels: supervisors list and set which teams are channels;
// the change is audited and shows in the figures; mediators may not.
func TestAPIReportChannels(t *testing.T) {
	e := newAPIEnv(t)
	ctx := context.Background()
	team, err := e.db.CreateTeam(ctx, storage.TeamInput{Name: "汽车消费维权工作室"}, storage.By{Actor: e.supervisor.Actor()})
	if err != nil {
		t.Fatal(err)
	}
	c := e.newCase(1)
	if _, err := e.db.SetCaseTeam(ctx, c.ID, team.ID, storage.By{Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/teams/" + strconv.FormatInt(team.ID, 10) + "/report-channel"
	e.do("POST", path, e.as(e.mediator), `{"on":true}`).fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	e.do("POST", "/api/v1/teams/9999/report-channel", e.as(e.supervisor), `{"on":true}`).
		fails(t, http.StatusNotFound, storage.ENOTFOUND)
	var got struct {
		Teams []struct {
			ID   int64
			Name string
			On   bool
		}
	}
	e.do("POST", path, e.as(e.supervisor), `{"on":true}`).ok(t, http.StatusOK, &got)
	if len(got.Teams) != 1 || !got.Teams[0].On || got.Teams[0].ID != team.ID {
		t.Fatalf("teams %+v", got)
	}
	var rep struct {
		Channels []struct {
			Key      string
			Received int
		} `json:"by_channel"`
	}
	e.do("GET", "/api/v1/reports?from=2026-03&to=2026-03", e.as(e.supervisor), "").ok(t, http.StatusOK, &rep)
	if len(rep.Channels) != 7 || rep.Channels[1].Key != storage.ChannelTeamKey(team.ID) || rep.Channels[1].Received != 1 ||
		rep.Channels[0].Received != 0 {
		t.Fatalf("channels %+v", rep.Channels)
	}
	action := storage.AuditTeamChannel
	if entries, _, err := e.db.FindAudit(ctx, storage.AuditFilter{Action: &action}); err != nil || len(entries) != 1 {
		t.Fatalf("audit %+v, %v", entries, err)
	}
}
