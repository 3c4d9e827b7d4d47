package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// memoryCases is an in-memory CaseBackend that can be told to be down. It keeps the
// storage contracts the dialog relies on: FindCases filters and orders newest
// first, AddEvent honours DedupeKey per case, ChangeStatus follows the status
// table, a case is rated and commented once. calls counts every method call.
type memoryCases struct {
	mu         sync.Mutex
	down       bool
	eventsDown bool // ListEvents alone fails
	calls      int
	cases      []*storage.Case
	events     []*storage.Event
	added      []storage.NewEvent // what AddEvent stored, in order (without duplicates)
	created    []storage.NewCase  // what CreateCase filed, in order (without duplicates)
	dedupe     map[string]*storage.Event
	ratings    map[int64]*storage.Rating
}

// enter counts a call and reports whether the store is down.
func (m *memoryCases) enter() error {
	m.calls++
	if m.down {
		return storage.Errorf(storage.EUNAVAILABLE, "database down")
	}
	return nil
}

func (m *memoryCases) CreateCase(ctx context.Context, prefix string, nc storage.NewCase) (*storage.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(); err != nil {
		return nil, err
	}
	for _, c := range m.cases {
		if c.IntakeKey == nc.IntakeKey {
			return c, nil
		}
	}
	m.created = append(m.created, nc)
	return m.insert(prefix, nc.OpenID, nc.IntakeKey, nc.MerchantName, storage.StatusSubmitted), nil
}

// insert adds a case; the caller holds mu.
func (m *memoryCases) insert(prefix, openID, intakeKey, merchant string, status storage.Status) *storage.Case {
	n := int64(len(m.cases) + 1)
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
	c := &storage.Case{ID: n, OpenID: openID, IntakeKey: intakeKey, Status: status,
		Number: storage.FormatCaseNumber(prefix, 2026, n), MerchantName: merchant, CreatedAt: at, UpdatedAt: at}
	m.cases = append(m.cases, c)
	return c
}

// add seeds a case of openID in status, without counting a call.
func (m *memoryCases) add(openID, merchant string, status storage.Status) *storage.Case {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.insert("TS", openID, fmt.Sprintf("seed-%d", len(m.cases)), merchant, status)
}

func (m *memoryCases) FindCaseByNumber(ctx context.Context, number string) (*storage.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(); err != nil {
		return nil, err
	}
	for _, c := range m.cases {
		if c.Number == number {
			cp := *c
			return &cp, nil
		}
	}
	return nil, storage.Errorf(storage.ENOTFOUND, "no case %s", number)
}

func (m *memoryCases) FindCases(ctx context.Context, f storage.CaseFilter) ([]*storage.Case, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(); err != nil {
		return nil, 0, err
	}
	var out []*storage.Case
	for i := len(m.cases) - 1; i >= 0; i-- { // newest first
		c := m.cases[i]
		if (f.OpenID == nil || *f.OpenID == c.OpenID) && (f.Status == nil || *f.Status == c.Status) &&
			(f.Open == nil || *f.Open == !c.Status.Final()) {
			cp := *c
			out = append(out, &cp)
		}
	}
	total := len(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, total, nil
}

func (m *memoryCases) ListEvents(ctx context.Context, id int64) ([]*storage.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(); err != nil {
		return nil, err
	}
	if m.eventsDown {
		return nil, storage.Errorf(storage.EUNAVAILABLE, "timeline down")
	}
	if _, err := m.byID(id); err != nil {
		return nil, err
	}
	var out []*storage.Event
	for _, e := range m.events { // oldest first
		if e.CaseID == id {
			cp := *e
			out = append(out, &cp)
		}
	}
	return out, nil
}

// event seeds an event on the case, without counting a call.
func (m *memoryCases) event(caseID int64, kind storage.EventKind, body string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, &storage.Event{ID: int64(len(m.events) + 1), CaseID: caseID, Kind: kind,
		Actor: "staff:1", Body: body, CreatedAt: at})
}
func (m *memoryCases) ListEvidence(ctx context.Context, id int64) ([]*storage.Evidence, error) {
	return nil, nil
}
func (m *memoryCases) Ping(ctx context.Context) error { return nil }

