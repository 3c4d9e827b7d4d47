package console

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// A search by a whole phone number answers "whose number is this, and what did
// they complain about". Lists mask the middle digits of a phone, so an unlimited,
// unaudited search let anyone recover a masked number by trying the 10,000
// possible middles (the attack test did it in 21 seconds). The queue page and the
// API list both search through findCases, which treats such a search as a reveal:
// it is rate-limited per staff member in Redis (shared by every instance) and
// audited like the reveal button, naming each case it showed, never the number.

// phoneSearchLimited is the refusal of a whole-phone search over the staff
// member's hourly limit; wait is how long until the window ends.
type phoneSearchLimited struct {
	wait time.Duration
}

func (e *phoneSearchLimited) Error() string { return "phone search rate limit reached" }

// message tells staff, in Chinese, why and for how long.
func (e *phoneSearchLimited) message() string {
	minutes := max(int((e.wait+time.Minute-1)/time.Minute), 1)
	return fmt.Sprintf("按完整手机号搜索的次数已达上限（每人每小时有限额，以防手机号被逐个试出），请 %d 分钟后再试。"+
		"按案件编号或商家名称搜索不受此限。", minutes)
}

// retryAfter is the Retry-After header's value, in whole seconds.
func (e *phoneSearchLimited) retryAfter() string {
	return strconv.Itoa(int(e.wait.Seconds()) + 1)
}

// findCases is how the queue page, its download and the API find cases: within
// the staff member's scope (unitScope) always. f.UnitIDs, when the caller sets
// it (the queue's 单位 filter), names units whose subtrees are asked for; what
// lies outside the scope is dropped. A search by a whole
// phone number first takes one use of the staff member's hourly allowance
// (*phoneSearchLimited when none is left), and its result is shown only once it is
// audited. via names the edge ("控制台", "API") for the audit entry.
func (s *Server) findCases(r *http.Request, f storage.CaseFilter, via string) ([]*storage.Case, int, error) {
	var cases []*storage.Case
	var total int
	err := s.findGuarded(r, f, via, func(f storage.CaseFilter) ([]*storage.Case, int, error) {
		var err error
		cases, total, err = s.cfg.Store.FindCases(r.Context(), f)
		return cases, total, err
	})
	if err != nil {
		return nil, 0, err
	}
	return cases, total, nil
}

// findQueuePage is findCases for the queue's keyset pages (storage.CaseQueueStore):
// the same scope, and the same allowance and audit for a whole-phone search. A
// search's count stops at searchCountCap rather than at the caller's cap.
func (s *Server) findQueuePage(
	r *http.Request, f storage.CaseFilter, at storage.CasePageAt, via string,
) (*storage.CasePage, error) {
	var page *storage.CasePage
	if f.Search != "" && at.CountCap > searchCountCap {
		at.CountCap = searchCountCap
	}
	err := s.findGuarded(r, f, via, func(f storage.CaseFilter) ([]*storage.Case, int, error) {
		var err error
		if page, err = s.cfg.Store.FindCasePage(r.Context(), f, at); err != nil {
			return nil, 0, err
		}
		return page.Cases, page.Total, nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// findGuarded runs find on f restricted to the staff member's scope; a search
// by a whole phone number first takes one use of the hourly allowance, and
// succeeds only once what find returned is audited.
func (s *Server) findGuarded(r *http.Request, f storage.CaseFilter, via string,
	find func(storage.CaseFilter) ([]*storage.Case, int, error),
) error {
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		return err
	}
	f.UnitIDs = sc.restrict(f.UnitIDs) // the staff member's units only, whatever else the filter says
	_, phone := storage.WholePhone(f.Search)
	if phone {
		if err := s.takePhoneSearch(r); err != nil {
			return err
		}
	}
	cases, total, err := find(f)
	if err != nil || !phone {
		return err
	}
	return s.auditPhoneSearch(r, via, cases, total)
}

// takePhoneSearch counts one whole-phone search against the signed-in staff
// member's allowance. Without a limiter, or with one that cannot be asked, the
// search is refused: failing open would reopen the oracle.
func (s *Server) takePhoneSearch(r *http.Request) error {
	if s.cfg.PhoneSearches == nil {
		return storage.Errorf(storage.EUNAVAILABLE, "phone search limiter not configured")
	}
	key := "staff:" + strconv.FormatInt(staffFrom(r.Context()).ID, 10)
	ok, wait, err := s.cfg.PhoneSearches.Take(r.Context(), key)
	switch {
	case err != nil:
		return err
	case !ok:
		return &phoneSearchLimited{wait: wait}
	}
	return nil
}

// auditPhoneSearch records the search before its result is shown: one entry per
// case on the page, so each case's audit trail shows who found it by phone, or
// one entry without a case when nothing matched (a miss also tells the searcher
// something: that the number has no complaint). The detail holds the edge and the
// number of matches, never the phone number.
func (s *Server) auditPhoneSearch(r *http.Request, via string, cases []*storage.Case, total int) error {
	e := storage.AuditEntry{StaffID: staffFrom(r.Context()).ID, Action: storage.AuditPhoneSearch,
		Detail: fmt.Sprintf("%s按完整手机号搜索，共命中 %d 件", via, total), IP: s.auth.ClientIP(r), CreatedAt: s.cfg.Now()}
	if len(cases) == 0 {
		return s.cfg.Store.AddAudit(r.Context(), e)
	}
	for _, c := range cases {
		e.CaseID = c.ID
		if err := s.cfg.Store.AddAudit(r.Context(), e); err != nil {
			return err
		}
	}
	return nil
}

// pageSearchError answers a failed queue search: 429 with the reason on the page
// when the allowance is used up, else as any store error.
func (s *Server) pageSearchError(w http.ResponseWriter, r *http.Request, err error) {
	var limited *phoneSearchLimited
	if !errors.As(err, &limited) {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Retry-After", limited.retryAfter())
	s.renderError(w, r, http.StatusTooManyRequests, limited.message())
}

// apiSearchError answers a failed API search: 429 too_many_requests when the
// allowance is used up, else as any store error.
func (s *Server) apiSearchError(w http.ResponseWriter, r *http.Request, err error) {
	var limited *phoneSearchLimited
	if !errors.As(err, &limited) {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Retry-After", limited.retryAfter())
	writeJSONError(w, http.StatusTooManyRequests, "too_many_requests", limited.message())
}
