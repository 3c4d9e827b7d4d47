package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// seedPagingDesk seeds 300 cases and makes the sorts' ties that paging must
// get right: every fifth case received in the same second as the one before
// it, and due days shared by a third of the cases each (a third have none).
func seedPagingDesk(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := SeedCases(ctx, db, 300); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE cases SET created_at = (SELECT c.created_at FROM cases c WHERE c.id = cases.id - 1) WHERE id % 5 = 0 AND id > 1",
		"UPDATE cases SET due_on = '2026-03-20' WHERE id % 3 = 0",
		"UPDATE cases SET due_on = '2026-03-02' WHERE id % 3 = 1",
	} {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// allCases reads every match of the filter in its order, by offset.
func allCases(t *testing.T, db *DB, f storage.CaseFilter) []string {
	t.Helper()
	var out []string
	for f.Offset, f.Limit = 0, maxPageSize; ; f.Offset += maxPageSize {
		cases, _, err := db.FindCases(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, numbersOf(cases)...)
		if len(cases) < maxPageSize {
			return out
		}
	}
}

// TestFindCasePageWalksEveryOrder pages through the queue by keyset, forwards
// and then backwards, in every order the queue offers, and checks that the
// pages hold exactly the cases of the full ordered list, each once.
func TestFindCasePageWalksEveryOrder(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		seedPagingDesk(t, db)
		open := true
		overdue := "2026-03-10"
		var filters []storage.CaseFilter
		for _, so := range []storage.CaseSort{"", storage.CaseSortReceived, storage.CaseSortDue, storage.CaseSortStatus, storage.CaseSortAssignee} {
			for _, desc := range []bool{false, true} {
				filters = append(filters, storage.CaseFilter{Sort: so, SortDesc: desc})
			}
		}
		filters = append(filters,
			storage.CaseFilter{Open: &open, Sort: storage.CaseSortAssignee},
			storage.CaseFilter{DueTo: &overdue, Sort: storage.CaseSortDue},
			storage.CaseFilter{DueTo: &overdue, Sort: storage.CaseSortDue, SortDesc: true})
		for _, f := range filters {
			name := fmt.Sprintf("sort=%s desc=%v open=%v due=%v", f.Sort, f.SortDesc, f.Open != nil, f.DueTo != nil)
			t.Run(name, func(t *testing.T) {
				want := allCases(t, db, f)
				if len(want) < 15 {
					t.Fatalf("only %d matches: the walk would prove little", len(want))
				}
				pages := walkForward(t, db, f)
				if got := slices.Concat(pages...); !slices.Equal(got, want) {
					t.Fatalf("forward walk:\n got %v\nwant %v", got, want)
				}
				if back := walkBackward(t, db, f, pages); !slices.EqualFunc(back, pages, slices.Equal) {
					t.Fatalf("backward walk:\n got %v\nwant %v", back, pages)
				}
			})
		}
	})
}

const walkPageSize = 7

// walkForward follows the next cursors from the first page to the last and
// returns the pages' case numbers.
func walkForward(t *testing.T, db *DB, f storage.CaseFilter) [][]string {
	t.Helper()
	f.Limit = walkPageSize
	var pages [][]string
	at := storage.CasePageAt{}
	for {
		p, err := db.FindCasePage(context.Background(), f, at)
		if err != nil {
			t.Fatal(err)
		}
		if p.HasPrev != (at.After != 0) {
			t.Fatalf("page %d: HasPrev = %v", len(pages)+1, p.HasPrev)
		}
		pages = append(pages, numbersOf(p.Cases))
		if !p.HasNext {
			return pages
		}
		at = storage.CasePageAt{After: p.Cases[len(p.Cases)-1].ID}
	}
}

// walkBackward starts after the next-to-last page and follows the previous
// cursors back to the first page; it returns the pages in queue order.
func walkBackward(t *testing.T, db *DB, f storage.CaseFilter, forward [][]string) [][]string {
	t.Helper()
	f.Limit = walkPageSize
	last := forward[len(forward)-1]
	first, _, err := db.FindCases(context.Background(), storage.CaseFilter{Number: &last[0]})
	if err != nil {
		t.Fatal(err)
	}
	pages := [][]string{last}
	at := storage.CasePageAt{Before: first[0].ID}
	for {
		p, err := db.FindCasePage(context.Background(), f, at)
		if err != nil {
			t.Fatal(err)
		}
		if !p.HasNext {
			t.Fatal("a page read backwards has cases after it")
		}
		pages = append([][]string{numbersOf(p.Cases)}, pages...)
		if !p.HasPrev {
			return pages
		}
		at = storage.CasePageAt{Before: p.Cases[0].ID}
	}
}

