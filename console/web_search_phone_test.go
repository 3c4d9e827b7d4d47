package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// phoneSearchAudit returns the phone-search audit entries of st, oldest first.
func (e *apiEnv) phoneSearchAudit(st *storage.Staff) []*storage.AuditEntry {
	e.t.Helper()
	action := storage.AuditPhoneSearch
	entries, _, err := e.db.FindAudit(context.Background(), storage.AuditFilter{StaffID: &st.ID, Action: &action, Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.Reverse(entries)
	return entries
}

// wantAuditedCases checks the entries' cases and that none holds the number.
func wantAuditedCases(t *testing.T, entries []*storage.AuditEntry, phone string, via string, ids ...int64) {
	t.Helper()
	var got []int64
	for _, a := range entries {
		got = append(got, a.CaseID)
		if strings.Contains(a.Detail, phone) || strings.Contains(a.Detail, phone[3:]) || !strings.Contains(a.Detail, via) {
			t.Fatalf("audit detail %q: want the edge %q and never the number", a.Detail, via)
		}
	}
	slices.Sort(got)
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		t.Fatalf("audited cases %v, want %v", got, ids)
	}
}

// A search by a whole phone number is audited like a reveal: who, and each case
// it showed (or none), never the number. Other searches are not.
func TestPhoneSearchIsAudited(t *testing.T) {
	e := newAPIEnv(t)
	c1, c2, other := e.newCase(1), e.newCase(1), e.newCase(2) // c1 and c2: the same consumer's phone
	var list apiListOut
	spaced := c1.Phone[:3] + " " + c1.Phone[3:7] + "-" + c1.Phone[7:]
	e.do("GET", "/api/v1/cases?q="+url.QueryEscape(spaced), e.as(e.mediator), "").ok(t, http.StatusOK, &list)
	if list.Total != 2 {
		t.Fatalf("search by %s found %d cases, want 2", spaced, list.Total)
	}
	wantAuditedCases(t, e.phoneSearchAudit(e.mediator), c1.Phone, "API", c1.ID, c2.ID)

	page := e.sessionOf(e.mediator2, false)
	if res := e.do("GET", "/console/cases?q="+other.Phone, page, ""); res.status != http.StatusOK || !strings.Contains(string(res.body), other.Number) {
		t.Fatalf("page search: %d", res.status)
	}
	wantAuditedCases(t, e.phoneSearchAudit(e.mediator2), other.Phone, "控制台", other.ID)

	e.do("GET", "/api/v1/cases?q=13999999999", e.as(e.supervisor), "").ok(t, http.StatusOK, &list)
	wantAuditedCases(t, e.phoneSearchAudit(e.supervisor), "13999999999", "API", 0) // a miss tells something too

	e.do("GET", "/api/v1/cases?q="+url.QueryEscape("商家01")+"&per_page=100", e.as(e.supervisor), "").ok(t, http.StatusOK, &list)
	e.do("GET", "/api/v1/cases?q="+c1.Phone[3:], e.as(e.supervisor), "").ok(t, http.StatusOK, &list)
	if n := len(e.phoneSearchAudit(e.supervisor)); n != 1 {
		t.Fatalf("%d phone-search entries after a merchant and a partial search, want still 1", n)
	}
}

// Each staff member has 20 whole-phone searches an hour, counted across the
// console and the API (one code path); the 21st is refused with 429 and a
// reason, in the language of each, and is neither run nor audited.
func TestPhoneSearchIsLimitedPerStaffMember(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	api, page := e.as(e.mediator), e.sessionOf(e.mediator, false)
	for i := range 20 {
		auth, path := api, "/api/v1/cases?q="+c.Phone
		if i%2 == 1 {
			auth, path = page, "/console/cases?q="+c.Phone
		}
		if res := e.do("GET", path, auth, ""); res.status != http.StatusOK {
			t.Fatalf("search %d (%s): %d", i+1, path, res.status)
		}
	}
	res := e.do("GET", "/console/cases?q="+c.Phone, page, "")
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" ||
		!strings.Contains(string(res.body), "按完整手机号搜索的次数已达上限") || strings.Contains(string(res.body), c.Number) {
		t.Fatalf("21st search on the page: %d, Retry-After %q", res.status, res.header.Get("Retry-After"))
	}
	res = e.do("GET", "/api/v1/cases?q="+c.Phone, api, "")
	res.fails(t, http.StatusTooManyRequests, "too_many_requests")
	if strings.Contains(string(res.body), c.Number) || res.header.Get("Retry-After") == "" {
		t.Fatalf("the refused API search answered %s", res.body)
	}
	if n := len(e.phoneSearchAudit(e.mediator)); n != 20 {
		t.Fatalf("%d audited searches, want the 20 that ran", n)
	}
	var list apiListOut
	e.do("GET", "/api/v1/cases?q="+c.Number, api, "").ok(t, http.StatusOK, &list) // other searches go on
	e.do("GET", "/api/v1/cases?q="+c.Phone, e.as(e.mediator2), "").ok(t, http.StatusOK, &list)
	if list.Total != 1 {
		t.Fatalf("another staff member's search found %d cases, want 1", list.Total)
	}
}

// Without a limiter a whole-phone search is refused (503), not run unlimited;
// other searches work.
func TestPhoneSearchWithoutLimiterFailsClosed(t *testing.T) {
	e := newTextEnv(t, testenv.SQLite(t, sqlstore.Open)) // built without PhoneSearches
	if rec := e.send(textVector{method: "GET", path: "/api/v1/cases?q=13900001111"}); rec.Code != http.StatusServiceUnavailable ||
		strings.Contains(rec.Body.String(), e.c.Number) {
		t.Fatalf("phone search without a limiter: %d %s", rec.Code, rec.Body)
	}
	if rec := e.send(textVector{method: "GET", path: "/api/v1/cases?q=" + e.c.Number}); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), e.c.Number) {
		t.Fatalf("number search without a limiter: %d", rec.Code)
	}
}

// auditDown is a store whose audit log cannot be written.
type auditDown struct{ *sqlstore.DB }

func (auditDown) AddAudit(context.Context, storage.AuditEntry) error {
	return storage.Errorf(storage.EUNAVAILABLE, "audit log down")
}

// A whole-phone search whose audit entry cannot be written shows nothing, like
// the reveal button: the number's owner must never be shown unaudited.
func TestPhoneSearchIsNotShownUnaudited(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	srv, err := console.New(console.Config{Store: auditDown{e.db}, Sessions: e.sessions, CasePrefix: "TS",
		PhoneSearches: testPhoneSearches(t)})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	res := e.do("GET", "/api/v1/cases?q="+c.Phone, e.as(e.mediator), "")
	res.fails(t, http.StatusServiceUnavailable, storage.EUNAVAILABLE)
	if strings.Contains(string(res.body), c.Number) {
		t.Fatalf("the search answered unaudited: %s", res.body)
	}
	var list apiListOut
	e.do("GET", "/api/v1/cases?q="+c.Number, e.as(e.mediator), "").ok(t, http.StatusOK, &list) // needs no audit
	if list.Total != 1 {
		t.Fatalf("number search found %d cases, want 1", list.Total)
	}
}
