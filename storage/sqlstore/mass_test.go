package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// massCase is a new case against merchant with its own intake key.
func massCase(key, merchant string) storage.NewCase {
	nc := newCase(key)
	nc.OpenID = "oMASS-" + key
	nc.MerchantName = merchant
	return nc
}

// fileMass files n cases against merchant, an hour apart, and returns them.
func fileMass(t *testing.T, db *DB, prefix, merchant string, n int) []*storage.Case {
	t.Helper()
	var out []*storage.Case
	for i := range n {
		out = append(out, mustCreate(t, db, massCase(fmt.Sprintf("%s-%d", prefix, i), merchant)))
		advance(db, time.Hour)
	}
	return out
}

func mustGroups(t *testing.T, db *DB, units []int64) []*storage.MassGroup {
	t.Helper()
	groups, err := db.FindMassGroups(context.Background(), storage.MassFilter{UnitIDs: units})
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

func TestMassDetectorThresholdAndNormalisedName(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		db.MassRule = storage.MassRule{Threshold: 3, Window: 48 * time.Hour}
		mustCreate(t, db, massCase("a1", "Lehuo健身有限公司"))
		mustCreate(t, db, massCase("a2", " ｌｅｈｕｏ 健身 "))
		mustCreate(t, db, massCase("other", "别家超市"))
		if g := mustGroups(t, db, nil); len(g) != 0 {
			t.Fatalf("groups below the threshold = %+v; want none", g)
		}
		mustCreate(t, db, massCase("a3", "LEHUO健身店"))
		groups := mustGroups(t, db, nil)
		if len(groups) != 1 || groups[0].CaseCount != 3 || groups[0].Status != storage.MassOpen ||
			groups[0].MerchantName != "LEHUO健身店" || groups[0].Priority != 0 {
			t.Fatalf("groups = %+v; want one open group of 3 for lehuo健身, normal priority", groups)
		}
		mustCreate(t, db, massCase("a4", "lehuo健身"))
		if g := mustGroups(t, db, nil); len(g) != 1 || g[0].CaseCount != 4 {
			t.Fatalf("after a fourth case: %+v; want the same group with 4", g)
		}
		n, err := db.CountOpenMassGroups(context.Background(), nil)
		if err != nil || n != 1 {
			t.Fatalf("open groups = %d, %v; want 1", n, err)
		}
	})
}

func TestMassDetectorWindow(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		db.MassRule = storage.MassRule{Threshold: 3, Window: 24 * time.Hour}
		mustCreate(t, db, massCase("w1", "老王烧烤"))
		advance(db, 20*time.Hour)
		mustCreate(t, db, massCase("w2", "老王烧烤"))
		advance(db, 5*time.Hour) // the first case is now out of the window
		mustCreate(t, db, massCase("w3", "老王烧烤"))
		if g := mustGroups(t, db, nil); len(g) != 0 {
			t.Fatalf("3 cases spread over 25h with a 24h window grouped: %+v", g)
		}
		mustCreate(t, db, massCase("w4", "老王烧烤"))
		g := mustGroups(t, db, nil)
		if len(g) != 1 || g[0].CaseCount != 3 {
			t.Fatalf("groups = %+v; want one of the 3 cases within the window", g)
		}
		// After a quiet window a dismissed group takes no new cases; a new wave
		// raises a new group.
		if err := db.DismissMassGroup(context.Background(), g[0].ID, by); err != nil {
			t.Fatal(err)
		}
		advance(db, 48*time.Hour)
		fileMass(t, db, "wave", "老王烧烤", 3)
		g = mustGroups(t, db, nil)
		if len(g) != 2 || g[0].Status != storage.MassOpen || g[0].CaseCount != 3 || g[1].Status != storage.MassDismissed {
			t.Fatalf("groups = %+v; want a new open group of 3 before the dismissed one", g)
		}
	})
}

func TestMassPriorityWords(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		db.MassRule = storage.MassRule{Threshold: 2, Window: time.Hour * 24}
		nc := massCase("p1", "美丽人生美容")
		nc.Description = "办了预付卡，现在商家跑路了，电话打不通"
		mustCreate(t, db, nc)
		mustCreate(t, db, massCase("p2", "美丽人生美容"))
		g := mustGroups(t, db, nil)
		if len(g) != 1 || g[0].Priority != 1 || g[0].PriorityWords != "跑路、预付卡" {
			t.Fatalf("groups = %+v; want high priority with 跑路、预付卡", g)
		}
	})
}

