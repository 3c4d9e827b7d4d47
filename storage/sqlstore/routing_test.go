package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// by is the staff actor of the routing tests' changes.
var by = storage.By{Actor: staff, IP: "192.0.2.7"}

// mustTeam creates a team or fails the test.
func mustTeam(t *testing.T, db *DB, name string, auto, def bool, members ...int64) *storage.Team {
	t.Helper()
	ctx := context.Background()
	tm, err := db.CreateTeam(ctx, storage.TeamInput{Name: name, AutoAssign: auto, Default: def}, by)
	if err != nil {
		t.Fatalf("CreateTeam(%s): %v", name, err)
	}
	if len(members) > 0 {
		if tm, err = db.SetTeamMembers(ctx, tm.ID, members, by); err != nil {
			t.Fatalf("SetTeamMembers(%s): %v", name, err)
		}
	}
	return tm
}

// mustRule adds a routing rule or fails the test.
func mustRule(t *testing.T, db *DB, kind storage.RuleKind, pattern string, team *storage.Team) *storage.RoutingRule {
	t.Helper()
	r, err := db.CreateRoutingRule(context.Background(), storage.NewRoutingRule{Kind: kind, Pattern: pattern, TeamID: team.ID}, by)
	if err != nil {
		t.Fatalf("CreateRoutingRule(%s %s): %v", kind, pattern, err)
	}
	return r
}

// file creates a case with the category, merchant and description given.
func file(t *testing.T, db *DB, key, category, merchant, description string) *storage.Case {
	t.Helper()
	nc := newCase(key)
	nc.Category, nc.MerchantName, nc.Description = category, merchant, description
	return mustCreate(t, db, nc)
}

// otherAudit returns the audit entries about no case, newest first.
func otherAudit(t *testing.T, db *DB, action string) []*storage.AuditEntry {
	t.Helper()
	none := int64(0)
	entries, _, err := db.FindAudit(context.Background(), storage.AuditFilter{CaseID: &none, Action: &action})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestRoutingRulesSendFiledCasesToTeams(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cars := mustTeam(t, db, "汽车消费维权工作室", false, false)
		money := mustTeam(t, db, "金融", false, false)
		general := mustTeam(t, db, "综合", false, true)
		mustRule(t, db, storage.RuleKeyword, "4S店、车辆", cars)
		finance := mustRule(t, db, storage.RuleCategory, "金融服务", money)
		mustRule(t, db, storage.RuleMerchant, "银行|保险", money)
		mustRule(t, db, storage.RuleCategory, "交通工具", cars)

		car := file(t, db, "car", "交通工具", "某汽车销售公司", "发动机异响")
		keyword := file(t, db, "kw", "日用商品", "某某店", "在4s店买的脚垫有异味") // any case of letters
		bank := file(t, db, "bank", "其他", "中国某某银行", "信用卡年费")
		first := file(t, db, "first", "金融服务", "某金融公司", "车辆贷款手续费") // the keyword rule comes first
		plain := file(t, db, "plain", "食品", "好又多超市", "买到过期牛奶")
		for _, tc := range []struct {
			c    *storage.Case
			want *storage.Team
		}{{car, cars}, {keyword, cars}, {bank, money}, {first, cars}, {plain, general}} {
			if tc.c.TeamID != tc.want.ID {
				t.Errorf("%s went to team %d, want %s (%d)", tc.c.IntakeKey, tc.c.TeamID, tc.want.Name, tc.want.ID)
			}
		}
		evs := events(t, db, car.ID)
		if len(evs) != 2 || evs[1].Actor != storage.ActorSystem ||
			evs[1].Body != "按分派规则（投诉类别“交通工具”）分派至 汽车消费维权工作室" {
			t.Errorf("routing note = %+v", evs)
		}
		if evs := events(t, db, plain.ID); evs[len(evs)-1].Body != "未匹配分派规则，进入默认组 综合" {
			t.Errorf("default routing note = %q", evs[len(evs)-1].Body)
		}

		// Moving the category rule first changes who wins; routing is only at filing.
		if err := db.MoveRoutingRule(ctx, finance.ID, true, by); err != nil {
			t.Fatal(err)
		}
		rules, err := db.ListRoutingRules(ctx)
		if err != nil || rules[0].ID != finance.ID {
			t.Fatalf("rules after the move: %+v, %v", rules, err)
		}
		if again := file(t, db, "again", "金融服务", "某金融公司", "车辆贷款手续费"); again.TeamID != money.ID {
			t.Errorf("after the move the case went to %d, want 金融", again.TeamID)
		}
		if got := storedCase(t, db, first.ID); got.TeamID != cars.ID {
			t.Errorf("an existing case was re-routed: team %d", got.TeamID)
		}
		if a := otherAudit(t, db, storage.AuditRoutingRule); len(a) != 5 || !strings.Contains(a[0].Detail, "调整到第 1 条") {
			t.Errorf("rule audit = %v", auditSummary(a))
		}

		// The team filter.
		none := int64(0)
		wantFound(t, db, "team", storage.CaseFilter{TeamID: &cars.ID}, first.Number, keyword.Number, car.Number)
		wantFound(t, db, "no team", storage.CaseFilter{TeamID: &none})
	})
}

