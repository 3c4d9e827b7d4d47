package console_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// hangUpStore is the real store, except that reading the queue first cancels
// the request's context: the client hangs up while the query runs.
type hangUpStore struct {
	*sqlstore.DB
	hangUp context.CancelFunc
}

func (s hangUpStore) FindCasePage(ctx context.Context, f storage.CaseFilter, at storage.CasePageAt) (*storage.CasePage, error) {
	s.hangUp()
	return s.DB.FindCasePage(ctx, f, at)
}

// TestClientHangUpIsNoError checks that a client who hangs up mid-request
// leaves a debug line, not an ERROR, in the log: on the API and on the page.
func TestClientHangUpIsNoError(t *testing.T) {
	for _, path := range []string{"/api/v1/cases", "/console/cases"} {
		t.Run(path, func(t *testing.T) {
			db := testenv.SQLite(t, sqlstore.Open)
			st, err := db.CreateStaff(context.Background(), storage.NewStaff{Username: "boss", Name: "主管", Role: storage.RoleSupervisor, PasswordHash: "x"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.CreateAPIToken(context.Background(), st.ID, "test", console.HashToken("hangup-token")); err != nil {
				t.Fatal(err)
			}
			sessions := &pageSessions{}
			session, err := sessions.CreateSession(context.Background(), st.ID)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var logs bytes.Buffer
			srv, err := console.New(console.Config{
				Store: hangUpStore{DB: db, hangUp: cancel}, Sessions: sessions, OrgName: "某市消委会", CasePrefix: "TS",
				PhoneSearches: testPhoneSearches(t),
				Logger:        slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
			if strings.HasPrefix(path, "/api/") {
				req.Header.Set("Authorization", "Bearer hangup-token")
			} else {
				req.AddCookie(&http.Cookie{Name: "cb_session", Value: session.ID})
			}
			srv.ServeHTTP(httptest.NewRecorder(), req)
			if strings.Contains(logs.String(), "level=ERROR") {
				t.Fatalf("a hang-up logged an error:\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), `msg="client gone before the answer"`) {
				t.Fatalf("no debug line for the hang-up:\n%s", logs.String())
			}
		})
	}
}
