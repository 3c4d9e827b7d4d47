package console_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/redisstore"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// The API tests run the real console on a migrated SQLite store, with sessions in
// memory (the Redis session store is tested on its own) and API tokens created in
// the store exactly as the token page creates them.

// apiMemSessions is an in-memory storage.SessionStore.
type apiMemSessions struct {
	mu       sync.Mutex
	sessions map[string]*storage.Session
}

// CreateSession starts a session with random ID and CSRF token.
func (m *apiMemSessions) CreateSession(_ context.Context, staffID int64) (*storage.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	se := &storage.Session{ID: apiRandom(), StaffID: staffID, CSRFToken: apiRandom(), CreatedAt: time.Now()}
	if m.sessions == nil {
		m.sessions = map[string]*storage.Session{}
	}
	m.sessions[se.ID] = se
	return se, nil
}

// FindSession returns a copy of a live session, ENOTFOUND if none.
func (m *apiMemSessions) FindSession(_ context.Context, id string) (*storage.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	se, ok := m.sessions[id]
	if !ok {
		return nil, storage.Errorf(storage.ENOTFOUND, "no session")
	}
	copied := *se
	return &copied, nil
}

// PeekSession is FindSession: in-memory sessions do not expire.
func (m *apiMemSessions) PeekSession(ctx context.Context, id string) (*storage.Session, error) {
	return m.FindSession(ctx, id)
}

// DeleteSession ends one session.
func (m *apiMemSessions) DeleteSession(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, id)
	return nil
}

// DeleteStaffSessions ends all of a staff member's sessions.
func (m *apiMemSessions) DeleteStaffSessions(_ context.Context, staffID int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, se := range m.sessions {
		if se.StaffID == staffID {
			delete(m.sessions, id)
		}
	}
	return nil
}

// apiRandom returns 256 random bits in hex.
func apiRandom() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// apiEnv is a console with a store, three staff members and a token for each.
type apiEnv struct {
	t          *testing.T
	db         *sqlstore.DB
	sessions   *apiMemSessions
	handler    http.Handler
	clock      time.Time
	mediator   *storage.Staff // 调解员甲
	mediator2  *storage.Staff // 调解员乙
	supervisor *storage.Staff
	tokens     map[int64]string // staff id → API token
	cases      int
}

// apiOpenStore opens the store of each new apiEnv: SQLite, or PostgreSQL while
// TestAPIOnPostgres runs (the tests do not run in parallel).
var apiOpenStore = func(t *testing.T) *sqlstore.DB { return testenv.SQLite(t, sqlstore.Open) }

// newAPIEnv builds the console on a fresh store. The store's clock moves one second
// per reading, so cases and events have distinct, ordered times.
func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	e := &apiEnv{t: t, db: apiOpenStore(t), sessions: &apiMemSessions{}, tokens: map[int64]string{},
		clock: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	e.db.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		e.clock = e.clock.Add(time.Second)
		return e.clock
	}
	e.mediator = e.staff("med1", "调解员甲", storage.RoleMediator)
	e.mediator2 = e.staff("med2", "调解员乙", storage.RoleMediator)
	e.supervisor = e.staff("boss", "主管丙", storage.RoleSupervisor)
	srv, err := console.New(console.Config{
		Store: e.db, Sessions: e.sessions, OrgName: "某市消费者委员会", CasePrefix: "TS",
		PhoneSearches: testPhoneSearches(t),
	})
	if err != nil {
		t.Fatalf("console.New: %v", err)
	}
	e.handler = srv
	return e
}

// staff creates an account with an API token.
func (e *apiEnv) staff(username, name string, role storage.Role) *storage.Staff {
	e.t.Helper()
	ctx := context.Background()
	st, err := e.db.CreateStaff(ctx, storage.NewStaff{Username: username, Name: name, Role: role, PasswordHash: "x"})
	if err != nil {
		e.t.Fatalf("create staff %s: %v", username, err)
	}
	token := apiRandom()
	if _, err := e.db.CreateAPIToken(ctx, st.ID, "test", console.HashToken(token)); err != nil {
		e.t.Fatalf("create token: %v", err)
	}
	e.tokens[st.ID] = token
	return st
}

// newCase files a case as the intake dialog would; i varies the merchant, the
// phone's last digits and the consumer.
func (e *apiEnv) newCase(i int) *storage.Case {
	e.t.Helper()
	e.cases++
	c, err := e.db.CreateCase(context.Background(), "TS", storage.NewCase{
		OpenID: fmt.Sprintf("openid-%d", i), IntakeKey: fmt.Sprintf("intake-%d-%d", i, e.cases),
		Category: "家用电子电器", MerchantName: fmt.Sprintf("商家%02d电器店", i), MerchantAddress: "人民路1号",
		PurchaseDate: "2026-02-01", AmountFen: 399950, Description: "空调不制冷，商家拒绝维修。",
		Demand: "退款", ComplainantName: "张三", Phone: fmt.Sprintf("138%08d", 10005678+i),
	})
	if err != nil {
		e.t.Fatalf("create case: %v", err)
	}
	return c
}

