package console

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// queuePageSize is how many cases one page of the queue shows.
const queuePageSize = 20

// queueCountCap is how far the queue (page and API) counts its matches: past
// it the total reads "1,000+". An exact count of a broad filter on a large
// desk costs far more than the page; the export still takes every match.
const queueCountCap = 1000

// searchCountCap is queueCountCap for a search by part of a merchant's name
// (or a case number): past it the total reads "100+". Such a search cannot be
// counted from an index (a name part of two characters, 电器, is below the
// trigram index's three), so the count reads cases until it has seen cap+1
// matches; for a broad search that is the dearest part of the queue's
// cheapest-looking request (7,000 of the 1,000,000 seeded cases, against the
// 170 the page reads), and it grows with the cap. A hundred matches already
// tell the reader to narrow the search; what lies past them is not worth ten
// times the work. See findQueuePage.
const searchCountCap = 100

// maxSearchRunes bounds the search text.
const maxSearchRunes = 64

// queueQuery is the queue's filter form as sent in the URL: status, category,
// assignee (a staff id, "me" or "none"), unread=1, open=1, q, due (overdue or
// soon), sort (received, due, status or assignee) with dir (asc or desc), and
// page. The pager's links add after (next page) or before (previous page): the
// id of the case the page starts after or ends before; page then only numbers
// the page for the reader. A page without a cursor skips (page-1)*20 cases, as
// bookmarks from before the cursors expect.
type queueQuery struct {
	Status, Category, Assignee, Q string
	Unread, Open                  bool
	Page                          int
	Due                           storage.DueFilter
	Sort                          storage.CaseSort // "" is the default: newest first
	Desc                          bool
	Team                          string // see teamFilter
	Unit                          string // a unit id: its subtree's cases (findCases keeps them to the scope)
	After, Before                 int64  // the keyset cursor: see storage.CasePageAt
}

