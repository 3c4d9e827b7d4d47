package console

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// maxOverdueRows bounds each list of the overdue page; past it the page says
// how many more there are and links to the queue's filter, which pages.
const maxOverdueRows = 500

// overdueRow is one case on the overdue page.
type overdueRow struct {
	Number   string
	Status   storage.Status
	Merchant string
	Due      dueCell
}

// overdueGroup is one assignee's cases in one list, with a count per clock.
type overdueGroup struct {
	Assignee string // "未分配" for cases without one
	Counts   string // 受理决定 1 件，调解期限 2 件
	Rows     []overdueRow
}

// overdueList is one of the page's two lists: 已超期 or 即将到期.
type overdueList struct {
	Title    string
	QueueURL string // the same cases in the queue
	Total    int
	Groups   []overdueGroup
	More     int // cases past maxOverdueRows, not shown
}

// overdueView is the overdue page.
type overdueView struct {
	Own   bool // a mediator's own cases only
	Lists []overdueList
}

// showOverdue renders the supervisor's overdue list (GET /console/overdue): the
// cases whose clock has run out and those due within two working days, by
// assignee and clock, within the staff member's units (unitScope).
// Supervisors and admins see every such case; a mediator sees
// their own cases only (the same list, limited by the server, not a 403: the
// mediator needs it most).
func (s *Server) showOverdue(w http.ResponseWriter, r *http.Request) {
	st := staffFrom(r.Context())
	staff, err := s.loadStaff(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := overdueView{Own: !st.Role.AtLeast(storage.RoleSupervisor)}
	for _, due := range []storage.DueFilter{storage.DueOverdue, storage.DueSoon} {
		l, err := s.overdueList(r.Context(), due, st, v.Own, staff)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		v.Lists = append(v.Lists, l)
	}
	s.render(w, r, http.StatusOK, "overdue.html", "超期案件", v)
}

// overdueList reads one list: the cases matching due, the mediator's own only
// when own, grouped by assignee, each group by due day.
func (s *Server) overdueList(
	ctx context.Context, due storage.DueFilter, st *storage.Staff, own bool, staff *staffDirectory,
) (overdueList, error) {
	f := storage.CaseFilter{Due: due, Sort: storage.CaseSortAssignee, Limit: 100}
	l := overdueList{Title: "已超期", QueueURL: "/console/cases?sort=due&dir=asc&due=" + string(due)}
	if due == storage.DueSoon {
		l.Title = "即将到期（2 个工作日内）"
	}
	if own {
		f.AssigneeID = &st.ID
		l.QueueURL += "&assignee=me"
	}
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return l, err
	}
	f.UnitIDs = sc.unitIDs()
	var cases []*storage.Case
	for len(cases) < maxOverdueRows {
		page, total, err := s.cfg.Store.FindCases(ctx, f)
		if err != nil {
			return l, err
		}
		cases, l.Total = append(cases, page...), total
		if len(page) < f.Limit || len(cases) >= total {
			break
		}
		f.Offset += len(page)
	}
	l.More = max(l.Total-len(cases), 0)
	l.Groups = groupOverdue(cases, staff, s.cfg.Calendar(), s.cfg.Now())
	return l, nil
}

// groupOverdue groups cases (sorted by assignee) by assignee, each group's rows
// by due day, and counts each group's cases per clock.
func groupOverdue(cases []*storage.Case, staff *staffDirectory, cal *storage.Calendar, now time.Time) []overdueGroup {
	var groups []overdueGroup
	counts := []map[string]int{}
	for i, c := range cases {
		if i == 0 || c.AssigneeID != cases[i-1].AssigneeID {
			name := staff.name(c.AssigneeID)
			if c.AssigneeID == 0 || name == "" {
				name = "未分配"
			}
			groups, counts = append(groups, overdueGroup{Assignee: name}), append(counts, map[string]int{})
		}
		g := &groups[len(groups)-1]
		row := overdueRow{Number: c.Number, Status: c.Status, Merchant: c.MerchantName, Due: newDueCell(c, cal, now)}
		g.Rows = append(g.Rows, row)
		counts[len(counts)-1][row.Due.Clock]++
	}
	for i := range groups {
		rows := groups[i].Rows
		sort.SliceStable(rows, func(a, b int) bool { return rows[a].Due.On < rows[b].Due.On })
		groups[i].Counts = clockCounts(counts[i])
	}
	return groups
}

// clockCounts writes a group's count per clock, in the clocks' order.
func clockCounts(n map[string]int) string {
	var parts []string
	for _, k := range []storage.ClockKind{storage.ClockAcceptance, storage.ClockMediation, storage.ClockMerchant, storage.ClockTermination} {
		if c := n[k.Label()]; c > 0 {
			parts = append(parts, fmt.Sprintf("%s %d 件", k.Label(), c))
		}
	}
	return strings.Join(parts, "，")
}
