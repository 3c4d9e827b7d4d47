package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

func TestAPIReports(t *testing.T) {
	e := newAPIEnv(t) // cases are received on 2026-03-02
	ctx := context.Background()
	a, b, c, d := e.newCase(1), e.newCase(2), e.newCase(3), e.newCase(4)
	e.move(a, storage.StatusAccepted, "")
	e.move(a, storage.StatusMediating, "")
	if _, err := e.db.CloseCase(ctx, storage.Closing{CaseID: a.ID, Outcome: storage.OutcomeAgreement,
		RecoveredFen: 758_350_000, DoubleCompensation: true, Actor: e.supervisor.Actor()}); err != nil {
		t.Fatal(err)
	}
	e.move(b, storage.StatusAccepted, "")
	e.move(b, storage.StatusReferred, "仲裁委员会")
	e.move(c, storage.StatusRejected, "无法确定被投诉经营者")
	_ = d // still 待受理

	type figures struct {
		Received, Accepted, Rejected, Pending, Mediated int
		Withdrawn                                       int     `json:"withdrawn_before_acceptance"`
		Rate                                            float64 `json:"mediation_rate"`
		RecoveredYuan                                   string  `json:"recovered_yuan"`
		RecoveredFen                                    int64   `json:"recovered_fen"`
		Double                                          int     `json:"double_compensation"`
		AmountFen                                       int64   `json:"amount_fen"`
	}
	var rep struct {
		From, To string
		Totals   figures
		Channels []struct {
			Key, Name string
			figures
		} `json:"by_channel"`
		Months []struct {
			Period string
			figures
		} `json:"by_month"`
		Satisfaction map[string]int
	}
	e.do("GET", "/api/v1/reports?from=2026-01&to=2026-03", e.as(e.supervisor), "").ok(t, http.StatusOK, &rep)
	want := figures{Received: 4, Accepted: 2, Rejected: 1, Pending: 1, Mediated: 1, Rate: 50,
		RecoveredYuan: "7583500.00", RecoveredFen: 758_350_000, Double: 1}
	got := rep.Totals
	got.AmountFen = 0
	if rep.From != "2026-01" || rep.To != "2026-03" || got != want {
		t.Fatalf("report %s..%s totals %+v, want %+v", rep.From, rep.To, rep.Totals, want)
	}
	if len(rep.Channels) != 6 || rep.Channels[0].Name != storage.ChannelOwn || rep.Channels[2].Key != "仲裁委员会" ||
		rep.Channels[2].Accepted != 1 || rep.Channels[2].AmountFen != 399950 {
		t.Fatalf("channels %+v", rep.Channels)
	}
	if len(rep.Months) != 3 || rep.Months[2].Period != "2026-03" || rep.Months[2].Received != 4 ||
		rep.Satisfaction[storage.RatingSatisfied] != 0 || len(rep.Satisfaction) != 3 {
		t.Fatalf("months %+v, satisfaction %v", rep.Months, rep.Satisfaction)
	}

	e.do("GET", "/api/v1/reports?from=2026-13", e.as(e.supervisor), "").fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("GET", "/api/v1/reports?since=2026-01", e.as(e.supervisor), "").fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("GET", "/api/v1/reports", e.as(e.mediator), "").fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	e.do("GET", "/api/v1/reports", apiAuth{}, "").fails(t, http.StatusUnauthorized, "unauthorized")
}

// TestAPIReportsOnPostgres runs the report API on PostgreSQL too.
func TestAPIReportsOnPostgres(t *testing.T) {
	testenv.Postgres(t, sqlstore.Open)
	defer func(open func(*testing.T) *sqlstore.DB) { apiOpenStore = open }(apiOpenStore)
	apiOpenStore = func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) }
	TestAPIReports(t)
}
