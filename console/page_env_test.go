package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// The page tests drive the real console, HTML and all, on a migrated SQLite store,
// with sessions in memory: a test signs a staff member in by creating a session
// and sending its cookie, as the browser would after the login page.

// pageSessions is the in-memory session store the API tests use too.
type pageSessions = apiMemSessions

// pageEnv is a console on a fresh store with two mediators and a supervisor.
type pageEnv struct {
	t          *testing.T
	db         *sqlstore.DB
	sessions   *pageSessions
	handler    http.Handler
	mediator   *storage.Staff
	mediator2  *storage.Staff
	supervisor *storage.Staff
	n          int
	// jump sets the store's and the console's clock (it then moves on a second
	// per reading from there).
	jump func(to time.Time)
	skip chan time.Duration // advance's jumps of the clock
}

// newPageEnv builds the console on SQLite. The store's clock moves a second
// per reading, so events have distinct, ordered times.
func newPageEnv(t *testing.T) *pageEnv {
	t.Helper()
	return newPageEnvOn(t, testenv.SQLite(t, sqlstore.Open))
}

// newPageEnvOn builds the console as newPageEnv does, on the given store.
func newPageEnvOn(t *testing.T, db *sqlstore.DB) *pageEnv {
	t.Helper()
	e := &pageEnv{t: t, db: db, sessions: &pageSessions{}, skip: make(chan time.Duration, 1)}
	var mu sync.Mutex
	clock := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		select {
		case d := <-e.skip:
			clock = clock.Add(d)
		default:
		}
		clock = clock.Add(time.Second)
		return clock
	}
	e.jump = func(to time.Time) {
		mu.Lock()
		defer mu.Unlock()
		clock = to
	}
	e.mediator = e.staff("med1", "调解员甲", storage.RoleMediator)
	e.mediator2 = e.staff("med2", "调解员乙", storage.RoleMediator)
	e.supervisor = e.staff("boss", "主管丙", storage.RoleSupervisor)
	srv, err := console.New(console.Config{
		Store: e.db, Sessions: e.sessions, OrgName: "某市消委会", CasePrefix: "TS", Now: e.db.Now,
		PhoneSearches: testPhoneSearches(t),
	})
	if err != nil {
		t.Fatalf("console.New: %v", err)
	}
	e.handler = srv
	return e
}

func (e *pageEnv) staff(username, name string, role storage.Role) *storage.Staff {
	e.t.Helper()
	st, err := e.db.CreateStaff(context.Background(), storage.NewStaff{Username: username, Name: name, Role: role, PasswordHash: "x"})
	if err != nil {
		e.t.Fatalf("create staff %s: %v", username, err)
	}
	return st
}

// newCase files a case as the intake dialog does; edit changes its fields.
func (e *pageEnv) newCase(edit func(nc *storage.NewCase)) *storage.Case {
	e.t.Helper()
	e.n++
	nc := storage.NewCase{
		OpenID: fmt.Sprintf("openid-%d", e.n), IntakeKey: fmt.Sprintf("intake-%d", e.n),
		Category: "家用电子电器", MerchantName: fmt.Sprintf("商家%02d电器店", e.n), MerchantAddress: "人民路1号",
		PurchaseDate: "2026-02-01", AmountFen: 399950, Description: "空调不制冷，商家拒绝维修。",
		Demand: "退款", ComplainantName: "张三", Phone: fmt.Sprintf("139%08d", 20000000+e.n),
	}
	if edit != nil {
		edit(&nc)
	}
	c, err := e.db.CreateCase(context.Background(), "TS", nc)
	if err != nil {
		e.t.Fatalf("create case: %v", err)
	}
	return c
}

// move changes a case's status in the store (set-up, not under test).
// 调解成功 and 终止调解 are reached by closing the case (结案): an agreement without
// money, or a termination on the ground reason.
func (e *pageEnv) move(c *storage.Case, to storage.Status, reason string) {
	e.t.Helper()
	var err error
	switch to {
	case storage.StatusResolved:
		e.close(c, storage.Closing{Outcome: storage.OutcomeAgreement, Note: reason})
	case storage.StatusTerminated:
		e.close(c, storage.Closing{Outcome: storage.OutcomeTerminated, Reason: reason})
	default:
		if to == storage.StatusReferred && storage.ReferralTargetOf(reason) == storage.ArbitrationTarget {
			consentToArbitration(e.t, e.db, c, e.supervisor.Actor())
		}
		ch := storage.StatusChange{CaseID: c.ID, To: to, Actor: e.supervisor.Actor(), Reason: reason}
		_, err = e.db.ChangeStatus(context.Background(), ch)
	}
	if err != nil {
		e.t.Fatalf("move %s to %s: %v", c.Number, to, err)
	}
}

