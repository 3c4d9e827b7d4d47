package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// Page sizes of the API's lists.
const (
	apiPerPage    = 20
	apiMaxPerPage = 100
)

// apiCaseFilterParams parse the query parameters of GET /api/v1/cases, one each, into
// the filter. Any other parameter is refused, so a misspelt filter is an error
// instead of a silently unfiltered list.
var apiCaseFilterParams = map[string]func(r *http.Request, v string, f *storage.CaseFilter) error{
	"status": func(_ *http.Request, v string, f *storage.CaseFilter) error {
		st, err := parseStatus(v)
		f.Status = &st
		return err
	},
	"category": func(_ *http.Request, v string, f *storage.CaseFilter) error {
		f.Category = &v
		return nil
	},
	"assignee": apiAssigneeFilter,
	"unread": func(_ *http.Request, v string, f *storage.CaseFilter) error {
		b, err := parseBool("unread", v)
		f.Unread = &b
		return err
	},
	"open": func(_ *http.Request, v string, f *storage.CaseFilter) error {
		b, err := parseBool("open", v)
		f.Open = &b
		return err
	},
	"q": func(_ *http.Request, v string, f *storage.CaseFilter) error {
		f.Search = strings.TrimSpace(v)
		return nil
	},
	"due": func(_ *http.Request, v string, f *storage.CaseFilter) error {
		f.Due = storage.DueFilter(v)
		if !f.Due.Valid() {
			return storage.Errorf(storage.EINVALID, "due 应为 overdue（已超期）或 soon（即将到期）：%q", v)
		}
		return nil
	},
	"sort": func(_ *http.Request, v string, f *storage.CaseFilter) error {
		f.Sort = storage.CaseSort(v)
		if !f.Sort.Valid() {
			return storage.Errorf(storage.EINVALID, "sort 应为 received、due、status 或 assignee：%q", v)
		}
		return nil
	},
	"order": func(_ *http.Request, v string, f *storage.CaseFilter) error {
		if v != "asc" && v != "desc" {
			return storage.Errorf(storage.EINVALID, "order 应为 asc 或 desc：%q", v)
		}
		f.SortDesc = v == "desc"
		return nil
	},
	"team":     apiTeamFilter,
	"unit":     apiUnitFilter,
	"page":     func(*http.Request, string, *storage.CaseFilter) error { return nil },
	"after":    func(*http.Request, string, *storage.CaseFilter) error { return nil }, // apiCaseCursor
	"before":   func(*http.Request, string, *storage.CaseFilter) error { return nil },
	"per_page": func(*http.Request, string, *storage.CaseFilter) error { return nil },
}

// apiAssigneeFilter reads assignee=<staff id>, assignee=me or assignee=none
// (unassigned cases).
func apiAssigneeFilter(r *http.Request, v string, f *storage.CaseFilter) error {
	var id int64
	switch v {
	case "none":
	case "me":
		id = staffFrom(r.Context()).ID
	default:
		var err error
		if id, err = parseID("assignee", v); err != nil {
			return storage.Errorf(storage.EINVALID, "assignee 应为员工编号、me 或 none：%q", v)
		}
	}
	f.AssigneeID = &id
	return nil
}

// apiUnitFilter reads unit=<unit id>: the cases of that unit and the units
// under it, within the caller's own (another unit's id lists nothing).
func apiUnitFilter(_ *http.Request, v string, f *storage.CaseFilter) error {
	id, err := parseID("unit", v)
	if err != nil {
		return storage.Errorf(storage.EINVALID, "unit 应为单位编号：%q", v)
	}
	f.UnitIDs = []int64{id}
	return nil
}

// apiTeamFilter reads team=<team id>, team=none (cases in no team) or team=mine
// (the caller's work: their cases and the unassigned cases of their teams).
func apiTeamFilter(r *http.Request, v string, f *storage.CaseFilter) error {
	if v != teamMine && v != teamNone {
		if _, err := parseID("team", v); err != nil {
			return storage.Errorf(storage.EINVALID, "team 应为组编号、mine 或 none：%q", v)
		}
	}
	teamFilter(f, v, staffFrom(r.Context()))
	return nil
}