// showCaseList renders one page of the case queue.
func (s *Server) showCaseList(w http.ResponseWriter, r *http.Request) {
	qq := parseQueueQuery(r.URL.Query())
	st := staffFrom(r.Context())
	teams, err := s.queueTeams(r, &qq, st)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	page, err := s.findQueuePage(r, qq.filter(st), qq.at(), "控制台")
	if err != nil {
		s.pageSearchError(w, r, err)
		return
	}
	staff, err := s.loadStaff(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := caseListView{
		Statuses: statusOptions(qq.Status), Categories: stringOptions(caseCategories, qq.Category),
		Assignees: assigneeFilterOptions(staff, qq.Assignee), Unread: qq.Unread, Open: qq.Open, Q: qq.Q,
		Pager: newQueuePager(qq, page),
		Dues:  dueFilterOptions(qq.Due), Sorts: qq.sortLinks(), Back: qq.values().Encode(),
		BulkAssignees: bulkAssigneeOptions(staff, st), Teams: teams,
		// The filter in force, not the request's: a mediator's bare queue is
		// their work (see queueTeams), and the download must hold what they see.
		ExportQuery: template.URL(qq.values().Encode()),
	}
	units, err := s.unitNames(r.Context(), staff.scope)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v.ShowUnit = units != nil
	selected, _ := strconv.ParseInt(qq.Unit, 10, 64)
	v.Units = s.scopeUnitOptions(r.Context(), staff.scope, selected)
	cal, now := s.cfg.Calendar(), s.cfg.Now()
	for _, c := range page.Cases {
		row := newCaseRow(c, staff)
		row.Due = newDueCell(c, cal, now)
		row.Unit = units[c.UnitID]
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "case_list.html", "案件", v)
}

// parseQueueQuery reads the filter form; values it cannot use are dropped.
func parseQueueQuery(q url.Values) queueQuery {
	qq := queueQuery{
		Category: q.Get("category"), Assignee: q.Get("assignee"),
		Q: strings.TrimSpace(q.Get("q")), Unread: q.Get("unread") == "1", Open: q.Get("open") == "1",
		Page: pageNumber(q), Team: q.Get("team"),
	}
	if id, err := strconv.ParseInt(q.Get("unit"), 10, 64); err == nil && id > 0 {
		qq.Unit = q.Get("unit")
	}
	qq.After, qq.Before = positiveID(q.Get("after")), positiveID(q.Get("before"))
	if st := storage.Status(q.Get("status")); st.Valid() {
		qq.Status = string(st)
	}
	if d := storage.DueFilter(q.Get("due")); d.Valid() {
		qq.Due = d
	}
	if so := storage.CaseSort(q.Get("sort")); so.Valid() {
		qq.Sort = so
		qq.Desc = q.Get("dir") == "desc" || (so == storage.CaseSortReceived && q.Get("dir") == "")
	}
	if r := []rune(qq.Q); len(r) > maxSearchRunes {
		qq.Q = string(r[:maxSearchRunes])
	}
	return qq
}

// filter turns the form into the store's filter for staff member st.
func (qq queueQuery) filter(st *storage.Staff) storage.CaseFilter {
	f := storage.CaseFilter{Search: qq.Q, Limit: queuePageSize}
	if qq.After == 0 && qq.Before == 0 {
		f.Offset = (qq.Page - 1) * queuePageSize
	}
	if qq.Status != "" {
		status := storage.Status(qq.Status)
		f.Status = &status
	}
	if qq.Category != "" {
		f.Category = &qq.Category
	}
	if id, ok := assigneeID(qq.Assignee, st); ok {
		f.AssigneeID = &id
	}
	if qq.Unread {
		f.Unread = &qq.Unread
	}
	if qq.Open {
		f.Open = &qq.Open
	}
	f.Due, f.Sort, f.SortDesc = qq.Due, qq.Sort, qq.Desc
	teamFilter(&f, qq.Team, st)
	if id, err := strconv.ParseInt(qq.Unit, 10, 64); err == nil {
		f.UnitIDs = []int64{id}
	}
	return f
}

// at is the page's cursor and the count's cap.
func (qq queueQuery) at() storage.CasePageAt {
	return storage.CasePageAt{After: qq.After, Before: qq.Before, CountCap: queueCountCap}
}

// positiveID reads a cursor's case id; anything else is 0 (no cursor).
func positiveID(v string) int64 {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// assigneeID reads the assignee filter: "me", "none" (0: unassigned) or an id.
func assigneeID(v string, st *storage.Staff) (int64, bool) {
	switch v {
	case "":
		return 0, false
	case "me":
		return st.ID, true
	case "none":
		return 0, true
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id > 0
}

// values is the form again, without empty fields, for the pagination links.
func (qq queueQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"status": qq.Status, "category": qq.Category, "assignee": qq.Assignee, "q": qq.Q, "team": qq.Team, "unit": qq.Unit} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if qq.Unread {
		v.Set("unread", "1")
	}
	if qq.Open {
		v.Set("open", "1")
	}
	if qq.Due != "" {
		v.Set("due", string(qq.Due))
	}
	if qq.Sort != "" {
		v.Set("sort", string(qq.Sort))
		v.Set("dir", sortDir(qq.Desc))
	}
	return v
}

func sortDir(desc bool) string {
	if desc {
		return "desc"
	}
	return "asc"
}

// sortLink is a sortable column's header: a link that keeps the filters.
type sortLink struct {
	URL    string
	Active bool
	Arrow  string // ▲ or ▼ on the column the queue is sorted by
	Label  string // for screen readers: 升序 or 降序
}

// sortLinks returns the header links of the sortable columns, by CaseSort. A
// click on the column the queue is sorted by turns the order round; another
// column starts with its natural order (received: newest first; the others:
// ascending, so the nearest due day comes first).
func (qq queueQuery) sortLinks() map[string]sortLink {
	current, desc := qq.Sort, qq.Desc
	if current == "" {
		current, desc = storage.CaseSortReceived, true
	}
	out := map[string]sortLink{}
	for _, so := range []storage.CaseSort{storage.CaseSortReceived, storage.CaseSortDue, storage.CaseSortStatus, storage.CaseSortAssignee} {
		next := qq
		next.Page = 1
		next.Sort, next.Desc = so, so == storage.CaseSortReceived
		l := sortLink{}
		if so == current {
			next.Desc = !desc
			l.Active, l.Arrow, l.Label = true, "▲", "升序"
			if desc {
				l.Arrow, l.Label = "▼", "降序"
			}
		}
		l.URL = "/console/cases?" + next.values().Encode()
		out[string(so)] = l
	}
	return out
}

// dueFilterOptions offers the due filters.
func dueFilterOptions(selected storage.DueFilter) []option {
	return []option{
		{Value: string(storage.DueOverdue), Label: "已超期", Selected: selected == storage.DueOverdue},
		{Value: string(storage.DueSoon), Label: "即将到期（2 个工作日内）", Selected: selected == storage.DueSoon},
	}
}

// assigneeFilterOptions offers "mine", "unassigned" and each staff member.
func assigneeFilterOptions(staff *staffDirectory, selected string) []option {
	out := []option{
		{Value: "me", Label: "我的案件", Selected: selected == "me"},
		{Value: "none", Label: "未分配", Selected: selected == "none"},
	}
	for _, o := range staff.options(0) {
		o.Selected = o.Value == selected
		out = append(out, o)
	}
	return out
}
