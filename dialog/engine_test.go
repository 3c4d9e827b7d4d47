package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// memoryCases is an in-memory storage.CaseStore that can be told to be down.
type memoryCases struct {
	mu    sync.Mutex
	down  bool
	cases []*storage.Case
}

func (m *memoryCases) CreateCase(ctx context.Context, prefix string, nc storage.NewCase) (*storage.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return nil, storage.Errorf(storage.EUNAVAILABLE, "database down")
	}
	for _, c := range m.cases {
		if c.IntakeKey == nc.IntakeKey {
			return c, nil
		}
	}
	c := &storage.Case{ID: int64(len(m.cases) + 1), OpenID: nc.OpenID, IntakeKey: nc.IntakeKey, Status: storage.StatusSubmitted,
		Number: storage.FormatCaseNumber(prefix, 2026, int64(len(m.cases)+1)), MerchantName: nc.MerchantName}
	m.cases = append(m.cases, c)
	return c, nil
}

func (m *memoryCases) FindCaseByNumber(ctx context.Context, number string) (*storage.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.cases {
		if c.Number == number {
			return c, nil
		}
	}
	return nil, storage.Errorf(storage.ENOTFOUND, "no case %s", number)
}

func (m *memoryCases) FindCases(ctx context.Context, f storage.CaseFilter) ([]*storage.Case, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*storage.Case
	for _, c := range m.cases {
		if f.OpenID == nil || *f.OpenID == c.OpenID {
			out = append(out, c)
		}
	}
	return out, len(out), nil
}

func (m *memoryCases) ListEvents(ctx context.Context, id int64) ([]*storage.Event, error) {
	return nil, nil
}
func (m *memoryCases) ListEvidence(ctx context.Context, id int64) ([]*storage.Evidence, error) {
	return nil, nil
}
func (m *memoryCases) Ping(ctx context.Context) error { return nil }

func (m *memoryCases) setDown(down bool) {
	m.mu.Lock()
	m.down = down
	m.mu.Unlock()
}

func newTestEngine(t *testing.T) (*Engine, *memoryCases) {
	cases := &memoryCases{}
	cat, err := NewCatalogue(Settings{OrgName: "测试消委会", Hotline: "12315"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	n := 0
	return &Engine{
		Store: NewRedisStore(NewTestRedis(t), RedisStoreOptions{}), Cases: cases, Catalogue: cat,
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
	second, err := e.Handle(context.Background(), "oTwice", fmt.Sprintf("m%d", n+1), text("确认"))
	if err != nil || strings.Contains(second, "TS-2026") {
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