func TestNoTeamsLeavesFilingAsItWas(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		c := mustCreate(t, db, newCase("k"))
		if c.TeamID != 0 || c.AssigneeID != 0 {
			t.Fatalf("team %d, assignee %d; want none", c.TeamID, c.AssigneeID)
		}
		if evs := events(t, db, c.ID); len(evs) != 1 {
			t.Fatalf("events = %+v; want only the submission", evs)
		}
		// A rule without a default team: an unmatched case stays in no team.
		mustRule(t, db, storage.RuleCategory, "金融服务", mustTeam(t, db, "金融", false, false))
		if c := mustCreate(t, db, newCase("k2")); c.TeamID != 0 {
			t.Fatalf("unmatched case went to team %d", c.TeamID)
		}
	})
}

func TestAutoAssignmentPicksTheLeastLoadedMember(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustStaff(t, db, "aaa", "甲", storage.RoleMediator)
		b := mustStaff(t, db, "bbb", "乙", storage.RoleMediator)
		off := mustStaff(t, db, "ccc", "丙", storage.RoleMediator)
		if err := db.SetStaffDisabled(ctx, off.ID, true); err != nil {
			t.Fatal(err)
		}
		// 甲 has one open case and one finished; 乙 none. Finished cases do not count.
		for i, to := range []storage.Status{storage.StatusAccepted, storage.StatusRejected} {
			c := mustCreate(t, db, newCase(fmt.Sprint("pre", i)))
			if _, err := db.AssignCase(ctx, c.ID, &a.ID, by); err != nil {
				t.Fatal(err)
			}
			reason := ""
			if to == storage.StatusRejected {
				reason = storage.RejectReasons[0]
			}
			move(t, db, c, to, reason)
		}
		team := mustTeam(t, db, "综合", true, true, off.ID, b.ID, a.ID)

		var got []string
		for i := range 4 {
			c := mustCreate(t, db, newCase(fmt.Sprint("auto", i)))
			if c.TeamID != team.ID {
				t.Fatalf("case %d in team %d", i, c.TeamID)
			}
			got = append(got, map[int64]string{a.ID: "甲", b.ID: "乙", off.ID: "丙"}[c.AssigneeID])
		}
		// 乙 (0 < 1); then 1 to 1, the lower id: 甲; then 乙 (1 < 2); then 2 to 2: 甲.
		if strings.Join(got, "") != "乙甲乙甲" {
			t.Fatalf("assignees = %v, want 乙甲乙甲", got)
		}
		evs := events(t, db, mustCreate(t, db, newCase("last")).ID)
		if body := evs[len(evs)-1].Body; body != "未匹配分派规则，进入默认组 综合，自动分配给 乙" {
			t.Errorf("note = %q", body)
		}

		// A team without an active member keeps its cases unassigned.
		if _, err := db.UpdateTeam(ctx, team.ID, storage.TeamInput{Name: "综合", AutoAssign: true, Default: true}, by); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetTeamMembers(ctx, team.ID, []int64{off.ID}, by); err != nil {
			t.Fatal(err)
		}
		if c := mustCreate(t, db, newCase("nobody")); c.TeamID != team.ID || c.AssigneeID != 0 {
			t.Fatalf("team %d, assignee %d; want the team, unassigned", c.TeamID, c.AssigneeID)
		}
	})
}

