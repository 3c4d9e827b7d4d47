package sqlstore

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// reportFixture files cases through the real moves, so the report reads the
// same timeline staff produce.
type reportFixture struct {
	t   *testing.T
	db  *DB
	n   int
	ctx context.Context
	// closing holds, per case, what moves meets at 调解成功 or 终止调解: the
	// termination's reason and the steps after it, which outcome makes once 结案
	// has set the status.
	closing map[int64]pendingClose
}

type pendingClose struct {
	reason string
	after  []string
}

// file creates a case received at at, in category.
func (f *reportFixture) file(at time.Time, category string) *storage.Case {
	f.t.Helper()
	f.n++
	setClock(f.db, at)
	nc := newCase(string(rune('a'+f.n)) + "-report")
	nc.Category = category
	nc.MerchantName = []string{"好又多超市", "<b>坏商家</b>", "<B>坏商家</B>"}[f.n%3]
	return mustCreate(f.t, f.db, nc)
}

// moves walks c along the statuses, each with its reason. 调解成功 and 终止调解
// are reached only by 结案 with an outcome: moves stops there, and outcome
// closes the case and walks the rest.
func (f *reportFixture) moves(c *storage.Case, steps ...string) {
	f.t.Helper()
	for i := 0; i+1 < len(steps); i += 2 {
		if to := storage.Status(steps[i]); to == storage.StatusResolved || to == storage.StatusTerminated {
			if f.closing == nil {
				f.closing = map[int64]pendingClose{}
			}
			f.closing[c.ID] = pendingClose{reason: steps[i+1], after: steps[i+2:]}
			return
		}
		move(f.t, f.db, c, storage.Status(steps[i]), steps[i+1])
	}
}

// outcome closes c with the outcome (结案) and walks the steps moves left.
func (f *reportFixture) outcome(c *storage.Case, o string, fen int64, double bool) {
	f.t.Helper()
	pending := f.closing[c.ID]
	delete(f.closing, c.ID)
	_, err := f.db.CloseCase(f.ctx, storage.Closing{CaseID: c.ID, Outcome: o, RecoveredFen: fen,
		DoubleCompensation: double, Reason: pending.reason, Actor: staff})
	if err != nil {
		f.t.Fatal(err)
	}
	f.moves(c, pending.after...)
}

// set writes columns other engineers' features set (classification, amounts).
func (f *reportFixture) set(c *storage.Case, assignments string, args ...any) {
	f.t.Helper()
	q := f.db.db.Rebind(`UPDATE cases SET ` + assignments + ` WHERE id = ?`)
	if _, err := f.db.db.ExecContext(f.ctx, q, append(args, c.ID)...); err != nil {
		f.t.Fatal(err)
	}
}