// TestMassPriorityWordsOfAJoiningCase: a case joining an existing group adds
// its words to the group's, in storage.MassPriorityWords order (on PostgreSQL
// the merge is SQL, joinActiveMassGroupSQL), and a case without any keeps them.
func TestMassPriorityWordsOfAJoiningCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		db.MassRule = storage.MassRule{Threshold: 2, Window: time.Hour * 24}
		nc := massCase("j1", "美丽人生美容")
		nc.Description = "办了预付卡，现在找不到人"
		mustCreate(t, db, nc)
		mustCreate(t, db, massCase("j2", "美丽人生美容"))
		if g := mustGroups(t, db, nil); len(g) != 1 || g[0].PriorityWords != "预付卡" || g[0].CaseCount != 2 {
			t.Fatalf("groups = %+v; want one group of 2 with 预付卡", g)
		}
		nc = massCase("j3", "美丽人生美容")
		nc.Demand = "商家已闭店，要求退款"
		mustCreate(t, db, nc)
		mustCreate(t, db, massCase("j4", "美丽人生美容"))
		g := mustGroups(t, db, nil)
		if len(g) != 1 || g[0].CaseCount != 4 || g[0].Priority != 1 || g[0].PriorityWords != "闭店、预付卡" {
			t.Fatalf("groups = %+v; want one group of 4, high priority with 闭店、预付卡", g)
		}
	})
}

func TestMassScope(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		testenv.AddUnits(t, db, transferUnitsFixture...)
		db.MassRule = storage.MassRule{Threshold: 3, Window: 24 * time.Hour}
		for i, unit := range []int64{2, 2, 3} {
			nc := massCase(fmt.Sprintf("s%d", i), "某教育培训")
			nc.UnitID = unit
			mustCreate(t, db, nc)
		}
		if g := mustGroups(t, db, []int64{2}); len(g) != 1 || g[0].CaseCount != 2 {
			t.Fatalf("unit 2 sees %+v; want the group with its 2 cases", g)
		}
		if g := mustGroups(t, db, []int64{4}); len(g) != 0 {
			t.Fatalf("unit 4 sees %+v; want nothing", g)
		}
		id := mustGroups(t, db, nil)[0].ID
		_, cases, err := db.MassGroup(ctx, id, []int64{3})
		if err != nil || len(cases) != 1 || cases[0].Case.UnitID != 3 {
			t.Fatalf("unit 3's view = %+v, %v; want only its case", cases, err)
		}
		_, _, err = db.MassGroup(ctx, id, []int64{4})
		wantCode(t, err, storage.ENOTFOUND)
		// Formed by unit 2: only its cases become members; a collective reply
		// from unit 2 reaches them only.
		if err := db.FormCollective(ctx, id, []int64{2}, by); err != nil {
			t.Fatal(err)
		}
		out, err := db.ReplyToCollective(ctx, storage.MassReply{GroupID: id, UnitIDs: []int64{2}, Text: "统一答复", Key: "k1", By: by})
		if err != nil || out.Reached != 2 {
			t.Fatalf("fan-out = %+v, %v; want 2 reached", out, err)
		}
	})
}

func TestCollectiveFanOut(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		db.MassRule = storage.MassRule{Threshold: 3, Window: 24 * time.Hour}
		cases := fileMass(t, db, "f", "快乐家政", 4)
		id := mustGroups(t, db, nil)[0].ID
		_, err := db.ReplyToCollective(ctx, storage.MassReply{GroupID: id, Text: "x", Key: "k", By: by})
		wantCode(t, err, storage.ECONFLICT) // not formed yet
		if err := db.FormCollective(ctx, id, nil, by); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.FormCollective(ctx, id, nil, by), storage.ECONFLICT)
		if err := db.SetCollectiveMember(ctx, id, cases[0].ID, false, by); err != nil {
			t.Fatal(err)
		}
		before := len(caseNotices(t, db, cases[0].ID))
		reply := storage.MassReply{GroupID: id, Text: "我会已约谈商家，请耐心等待。", Key: "form-1", By: by}
		out, err := db.ReplyToCollective(ctx, reply)
		if err != nil || out != (storage.MassFanout{Reached: 3}) {
			t.Fatalf("reply = %+v, %v; want 3 members reached", out, err)
		}
		for _, c := range cases[1:] {
			ns := caseNotices(t, db, c.ID)
			last := ns[len(ns)-1]
			if last.Kind != storage.NoticeStaffReply || last.Text != reply.Text {
				t.Fatalf("case %d's last notice = %+v; want the reply", c.ID, last)
			}
		}
		if n := len(caseNotices(t, db, cases[0].ID)); n != before {
			t.Fatalf("the removed member got %d notices more", n-before)
		}
		// A retried post reaches nobody twice.
		out, err = db.ReplyToCollective(ctx, reply)
		if err != nil || out != (storage.MassFanout{Skipped: 3}) {
			t.Fatalf("retry = %+v, %v; want all 3 skipped", out, err)
		}
		// One member moves ahead; the collective move takes the others, skips it.
		move(t, db, cases[1], storage.StatusAccepted, "")
		st, err := db.ChangeCollectiveStatus(ctx, storage.MassStatusChange{GroupID: id, To: storage.StatusAccepted, By: by})
		if err != nil || st != (storage.MassFanout{Reached: 2, Skipped: 1}) {
			t.Fatalf("status = %+v, %v; want 2 moved, 1 skipped", st, err)
		}
		for _, c := range cases[1:] {
			found, _ := db.FindCaseByNumber(ctx, c.Number)
			if found.Status != storage.StatusAccepted {
				t.Fatalf("member %s is %s; want accepted", c.Number, found.Status)
			}
		}
		_, err = db.ChangeCollectiveStatus(ctx, storage.MassStatusChange{GroupID: id, To: storage.StatusResolved, By: by})
		wantCode(t, err, storage.EINVALID) // outcomes only by closing
	})
}

