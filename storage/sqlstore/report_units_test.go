package sqlstore

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// mustUnit adds a unit under parent (units are managed elsewhere; the report
// only reads them).
func mustUnit(t *testing.T, db *DB, parent int64, name, code string) int64 {
	t.Helper()
	var id int64
	now := dbTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	q := db.db.Rebind(`INSERT INTO units (parent_id, name, code, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`)
	if err := db.db.GetContext(context.Background(), &id, q, parent, name, code, now, now); err != nil {
		t.Fatal(err)
	}
	return id
}

// unitsFixture is a system of four units — the root, district A with its
// street office A1, and district B — with cases in each, two teams (the car
// studio counted as a channel of its own) and two overdue cases.
type unitsFixture struct {
	reportFixture
	a, a1, b    int64
	cars, other *storage.Team
	med         *storage.Staff
	cases       []*storage.Case
	from, to    time.Time
}

func newUnitsFixture(t *testing.T, db *DB) *unitsFixture {
	ctx := context.Background()
	u := &unitsFixture{reportFixture: reportFixture{t: t, db: db, ctx: ctx}}
	u.a = mustUnit(t, db, storage.RootUnitID, "甲区消委会", "JQ")
	u.a1 = mustUnit(t, db, u.a, "甲区一街道", "JQ1")
	u.b = mustUnit(t, db, storage.RootUnitID, "乙区消委会", "YQ")
	u.cars = mustTeam(t, db, "汽车消费维权工作室", false, false)
	u.other = mustTeam(t, db, "综合", false, false)
	if err := db.SetTeamChannel(ctx, u.cars.ID, true, by); err != nil {
		t.Fatal(err)
	}
	var err error
	if u.med, err = db.CreateStaff(ctx, storage.NewStaff{Username: "med_u", Name: "调解员丙", Role: storage.RoleMediator}); err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, cst) }
	u.from, u.to = time.Date(2026, 3, 1, 0, 0, 0, 0, cst), time.Date(2026, 4, 1, 0, 0, 0, 0, cst)
	file := func(d int, unit int64, team *storage.Team) *storage.Case {
		setClock(db, day(d))
		u.n++
		nc := newCase("units-" + strconv.Itoa(u.n))
		nc.UnitID = unit
		c := mustCreate(t, db, nc)
		if team != nil {
			u.set(c, "team_id = ?", team.ID)
		}
		u.cases = append(u.cases, c)
		return c
	}
	const acc, med, res, closed, ref = "accepted", "mediating", "resolved", "closed", "referred"
	// 1. The root's, in the car studio, mediated: the studio's channel. Rated.
	c1 := file(2, storage.RootUnitID, u.cars)
	u.moves(c1, acc, "", med, "", res, "", closed, "")
	u.outcome(c1, storage.OutcomeAgreement, 10_000, false)
	if err := db.RateCase(ctx, storage.Rating{CaseID: c1.ID, Rating: storage.RatingSatisfied}); err != nil {
		t.Fatal(err)
	}
	// 2. A's, in the car studio but referred to arbitration: arbitration's channel.
	c2 := file(3, u.a, u.cars)
	u.moves(c2, acc, "", med, "", ref, "仲裁委员会（申请人同意）")
	// 3. A1's, in no team, accepted, overdue, unassigned.
	c3 := file(4, u.a1, nil)
	u.moves(c3, acc, "")
	// 4. B's, in 综合, pending, overdue, assigned.
	c4 := file(5, u.b, u.other)
	// 5. B's, in 综合, its clock paused with a passed due day: not overdue.
	c5 := file(6, u.b, u.other)
	for _, c := range u.cases {
		u.set(c, "due_on = ?, due_paused = FALSE", "2099-01-01")
	}
	u.set(c3, "due_on = ?", "2026-03-10")
	u.set(c4, "due_on = ?, assignee_id = ?", "2026-03-11", u.med.ID)
	u.set(c5, "due_on = ?, due_paused = TRUE", "2026-03-09")
	// A case of A1 received before the period, overdue: an overdue count is of
	// now, not of the period.
	setClock(db, time.Date(2026, 2, 27, 9, 0, 0, 0, cst))
	u.n++
	early := newCase("units-early")
	early.UnitID = u.a1
	u.set(mustCreate(t, db, early), "due_on = ?, due_paused = FALSE", "2026-03-05")
	setClock(db, day(20))
	return u
}

