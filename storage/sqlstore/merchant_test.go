package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// supervisorBy creates a supervisor and returns how they act.
func supervisorBy(t *testing.T, db *DB) storage.By {
	t.Helper()
	s, err := db.CreateStaff(context.Background(), storage.NewStaff{Username: "boss", Name: "主管", Role: storage.RoleSupervisor})
	if err != nil {
		t.Fatal(err)
	}
	return storage.By{Actor: s.Actor(), IP: "10.0.0.9"}
}

// mustMerchant creates a merchant or fails the test.
func mustMerchant(t *testing.T, db *DB, in storage.MerchantInput) *storage.Merchant {
	t.Helper()
	m, err := db.CreateMerchant(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateMerchant(%s): %v", in.Name, err)
	}
	return m
}

// auditActions returns the actions of the audit entries with the action.
func auditCount(t *testing.T, db *DB, action string) int {
	t.Helper()
	_, n, err := db.FindAudit(context.Background(), storage.AuditFilter{Action: &action})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMerchantRegistry(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		by := supervisorBy(t, db)
		m := mustMerchant(t, db, storage.MerchantInput{Name: " 华为技术有限公司 ", CreditCode: "914403001922038216",
			Aliases: []string{"华为", "华为 "}, ContactPerson: "王经理", ContactPhone: "13900139000",
			OnPlatform: true, PlatformSince: "2026-02-01", By: by})
		if m.Name != "华为技术有限公司" || len(m.Aliases) != 1 || m.Aliases[0] != "华为" || !m.OnPlatform || m.PlatformSince != "2026-02-01" {
			t.Fatalf("created %+v", m)
		}
		_, err := db.CreateMerchant(ctx, storage.MerchantInput{Name: "华为二号", CreditCode: "914403001922038216", By: by})
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.CreateMerchant(ctx, storage.MerchantInput{Name: "坏码", CreditCode: "914403001922038217", By: by})
		wantCode(t, err, storage.EINVALID)
		_, err = db.CreateMerchant(ctx, storage.MerchantInput{Name: "无人", By: storage.By{Actor: storage.ActorSystem}})
		wantCode(t, err, storage.EINVALID)

		up, err := db.UpdateMerchant(ctx, m.ID, storage.MerchantInput{Name: "华为技术有限公司", CreditCode: "914403001922038216",
			Aliases: []string{"华为终端"}, By: by})
		if err != nil || up.OnPlatform || up.PlatformSince != "" || len(up.Aliases) != 1 || up.Aliases[0] != "华为终端" {
			t.Fatalf("updated %+v, %v", up, err)
		}
		on := true
		list, total, err := db.FindMerchants(ctx, storage.MerchantFilter{Search: "终端"})
		if err != nil || total != 1 || list[0].ID != m.ID {
			t.Fatalf("search by alias: %d %v", total, err)
		}
		if _, total, _ = db.FindMerchants(ctx, storage.MerchantFilter{OnPlatform: &on}); total != 0 {
			t.Fatalf("on platform after update: %d", total)
		}
		if n := auditCount(t, db, storage.AuditMerchant); n != 2 {
			t.Fatalf("merchant audit entries = %d, want 2", n)
		}
	})
}

