package console

import (
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// queuePager is the queue's count and its 上一页/下一页 links, which carry a
// keyset cursor (after or before a case) and the page's number for the reader.
type queuePager struct {
	Count            string // the total with thousands separators
	Capped           bool   // the count stopped at its cap: shown "1,000+"
	Page, Pages      int    // Pages is 0 when the total is capped
	PrevURL, NextURL string
}

// newQueuePager links the pages around page, read for qq. The previous page of
// page 2 is the queue's start, with no cursor, so that it is always full.
func newQueuePager(qq queueQuery, page *storage.CasePage) queuePager {
	p := queuePager{Count: thousands(page.Total), Capped: page.TotalCapped, Page: qq.Page}
	if !page.TotalCapped {
		p.Pages = max(1, (page.Total+queuePageSize-1)/queuePageSize, qq.Page)
	}
	link := func(cursor string, id int64, n int) string {
		v := qq.values()
		if n > 1 {
			v.Set(cursor, strconv.FormatInt(id, 10))
			v.Set("page", strconv.Itoa(n))
		}
		return "/console/cases?" + v.Encode()
	}
	if n := len(page.Cases); n > 0 {
		if page.HasNext {
			p.NextURL = link("after", page.Cases[n-1].ID, qq.Page+1)
		}
		if page.HasPrev {
			p.PrevURL = link("before", page.Cases[0].ID, qq.Page-1)
		}
	}
	return p
}

// thousands writes a count with thousands separators: 1,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