// advance moves the clock d ahead at its next reading.
func (e *pageEnv) advance(d time.Duration) { e.skip <- d }

// close closes the case with cl's outcome, as the supervisor.
func (e *pageEnv) close(c *storage.Case, cl storage.Closing) {
	e.t.Helper()
	cl.CaseID, cl.Actor = c.ID, e.supervisor.Actor()
	if _, err := e.db.CloseCase(context.Background(), cl); err != nil {
		e.t.Fatalf("close %s: %v", c.Number, err)
	}
}

// consumerSays adds a consumer message to the case's timeline.
func (e *pageEnv) consumerSays(c *storage.Case, text string) *storage.Event {
	e.t.Helper()
	ev, err := e.db.AddEvent(context.Background(), storage.NewEvent{
		CaseID: c.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer, Body: text,
	})
	if err != nil {
		e.t.Fatalf("consumer message: %v", err)
	}
	return ev
}

// reload reads a case again.
func (e *pageEnv) reload(c *storage.Case) *storage.Case {
	e.t.Helper()
	got, err := e.db.FindCaseByNumber(context.Background(), c.Number)
	if err != nil {
		e.t.Fatalf("reload %s: %v", c.Number, err)
	}
	return got
}

// pageUser is a signed-in browser (or, with no session, an anonymous one).
type pageUser struct {
	e       *pageEnv
	session *storage.Session
}

// as signs st in.
func (e *pageEnv) as(st *storage.Staff) *pageUser {
	e.t.Helper()
	se, err := e.sessions.CreateSession(context.Background(), st.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return &pageUser{e: e, session: se}
}

// anonymous is a browser nobody signed in with.
func (e *pageEnv) anonymous() *pageUser { return &pageUser{e: e} }

// pageResponse is a recorded answer.
type pageResponse struct {
	t      *testing.T
	status int
	header http.Header
	body   string
}

// get fetches a page.
func (u *pageUser) get(path string) *pageResponse {
	return u.send(httptest.NewRequest(http.MethodGet, path, nil))
}

// post submits a form with the session's CSRF token.
func (u *pageUser) post(path string, form url.Values) *pageResponse {
	form = pageCloneForm(form)
	if u.session != nil {
		form.Set("csrf", u.session.CSRFToken)
	}
	return u.postRaw(path, form)
}

// postRaw submits a form as it is (without adding the CSRF token).
func (u *pageUser) postRaw(path string, form url.Values) *pageResponse {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.send(req)
}

func (u *pageUser) send(req *http.Request) *pageResponse {
	if u.session != nil {
		req.AddCookie(&http.Cookie{Name: "cb_session", Value: u.session.ID})
	}
	rec := httptest.NewRecorder()
	u.e.handler.ServeHTTP(rec, req)
	return &pageResponse{t: u.e.t, status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}

func pageCloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// want checks the status code.
func (r *pageResponse) want(status int) *pageResponse {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("status %d, want %d; body:\n%s", r.status, status, r.body)
	}
	return r
}

// redirected checks a 303 to a path starting with prefix.
func (r *pageResponse) redirected(prefix string) *pageResponse {
	r.t.Helper()
	r.want(http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, prefix) {
		r.t.Fatalf("Location %q, want prefix %q", loc, prefix)
	}
	return r
}

// contains checks that each string is in the body.
func (r *pageResponse) contains(want ...string) *pageResponse {
	r.t.Helper()
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			r.t.Errorf("body lacks %q", w)
		}
	}
	return r
}

// lacks checks that no string is in the body.
func (r *pageResponse) lacks(unwanted ...string) *pageResponse {
	r.t.Helper()
	for _, w := range unwanted {
		if strings.Contains(r.body, w) {
			r.t.Errorf("body holds %q", w)
		}
	}
	return r
}

// pageForm builds url.Values from pairs.
func pageForm(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// pageCasePath is the page of a case, plus a suffix.
func pageCasePath(c *storage.Case, suffix string) string {
	return "/console/cases/" + c.Number + suffix
}

func pageQ(s string) string { return url.QueryEscape(s) }

func pageItoa(n int64) string { return strconv.FormatInt(n, 10) }