func TestMerchantMatchingOnFiling(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		by := supervisorBy(t, db)
		hyd := mustMerchant(t, db, storage.MerchantInput{Name: "好又多超市", Aliases: []string{"好又多"}, By: by})
		other := mustMerchant(t, db, storage.MerchantInput{Name: "华润万家", By: by})

		exact := mustCreate(t, db, newCase("exact")) // typed "好又多超市"
		if exact.MerchantID != hyd.ID {
			t.Fatalf("exact name: merchant %d, want %d", exact.MerchantID, hyd.ID)
		}
		nc := newCase("alias")
		nc.MerchantName = " 好又多 "
		if c := mustCreate(t, db, nc); c.MerchantID != hyd.ID {
			t.Fatalf("alias: merchant %d, want %d", c.MerchantID, hyd.ID)
		}
		nc = newCase("fuzzy")
		nc.MerchantName = "好又多超市人民路店"
		fuzzy := mustCreate(t, db, nc)
		if fuzzy.MerchantID != 0 {
			t.Fatalf("a near name linked automatically to %d", fuzzy.MerchantID)
		}
		cands, err := db.MatchMerchants(ctx, fuzzy.MerchantName, 5)
		if err != nil || len(cands) != 1 || cands[0].Merchant.ID != hyd.ID {
			t.Fatalf("candidates %+v, %v", cands, err)
		}

		linked, err := db.LinkCaseMerchant(ctx, fuzzy.ID, other.ID, by)
		if err != nil || linked.MerchantID != other.ID {
			t.Fatalf("link: %+v %v", linked, err)
		}
		corrected, err := db.LinkCaseMerchant(ctx, fuzzy.ID, hyd.ID, by)
		if err != nil || corrected.MerchantID != hyd.ID {
			t.Fatalf("correct: %+v %v", corrected, err)
		}
		if _, err := db.LinkCaseMerchant(ctx, fuzzy.ID, hyd.ID, by); err != nil { // the same again: nothing
			t.Fatal(err)
		}
		if n := auditCount(t, db, storage.AuditMerchantLink); n != 2 {
			t.Fatalf("link audit entries = %d, want 2", n)
		}
		events, _ := db.ListEvents(ctx, fuzzy.ID)
		if last := events[len(events)-1]; last.Kind != storage.EventNote || last.Body == "" {
			t.Fatalf("last event %+v", last)
		}
		_, err = db.LinkCaseMerchant(ctx, fuzzy.ID, 999, by)
		wantCode(t, err, storage.ENOTFOUND)

		nc = newCase("new")
		nc.MerchantName = "街角水果店"
		fresh := mustCreate(t, db, nc)
		made, err := db.CreateMerchant(ctx, storage.MerchantInput{Name: "街角水果店", CaseID: fresh.ID, By: by})
		if err != nil {
			t.Fatal(err)
		}
		again, _ := db.FindCaseByNumber(ctx, fresh.Number)
		if again.MerchantID != made.ID {
			t.Fatalf("created from case: case merchant %d, want %d", again.MerchantID, made.ID)
		}
		one := hyd.ID
		cases, n, err := db.FindCases(ctx, storage.CaseFilter{MerchantID: &one})
		if err != nil || n != 3 || len(cases) != 3 {
			t.Fatalf("cases of merchant: %d %v", n, err)
		}
	})
}

func TestMergeMerchants(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		by := supervisorBy(t, db)
		keep := mustMerchant(t, db, storage.MerchantInput{Name: "好又多超市", By: by})
		drop := mustMerchant(t, db, storage.MerchantInput{Name: "好又多量贩", Aliases: []string{"好又多人民路店"},
			CreditCode: "91110000802100433B", By: by})
		nc := newCase("dup")
		nc.MerchantName = "好又多量贩"
		c := mustCreate(t, db, nc)
		if c.MerchantID != drop.ID {
			t.Fatalf("filed under %d, want %d", c.MerchantID, drop.ID)
		}
		_, err := db.MergeMerchants(ctx, keep.ID, keep.ID, by)
		wantCode(t, err, storage.EINVALID)
		merged, err := db.MergeMerchants(ctx, keep.ID, drop.ID, by)
		if err != nil {
			t.Fatal(err)
		}
		if len(merged.Aliases) != 2 {
			t.Fatalf("kept aliases %v", merged.Aliases)
		}
		moved, _ := db.FindCaseByNumber(ctx, c.Number)
		gone, err := db.FindMerchant(ctx, drop.ID)
		if err != nil || moved.MerchantID != keep.ID || gone.MergedInto != keep.ID {
			t.Fatalf("case merchant %d, dropped %+v, %v", moved.MerchantID, gone, err)
		}
		_, err = db.MergeMerchants(ctx, keep.ID, drop.ID, by)
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.LinkCaseMerchant(ctx, c.ID, drop.ID, by)
		wantCode(t, err, storage.ECONFLICT)
		if _, total, _ := db.FindMerchants(ctx, storage.MerchantFilter{}); total != 1 {
			t.Fatalf("live merchants %d, want 1", total)
		}
		// The merged name now files under the kept merchant, and its code is free.
		nc = newCase("after")
		nc.MerchantName = "好又多量贩"
		if after := mustCreate(t, db, nc); after.MerchantID != keep.ID {
			t.Fatalf("after merge filed under %d", after.MerchantID)
		}
		mustMerchant(t, db, storage.MerchantInput{Name: "另一家", CreditCode: "91110000802100433B", By: by})
		if n := auditCount(t, db, storage.AuditMerchantMerge); n != 1 {
			t.Fatalf("merge audit entries = %d, want 1", n)
		}
	})
}