func TestMassWarningDraftAndSave(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		db.MassRule = storage.MassRule{Threshold: 2, Window: 24 * time.Hour}
		nc := massCase("m1", "星光影楼")
		nc.Description = "预付卡余额不退，商家已闭店"
		mustCreate(t, db, nc)
		mustCreate(t, db, massCase("m2", "星光影楼"))
		id := mustGroups(t, db, nil)[0].ID
		wantCode(t, db.SaveMassWarning(ctx, id, "x", by), storage.ECONFLICT)
		if err := db.FormCollective(ctx, id, nil, by); err != nil {
			t.Fatal(err)
		}
		g, _, err := db.MassGroup(ctx, id, nil)
		if err != nil || !strings.Contains(g.Warning, "星光影楼") || !strings.Contains(g.Warning, "2件") ||
			!strings.Contains(g.Warning, "闭店") || !strings.Contains(g.Warning, "食品安全") {
			t.Fatalf("draft = %q, %v; want merchant, count, category and words", g.Warning, err)
		}
		if err := db.SaveMassWarning(ctx, id, "  改后的提示  ", by); err != nil {
			t.Fatal(err)
		}
		g, _, _ = db.MassGroup(ctx, id, nil)
		if g.Warning != "改后的提示" {
			t.Fatalf("warning = %q", g.Warning)
		}
	})
}

func TestReportCountsCollectiveMembersAndSevenDayReturns(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		db.MassRule = storage.MassRule{Threshold: 3, Window: 24 * time.Hour}
		fileMass(t, db, "r", "一号健身", 3)
		fileMass(t, db, "q", "二号健身", 3)
		nc := massCase("seven", "网店甲")
		nc.SevenDayReturn = true
		if c := mustCreate(t, db, nc); !c.SevenDayReturn {
			t.Fatalf("created case not tagged: %+v", c)
		}
		mustCreate(t, db, massCase("plain", "网店乙"))
		groups := mustGroups(t, db, nil)
		if err := db.FormCollective(ctx, groups[0].ID, nil, by); err != nil {
			t.Fatal(err)
		}
		from := time.Date(2026, 3, 1, 0, 0, 0, 0, cst)
		rep, err := db.CaseReport(ctx, from, from.AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		want := storage.ReportMass{CollectiveCases: 1, CollectiveMembers: 3, SevenDayReturns: 1}
		if rep.Mass != want {
			t.Fatalf("report mass = %+v; want %+v", rep.Mass, want)
		}
	})
}

// TestMassDetectorConcurrentFilings files the cases that cross the threshold
// at once: they end in one open group, and every filing succeeds.
func TestMassDetectorConcurrentFilings(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		db.MassRule = storage.MassRule{Threshold: 3, Window: 24 * time.Hour}
		mustCreate(t, db, massCase("c0", "同时药房"))
		mustCreate(t, db, massCase("c1", "同时药房"))
		const n = 4
		errs := make(chan error, n)
		start := make(chan struct{})
		for i := range n {
			go func() {
				<-start
				_, err := db.CreateCase(context.Background(), "TS", massCase(fmt.Sprintf("cc%d", i), "同时药房"))
				errs <- err
			}()
		}
		close(start)
		for range n {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent filing: %v", err)
			}
		}
		g := mustGroups(t, db, nil)
		if len(g) != 1 || g[0].CaseCount != n+2 {
			t.Fatalf("groups = %+v; want one group of %d", g, n+2)
		}
	})
}

// TestMassDetectorCountsARegistryMerchantsAliasesTogether: complaints typed
// with a registry merchant's aliases are linked to it on filing and counted as
// one merchant, although their names differ.
func TestMassDetectorCountsARegistryMerchantsAliasesTogether(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		db.MassRule = storage.MassRule{Threshold: 3, Window: 48 * time.Hour}
		_, err := db.CreateMerchant(context.Background(), storage.MerchantInput{
			Name: "襄阳乐活健身服务中心", Aliases: []string{"乐活健身", "乐活"}, By: by})
		if err != nil {
			t.Fatal(err)
		}
		for i, typed := range []string{"乐活健身", "乐活", "襄阳乐活健身服务中心"} {
			c := mustCreate(t, db, massCase(fmt.Sprint("alias", i), typed))
			if c.MerchantID == 0 {
				t.Fatalf("%q was not linked to the registry merchant", typed)
			}
		}
		groups := mustGroups(t, db, nil)
		if len(groups) != 1 || groups[0].CaseCount != 3 {
			t.Fatalf("groups = %+v; want one group of the three complaints", groups)
		}
	})
}