// byID returns the case; the caller holds mu.
func (m *memoryCases) byID(id int64) (*storage.Case, error) {
	for _, c := range m.cases {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, storage.Errorf(storage.ENOTFOUND, "no case %d", id)
}

func (m *memoryCases) ChangeStatus(ctx context.Context, ch storage.StatusChange) (*storage.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(); err != nil {
		return nil, err
	}
	c, err := m.byID(ch.CaseID)
	if err != nil {
		return nil, err
	}
	if !c.Status.CanMoveTo(ch.To) {
		return nil, storage.Errorf(storage.ECONFLICT, "%s to %s", c.Status, ch.To)
	}
	c.Status = ch.To
	m.events = append(m.events, &storage.Event{ID: int64(len(m.events) + 1), CaseID: c.ID, Kind: storage.EventStatusChange, Actor: ch.Actor})
	cp := *c
	return &cp, nil
}

func (m *memoryCases) AddEvent(ctx context.Context, ev storage.NewEvent) (*storage.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(); err != nil {
		return nil, err
	}
	if _, err := m.byID(ev.CaseID); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d/%s", ev.CaseID, ev.DedupeKey)
	if first, ok := m.dedupe[key]; ok && ev.DedupeKey != "" {
		return first, nil
	}
	e := &storage.Event{ID: int64(len(m.events) + 1), CaseID: ev.CaseID, Kind: ev.Kind, Actor: ev.Actor, Body: ev.Body}
	m.events = append(m.events, e)
	m.added = append(m.added, ev)
	if m.dedupe == nil {
		m.dedupe = map[string]*storage.Event{}
	}
	m.dedupe[key] = e
	return e, nil
}

func (m *memoryCases) RateCase(ctx context.Context, r storage.Rating) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(); err != nil {
		return err
	}
	c, err := m.byID(r.CaseID)
	switch {
	case err != nil:
		return err
	case r.Rating != storage.RatingSatisfied && r.Rating != storage.RatingMostly && r.Rating != storage.RatingDissatisfied:
		return storage.Errorf(storage.EINVALID, "rating %q", r.Rating)
	case c.Status != storage.StatusClosed || m.ratings[r.CaseID] != nil:
		return storage.Errorf(storage.ECONFLICT, "case %d cannot be rated", r.CaseID)
	}
	if m.ratings == nil {
		m.ratings = map[int64]*storage.Rating{}
	}
	m.ratings[r.CaseID] = &storage.Rating{CaseID: r.CaseID, Rating: r.Rating}
	return nil
}

func (m *memoryCases) CommentOnRating(ctx context.Context, caseID int64, comment string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(); err != nil {
		return err
	}
	r := m.ratings[caseID]
	if r == nil || r.Comment != "" {
		return storage.Errorf(storage.ECONFLICT, "case %d: no rating or already commented", caseID)
	}
	r.Comment = comment
	return nil
}

func (m *memoryCases) FindRating(ctx context.Context, caseID int64) (*storage.Rating, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(); err != nil {
		return nil, err
	}
	if r := m.ratings[caseID]; r != nil {
		cp := *r
		return &cp, nil
	}
	return nil, storage.Errorf(storage.ENOTFOUND, "no rating for case %d", caseID)
}

func (m *memoryCases) setDown(down bool) {
	m.mu.Lock()
	m.down = down
	m.mu.Unlock()
}

// callCount returns how many store calls were made.
func (m *memoryCases) callCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

func newTestEngine(t *testing.T) (*Engine, *memoryCases) {
	cases := &memoryCases{}
	cat, err := NewCatalogue(Settings{OrgName: "测试消委会", Hotline: "12315"})
	if err != nil {
		t.Fatal(err)
	}
	now := testEngineNow
	n := 0
	return &Engine{
		Store: NewRedisStore(testenv.NewRedis(t), RedisStoreOptions{}), Cases: cases, Catalogue: cat,
		CasePrefix: "TS", DraftTTL: 24 * time.Hour,
		Now:          func() time.Time { return now },
		NewIntakeKey: func() string { n++; return fmt.Sprintf("key-%d", n) },
	}, cases
}