// apiCaseFilter builds the store filter and the page from the query string. Empty
// parameters do not filter.
func apiCaseFilter(r *http.Request) (f storage.CaseFilter, page, perPage int, err error) {
	q := r.URL.Query()
	if err := apiOnlyParams(q, apiCaseFilterParams); err != nil {
		return f, 0, 0, err
	}
	for name, parse := range apiCaseFilterParams {
		if v := q.Get(name); v != "" {
			if err := parse(r, v, &f); err != nil {
				return f, 0, 0, err
			}
		}
	}
	apiSortDefaults(q, &f)
	page, perPage, err = pageParams(q.Get("page"), q.Get("per_page"), apiPerPage, apiMaxPerPage)
	f.Offset, f.Limit = (page-1)*perPage, perPage
	return f, page, perPage, err
}

// apiSortDefaults completes the order as the queue does: an order without a sort
// sorts by received time, and a sort without an order goes newest first for
// received time and ascending (nearest due day first) for the others.
func apiSortDefaults(q url.Values, f *storage.CaseFilter) {
	order := q.Get("order")
	if f.Sort == "" && order != "" {
		f.Sort = storage.CaseSortReceived
	}
	if order == "" && f.Sort == storage.CaseSortReceived {
		f.SortDesc = true
	}
}

// apiOnlyParams refuses query parameters that are not among known's keys.
func apiOnlyParams[V any](q url.Values, known map[string]V) error {
	for name := range q {
		if _, ok := known[name]; !ok {
			return storage.Errorf(storage.EINVALID, "未知的查询参数：%s", name)
		}
	}
	return nil
}

// apiCaseList is a page of GET /api/v1/cases. Total is exact unless
// TotalCapped (then at least Total match; see queueCountCap). NextCursor and
// PrevCursor, null at either end, are passed back as after and before.
type apiCaseList struct {
	Items       []apiCase `json:"items"`
	Total       int       `json:"total"`
	TotalCapped bool      `json:"total_capped"`
	Page        int       `json:"page"`
	PerPage     int       `json:"per_page"`
	NextCursor  *string   `json:"next_cursor"`
	PrevCursor  *string   `json:"prev_cursor"`
}

// apiCaseCursor reads the keyset cursor: after=<next_cursor> or
// before=<prev_cursor>, one of them, and not with page (a cursor says where
// the page starts; page counts from the start).
func apiCaseCursor(q url.Values) (storage.CasePageAt, error) {
	at := storage.CasePageAt{CountCap: queueCountCap}
	after, before := q.Get("after"), q.Get("before")
	if after != "" && before != "" || (after != "" || before != "") && q.Get("page") != "" {
		return at, storage.Errorf(storage.EINVALID, "after、before 与 page 只能用其一")
	}
	var err error
	if after != "" {
		at.After, err = parseID("after", after)
	}
	if before != "" {
		at.Before, err = parseID("before", before)
	}
	return at, err
}

// apiCursor is a case's id as the list's cursor, nil when there is none.
func apiCursor(more bool, c *storage.Case) *string {
	if !more {
		return nil
	}
	s := strconv.FormatInt(c.ID, 10)
	return &s
}

