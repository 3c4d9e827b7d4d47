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
	final, open := statusesWhereFinal(true), statusesWhereFinal(false)
	if len(final) == 0 || len(open) == 0 || len(final)+len(open) != len(knownStatuses) {
		t.Fatalf("final statuses %v, open %v: want some of each, all in all", final, open)
	}
}

// wantFound fails the test unless filter finds exactly the numbers want, in order,
// with a total to match.
func wantFound(t *testing.T, db *DB, name string, filter storage.CaseFilter, want ...string) {
	t.Helper()
	got, total, err := db.FindCases(context.Background(), filter)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !slices.Equal(numbersOf(got), want) || total != len(want) {
		t.Errorf("%s: got %v (total %d), want %v", name, numbersOf(got), total, want)
	}
}

func TestFindCasesDeskFilters(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		zhao := mustStaff(t, db, "zhao", "赵", storage.RoleMediator)
		qian := mustStaff(t, db, "qian", "钱", storage.RoleMediator)
		cases := createSeries(t, db, 5)
		for i, who := range []*int64{&zhao.ID, &qian.ID, &zhao.ID} {
			if _, err := db.AssignCase(ctx, cases[i].ID, who, storage.By{Actor: staff}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.AddEvent(ctx, consumerMessage(cases[1].ID, "1")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddEvent(ctx, consumerMessage(cases[3].ID, "2")); err != nil {
			t.Fatal(err)
		}
		move(t, db, cases[3], storage.StatusWithdrawn, "")
		yes, no, none, open := true, false, int64(0), true
		food, cars := "食品安全", "交通工具"
		wantFound(t, db, "assignee", storage.CaseFilter{AssigneeID: &zhao.ID}, number(3), number(1))
		wantFound(t, db, "unassigned", storage.CaseFilter{AssigneeID: &none}, number(5), number(4))
		wantFound(t, db, "unread", storage.CaseFilter{Unread: &yes}, number(4), number(2))
		wantFound(t, db, "read", storage.CaseFilter{Unread: &no}, number(5), number(3), number(1))
		wantFound(t, db, "open, unread", storage.CaseFilter{Unread: &yes, Open: &open}, number(2))
		wantFound(t, db, "category", storage.CaseFilter{Category: &food}, number(5), number(4), number(3), number(2), number(1))
		wantFound(t, db, "no case in category", storage.CaseFilter{Category: &cars})
		wantFound(t, db, "assignee, unread", storage.CaseFilter{AssigneeID: &qian.ID, Unread: &yes}, number(2))
	})
}

func TestFindCasesSearch(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		merchants := []string{"好又多超市", "Apple Store 三里屯", "12306 铁路", "100%纯果汁店", "苏宁易购"}
		phones := []string{"13800138000", "13912345678", "13700001234", "13600006789", "13500012306"}
		for i := range merchants {
			nc := newCase(fmt.Sprint("search-", i))
			nc.MerchantName, nc.Phone = merchants[i], phones[i]
			mustCreate(t, db, nc)
		}
		tests := []struct {
			search string
			want   []string
		}{
			{"超市", []string{number(1)}},
			{"apple", []string{number(2)}},    // any case
			{"STORE 三里", []string{number(2)}}, // a part with a space
			{"13912345678", []string{number(2)}},
			{"138 0013 8000", []string{number(1)}}, // a whole number, typed with spaces
			{"137-0000-1234", []string{number(3)}}, // or dashes
			{"13912345679", nil},                   // one digit off
			// Part of a number finds nothing: the list shows 139****5678, and
			// searching for the hidden digits would uncover them.
			{"1234", nil},
			{"5678", nil},
			{"45678", nil},
			{"3912345678", nil},
			{"1391234567", nil},
			{"139123", nil},
			{"0013", nil},
			{"12306", []string{number(3)}},     // a merchant, not 13500012306's end
			{"ts2026004", []string{number(4)}}, // a loosely typed number
			{"TS-2026-000005", []string{number(5)}},
			{"2026-1", []string{number(1)}}, // without the prefix
			{"xy2026001", nil},              // another prefix
			{"100%", []string{number(4)}},   // % is no wildcard
			{"%", []string{number(4)}},
			{"_", nil},
			{"  ", []string{number(5), number(4), number(3), number(2), number(1)}}, // no search
		}
		for _, tt := range tests {
			wantFound(t, db, fmt.Sprintf("search %q", tt.search), storage.CaseFilter{Search: tt.search}, tt.want...)
		}
		submitted, accepted := storage.StatusSubmitted, storage.StatusAccepted
		wantFound(t, db, "search and status", storage.CaseFilter{Search: "13500012306", Status: &submitted}, number(5))
		wantFound(t, db, "search and another status", storage.CaseFilter{Search: "13500012306", Status: &accepted})
	})
}

func TestFindCasesTotalOfAShortPage(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		createSeries(t, db, 7)
		for _, tt := range []struct{ offset, limit, n, total int }{
			{0, 10, 7, 7}, {5, 10, 2, 7}, {7, 10, 0, 7}, {20, 10, 0, 7}, {0, 7, 7, 7}, {3, 2, 2, 7},
		} {
			got, total, err := db.FindCases(ctx, storage.CaseFilter{Offset: tt.offset, Limit: tt.limit})
			if err != nil || len(got) != tt.n || total != tt.total {
				t.Errorf("offset %d limit %d: %d cases of %d, %v; want %d of %d",
					tt.offset, tt.limit, len(got), total, err, tt.n, tt.total)
			}
		}
	})
}
