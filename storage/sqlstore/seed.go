package sqlstore

// Seeding a realistic desk for benchmarks, here and in other packages (the
// console's queue benchmark). It is test support, kept out of _test.go files so
// other packages can use it, and so it returns errors instead of importing
// testing, which must stay out of the binary (internal/testenv holds the rest).

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// Seed holds values of the seeded cases for benchmark queries to look for.
type Seed struct {
	Staff     []int64  // the mediators' ids
	Teams     []int64  // the teams' ids: 汽车消费维权工作室, 金融, 综合 (the default)
	Merchants []string // full merchant names
	Phones    []string
	Loose     []string // case numbers as consumers type them
	// Districts are the district committees under the root, each with two
	// street offices under it; a district's subtree holds about a sixth of
	// the cases, the root itself about a third.
	Districts []int64
	units     []int64 // every unit a case may belong to, the root first
}

var (
	SeedCategories = []string{"家用电子电器", "日用商品", "服装鞋帽", "食品", "交通工具",
		"房屋及建材", "互联网服务", "教育培训服务", "电信服务", "销售服务", "房屋装修及物业服务",
		"金融服务", "文化娱乐体育服务", "旅游服务", "生活社会服务", "其他"}
	SeedBrands = []string{"好又多超市", "苏宁易购", "国美电器", "美团外卖", "拼多多", "京东商城",
		"大润发", "华联商厦", "携程旅行", "12306", "中国移动", "链家地产", "新东方", "星巴克",
		"海底捞", "Apple Store", "OPPO", "小米之家", "健身工坊", "爱尔眼科"}
	benchDistricts = []string{"朝阳", "海淀", "东城", "西城", "丰台", "通州", "昌平", "大兴"}
)