// apiListCases serves GET /api/v1/cases: one page of cases, newest first unless
// sort and order say otherwise, with masked phone numbers and each case's
// clock; see apiCaseList for the total and the cursors. A search by a whole
// phone number is limited and audited (findQueuePage).
func (s *Server) apiListCases(w http.ResponseWriter, r *http.Request) {
	f, page, perPage, err := apiCaseFilter(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	at, err := apiCaseCursor(r.URL.Query())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if at.After != 0 || at.Before != 0 {
		f.Offset = 0
	}
	p, err := s.findQueuePage(r, f, at, "API ")
	if err != nil {
		s.apiSearchError(w, r, err)
		return
	}
	items := apiCasesJSON(p.Cases, p.AssigneeNames)
	apiDueStates(items, s.cfg.Calendar(), s.cfg.Now())
	out := apiCaseList{Items: items, Total: p.Total, TotalCapped: p.TotalCapped, Page: page, PerPage: perPage}
	if n := len(p.Cases); n > 0 {
		out.NextCursor, out.PrevCursor = apiCursor(p.HasNext, p.Cases[n-1]), apiCursor(p.HasPrev, p.Cases[0])
	}
	writeJSON(w, http.StatusOK, out)
}

// apiCaseDetail serves GET /api/v1/cases/{number}.
func (s *Server) apiCaseDetail(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	s.apiWriteCase(w, r, http.StatusOK, c)
}

// apiWriteCase answers with the case, its timeline (with the delivery of each
// notice), its evidence and its rating. The actions answer with it too, so a client
// sees the result of what it did.
func (s *Server) apiWriteCase(w http.ResponseWriter, r *http.Request, status int, c *storage.Case) {
	d, err := s.apiDetail(r, c)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, status, d)
}

// apiDetail gathers what the detail shows.
func (s *Server) apiDetail(r *http.Request, c *storage.Case) (*apiCaseDetail, error) {
	ctx := r.Context()
	names, err := s.apiStaffNames(r)
	if err != nil {
		return nil, err
	}
	timeline, err := s.apiTimeline(r, c, names)
	if err != nil {
		return nil, err
	}
	evidence, err := s.cfg.Store.ListEvidence(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	rating, err := s.apiFindRating(r, c)
	if err != nil {
		return nil, err
	}
	clocks, err := s.cfg.Store.CaseClocks(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	d := &apiCaseDetail{
		apiCase: apiCaseJSON(c, names), NextStatuses: apiPlainMoves(c.Status), CanReopen: c.Status.CanReopen(),
		CloseOutcomes: apiCloseOutcomes(c.Status), CanRequestMaterial: c.Status.CanMoveTo(storage.StatusAwaitingMaterial),
		Timeline: timeline, Evidence: apiEvidenceJSON(evidence), Rating: rating,
	}
	if d.DeletionRequest, err = s.apiPendingDeletion(ctx, c); err != nil {
		return nil, err
	}
	cal, now := s.cfg.Calendar(), s.cfg.Now()
	d.Clocks = apiClocksJSON(clocks, newClockViews(clocks, cal, now))
	items := []apiCase{d.apiCase}
	apiDueStates(items, cal, now)
	d.apiCase = items[0]
	return d, nil
}

// apiPendingDeletion returns c's pending deletion request as the API shows
// it, nil without one.
func (s *Server) apiPendingDeletion(ctx context.Context, c *storage.Case) (*apiDeletionRequestJSON, error) {
	req, err := s.pendingDeletion(ctx, c)
	if err != nil || req == nil {
		return nil, err
	}
	j := newAPIDeletionRequest(req, s.today())
	return &j, nil
}

// apiTimeline returns the case's events, oldest first, each staff reply and status
// change with the delivery state of its notice.
func (s *Server) apiTimeline(r *http.Request, c *storage.Case, names apiNames) ([]apiEvent, error) {
	events, err := s.cfg.Store.ListEvents(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	notes, err := s.cfg.Store.FindNotifications(r.Context(),
		storage.NotificationFilter{CaseID: &c.ID, Limit: apiMaxNotifications})
	if err != nil {
		return nil, err
	}
	delivery := apiEventDeliveries(events, notes)
	out := make([]apiEvent, 0, len(events))
	for _, e := range events {
		out = append(out, apiEventJSON(e, names, delivery[e.ID]))
	}
	return out, nil
}

// apiFindRating returns the consumer's rating of the case, or nil if there is none.
func (s *Server) apiFindRating(r *http.Request, c *storage.Case) (*apiRating, error) {
	rt, err := s.cfg.Store.FindRating(r.Context(), c.ID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &apiRating{Rating: rt.Rating, Comment: rt.Comment}, nil
}
