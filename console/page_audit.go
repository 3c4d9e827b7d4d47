package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditQuery is the audit log's filter form: staff (id), case (number), action,
// from and to (dates, China time, inclusive) and page.
type auditQuery struct {
	Staff, Case, Action, From, To string
	Page                          int
}

// showAudit renders one page of the audit log: who did what to which case, when.
func (s *Server) showAudit(w http.ResponseWriter, r *http.Request) {
	aq := parseAuditQuery(r.URL.Query())
	staff, err := s.loadStaff(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := auditView{
		Staff: staffFilterOptions(staff, aq.Staff), Actions: auditActionOptions(aq.Action),
		Case: aq.Case, From: aq.From, To: aq.To,
	}
	f, found, err := s.auditFilter(r, aq)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	total := 0
	if found {
		if v.Rows, total, err = s.auditRows(r.Context(), f, staff); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	v.Pager = newPager("/console/audit", aq.values(), aq.Page, auditPageSize, total)
	s.render(w, r, http.StatusOK, "audit.html", "审计日志", v)
}

// parseAuditQuery reads the filter form; dates that do not parse are dropped.
func parseAuditQuery(q url.Values) auditQuery {
	aq := auditQuery{Staff: q.Get("staff"), Case: strings.TrimSpace(q.Get("case")), Action: q.Get("action"),
		Page: pageNumber(q)}
	if _, ok := parseDay(q.Get("from")); ok {
		aq.From = q.Get("from")
	}
	if _, ok := parseDay(q.Get("to")); ok {
		aq.To = q.Get("to")
	}
	return aq
}

// auditFilter builds the store's filter. found is false when the form names a
// case that does not exist: then nothing matches.
func (s *Server) auditFilter(r *http.Request, aq auditQuery) (f storage.AuditFilter, found bool, err error) {
	f = storage.AuditFilter{Offset: (aq.Page - 1) * auditPageSize, Limit: auditPageSize}
	if f.UnitIDs, err = s.auditScope(r.Context()); err != nil {
		return f, false, err
	}
	if id, err := strconv.ParseInt(aq.Staff, 10, 64); err == nil && id > 0 {
		f.StaffID = &id
	}
	if aq.Action != "" {
		f.Action = &aq.Action
	}
	if day, ok := parseDay(aq.From); ok {
		f.Since = &day
	}
	if day, ok := parseDay(aq.To); ok {
		end := day.AddDate(0, 0, 1).Add(-time.Microsecond)
		f.Until = &end
	}
	if aq.Case == "" {
		return f, true, nil
	}
	c, err := s.findCasePage(r, aq.Case)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return f, false, nil
	} else if err != nil {
		return f, false, err
	}
	f.CaseID = &c.ID
	return f, true, nil
}

// auditScope is the audit filter's units: the signed-in staff member's (nil
// for the root's staff, who see the whole log). A district's supervisor sees
// the entries by their units' staff about their units' cases (or no case), not
// another district's.
func (s *Server) auditScope(ctx context.Context) ([]int64, error) {
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	return sc.unitIDs(), nil
}

// auditRows reads one page and names the staff and cases of its entries.
func (s *Server) auditRows(ctx context.Context, f storage.AuditFilter, staff *staffDirectory) ([]auditRow, int, error) {
	entries, total, err := s.cfg.Store.FindAudit(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	numbers := map[int64]string{}
	rows := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		number, err := s.caseNumber(ctx, e.CaseID, numbers)
		if err != nil {
			return nil, 0, err
		}
		rows = append(rows, auditRow{At: e.CreatedAt, Staff: staff.name(e.StaffID), Action: auditActionLabel(e.Action),
			CaseID: e.CaseID, CaseNumber: number, Detail: e.Detail, IP: e.IP})
	}
	return rows, total, nil
}

// caseNumber returns the number of case id ("" for 0 or an unknown case),
// remembering it in seen: a page of the log usually names few cases.
func (s *Server) caseNumber(ctx context.Context, id int64, seen map[int64]string) (string, error) {
	if id == 0 {
		return "", nil
	}
	if n, ok := seen[id]; ok {
		return n, nil
	}
	cases, _, err := s.cfg.Store.FindCases(ctx, storage.CaseFilter{ID: &id, Limit: 1})
	if err != nil {
		return "", err
	}
	n := ""
	if len(cases) == 1 {
		n = cases[0].Number
	}
	seen[id] = n
	return n, nil
}

// values is the form again, without empty fields, for the pagination links.
func (aq auditQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"staff": aq.Staff, "case": aq.Case, "action": aq.Action, "from": aq.From, "to": aq.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// parseDay reads a "2006-01-02" date as the start of that day in China.
func parseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", s, chinaTime)
	return t, err == nil
}

// staffFilterOptions offers every account, disabled ones too (they acted once).
func staffFilterOptions(staff *staffDirectory, selected string) []option {
	out := make([]option, 0, len(staff.list))
	for _, st := range staff.list {
		v := strconv.FormatInt(st.ID, 10)
		out = append(out, option{Value: v, Label: st.Name + "（" + st.Username + "）", Selected: v == selected})
	}
	return out
}