func TestUnitReportTeamsChannelsOverdue(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		u := newUnitsFixture(t, db)
		rep, err := db.CaseReport(ctx, u.from, u.to)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Received != 5 || rep.Accepted != 3 || rep.Mediated != 1 || rep.Pending != 2 {
			t.Fatalf("totals = %+v", rep.ReportFigures)
		}
		wantGroups(t, "channel", rep.ByChannel, []groupWant{{storage.ChannelOwn, 3, 1, 0},
			{"汽车消费维权工作室", 1, 1, 1}, {"企业和解（入驻企业）", 0, 0, 0}, {"仲裁委员会", 1, 1, 0},
			{"金融纠纷调解中心", 0, 0, 0}, {"市场监管部门", 0, 0, 0}, {"行政部门", 0, 0, 0}})
		if k := rep.ByChannel[1].Key; k != storage.ChannelTeamKey(u.cars.ID) {
			t.Errorf("studio channel key = %q", k)
		}
		wantGroups(t, "team", rep.ByTeam, []groupWant{{"汽车消费维权工作室", 2, 2, 1}, {"综合", 2, 0, 0}, {"", 1, 1, 0}})
		if rep.ByTeam[2].Key != "0" || rep.ByTeam[0].Key != strconv.FormatInt(u.cars.ID, 10) {
			t.Errorf("team keys = %q, %q", rep.ByTeam[0].Key, rep.ByTeam[2].Key)
		}

		// Overdue now: cases 3 and 4 and the early one; the paused one never.
		o := rep.Overdue
		if o.Total != 3 || !o.AsOf.Equal(time.Date(2026, 3, 20, 9, 0, 0, 0, cst)) {
			t.Errorf("overdue = %+v", o)
		}
		wantTallies(t, "overdue by mediator", o.ByMediator, []storage.ReportTally{
			{Key: "0", Name: "", Count: 2}, {Key: strconv.FormatInt(u.med.ID, 10), Name: "调解员丙", Count: 1}})
		wantTallies(t, "overdue by team", o.ByTeam, []storage.ReportTally{
			{Key: "0", Name: "", Count: 2}, {Key: strconv.FormatInt(u.other.ID, 10), Name: "综合", Count: 1}})

		// A's subtree: cases 2 and 3; the studio's channel is listed, empty.
		tree := unitTree(t, db)
		sub, err := db.UnitReport(ctx, u.from, u.to, tree.Subtree(u.a))
		if err != nil {
			t.Fatal(err)
		}
		if sub.Received != 2 || sub.Accepted != 2 || sub.Overdue.Total != 2 || sub.Satisfaction.Rated() != 0 {
			t.Errorf("A's subtree = %+v, overdue %+v", sub.ReportFigures, sub.Overdue)
		}
		if sub.ByChannel[1].Received != 0 || sub.ByChannel[3].Received != 1 {
			t.Errorf("A's channels = %+v", sub.ByChannel)
		}
		_, err = db.UnitReport(ctx, u.from, u.to, nil)
		wantCode(t, err, storage.EINVALID)

		// Unmarking the studio sends its case back to the own mediation; audited once.
		if err := db.SetTeamChannel(ctx, u.cars.ID, false, by); err != nil {
			t.Fatal(err)
		}
		if err := db.SetTeamChannel(ctx, u.cars.ID, false, by); err != nil {
			t.Fatal(err)
		}
		rep, err = db.CaseReport(ctx, u.from, u.to)
		if err != nil {
			t.Fatal(err)
		}
		if rep.ByChannel[0].Received != 4 || len(rep.ByChannel) != 6 {
			t.Errorf("channels after unmarking = %+v", rep.ByChannel)
		}
		var n int
		if err := db.db.GetContext(ctx, &n, "SELECT count(*) FROM audit_log WHERE action = 'team_channel'"); err != nil || n != 2 {
			t.Errorf("team_channel audit entries = %d (%v), want 2", n, err)
		}
		wantCode(t, db.SetTeamChannel(ctx, 9999, true, by), storage.ENOTFOUND)
		wantCode(t, db.SetTeamChannel(ctx, u.cars.ID, true, storage.By{}), storage.EINVALID)
		if ids, err := db.ChannelTeams(ctx); err != nil || len(ids) != 0 {
			t.Errorf("ChannelTeams = %v, %v", ids, err)
		}
	})
}