// TestAutoAssignmentUnderConcurrentFilings files cases at once into an
// auto-assigning team, each under its own number prefix so that the case-number
// counter does not make the filings wait for each other: the members must end
// up with equal shares, which choices made on stale counts would not give.
func TestAutoAssignmentUnderConcurrentFilings(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		var ids []int64
		for i := range 3 {
			ids = append(ids, mustStaff(t, db, fmt.Sprint("med", i), fmt.Sprint("调解员", i), storage.RoleMediator).ID)
		}
		mustTeam(t, db, "综合", true, true, ids...)

		const n = 24
		warmPool(t, db, n)
		prefixes := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = db.CreateCase(ctx, prefixes[i%len(prefixes)], newCase(fmt.Sprint("c", i)))
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("CreateCase %d: %v", i, err)
			}
		}
		rows, err := db.Workload(ctx, db.Now().AddDate(0, -1, 0), db.Now().AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range rows {
			if w.Open != n/3 {
				t.Errorf("%s has %d open cases, want %d", w.Name, w.Open, n/3)
			}
		}
	})
}

func TestReclassifyCaseIsValidatedAndAudited(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := file(t, db, "k", "交通工具", "某汽车销售公司", "发动机异响")
		for _, bad := range []storage.Classification{
			{Category: "汽车"},
			{Category: "交通工具", Subcategory: "手机"},
			{Category: "交通工具", Nature: "态度"},
			{Category: ""},
		} {
			_, err := db.ReclassifyCase(ctx, storage.Reclassification{CaseID: c.ID, Classification: bad, By: by})
			wantCode(t, err, storage.EINVALID)
		}
		_, err := db.ReclassifyCase(ctx, storage.Reclassification{CaseID: c.ID + 100,
			Classification: storage.Classification{Category: "食品"}, By: by})
		wantCode(t, err, storage.ENOTFOUND)

		cl := storage.Classification{Category: "交通工具", Subcategory: "汽车及零部件", Nature: "质量"}
		got, err := db.ReclassifyCase(ctx, storage.Reclassification{CaseID: c.ID, Classification: cl, By: by})
		if err != nil {
			t.Fatal(err)
		}
		stored := storedCase(t, db, c.ID)
		if got.Subcategory != "汽车及零部件" || stored.Subcategory != "汽车及零部件" || stored.Nature != "质量" {
			t.Fatalf("returned %+v, stored %+v", got, stored)
		}
		want := "重新分类：交通工具／未定，性质：未定 → 交通工具／汽车及零部件，性质：质量"
		audit := caseAudit(t, db, c.ID)
		if len(audit) != 1 || audit[0].Action != storage.AuditReclassify || audit[0].Detail != want || audit[0].IP != by.IP {
			t.Fatalf("audit = %v", auditSummary(audit))
		}
		if evs := events(t, db, c.ID); evs[len(evs)-1].Body != want || evs[len(evs)-1].Kind != storage.EventNote {
			t.Fatalf("timeline = %+v", evs[len(evs)-1])
		}
		// The same classification again changes nothing.
		if _, err := db.ReclassifyCase(ctx, storage.Reclassification{CaseID: c.ID, Classification: cl, By: by}); err != nil {
			t.Fatal(err)
		}
		if n := len(caseAudit(t, db, c.ID)); n != 1 {
			t.Fatalf("%d audit entries after a no-op", n)
		}
	})
}

