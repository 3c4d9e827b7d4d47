package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// apiAuditParams are the query parameters GET /api/v1/audit takes; the values say
// what each holds, for documentation only.
var apiAuditParams = map[string]string{
	"staff_id": "staff id", "case": "case number", "action": "audit action",
	"since": "time or date", "until": "time or date", "page": "page", "per_page": "page size",
}

// apiAuditQuery is a parsed audit query: the store filter, the page, and whether the
// filter can match nothing at all (an unknown case number).
type apiAuditQuery struct {
	filter        storage.AuditFilter
	page, perPage int
	matchesNone   bool
}

// apiAudit serves GET /api/v1/audit (supervisors): the audit log, newest first,
// filtered by staff member, case, action and time.
func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	q, err := s.apiParseAuditQuery(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiPage[apiAuditEntry]{Items: []apiAuditEntry{}, Page: q.page, PerPage: q.perPage}
	if q.filter.UnitIDs, err = s.auditScope(r.Context()); err != nil {
		s.apiError(w, r, err)
		return
	}
	if !q.matchesNone {
		entries, total, err := s.cfg.Store.FindAudit(r.Context(), q.filter)
		if err == nil {
			out.Total = total
			out.Items, err = s.apiAuditJSON(r, entries)
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// apiParseAuditQuery parses the query string.
func (s *Server) apiParseAuditQuery(r *http.Request) (apiAuditQuery, error) {
	v := r.URL.Query()
	var q apiAuditQuery
	if err := apiOnlyParams(v, apiAuditParams); err != nil {
		return q, err
	}
	var err error
	if q.page, q.perPage, err = pageParams(v.Get("page"), v.Get("per_page"), apiPerPage, apiMaxPerPage); err != nil {
		return q, err
	}
	f := &q.filter
	f.Offset, f.Limit = (q.page-1)*q.perPage, q.perPage
	if a := strings.TrimSpace(v.Get("action")); a != "" {
		f.Action = &a
	}
	if f.StaffID, err = apiOptionalID("staff_id", v.Get("staff_id")); err != nil {
		return q, err
	}
	if f.Since, err = apiAuditTime("since", v.Get("since"), false); err != nil {
		return q, err
	}
	if f.Until, err = apiAuditTime("until", v.Get("until"), true); err != nil {
		return q, err
	}
	q.matchesNone, err = s.apiAuditCase(r, v.Get("case"), f)
	return q, err
}

// apiAuditCase sets the case filter from a case number; an unknown number matches
// nothing (an empty page, not an error).
func (s *Server) apiAuditCase(r *http.Request, number string, f *storage.AuditFilter) (none bool, err error) {
	if number == "" {
		return false, nil
	}
	c, err := s.apiFindCase(r, number)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		return true, nil
	case err != nil:
		return false, err
	}
	f.CaseID = &c.ID
	return false, nil
}

// apiOptionalID parses an optional positive id parameter.
func apiOptionalID(name, v string) (*int64, error) {
	if v == "" {
		return nil, nil
	}
	id, err := parseID(name, v)
	return &id, err
}

// apiAuditTime reads an RFC 3339 time or a date (China time). A date as until
// means the end of that day, so "since=2026-03-01&until=2026-03-31" is all March.
func apiAuditTime(name, v string, endOfDay bool) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, chinaTime)
	if err != nil {
		return nil, storage.Errorf(storage.EINVALID, "%s 应为日期（2026-03-01）或 RFC 3339 时间：%q", name, v)
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return &d, nil
}

// apiAuditJSON converts entries, naming staff members and cases.
func (s *Server) apiAuditJSON(r *http.Request, entries []*storage.AuditEntry) ([]apiAuditEntry, error) {
	names, err := s.apiStaffNames(r)
	if err != nil {
		return nil, err
	}
	numbers, err := s.apiCaseNumbers(r, entries)
	if err != nil {
		return nil, err
	}
	out := make([]apiAuditEntry, 0, len(entries))
	for _, e := range entries {
		out = append(out, apiAuditEntry{
			ID: e.ID, StaffID: e.StaffID, StaffName: names[e.StaffID], Action: e.Action,
			CaseID: e.CaseID, CaseNumber: numbers[e.CaseID], Detail: e.Detail, IP: e.IP, CreatedAt: e.CreatedAt,
		})
	}
	return out, nil
}

// apiCaseNumbers looks up the numbers of the cases the entries name (a page holds at
// most apiMaxPerPage entries, usually about a few cases).
func (s *Server) apiCaseNumbers(r *http.Request, entries []*storage.AuditEntry) (map[int64]string, error) {
	numbers := map[int64]string{}
	for _, e := range entries {
		if _, done := numbers[e.CaseID]; done || e.CaseID == 0 {
			continue
		}
		id := e.CaseID
		numbers[id] = ""
		cases, _, err := s.cfg.Store.FindCases(r.Context(), storage.CaseFilter{ID: &id, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(cases) == 1 {
			numbers[id] = cases[0].Number
		}
	}
	return numbers, nil
}