// TestSystemIsSumOfUnits checks that the system's figures are the sum of every
// unit's own, as the city publishes its system's totals, and that each unit's
// row in ByUnit is that unit's own report.
func TestSystemIsSumOfUnits(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		u := newUnitsFixture(t, db)
		system, err := db.CaseReport(ctx, u.from, u.to)
		if err != nil {
			t.Fatal(err)
		}
		var sum storage.ReportFigures
		overdue := 0
		byUnit := map[string]storage.ReportFigures{}
		for _, g := range system.ByUnit {
			byUnit[g.Key] = g.ReportFigures
		}
		for _, id := range []int64{storage.RootUnitID, u.a, u.a1, u.b} {
			own, err := db.UnitReport(ctx, u.from, u.to, []int64{id})
			if err != nil {
				t.Fatal(err)
			}
			sum.Add(own.ReportFigures)
			overdue += own.Overdue.Total
			if got := byUnit[strconv.FormatInt(id, 10)]; got != own.ReportFigures {
				t.Errorf("unit %d: ByUnit %+v, own report %+v", id, got, own.ReportFigures)
			}
		}
		if sum != system.ReportFigures || overdue != system.Overdue.Total {
			t.Errorf("sum of units %+v (overdue %d)\nsystem       %+v (overdue %d)",
				sum, overdue, system.ReportFigures, system.Overdue.Total)
		}
		whole, err := db.UnitReport(ctx, u.from, u.to, unitTree(t, db).Subtree(storage.RootUnitID))
		if err != nil {
			t.Fatal(err)
		}
		if whole.ReportFigures != system.ReportFigures {
			t.Errorf("root subtree %+v, system %+v", whole.ReportFigures, system.ReportFigures)
		}
	})
}

// unitTree reads the units.
func unitTree(t *testing.T, db *DB) *storage.UnitTree {
	t.Helper()
	units, err := db.ListUnits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return storage.NewUnitTree(units)
}

// wantTallies compares bare counts, in order.
func wantTallies(t *testing.T, what string, got, want []storage.ReportTally) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %+v\nwant %+v", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s = %+v\nwant %+v", what, got, want)
			return
		}
	}
}

// TestCarStudioChannelAtSeedScale: the seed report's car studio — 受理 299,
// 调解 284, 94.98% — as a team counted as a channel, with the association's own
// cases beside it.
func TestCarStudioChannelAtSeedScale(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		err := SeedReportYear(ctx, db, 2023, []SeedBatch{
			{N: 284, Status: storage.StatusClosed, Outcome: storage.OutcomeAgreement},
			{N: 15, Status: storage.StatusClosed, Outcome: storage.OutcomeTerminated},
			{N: 100, Status: storage.StatusClosed, Outcome: storage.OutcomeSettled},
		})
		if err != nil {
			t.Fatal(err)
		}
		studio := mustTeam(t, db, "超哥汽车消费维权工作室", false, false)
		if err := db.SetTeamChannel(ctx, studio.ID, true, by); err != nil {
			t.Fatal(err)
		}
		// The first 299 seeded cases are the studio's.
		q := db.db.Rebind(`UPDATE cases SET team_id = ? WHERE id IN (SELECT id FROM cases ORDER BY id LIMIT 299)`)
		if _, err := db.db.ExecContext(ctx, q, studio.ID); err != nil {
			t.Fatal(err)
		}
		from := time.Date(2023, 1, 1, 0, 0, 0, 0, cst)
		rep, err := db.CaseReport(ctx, from, from.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		own, car := rep.ByChannel[0], rep.ByChannel[1]
		if car.Name != "超哥汽车消费维权工作室" || car.Accepted != 299 || car.Mediated != 284 ||
			strconv.FormatFloat(car.Rate()*100, 'f', 2, 64) != "94.98" {
			t.Errorf("studio channel = %+v", car)
		}
		if own.Received != 100 || own.Mediated != 100 || rep.Received != 399 {
			t.Errorf("own channel = %+v, received %d", own, rep.Received)
		}
	})
}