// move changes a case's status directly in the store (test set-up).
// 调解成功 is reached by closing the case with an agreement without money (结案).
func (e *apiEnv) move(c *storage.Case, to storage.Status, reason string) {
	e.t.Helper()
	var err error
	if to == storage.StatusResolved {
		_, err = e.db.CloseCase(context.Background(), storage.Closing{
			CaseID: c.ID, Outcome: storage.OutcomeAgreement, Note: reason, Actor: e.supervisor.Actor()})
	} else {
		if to == storage.StatusReferred && storage.ReferralTargetOf(reason) == storage.ArbitrationTarget {
			consentToArbitration(e.t, e.db, c, e.supervisor.Actor())
		}
		_, err = e.db.ChangeStatus(context.Background(), storage.StatusChange{
			CaseID: c.ID, To: to, Actor: e.supervisor.Actor(), Reason: reason,
		})
	}
	if err != nil {
		e.t.Fatalf("move %s to %s: %v", c.Number, to, err)
	}
}

// apiAuth says how a request identifies its caller.
type apiAuth struct {
	token   string
	session *storage.Session
	csrf    bool   // send the session's CSRF token
	origin  string // Origin header, if any
	ctype   string // Content-Type; "" means application/json when there is a body, "-" none
}

func (e *apiEnv) as(st *storage.Staff) apiAuth { return apiAuth{token: e.tokens[st.ID]} }

// sessionOf signs st in (a session in the store the console reads).
func (e *apiEnv) sessionOf(st *storage.Staff, csrf bool) apiAuth {
	se, err := e.sessions.CreateSession(context.Background(), st.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return apiAuth{session: se, csrf: csrf}
}

var apiAnonymous = apiAuth{}

// apiResponse is a recorded answer.
type apiResponse struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request through the console.
func (e *apiEnv) do(method, path string, auth apiAuth, body string) *apiResponse {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	switch {
	case auth.ctype == "-":
	case auth.ctype != "":
		req.Header.Set("Content-Type", auth.ctype)
	case body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	if auth.token != "" {
		req.Header.Set("Authorization", "Bearer "+auth.token)
	}
	if auth.session != nil {
		req.AddCookie(&http.Cookie{Name: "cb_session", Value: auth.session.ID})
		if auth.csrf {
			req.Header.Set("X-CSRF-Token", auth.session.CSRFToken)
		}
	}
	if auth.origin != "" {
		req.Header.Set("Origin", auth.origin)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return &apiResponse{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// ok checks the status and decodes the body into v (if not nil).
func (r *apiResponse) ok(t *testing.T, status int, v any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON", ct)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// fails checks a JSON error's status and code.
func (r *apiResponse) fails(t *testing.T, status int, code string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	r.ok(t, status, &body)
	if body.Error.Code != code || body.Error.Message == "" {
		t.Fatalf("error %+v, want code %q with a message", body.Error, code)
	}
}

// The JSON shapes as a client reads them.
type (
	apiCaseOut struct {
		ID            int64  `json:"id"`
		Number        string `json:"number"`
		Status        string `json:"status"`
		StatusLabel   string `json:"status_label"`
		MerchantName  string `json:"merchant_name"`
		AmountYuan    string `json:"amount_yuan"`
		AmountFen     int64  `json:"amount_fen"`
		PhoneMasked   string `json:"phone_masked"`
		Unread        bool   `json:"unread"`
		Outcome       string `json:"outcome"`
		RecoveredYuan string `json:"recovered_yuan"`
		RecoveredFen  int64  `json:"recovered_fen"`
		DoubleComp    bool   `json:"double_compensation"`
		Assignee      *struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"assignee"`
	}
	apiEventOut struct {
		ID        int64  `json:"id"`
		Kind      string `json:"kind"`
		Actor     string `json:"actor"`
		ActorName string `json:"actor_name"`
		Body      string `json:"body"`
		Delivery  string `json:"delivery"`
	}
	apiDetailOut struct {
		apiCaseOut
		CanReopen    bool `json:"can_reopen"`
		NextStatuses []struct {
			Status string `json:"status"`
		} `json:"next_statuses"`
		Timeline           []apiEventOut                   `json:"timeline"`
		CloseOutcomes      []struct{ Value, Label string } `json:"close_outcomes"`
		CanRequestMaterial bool                            `json:"can_request_material"`
	}
	apiListOut struct {
		Items   []apiCaseOut `json:"items"`
		Total   int          `json:"total"`
		Page    int          `json:"page"`
		PerPage int          `json:"per_page"`
		// The queue's keyset paging (GET /api/v1/cases only).
		TotalCapped bool    `json:"total_capped"`
		NextCursor  *string `json:"next_cursor"`
		PrevCursor  *string `json:"prev_cursor"`
	}
)

// detail fetches a case's detail as the supervisor.
func (e *apiEnv) detail(c *storage.Case) apiDetailOut {
	e.t.Helper()
	var d apiDetailOut
	e.do("GET", "/api/v1/cases/"+c.Number, e.as(e.supervisor), "").ok(e.t, http.StatusOK, &d)
	return d
}

// last returns the newest timeline entry of kind.
func (d apiDetailOut) last(t *testing.T, kind string) apiEventOut {
	t.Helper()
	for i := len(d.Timeline) - 1; i >= 0; i-- {
		if d.Timeline[i].Kind == kind {
			return d.Timeline[i]
		}
	}
	t.Fatalf("no %s event on the timeline: %+v", kind, d.Timeline)
	return apiEventOut{}
}

func apiItoa(id int64) string { return strconv.FormatInt(id, 10) }

// testPhoneSearches is the whole-phone search limit of the test consoles: the
// default 20 an hour, on a fresh miniredis.
func testPhoneSearches(t *testing.T) storage.RateLimiter {
	_, rdb := testenv.NewMiniredis(t)
	return redisstore.NewRateLimit(rdb, redisstore.RateLimitOptions{Name: "phone_search", Limit: 20})
}
