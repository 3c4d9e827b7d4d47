package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// privacyRun runs `complaintbot privacy …` and returns what it printed.
func privacyRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"privacy"}, args...), envOf(env), &out, &errOut, nil); err != nil {
		t.Fatalf("privacy %v: %v\n%s%s", args, err, out.String(), errOut.String())
	}
	return out.String()
}

// privacyCase files a case for openid two years ago, refused unless open.
func privacyCase(t *testing.T, db *sqlstore.DB, openid, key string, open bool) *storage.Case {
	t.Helper()
	ctx := context.Background()
	c, err := db.CreateCase(ctx, "TS", storage.NewCase{OpenID: openid, IntakeKey: key, Category: "食品安全",
		MerchantName: "好又多超市", Description: "买到过期牛奶", Demand: "退款", ComplainantName: "张三",
		Phone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	if !open {
		if _, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusRejected,
			Reason: storage.RejectReasons[0], Actor: storage.ActorSystem}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestPrivacyCommands(t *testing.T) {
	for name, target := range map[string]func(testing.TB) string{
		"sqlite": testenv.SQLitePath, "postgres": testenv.PostgresURL,
	} {
		t.Run(name, func(t *testing.T) { testPrivacyCommands(t, target(t)) })
	}
}

func testPrivacyCommands(t *testing.T, target string) {
	ctx := context.Background()
	db := testenv.OpenMigrated(t, sqlstore.Open, target)
	db.Now = func() time.Time { return time.Now().AddDate(-2, 0, 0) }
	openid := "oPrivacyCLI"
	closed := privacyCase(t, db, openid, "k1", false)
	open := privacyCase(t, db, openid, "k2", true)
	other := privacyCase(t, db, "oSomeoneElse", "k3", false)
	mini, rdb := testenv.NewMiniredis(t)
	states := dialog.NewRedisStore(rdb, dialog.RedisStoreOptions{})
	if _, dup, err := states.Commit(ctx, openid, "m1", 0, dialog.State{Stage: dialog.StageAmount}, "好的"); err != nil || dup {
		t.Fatalf("commit dialog state: %v, %v", dup, err)
	}
	env := map[string]string{"COMPLAINTBOT_DATABASE_URL": target, "COMPLAINTBOT_REDIS_URL": "redis://" + mini.Addr()}

	out := privacyRun(t, env, "show", "--phone", "13800138000")
	if !strings.Contains(out, closed.Number) || !strings.Contains(out, open.Number) ||
		!strings.Contains(out, "138****8000") || strings.Contains(out, "13800138000") {
		t.Fatalf("show by phone:\n%s", out)
	}
	out = privacyRun(t, env, "erase", "--openid", openid, "--dry-run")
	if !strings.Contains(out, closed.Number+" (不予受理): would be anonymised") ||
		!strings.Contains(out, "open, would be left to the desk") {
		t.Fatalf("erase --dry-run:\n%s", out)
	}
	if c, _ := db.FindCaseByNumber(ctx, closed.Number); c.Anonymised {
		t.Fatal("a dry run anonymised the case")
	}
	out = privacyRun(t, env, "erase", "--openid", openid)
	if !strings.Contains(out, "anonymised 1 case(s): ["+closed.Number+"]") || !strings.Contains(out, "dialog keys deleted: 3") {
		t.Fatalf("erase:\n%s", out)
	}
	if c, _ := db.FindCaseByNumber(ctx, closed.Number); !c.Anonymised || c.ComplainantName != "" {
		t.Fatalf("erased case: %+v", c)
	}
	if c, _ := db.FindCaseByNumber(ctx, open.Number); c.Anonymised || c.ComplainantName != "张三" {
		t.Fatalf("open case touched: %+v", c)
	}
	if st, _, _, err := states.Load(ctx, openid, "m2"); err != nil || st.Version != 0 {
		t.Fatalf("dialog state after erase: %+v, %v", st, err)
	}
	action := storage.AuditConsumerErase
	if _, n, err := db.FindAudit(ctx, storage.AuditFilter{Action: &action}); err != nil || n != 1 {
		t.Fatalf("erase audit entries: %d, %v", n, err)
	}

	out = privacyRun(t, env, "retention", "--dry-run")
	if !strings.Contains(out, other.Number) || !strings.Contains(out, "dry run: would anonymise 1 case(s)") {
		t.Fatalf("retention --dry-run:\n%s", out)
	}
	out = privacyRun(t, env, "retention")
	if c, _ := db.FindCaseByNumber(ctx, other.Number); !c.Anonymised || !strings.Contains(out, "anonymised 1 case(s)") {
		t.Fatalf("retention:\n%s\n%+v", out, c)
	}
}

func TestPrivacyEraseOpen(t *testing.T) {
	for name, target := range map[string]func(testing.TB) string{
		"sqlite": testenv.SQLitePath, "postgres": testenv.PostgresURL,
	} {
		t.Run(name, func(t *testing.T) { testPrivacyEraseOpen(t, target(t)) })
	}
}

// testPrivacyEraseOpen: `erase --open` files a deletion request for each open
// case and carries it out as the desk does (withdrawn, anonymised, the
// consumer told, audited as the system); a held open case keeps its data and
// its request stays pending for a supervisor; --dry-run says so first and
// changes nothing.
func testPrivacyEraseOpen(t *testing.T, target string) {
	ctx := context.Background()
	db := testenv.OpenMigrated(t, sqlstore.Open, target)
	openid := "oPrivacyOpen"
	closed := privacyCase(t, db, openid, "o1", false)
	open := privacyCase(t, db, openid, "o2", true)
	held := privacyCase(t, db, openid, "o3", true)
	if _, err := db.SetLegalHold(ctx, held.ID, true, storage.By{Actor: storage.ActorSystem}); err != nil {
		t.Fatal(err)
	}
	mini, rdb := testenv.NewMiniredis(t)
	states := dialog.NewRedisStore(rdb, dialog.RedisStoreOptions{})
	if _, dup, err := states.Commit(ctx, openid, "m1", 0, dialog.State{Stage: dialog.StageAmount}, "好的"); err != nil || dup {
		t.Fatalf("commit dialog state: %v, %v", dup, err)
	}
	env := map[string]string{"COMPLAINTBOT_DATABASE_URL": target, "COMPLAINTBOT_REDIS_URL": "redis://" + mini.Addr()}

	out := privacyRun(t, env, "erase", "--openid", openid, "--open", "--dry-run")
	for _, want := range []string{closed.Number + " (不予受理): would be anonymised",
		open.Number + " (待受理): open, would be withdrawn and anonymised",
		held.Number + " (待受理): open under a legal hold, would be kept"} {
		if !strings.Contains(out, want) {
			t.Fatalf("erase --open --dry-run lacks %q:\n%s", want, out)
		}
	}
	if reqs, _ := db.DeletionRequests(ctx, storage.DeletionFilter{}); len(reqs) != 0 {
		t.Fatalf("a dry run filed requests: %+v", reqs)
	}
	if c, _ := db.FindCaseByNumber(ctx, open.Number); c.Anonymised || c.Status != storage.StatusSubmitted {
		t.Fatalf("a dry run changed the open case: %+v", c)
	}

	out = privacyRun(t, env, "erase", "--openid", openid, "--open")
	for _, want := range []string{"anonymised 1 case(s): [" + closed.Number + "]",
		"open, withdrawn and anonymised: " + open.Number,
		"open under a legal hold, kept; its deletion request waits for a supervisor: " + held.Number,
		"dialog keys deleted: 3"} {
		if !strings.Contains(out, want) {
			t.Fatalf("erase --open lacks %q:\n%s", want, out)
		}
	}
	if c, _ := db.FindCaseByNumber(ctx, open.Number); !c.Anonymised || c.Status != storage.StatusWithdrawn ||
		c.ComplainantName != "" || c.OpenID != "" {
		t.Fatalf("open case after erase --open: %+v", c)
	}
	if c, _ := db.FindCaseByNumber(ctx, held.Number); c.Anonymised || c.ComplainantName != "张三" {
		t.Fatalf("held case touched: %+v", c)
	}
	reqs, err := db.DeletionRequests(ctx, storage.DeletionFilter{})
	if err != nil || len(reqs) != 2 {
		t.Fatalf("deletion requests: %+v, %v", reqs, err)
	}
	for _, r := range reqs {
		want := map[int64]string{open.ID: storage.DeletionDone, held.ID: storage.DeletionPending}[r.CaseID]
		if r.Status != want || (want == storage.DeletionDone && r.HandledBy != 0) {
			t.Errorf("request of case %d: %+v, want %s handled by the system", r.CaseID, r, want)
		}
	}
	action := storage.AuditDeletionDone
	entries, n, err := db.FindAudit(ctx, storage.AuditFilter{Action: &action})
	if err != nil || n != 1 || entries[0].StaffID != 0 || entries[0].CaseID != open.ID {
		t.Fatalf("deletion_done audit: %+v, %d, %v", entries, n, err)
	}
	notes, err := db.FindNotifications(ctx, storage.NotificationFilter{OpenID: &openid})
	if err != nil || len(notes) != 1 || notes[0].Kind != storage.NoticeErasure || notes[0].CaseNumber != open.Number {
		t.Fatalf("the consumer's notice of the carried-out deletion: %+v, %v", notes, err)
	}
}