func TestMerchantStatsAndReport(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		by := supervisorBy(t, db)
		m := mustMerchant(t, db, storage.MerchantInput{Name: "好又多超市", OnPlatform: true, PlatformSince: "2026-02-01", By: by})
		mustMerchant(t, db, storage.MerchantInput{Name: "老商家", OnPlatform: true, PlatformSince: "2025-06-01", By: by})
		mustMerchant(t, db, storage.MerchantInput{Name: "未入驻", By: by})

		setClock(db, cstAt(2026, 3, 2, 9))
		settled := mustCreate(t, db, newCase("settled"))
		moveAt(t, db, settled, cstAt(2026, 3, 2, 10), storage.StatusAccepted, "")
		moveAt(t, db, settled, cstAt(2026, 3, 3, 10), storage.StatusReferred, storage.MerchantReferral)
		moveAt(t, db, settled, cstAt(2026, 3, 5, 10), storage.StatusMediating, "")
		if _, err := db.CloseCase(ctx, storage.Closing{CaseID: settled.ID, Outcome: storage.OutcomeSettled, Actor: staff}); err != nil {
			t.Fatal(err)
		}
		refused := mustCreate(t, db, newCase("refused"))
		moveAt(t, db, refused, cstAt(2026, 3, 4, 10), storage.StatusRejected, "无法确定被投诉经营者")
		waiting := mustCreate(t, db, newCase("waiting"))
		moveAt(t, db, waiting, cstAt(2026, 3, 4, 10), storage.StatusAccepted, "")
		moveAt(t, db, waiting, cstAt(2026, 3, 6, 10), storage.StatusReferred, storage.MerchantReferral)

		st, err := db.MerchantStats(ctx, m.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := storage.MerchantCaseStats{Cases: 3, Concluded: 2, Settled: 1, Referrals: 1, ResponseTotal: 48 * time.Hour}
		if st != want {
			t.Fatalf("stats %+v, want %+v", st, want)
		}
		if st, _ := db.MerchantStats(ctx, m.ID, []int64{999}); st.Cases != 0 || st.Referrals != 0 {
			t.Fatalf("stats of another unit %+v", st)
		}

		rep, err := db.CaseReport(ctx, cstAt(2026, 1, 1, 0), cstAt(2027, 1, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Merchants != (storage.ReportMerchants{OnPlatform: 2, NewOnPlatform: 1, OnPlatformAtEnd: 2}) {
			t.Fatalf("report merchants %+v", rep.Merchants)
		}
		if len(rep.TopMerchants) != 1 || rep.TopMerchants[0].Name != "好又多超市" || rep.TopMerchants[0].Received != 3 {
			t.Fatalf("top merchants %+v", rep.TopMerchants)
		}
		// A year before: 好又多超市 had not joined by its end.
		if rep, err = db.CaseReport(ctx, cstAt(2025, 1, 1, 0), cstAt(2026, 1, 1, 0)); err != nil {
			t.Fatal(err)
		}
		if rep.Merchants != (storage.ReportMerchants{OnPlatform: 2, NewOnPlatform: 1, OnPlatformAtEnd: 1}) {
			t.Fatalf("2025 report merchants %+v", rep.Merchants)
		}
	})
}

// TestMergeMerchantsCrosswise merges two merchants into each other at once:
// exactly one merge wins, the other finds its merchant merged (ECONFLICT), and
// neither deadlocks.
func TestMergeMerchantsCrosswise(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		by := supervisorBy(t, db)
		a := mustMerchant(t, db, storage.MerchantInput{Name: "甲商家", By: by})
		b := mustMerchant(t, db, storage.MerchantInput{Name: "乙商家", By: by})
		errs := make(chan error, 2)
		go func() { _, err := db.MergeMerchants(ctx, a.ID, b.ID, by); errs <- err }()
		go func() { _, err := db.MergeMerchants(ctx, b.ID, a.ID, by); errs <- err }()
		var ok, conflict int
		for range 2 {
			switch err := <-errs; storage.ErrorCode(err) {
			case "":
				ok++
			case storage.ECONFLICT:
				conflict++
			default:
				t.Fatalf("merge: %v", err)
			}
		}
		if _, live, _ := db.FindMerchants(ctx, storage.MerchantFilter{}); ok != 1 || conflict != 1 || live != 1 {
			t.Fatalf("ok %d, conflict %d, live merchants %d", ok, conflict, live)
		}
	})
}