func TestSetCaseTeamIsAudited(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cars := mustTeam(t, db, "汽车", false, false)
		c := mustCreate(t, db, newCase("k"))
		_, err := db.SetCaseTeam(ctx, c.ID, cars.ID+100, by)
		wantCode(t, err, storage.EINVALID)
		_, err = db.SetCaseTeam(ctx, c.ID+100, cars.ID, by)
		wantCode(t, err, storage.ENOTFOUND)

		got, err := db.SetCaseTeam(ctx, c.ID, cars.ID, by)
		if err != nil || got.TeamID != cars.ID || storedCase(t, db, c.ID).TeamID != cars.ID {
			t.Fatalf("SetCaseTeam = %+v, %v", got, err)
		}
		if _, err := db.SetCaseTeam(ctx, c.ID, 0, by); err != nil {
			t.Fatal(err)
		}
		audit := auditSummary(caseAudit(t, db, c.ID))
		want := []string{"reroute 7 改派：汽车 → 未分组", "reroute 7 改派：未分组 → 汽车"}
		if strings.Join(audit, "|") != strings.Join(want, "|") {
			t.Fatalf("audit = %v, want %v", audit, want)
		}
	})
}

func TestTeamsMembersAndTheDefault(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustStaff(t, db, "aaa", "甲", storage.RoleMediator)
		b := mustStaff(t, db, "bbb", "乙", storage.RoleMediator)
		one := mustTeam(t, db, "综合", false, true)
		_, err := db.CreateTeam(ctx, storage.TeamInput{Name: " 综合 "}, by)
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.CreateTeam(ctx, storage.TeamInput{Name: "  "}, by)
		wantCode(t, err, storage.EINVALID)
		two := mustTeam(t, db, "金融", false, true) // takes the default
		_, err = db.UpdateTeam(ctx, two.ID, storage.TeamInput{Name: "综合"}, by)
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.SetTeamMembers(ctx, one.ID, []int64{a.ID, 999}, by)
		wantCode(t, err, storage.EINVALID)

		if _, err := db.SetTeamMembers(ctx, one.ID, []int64{b.ID, a.ID, a.ID}, by); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetTeamMembers(ctx, one.ID, []int64{b.ID}, by); err != nil {
			t.Fatal(err)
		}
		teams, err := db.ListTeams(ctx)
		if err != nil || len(teams) != 2 {
			t.Fatalf("teams %+v, %v", teams, err)
		}
		byName := map[string]*storage.Team{teams[0].Name: teams[0], teams[1].Name: teams[1]}
		if g := byName["综合"]; g.Default || len(g.Members) != 1 || g.Members[0] != b.ID {
			t.Errorf("综合 = %+v", g)
		}
		if f := byName["金融"]; !f.Default {
			t.Errorf("金融 = %+v; want the default", f)
		}
		audit := auditSummary(otherAudit(t, db, storage.AuditTeam))
		want := []string{"team 7 组成员 综合：退出 甲", "team 7 组成员 综合：加入 甲、乙", "team 7 新建组 金融（默认）", "team 7 新建组 综合（默认）"}
		if strings.Join(audit, "|") != strings.Join(want, "|") {
			t.Errorf("audit = %v, want %v", audit, want)
		}
	})
}

func TestWorkOfFilterShowsOwnAndTeamUnassignedCases(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustStaff(t, db, "aaa", "甲", storage.RoleMediator)
		b := mustStaff(t, db, "bbb", "乙", storage.RoleMediator)
		cars := mustTeam(t, db, "汽车", false, false, a.ID)
		money := mustTeam(t, db, "金融", false, false, b.ID)
		mustRule(t, db, storage.RuleCategory, "交通工具", cars)
		mustRule(t, db, storage.RuleCategory, "金融服务", money)
		car := file(t, db, "1", "交通工具", "车行", "异响")      // 汽车, unassigned: 甲's
		carTaken := file(t, db, "2", "交通工具", "车行", "异响") // 汽车, 乙 has it
		loan := file(t, db, "3", "金融服务", "银行", "年费")     // 金融, unassigned
		mine := file(t, db, "4", "食品", "超市", "过期")       // no team, 甲 has it
		if _, err := db.AssignCase(ctx, carTaken.ID, &b.ID, by); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AssignCase(ctx, mine.ID, &a.ID, by); err != nil {
			t.Fatal(err)
		}
		wantFound(t, db, "甲's work", storage.CaseFilter{WorkOf: &a.ID}, mine.Number, car.Number)
		wantFound(t, db, "乙's work", storage.CaseFilter{WorkOf: &b.ID}, loan.Number, carTaken.Number)
	})
}
