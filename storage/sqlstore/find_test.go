package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// createSeries creates n cases a minute apart, from 2026-03-15 10:00 CST, alternating
// between the consumers alice and bob, and returns them in creation order.
func createSeries(t *testing.T, db *DB, n int) []*storage.Case {
	t.Helper()
	start := time.Date(2026, 3, 15, 10, 0, 0, 0, cst)
	var cases []*storage.Case
	for i := range n {
		setClock(db, start.Add(time.Duration(i)*time.Minute))
		nc := newCase(fmt.Sprint("series-", i))
		nc.OpenID = []string{"alice", "bob"}[i%2]
		cases = append(cases, mustCreate(t, db, nc))
	}
	return cases
}

// numbersOf returns the numbers of cases, in order.
func numbersOf(cases []*storage.Case) []string {
	var out []string
	for _, c := range cases {
		out = append(out, c.Number)
	}
	return out
}

func TestFindCasesFilters(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cases := createSeries(t, db, 5) // alice: 1, 3, 5; bob: 2, 4
		alice, bob, other := "alice", "bob", "carol"
		submitted, accepted := storage.StatusSubmitted, storage.StatusAccepted
		num3, id4 := number(3), cases[3].ID
		tests := []struct {
			name   string
			filter storage.CaseFilter
			want   []string
		}{
			{"all, newest first", storage.CaseFilter{}, []string{number(5), number(4), number(3), number(2), number(1)}},
			{"open id", storage.CaseFilter{OpenID: &alice}, []string{number(5), number(3), number(1)}},
			{"open id and status", storage.CaseFilter{OpenID: &bob, Status: &submitted}, []string{number(4), number(2)}},
			{"no such open id", storage.CaseFilter{OpenID: &other}, nil},
			{"no case in status", storage.CaseFilter{Status: &accepted}, nil},
			{"number", storage.CaseFilter{Number: &num3}, []string{number(3)}},
			{"id", storage.CaseFilter{ID: &id4}, []string{number(4)}},
			{"id and another consumer", storage.CaseFilter{ID: &id4, OpenID: &alice}, nil},
		}
		for _, tt := range tests {
			got, total, err := db.FindCases(ctx, tt.filter)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if !slices.Equal(numbersOf(got), tt.want) || total != len(tt.want) {
				t.Errorf("%s: got %v (total %d), want %v", tt.name, numbersOf(got), total, tt.want)
			}
		}
	})
}

func TestFindCasesPagination(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		createSeries(t, db, 25)
		var pages [][]string
		for offset := 0; offset < 25; offset += 10 {
			got, total, err := db.FindCases(ctx, storage.CaseFilter{Offset: offset, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if total != 25 {
				t.Fatalf("offset %d: total = %d, want 25", offset, total)
			}
			pages = append(pages, numbersOf(got))
		}
		if len(pages[0]) != 10 || len(pages[1]) != 10 || len(pages[2]) != 5 {
			t.Fatalf("page sizes %d, %d, %d; want 10, 10, 5", len(pages[0]), len(pages[1]), len(pages[2]))
		}
		if pages[0][0] != number(25) || pages[2][4] != number(1) || pages[1][0] != number(15) {
			t.Fatalf("pages %v not newest first", pages)
		}
		got, total, err := db.FindCases(ctx, storage.CaseFilter{})
		if err != nil || len(got) != defaultPageSize || total != 25 {
			t.Fatalf("default page: %d cases of %d, %v; want %d of 25", len(got), total, err, defaultPageSize)
		}
		got, total, err = db.FindCases(ctx, storage.CaseFilter{Offset: 30})
		if err != nil || len(got) != 0 || total != 25 {
			t.Fatalf("past the end: %d cases of %d, %v; want 0 of 25", len(got), total, err)
		}
	})
}

func TestFindCasesSameTimeNewestIDFirst(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		for i := range 3 {
			mustCreate(t, db, newCase(fmt.Sprint("same-second-", i)))
		}
		got, _, err := db.FindCases(context.Background(), storage.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{number(3), number(2), number(1)}; !slices.Equal(numbersOf(got), want) {
			t.Fatalf("got %v, want %v", numbersOf(got), want)
		}
	})
}

func TestPageBounds(t *testing.T) {
	tests := []struct{ limit, offset, wantLimit, wantOffset int }{
		{0, 0, defaultPageSize, 0},
		{-5, -1, defaultPageSize, 0},
		{7, 14, 7, 14},
		{maxPageSize, 0, maxPageSize, 0},
		{maxPageSize + 1, 0, maxPageSize, 0},
	}
	for _, tt := range tests {
		limit, offset := pageBounds(storage.CaseFilter{Limit: tt.limit, Offset: tt.offset})
		if limit != tt.wantLimit || offset != tt.wantOffset {
			t.Errorf("pageBounds(limit %d, offset %d) = %d, %d; want %d, %d",
				tt.limit, tt.offset, limit, offset, tt.wantLimit, tt.wantOffset)
		}
	}
}

func TestFindCasesOpen(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cases := createSeries(t, db, 5)
		move(t, db, cases[0], storage.StatusRejected, "不属于消费纠纷")
		move(t, db, cases[1], storage.StatusAccepted, "")
		move(t, db, cases[2], storage.StatusWithdrawn, "")
		move(t, db, cases[2], storage.StatusClosed, "")
		open, closed, alice := true, false, "alice"
		tests := []struct {
			name   string
			filter storage.CaseFilter
			want   []string
		}{
			{"open", storage.CaseFilter{Open: &open}, []string{number(5), number(4), number(2)}},
			{"final", storage.CaseFilter{Open: &closed}, []string{number(3), number(1)}},
			{"alice's open", storage.CaseFilter{Open: &open, OpenID: &alice}, []string{number(5)}},
		}
		for _, tt := range tests {
			got, total, err := db.FindCases(ctx, tt.filter)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if !slices.Equal(numbersOf(got), tt.want) || total != len(tt.want) {
				t.Errorf("%s: got %v (total %d), want %v", tt.name, numbersOf(got), total, tt.want)
			}
		}
	})
}

func TestKnownStatusesAreTheDomainsOwn(t *testing.T) {
	seen := map[storage.Status]bool{}
	for _, s := range knownStatuses {
		if !s.Valid() || seen[s] {
			t.Errorf("status %q is unknown to storage or listed twice", s)
		}
		seen[s] = true
	}
	if len(finalStatuses()) == 0 || len(finalStatuses()) == len(knownStatuses) {
		t.Fatalf("final statuses %v: want some but not all", finalStatuses())
	}
}