func TestCaseReport(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := &reportFixture{t: t, db: db, ctx: ctx}
		day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, cst) }
		const (
			acc, med, res, ter, ref = "accepted", "mediating", "resolved", "terminated", "referred"
			rej, wd, closed         = "rejected", "withdrawn", "closed"
		)
		a, err := db.CreateStaff(ctx, storage.NewStaff{Username: "med_a", Name: "调解员甲", Role: storage.RoleMediator})
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.CreateStaff(ctx, storage.NewStaff{Username: "med_b", Name: "调解员乙", Role: storage.RoleMediator})
		if err != nil {
			t.Fatal(err)
		}

		// Before the period (2025-12-31 23:59 CST is 15:59 UTC): not counted, nor its rating.
		early := f.file(time.Date(2025, 12, 31, 23, 59, 0, 0, cst), "食品")
		f.moves(early, acc, "", med, "", res, "", closed, "")
		f.outcome(early, storage.OutcomeAgreement, 999, true)
		if err := db.RateCase(ctx, storage.Rating{CaseID: early.ID, Rating: storage.RatingDissatisfied}); err != nil {
			t.Fatal(err)
		}
		// 1. January 1 00:00, the first instant: mediated by agreement, doubled, rated 满意.
		c1 := f.file(day(1, 1, 0), "食品")
		f.moves(c1, acc, "", med, "", res, "", closed, "")
		f.outcome(c1, storage.OutcomeAgreement, 10_000, true)
		f.set(c1, "subcategory = ?, nature = ?, assignee_id = ?", "乳制品", "质量", a.ID)
		if err := db.RateCase(ctx, storage.Rating{CaseID: c1.ID, Rating: storage.RatingSatisfied}); err != nil {
			t.Fatal(err)
		}
		// 2. Terminated: accepted, not mediated.
		c2 := f.file(day(1, 20, 8), "家用电子电器")
		f.moves(c2, acc, "", med, "", ter, "一方表示无法达成调解协议")
		f.outcome(c2, storage.OutcomeTerminated, 0, false)
		f.set(c2, "subcategory = ?, nature = ?, assignee_id = ?", "空调", "质量", a.ID)
		// 3. Still 待受理: pending.
		f.file(day(1, 31, 23), "家用电子电器")
		// 4. February 1 00:30 CST is still January 31 in UTC: February. Settled
		// through the merchant platform, rated 基本满意.
		c4 := f.file(day(2, 1, 0).Add(30*time.Minute), "食品")
		f.moves(c4, acc, "", ref, "企业和解（入驻企业）", res, "", closed, "")
		f.outcome(c4, storage.OutcomeSettled, 2_550, false)
		f.set(c4, "subcategory = ?, nature = ?, assignee_id = ?", "乳制品", "质量", b.ID)
		if err := db.RateCase(ctx, storage.Rating{CaseID: c4.ID, Rating: storage.RatingMostly}); err != nil {
			t.Fatal(err)
		}
		// 5. Refused, then the file closed: 不予受理 still.
		c5 := f.file(day(2, 10, 9), "美容美发")
		f.moves(c5, rej, "不属于本会受理范围或管辖区域", closed, "")
		// 6. Withdrawn by the consumer before any decision, then closed.
		c6 := f.file(day(2, 11, 9), "食品")
		if _, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c6.ID, To: wd, Actor: storage.ActorConsumer}); err != nil {
			t.Fatal(err)
		}
		f.moves(c6, closed, "")
		// 7. Withdrawn after acceptance: accepted, not mediated.
		c7 := f.file(day(2, 12, 9), "食品")
		f.moves(c7, acc, "", wd, "")
		// 8. Referred to arbitration: its claimed amount is the amount in dispute.
		c8 := f.file(day(2, 13, 9), "交通工具")
		f.moves(c8, acc, "", med, "", ref, "仲裁委员会（申请人同意）")
		f.set(c8, "amount_fen = ?", 2_063_010_00)
		// 9. Imported history without a timeline: closed by agreement, accepted.
		c9 := f.file(day(3, 14, 9), "食品")
		f.set(c9, "status = ?, outcome = ?, recovered_fen = ?", closed, storage.OutcomeAgreement, 700)
		// After the period: April 1 00:00 CST is the end, excluded.
		late := f.file(day(4, 1, 0), "食品")
		f.moves(late, acc, "")
		// 10. Sent back for material during mediation (the status engineer's
		// 待补正): accepted. 11. Waiting for material before any decision: pending.
		c10 := f.file(day(3, 20, 9), "其他")
		f.moves(c10, acc, "", med, "")
		f.set(c10, "status = ?", string(storage.StatusAwaitingMaterial))
		c11 := f.file(day(3, 21, 9), "其他")
		f.set(c11, "status = ?", string(storage.StatusAwaitingMaterial))

		from, to := day(1, 1, 0), day(4, 1, 0)
		rep, err := db.CaseReport(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.From.Equal(from) || !rep.To.Equal(to) {
			t.Errorf("period = %v..%v", rep.From, rep.To)
		}
		wantTotals := storage.ReportFigures{Received: 11, Accepted: 7, Rejected: 1, WithdrawnEarly: 1, Pending: 2,
			Mediated: 3, RecoveredFen: 13_250, DoubleCompensation: 1, AmountFen: 10*12_950 + 2_063_010_00}
		if rep.ReportFigures != wantTotals {
			t.Errorf("totals = %+v\nwant     %+v", rep.ReportFigures, wantTotals)
		}
		// Concluded: 1, 2, 4, 5, 6, 7, 9 (an outcome or a final status).
		if rep.Concluded != 7 || rep.MediationRate != 3.0/7 || rep.Rate() != 3.0/7 {
			t.Errorf("concluded %d, rate %v", rep.Concluded, rep.MediationRate)
		}

		wantGroups(t, "category", rep.ByCategory, []groupWant{
			{"食品", 5, 4, 3}, {"其他", 2, 1, 0}, {"家用电子电器", 2, 1, 0}, {"交通工具", 1, 1, 0}, {"美容美发", 1, 0, 0}})
		wantGroups(t, "nature", rep.ByNature, []groupWant{{"", 8, 4, 1}, {"质量", 3, 3, 2}})
		wantGroups(t, "channel", rep.ByChannel, []groupWant{{storage.ChannelOwn, 9, 5, 2},
			{"企业和解（入驻企业）", 1, 1, 1}, {"仲裁委员会", 1, 1, 0}, {"金融纠纷调解中心", 0, 0, 0}, {"市场监管部门", 0, 0, 0}, {"行政部门", 0, 0, 0}})
		if arb := rep.ByChannel[2]; arb.Key != "仲裁委员会" || arb.AmountFen != 2_063_010_00 {
			t.Errorf("arbitration = %+v", arb)
		}
		wantGroups(t, "mediator", rep.ByMediator, []groupWant{{"", 8, 4, 1}, {"调解员甲", 2, 2, 1}, {"调解员乙", 1, 1, 1}})
		if rep.ByMediator[1].Key != strconv.FormatInt(a.ID, 10) || rep.ByMediator[0].Key != "0" {
			t.Errorf("mediator keys = %q, %q", rep.ByMediator[0].Key, rep.ByMediator[1].Key)
		}
		// Merchant names are grouped case-insensitively; the smallest spelling names the group.
		wantGroups(t, "merchant", rep.TopMerchants, []groupWant{{"<B>坏商家</B>", 7, 4, 3}, {"好又多超市", 4, 3, 0}})

		wantTopics := []storage.ReportTopic{
			{Category: "食品", Subcategory: "乳制品", Nature: "质量", Count: 2},
			{Category: "家用电子电器", Subcategory: "空调", Nature: "质量", Count: 1}}
		if !reflect.DeepEqual(rep.HotTopics, wantTopics) || rep.Classified != 3 {
			t.Errorf("hot topics = %+v (classified %d)", rep.HotTopics, rep.Classified)
		}
		if want := (storage.ReportSatisfaction{Satisfied: 1, Mostly: 1}); rep.Satisfaction != want {
			t.Errorf("satisfaction = %+v", rep.Satisfaction)
		}

		wantMonths := []struct {
			month                        string
			received, accepted, mediated int
			recovered                    int64
		}{{"2026-01", 3, 2, 1, 10_000}, {"2026-02", 5, 3, 1, 2_550}, {"2026-03", 3, 2, 1, 700}}
		if len(rep.ByMonth) != len(wantMonths) {
			t.Fatalf("ByMonth = %+v", rep.ByMonth)
		}
		for i, w := range wantMonths {
			m := rep.ByMonth[i]
			if m.Month != w.month || m.Received != w.received || m.Accepted != w.accepted ||
				m.Mediated != w.mediated || m.RecoveredFen != w.recovered {
				t.Errorf("ByMonth[%d] = %+v, want %+v", i, m, w)
			}
		}
		if len(rep.ByYear) != 1 || rep.ByYear[0].Month != "2026" || rep.ByYear[0].ReportFigures != wantTotals {
			t.Errorf("ByYear = %+v", rep.ByYear)
		}

		// Two years: one row each, the first starting at the period's start.
		rep, err = db.CaseReport(ctx, time.Date(2025, 12, 1, 0, 0, 0, 0, cst), to)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.ByYear) != 2 || rep.ByYear[0].Received != 1 || rep.ByYear[1].Received != 11 || rep.Received != 12 {
			t.Errorf("ByYear over two years = %+v", rep.ByYear)
		}

		// An empty period still lists every channel and its one month.
		rep, err = db.CaseReport(ctx, day(5, 1, 0), day(6, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Received != 0 || rep.MediationRate != 0 || len(rep.ByCategory) != 0 || len(rep.TopMerchants) != 0 ||
			len(rep.ByMonth) != 1 || rep.ByMonth[0].Received != 0 || len(rep.ByChannel) != 6 || len(rep.HotTopics) != 0 {
			t.Errorf("empty report = %+v", rep)
		}

		_, err = db.CaseReport(ctx, to, from)
		wantCode(t, err, storage.EINVALID)
		_, err = db.CaseReport(ctx, from, from.AddDate(30, 0, 0))
		wantCode(t, err, storage.EINVALID)
	})
}

// groupWant is a group's name and its received, accepted and mediated cases.
type groupWant struct {
	name                         string
	received, accepted, mediated int
}

// wantGroups compares a breakdown's groups, in order.
func wantGroups(t *testing.T, what string, got []storage.ReportCount, want []groupWant) {
	t.Helper()
	var have []groupWant
	for _, g := range got {
		if g.Count != g.Received {
			t.Errorf("%s %q: count %d but received %d", what, g.Name, g.Count, g.Received)
		}
		have = append(have, groupWant{g.Name, g.Received, g.Accepted, g.Mediated})
	}
	if !reflect.DeepEqual(have, want) {
		t.Errorf("by %s = %+v\nwant %+v", what, have, want)
	}
}
