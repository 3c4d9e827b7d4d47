package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// link links the case to the merchant as staff would, or fails the test.
func link(t *testing.T, db *DB, c *storage.Case, m *storage.Merchant) {
	t.Helper()
	if _, err := db.LinkCaseMerchant(context.Background(), c.ID, m.ID, by); err != nil {
		t.Fatalf("link %s to %s: %v", c.Number, m.Name, err)
	}
}

// groupsOf returns the ids and merchant keys of the case's groups, latest first.
func groupsOf(t *testing.T, db *DB, c *storage.Case) []*storage.MassGroup {
	t.Helper()
	gs, err := db.MassGroupsOfCase(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return gs
}

// groupCases returns the group's cases.
func groupCases(t *testing.T, db *DB, id int64) []storage.MassGroupCase {
	t.Helper()
	_, cases, err := db.MassGroup(context.Background(), id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestRelinkMovesACandidateToTheNewMerchantsGroup(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		db.MassRule = storage.MassRule{Threshold: 2, Window: 24 * time.Hour}
		a := fileMass(t, db, "a", "甲家具城", 2)
		b := fileMass(t, db, "b", "乙电器行", 1)
		old := groupsOf(t, db, a[0])
		if len(old) != 1 || len(groupsOf(t, db, b[0])) != 0 {
			t.Fatalf("before: %+v; want 甲家具城's group only", old)
		}
		m := mustMerchant(t, db, storage.MerchantInput{Name: "乙电器行", By: by})
		link(t, db, a[0], m)
		got := groupsOf(t, db, a[0])
		if len(got) != 1 || got[0].ID == old[0].ID || got[0].MerchantKey != storage.MassMerchantKey("乙电器行") {
			t.Fatalf("after the re-link the case is in %+v; want a new group of 乙电器行", got)
		}
		if cs := groupCases(t, db, got[0].ID); len(cs) != 2 {
			t.Fatalf("the new group holds %d cases; want the re-linked one and 乙电器行's", len(cs))
		}
		if cs := groupCases(t, db, old[0].ID); len(cs) != 1 || cs[0].Case.ID != a[1].ID {
			t.Fatalf("the old group holds %+v; want only the other 甲家具城 case", cs)
		}
		link(t, db, a[0], m) // the same link again moves nothing
		if again := groupsOf(t, db, a[0]); len(again) != 1 || again[0].ID != got[0].ID {
			t.Fatalf("the same link again: %+v", again)
		}
	})
}

func TestRelinkOfACaseOutsideTheWindowRaisesNoGroup(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		db.MassRule = storage.MassRule{Threshold: 2, Window: 24 * time.Hour}
		old := mustCreate(t, db, massCase("old", "戊眼镜店"))
		advance(db, 48*time.Hour)
		mustCreate(t, db, massCase("new", "己洗衣"))
		link(t, db, old, mustMerchant(t, db, storage.MerchantInput{Name: "己洗衣", By: by}))
		if g := mustGroups(t, db, nil); len(g) != 0 {
			t.Fatalf("a case filed two days ago counted in a one-day window: %+v", g)
		}
	})
}

func TestRelinkKeepsACollectiveMember(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		db.MassRule = storage.MassRule{Threshold: 2, Window: 24 * time.Hour}
		cs := fileMass(t, db, "f", "丙健身", 3)
		id := mustGroups(t, db, nil)[0].ID
		if err := db.FormCollective(ctx, id, nil, by); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCollectiveMember(ctx, id, cs[2].ID, false, by); err != nil {
			t.Fatal(err)
		}
		fileMass(t, db, "d", "丁美容", 2) // 丁美容 has its own open group
		m := mustMerchant(t, db, storage.MerchantInput{Name: "丁美容", By: by})
		link(t, db, cs[0], m) // a member: stays, flagged
		link(t, db, cs[2], m) // no longer a member: moves
		if gs := groupsOf(t, db, cs[0]); len(gs) != 1 || gs[0].ID != id {
			t.Fatalf("the member is in %+v; want only the collective case", gs)
		}
		wantEvent(t, db, cs[0].ID, storage.EventNote,
			fmt.Sprintf(relinkedMemberNote, massGroupRef(id), "丙健身"))
		flagged := map[int64]bool{}
		for _, gc := range groupCases(t, db, id) {
			flagged[gc.Case.ID] = gc.Relinked
		}
		if len(flagged) != 2 || !flagged[cs[0].ID] || flagged[cs[1].ID] {
			t.Fatalf("the collective case's cases (relinked flags) = %v; want the re-linked member flagged", flagged)
		}
		gs := groupsOf(t, db, cs[2])
		if len(gs) != 1 || gs[0].MerchantKey != storage.MassMerchantKey("丁美容") {
			t.Fatalf("the former member is in %+v; want 丁美容's group", gs)
		}
	})
}