// TestFindCasePageCountsUpToTheCap checks the total: exact below the cap and
// on a page that holds every match, capped (and said to be) above it.
func TestFindCasePageCountsUpToTheCap(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		seedPagingDesk(t, db)
		closed := storage.StatusClosed
		open := true
		exact := len(allCases(t, db, storage.CaseFilter{Status: &closed}))
		exactOpen := len(allCases(t, db, storage.CaseFilter{Open: &open}))
		tests := []struct {
			name   string
			filter storage.CaseFilter
			at     storage.CasePageAt
			total  int
			capped bool
		}{
			{"no cap", storage.CaseFilter{}, storage.CasePageAt{}, 300, false},
			{"capped", storage.CaseFilter{}, storage.CasePageAt{CountCap: 100}, 100, true},
			{"cap equal to the matches", storage.CaseFilter{}, storage.CasePageAt{CountCap: 300}, 300, false},
			{"below the cap", storage.CaseFilter{Status: &closed}, storage.CasePageAt{CountCap: 1000}, exact, false},
			{"all on one page", storage.CaseFilter{Open: &open, Limit: 100}, storage.CasePageAt{CountCap: 3}, exactOpen, false},
		}
		for _, tt := range tests {
			p, err := db.FindCasePage(ctx, tt.filter, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != tt.total || p.TotalCapped != tt.capped {
				t.Errorf("%s: total %d capped %v, want %d %v", tt.name, p.Total, p.TotalCapped, tt.total, tt.capped)
			}
		}
	})
}

// TestFindCasePageUnknownCursor checks that a cursor naming no case reads an
// empty page rather than the queue from the start.
func TestFindCasePageUnknownCursor(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		seedPagingDesk(t, db)
		p, err := db.FindCasePage(context.Background(), storage.CaseFilter{}, storage.CasePageAt{After: 999_999})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Cases) != 0 || p.HasNext {
			t.Fatalf("unknown cursor: %d cases, HasNext %v", len(p.Cases), p.HasNext)
		}
	})
}

// TestFindCasePageNamesItsAssignees checks that a page names the staff its
// cases are assigned to, each by their own name, and no one else.
func TestFindCasePageNamesItsAssignees(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		seedPagingDesk(t, db)
		staff, err := db.ListStaff(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := map[int64]string{}
		for _, st := range staff {
			names[st.ID] = st.Name
		}
		p, err := db.FindCasePage(ctx, storage.CaseFilter{Limit: 50}, storage.CasePageAt{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]string{}
		for _, c := range p.Cases {
			if c.AssigneeID != 0 {
				want[c.AssigneeID] = names[c.AssigneeID]
			}
		}
		if len(want) < 2 {
			t.Fatalf("the seeded page has %d assignees; the test needs several", len(want))
		}
		if !maps.Equal(p.AssigneeNames, want) {
			t.Fatalf("AssigneeNames = %v, want %v", p.AssigneeNames, want)
		}
	})
}

// TestFindCasePageCountsPastTheEnd checks the total of an empty page after
// the last case: no row carries the count there, and it is still given.
func TestFindCasePageCountsPastTheEnd(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		seedPagingDesk(t, db)
		closed := storage.StatusClosed
		f := storage.CaseFilter{Status: &closed}
		all := allCases(t, db, f)
		last, err := db.FindCaseByNumber(ctx, all[len(all)-1])
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.FindCasePage(ctx, f, storage.CasePageAt{After: last.ID, CountCap: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Cases) != 0 || p.HasNext || !p.HasPrev || p.Total != len(all) || p.TotalCapped {
			t.Fatalf("after the last case: %d cases, next %v, prev %v, total %d (capped %v); want 0, false, true, %d",
				len(p.Cases), p.HasNext, p.HasPrev, p.Total, p.TotalCapped, len(all))
		}
	})
}