// SeedCases inserts n cases over the two years to 2026-03-15, much like a real
// desk: the recent tenth still open (some unread), the rest finished; most
// assigned to one of 20 mediators; merchants from 20 brands with many branches,
// some far more complained about than others. It writes multi-row INSERTs in a
// few transactions, then refreshes the planner's statistics.
func SeedCases(ctx context.Context, db *DB, n int) (*Seed, error) {
	s := &Seed{}
	for i := range 20 {
		username := fmt.Sprintf("mediator%02d", i)
		m, err := db.CreateStaff(ctx, storage.NewStaff{
			Username: username, Name: "调解员" + username, Role: storage.RoleMediator,
		})
		if err != nil {
			return nil, err
		}
		s.Staff = append(s.Staff, m.ID)
	}
	if err := seedTeams(ctx, db, s); err != nil {
		return nil, err
	}
	if err := seedUnits(ctx, db, s); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	const perInsert, perTx = 500, 20_000
	seqs := map[int]int64{}
	for start := 0; start < n; start += perTx {
		err := db.inWriteTx(ctx, "seed cases", func(tx *sqlx.Tx) error {
			for i := start; i < min(start+perTx, n); i += perInsert {
				rows := benchRows(r, s, seqs, i, min(i+perInsert, n), n)
				if err := insertCaseRows(ctx, tx, benchRowColumns, rows); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for year, seq := range seqs {
		q := db.db.Rebind("INSERT INTO case_numbers (prefix, year, last_seq) VALUES ('TS', ?, ?)")
		if _, err := db.db.ExecContext(ctx, q, year, seq); err != nil {
			return nil, err
		}
	}
	analyze := "ANALYZE"
	if db.Dialect() == DialectPostgres {
		analyze = "VACUUM ANALYZE" // as autovacuum would have by now
	}
	if _, err := db.db.ExecContext(ctx, analyze); err != nil {
		return nil, err
	}
	return s, nil
}

// benchRowColumns are the columns SeedCases writes.
const benchRowColumns = `number, open_id, status, category, merchant_name, merchant_address,
	purchase_date, amount_fen, description, demand, complainant_name, phone, intake_key,
	assignee_id, unread, outcome, recovered_fen, created_at, updated_at, subcategory, nature, team_id,
	unit_id, due_on`

// benchRows returns the values of cases from to to (of n), appending to the seed
// every 500th case's merchant, phone and number as typed.
func benchRows(r *rand.Rand, s *Seed, seqs map[int]int64, from, to, n int) [][]any {
	span := 2 * 365 * 24 * time.Hour
	first := time.Date(2026, 3, 15, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)).Add(-span)
	var rows [][]any
	for i := from; i < to; i++ {
		created := first.Add(time.Duration(i) * (span / time.Duration(n))).Add(time.Duration(r.IntN(60)) * time.Second)
		seqs[created.Year()]++
		num := storage.FormatCaseNumber("TS", created.Year(), seqs[created.Year()])
		brand := SeedBrands[min(len(SeedBrands)-1, int(r.ExpFloat64()*4))]
		merchant := fmt.Sprintf("%s %s%d店", brand, benchDistricts[r.IntN(len(benchDistricts))], r.IntN(25)+1)
		phone := fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))
		status, assignee, unread, outcome, recovered := benchState(r, s, i >= n*9/10)
		category := SeedCategories[r.IntN(len(SeedCategories))]
		sub, nature := seedClassification(r, category, status)
		rows = append(rows, []any{num, fmt.Sprintf("o%06d", r.IntN(60_000)), status,
			category, merchant, "人民路 1 号", "2026-01-01",
			int64(r.IntN(500_000)), strings.Repeat("购买的商品存在质量问题，商家拒绝退货退款。", 3), "退款",
			"张三", phone, fmt.Sprint("bench-", i), assignee, unread, outcome, recovered,
			dbTime(created), dbTime(created), sub, nature, seedTeam(s, category), seedUnit(s, i),
			seedDueOn(status, created)})
		if i%500 == 0 {
			s.Merchants = append(s.Merchants, merchant)
			s.Phones = append(s.Phones, phone)
			s.Loose = append(s.Loose, strings.ToLower(strings.ReplaceAll(strings.Replace(num, "-00", "", 1), "-", "")))
		}
	}
	return rows
}

// benchState picks a case's status and the desk's fields: a recent case is open
// with 70% likelihood, an older one finished.
func benchState(r *rand.Rand, s *Seed, recent bool) (storage.Status, any, bool, string, int64) {
	assignee := any(s.Staff[r.IntN(len(s.Staff))])
	if recent && r.IntN(10) < 7 {
		status := []storage.Status{storage.StatusSubmitted, storage.StatusAccepted,
			storage.StatusMediating, storage.StatusMediating, storage.StatusReferred}[r.IntN(5)]
		if status == storage.StatusSubmitted {
			assignee = nil
		}
		return status, assignee, r.IntN(10) == 0, "", 0
	}
	status := []storage.Status{storage.StatusClosed, storage.StatusClosed, storage.StatusClosed,
		storage.StatusClosed, storage.StatusResolved, storage.StatusTerminated, storage.StatusRejected,
		storage.StatusWithdrawn}[r.IntN(8)]
	return status, assignee, r.IntN(500) == 0, storage.OutcomeAgreement, int64(r.IntN(100_000))
}

// insertCaseRows writes rows of the columns (a comma-separated list) into
// cases in one INSERT.
func insertCaseRows(ctx context.Context, tx *sqlx.Tx, columns string, rows [][]any) error {
	row := "(" + placeholders(len(rows[0])) + ")"
	values := strings.TrimSuffix(strings.Repeat(row+", ", len(rows)), ", ")
	var args []any
	for _, r := range rows {
		args = append(args, r...)
	}
	_, err := tx.ExecContext(ctx, tx.Rebind("INSERT INTO cases ("+columns+") VALUES "+values), args...)
	return err
}

// seedTeams creates the teams of a realistic desk: the car desk (汽车消费维权工作室)
// and the finance desk (金融), each with a routing rule on its category, and the
// default team 综合; the mediators are shared out among them, and 综合 assigns
// new cases automatically.
func seedTeams(ctx context.Context, db *DB, s *Seed) error {
	by := storage.By{Actor: storage.ActorSystem}
	for i, t := range []struct {
		input    storage.TeamInput
		category string
	}{
		{storage.TeamInput{Name: "汽车消费维权工作室"}, "交通工具"},
		{storage.TeamInput{Name: "金融"}, "金融服务"},
		{storage.TeamInput{Name: "综合", AutoAssign: true, Default: true}, ""},
	} {
		team, err := db.CreateTeam(ctx, t.input, by)
		if err != nil {
			return err
		}
		var members []int64
		for j, id := range s.Staff {
			if j%3 == i {
				members = append(members, id)
			}
		}
		if _, err := db.SetTeamMembers(ctx, team.ID, members, by); err != nil {
			return err
		}
		if t.category != "" {
			rule := storage.NewRoutingRule{Kind: storage.RuleCategory, Pattern: t.category, TeamID: team.ID}
			if _, err := db.CreateRoutingRule(ctx, rule, by); err != nil {
				return err
			}
		}
		s.Teams = append(s.Teams, team.ID)
	}
	return nil
}

// seedUnits creates four district committees under the root, each with two
// street offices, so that a district supervisor's queue is a subtree.
func seedUnits(ctx context.Context, db *DB, s *Seed) error {
	by := storage.By{Actor: storage.ActorSystem}
	s.units = []int64{storage.RootUnitID}
	for i, district := range benchDistricts[:4] {
		d, err := db.CreateUnit(ctx, storage.UnitInput{ParentID: storage.RootUnitID, Name: district + "区消费者协会",
			Code: fmt.Sprintf("D%d", i+1)}, by)
		if err != nil {
			return err
		}
		s.Districts, s.units = append(s.Districts, d.ID), append(s.units, d.ID)
		for j, street := range []string{"一街道", "二街道"} {
			u, err := db.CreateUnit(ctx, storage.UnitInput{ParentID: d.ID, Name: district + street + "消费者投诉站",
				Code: fmt.Sprintf("D%dS%d", i+1, j+1)}, by)
			if err != nil {
				return err
			}
			s.units = append(s.units, u.ID)
		}
	}
	return nil
}

// seedUnit is the unit of the i-th case: the root for a third of them, the
// districts' units for the rest, evenly.
func seedUnit(s *Seed, i int) int64 {
	if i%3 == 0 {
		return storage.RootUnitID
	}
	return s.units[1+i%(len(s.units)-1)]
}

// seedDueOn is the due day of a case's running clock: 30 days after it was
// received for an accepted case still being worked on, none otherwise.
func seedDueOn(status storage.Status, created time.Time) string {
	if status.Final() || status == storage.StatusSubmitted {
		return ""
	}
	return created.AddDate(0, 0, 30).Format(time.DateOnly)
}

// seedTeam is the team the routing rules of seedTeams give a case of category.
func seedTeam(s *Seed, category string) int64 {
	switch category {
	case "交通工具":
		return s.Teams[0]
	case "金融服务":
		return s.Teams[1]
	}
	return s.Teams[2]
}

// seedClassification picks a subcategory of the category and a nature, as staff
// would have set them; a case not yet accepted is not classified further.
func seedClassification(r *rand.Rand, category string, status storage.Status) (string, string) {
	c, ok := storage.FindCategory(category)
	if !ok || status == storage.StatusSubmitted {
		return "", ""
	}
	natures := storage.Natures()
	return c.Subcategories[r.IntN(len(c.Subcategories))], natures[r.IntN(len(natures))]
}

// BenchViews are the values the console benchmark's views ask for on a seeded
// desk, read back from the database so that a desk seeded earlier serves too.
type BenchViews struct {
	Phone      string // a complainant's whole phone number
	Brand      string // part of the names of about one case in seven (国美电器's branches)
	Team       int64  // the default team, the largest
	Assignee   int64  // a mediator
	District   int64  // a district committee with two street offices under it
	Page5After int64  // the last case of page 4 of the unfiltered queue, 20 a page
}

// ConsoleBenchViews reads BenchViews from a desk SeedCases seeded.
func ConsoleBenchViews(ctx context.Context, db *DB) (*BenchViews, error) {
	v := &BenchViews{Brand: "电器"}
	for _, q := range []struct {
		dest any
		sql  string
	}{
		{&v.Phone, "SELECT phone FROM cases WHERE id = (SELECT max(id) / 2 FROM cases)"},
		{&v.Team, "SELECT id FROM teams WHERE is_default"},
		{&v.Assignee, "SELECT id FROM staff WHERE username = 'mediator00'"},
		{&v.District, "SELECT id FROM units WHERE code = 'D1'"},
		{&v.Page5After, "SELECT id FROM cases ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 79"},
	} {
		if err := db.db.GetContext(ctx, q.dest, q.sql); err != nil {
			return nil, fmt.Errorf("bench views: %s: %w", q.sql, err)
		}
	}
	return v, nil
}

// CountAllCases counts the cases of the whole database, for seeding once.
func CountAllCases(ctx context.Context, db *DB) (int, error) {
	var n int
	err := db.db.GetContext(ctx, &n, "SELECT count(*) FROM cases")
	return n, err
}