// TestConcurrentRelinksCountEachOther: two cases linked to one merchant at
// once by two instances reach the threshold together; without the key's lock
// each would count the window without the other and no group would be raised.
func TestConcurrentRelinksCountEachOther(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		a, b := testenv.OpenMigrated(t, Open, target), testenv.Open(t, Open, target)
		setClock(a, time.Date(2026, 3, 15, 10, 0, 0, 0, cst))
		b.Now = a.Now
		rule := storage.MassRule{Threshold: 2, Window: 24 * time.Hour}
		a.MassRule, b.MassRule = rule, rule
		x := mustCreate(t, a, massCase("x", "壬号小吃"))
		y := mustCreate(t, a, massCase("y", "癸号小吃"))
		m := mustMerchant(t, a, storage.MerchantInput{Name: "辛超市", By: by})
		errs := make(chan error, 2)
		start := make(chan struct{})
		for _, job := range []struct {
			db *DB
			c  *storage.Case
		}{{a, x}, {b, y}} {
			go func() {
				<-start
				_, err := job.db.LinkCaseMerchant(context.Background(), job.c.ID, m.ID, by)
				errs <- err
			}()
		}
		close(start)
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent re-link: %v", err)
			}
		}
		g := mustGroups(t, a, nil)
		if len(g) != 1 || g[0].CaseCount != 2 || g[0].MerchantKey != storage.MassMerchantKey("辛超市") {
			t.Fatalf("groups = %+v; want one group of both re-linked cases", g)
		}
	})
}

func TestMergeMovesTheDroppedMerchantsCasesToTheKeptOnesGroup(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		db.MassRule = storage.MassRule{Threshold: 2, Window: 24 * time.Hour}
		drop := mustMerchant(t, db, storage.MerchantInput{Name: "庚鞋店", By: by})
		keep := mustMerchant(t, db, storage.MerchantInput{Name: "庚记鞋业", By: by})
		dropped := fileMass(t, db, "drop", "庚鞋店", 2) // linked on filing: an exact name
		kept := fileMass(t, db, "keep", "庚记鞋业", 1)
		if dropped[0].MerchantID != drop.ID || kept[0].MerchantID != keep.ID {
			t.Fatalf("filing linked %d and %d; want %d and %d", dropped[0].MerchantID, kept[0].MerchantID, drop.ID, keep.ID)
		}
		old := groupsOf(t, db, dropped[0])
		if len(old) != 1 || len(groupsOf(t, db, kept[0])) != 0 {
			t.Fatalf("before the merge: %+v; want 庚鞋店's group only", old)
		}
		if _, err := db.MergeMerchants(context.Background(), keep.ID, drop.ID, by); err != nil {
			t.Fatal(err)
		}
		got := groupsOf(t, db, kept[0])
		if len(got) != 1 || got[0].MerchantKey != storage.MassMerchantKey("庚记鞋业") {
			t.Fatalf("after the merge 庚记鞋业's case is in %+v; want a group of 庚记鞋业", got)
		}
		if cs := groupCases(t, db, got[0].ID); len(cs) != 3 {
			t.Fatalf("庚记鞋业's group holds %d cases; want its own and the two merged ones", len(cs))
		}
		if _, cs, err := db.MassGroup(context.Background(), old[0].ID, nil); storage.ErrorCode(err) != storage.ENOTFOUND {
			t.Fatalf("庚鞋店's emptied group: %v, %+v; want it gone", err, cs)
		}
	})
}