// walkToSummary answers every intake question for openID with keys m1, m2, ….
func walkToSummary(t *testing.T, e *Engine, openID string) int {
	t.Helper()
	inputs := []Input{
		{Kind: InputMenuClick, EventKey: MenuComplain}, text("同意"), text("1"), text("某某电器商城"),
		text("人民路1号"), text("2026-11-20"), text("1999"), text("电视机买回来三天就黑屏了，商家不肯换。"),
		text("2"), text("跳过"), text("王五"), text("13712345678"),
	}
	for i, in := range inputs {
		if _, err := e.Handle(context.Background(), openID, fmt.Sprintf("m%d", i), in); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	return len(inputs)
}

func text(s string) Input { return Input{Kind: InputText, Text: s} }

func TestEngineKeepsTheDraftWhenTheDatabaseIsDown(t *testing.T) {
	e, cases := newTestEngine(t)
	n := walkToSummary(t, e, "oDown")
	cases.setDown(true)
	if _, err := e.Handle(context.Background(), "oDown", fmt.Sprintf("m%d", n), text("确认")); storage.ErrorCode(err) != storage.EUNAVAILABLE {
		t.Fatalf("confirm with the database down: %v", err)
	}
	cases.setDown(false)
	// WeChat retries the same message; the draft is still at the summary.
	reply, err := e.Handle(context.Background(), "oDown", fmt.Sprintf("m%d", n), text("确认"))
	if err != nil || !strings.Contains(reply, "TS-2026-000001") {
		t.Fatalf("confirm after recovery: %q, %v", reply, err)
	}
	again, err := e.Handle(context.Background(), "oDown", fmt.Sprintf("m%d", n), text("确认"))
	if err != nil || again != reply || len(cases.cases) != 1 {
		t.Fatalf("a retried confirm must repeat the reply and file nothing: %q, %v, %d cases", again, err, len(cases.cases))
	}
}

func TestEngineConfirmFilesOnceEvenIfRedisLosesTheCommit(t *testing.T) {
	e, cases := newTestEngine(t)
	n := walkToSummary(t, e, "oTwice")
	// Two different messages both saying 确认 on the same draft (a double tap):
	// the second finds the draft gone and files nothing.
	first, err := e.Handle(context.Background(), "oTwice", fmt.Sprintf("m%d", n), text("确认"))
	if err != nil {
		t.Fatal(err)
	}
	// The second 确认 is an ordinary message now, forwarded to the filed case.
	second, err := e.Handle(context.Background(), "oTwice", fmt.Sprintf("m%d", n+1), text("确认"))
	if err != nil || strings.Contains(second, "提交成功") {
		t.Fatalf("second confirm: %q, %v (first: %q)", second, err, first)
	}
	if len(cases.cases) != 1 {
		t.Fatalf("%d cases filed, want 1", len(cases.cases))
	}
}

func TestEngineQueryNeverShowsAnotherConsumersCase(t *testing.T) {
	e, _ := newTestEngine(t)
	n := walkToSummary(t, e, "oOwner")
	reply, err := e.Handle(context.Background(), "oOwner", fmt.Sprintf("m%d", n), text("确认"))
	if err != nil || !strings.Contains(reply, "TS-2026-000001") {
		t.Fatalf("%q %v", reply, err)
	}
	own, _ := e.Handle(context.Background(), "oOwner", "q1", text("查询 ts2026-1"))
	other, _ := e.Handle(context.Background(), "oOther", "q1", text("查询 TS-2026-000001"))
	missing, _ := e.Handle(context.Background(), "oOther", "q2", text("查询 TS-2026-000999"))
	if !strings.Contains(own, "某某电器商城") {
		t.Fatalf("owner's query: %q", own)
	}
	if strings.Contains(other, "某某电器商城") {
		t.Fatalf("another consumer saw the case: %q", other)
	}
	if strings.ReplaceAll(other, "000001", "000999") != missing {
		t.Fatalf("someone else's case must read exactly like a missing one:\n%q\n%q", other, missing)
	}
}

func TestEngineReportsRedisFailure(t *testing.T) {
	e, _ := newTestEngine(t)
	e.Store = failingStore{}
	if _, err := e.Handle(context.Background(), "oX", "m1", text("帮助")); err == nil {
		t.Fatal("want an error when the dialog store is down")
	}
}

type failingStore struct{}

func (failingStore) Load(ctx context.Context, openID, msgKey string) (State, string, bool, error) {
	return State{}, "", false, errors.New("connection refused")
}
func (failingStore) Commit(ctx context.Context, openID, msgKey string, prev int64, next State, reply string) (string, bool, error) {
	return "", false, errors.New("connection refused")
}
