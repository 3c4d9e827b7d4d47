package storage

import "context"

// CasePageAt says which page of a filtered queue FindCasePage reads. The
// queue pages by keyset rather than by offset: a page starts after (or ends
// before) a case the reader has seen, so page 500 costs what page 1 costs.
type CasePageAt struct {
	// After, when not 0, reads the cases that follow this case in the
	// filter's order (the next page).
	After int64
	// Before, when not 0 (and After is 0), reads the cases that precede this
	// case in the filter's order (the previous page).
	Before int64
	// CountCap, when positive, counts the matches only up to this many: past
	// it the total reads "CountCap or more". Counting every match of a broad
	// filter costs far more than reading the page, and nobody pages through
	// thousands of cases. 0 counts every match.
	CountCap int
}

// CasePage is one page of a filtered queue.
type CasePage struct {
	Cases []*Case
	// Total is the number of matching cases, exact unless TotalCapped.
	Total int
	// TotalCapped says that at least Total cases match (the count stopped at
	// CasePageAt.CountCap), so the total is to be shown as "Total+".
	TotalCapped bool
	// HasNext and HasPrev say whether cases follow the last (precede the
	// first) of the page, so a next (previous) link leads somewhere.
	HasNext, HasPrev bool
	// AssigneeNames names the staff the page's cases are assigned to, read
	// with the page (the list shows them, and a separate read of the names
	// cost a round trip per page).
	AssigneeNames map[int64]string
}

// CaseQueueStore reads the case queue page by page.
type CaseQueueStore interface {
	// FindCasePage returns one page of the cases matching the filter, in the
	// filter's order (ties by id), filter.Limit long (20 by default, at most
	// 100). Without a cursor in at, filter.Offset skips cases as FindCases
	// does; with one, Offset is ignored. A cursor naming no case reads an
	// empty page. EINVALID for an unknown due filter.
	FindCasePage(ctx context.Context, filter CaseFilter, at CasePageAt) (*CasePage, error)
}
