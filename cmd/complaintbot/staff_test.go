package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/redisstore"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// staffRun runs `complaintbot staff …` with stdin as standard input.
func staffRun(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	saved := staffStdin
	staffStdin = strings.NewReader(stdin)
	t.Cleanup(func() { staffStdin = saved })
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"staff"}, args...), envOf(env), &out, &errOut, nil)
	return out.String(), errOut.String(), err
}

// staffDB opens the test's database to look at the accounts.
func staffDB(t *testing.T, path string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStaffCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cb.db")
	mini, rdb := testenv.NewMiniredis(t)
	env := map[string]string{"COMPLAINTBOT_DATABASE_URL": path, "COMPLAINTBOT_REDIS_URL": "redis://" + mini.Addr()}
	const pw1, pw2 = "first-password-1", "second-password-2"
	var printed strings.Builder
	do := func(stdin string, args ...string) error {
		out, errOut, err := staffRun(t, env, stdin, args...)
		printed.WriteString(out + errOut)
		if err != nil {
			printed.WriteString(err.Error())
		}
		return err
	}

	if err := do(pw1+"\n", "add", "--username", "Zhang.Wei", "--name", "张伟", "--role", "mediator"); err != nil {
		t.Fatalf("staff add: %v\n%s", err, printed.String())
	}
	db := staffDB(t, path)
	st, err := db.FindStaffByUsername(context.Background(), "zhang.wei")
	if err != nil || st.Name != "张伟" || st.Role != storage.RoleMediator || !st.MustChangePassword {
		t.Fatalf("created %+v, %v; want a mediator who must change the password typed here", st, err)
	}
	if cost, _ := bcrypt.Cost([]byte(st.PasswordHash)); cost != 12 || bcrypt.CompareHashAndPassword([]byte(st.PasswordHash), []byte(pw1)) != nil {
		t.Fatalf("stored hash is not bcrypt cost 12 of the password (cost %d)", cost)
	}
	for name, args := range map[string][]string{
		"duplicate":   {"add", "--username", "zhang.wei", "--name", "X", "--role", "admin"},
		"bad role":    {"add", "--username", "li", "--name", "李", "--role", "root"},
		"bad name":    {"add", "--username", "张", "--name", "张", "--role", "admin"},
		"no username": {"passwd"},
		"unknown":     {"passwd", "--username", "nobody"},
	} {
		if err := do(pw1+"\n", args...); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if err := do("short\n", "add", "--username", "li", "--name", "李", "--role", "admin"); err == nil || !strings.Contains(err.Error(), "10") {
		t.Errorf("short password: %v", err)
	}
	if err := do("", "add", "--username", "li", "--name", "李", "--role", "admin"); err == nil {
		t.Error("empty standard input: want an error")
	}
	if n, _ := db.CountStaff(context.Background()); n != 1 {
		t.Fatalf("%d accounts after refused commands, want 1", n)
	}

	if err := db.SetStaffPassword(context.Background(), st.ID, st.PasswordHash, false); err != nil {
		t.Fatal(err) // as if the owner had changed it in the console
	}
	sessions := redisstore.NewSessions(rdb, redisstore.SessionOptions{})
	se, _ := sessions.CreateSession(context.Background(), st.ID)
	if err := do(pw2+"\r\n", "passwd", "--username", "zhang.wei"); err != nil {
		t.Fatalf("staff passwd: %v\n%s", err, printed.String())
	}
	st, _ = db.FindStaffByID(context.Background(), st.ID)
	if bcrypt.CompareHashAndPassword([]byte(st.PasswordHash), []byte(pw2)) != nil {
		t.Fatal("passwd did not set the new password (a CRLF line must work too)")
	}
	if !st.MustChangePassword {
		t.Fatal("after staff passwd the owner need not change the password")
	}
	if _, err := sessions.FindSession(context.Background(), se.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("the session survived staff passwd: %v", err)
	}

	se, _ = sessions.CreateSession(context.Background(), st.ID)
	if err := do("", "disable", "--username", "zhang.wei"); err != nil {
		t.Fatalf("staff disable: %v", err)
	}
	if st, _ = db.FindStaffByID(context.Background(), st.ID); !st.Disabled {
		t.Fatal("not disabled")
	}
	if _, err := sessions.FindSession(context.Background(), se.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("the session survived staff disable: %v", err)
	}
	if err := do("", "disable", "-username", "zhang.wei", "-enable"); err != nil {
		t.Fatalf("staff disable --enable: %v", err)
	}
	if st, _ = db.FindStaffByID(context.Background(), st.ID); st.Disabled {
		t.Fatal("not re-enabled")
	}

	audit, _, err := db.FindAudit(context.Background(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action)
		if e.IP != "cli" || strings.Contains(e.Detail, pw1) || strings.Contains(e.Detail, pw2) {
			t.Errorf("command-line audit entry %+v", e)
		}
	}
	if got := strings.Join(actions, ","); got != "staff_disable,staff_disable,staff_password,staff_create" {
		t.Errorf("audit of the staff commands, newest first: %s", got)
	}

	out, _, err := staffRun(t, env, "", "list")
	if err != nil || !regexp.MustCompile(`zhang\.wei\s+张伟\s+mediator\s+active`).MatchString(out) {
		t.Fatalf("staff list: %v\n%s", err, out)
	}
	for _, pw := range []string{pw1, pw2} {
		if strings.Contains(printed.String()+out, pw) {
			t.Fatal("a staff command printed the password")
		}
	}
}

func TestStaffHelpAndUnknownCommand(t *testing.T) {
	out, _, err := staffRun(t, nil, "", "help")
	if err != nil || !strings.Contains(out, "read -rs PW") {
		t.Fatalf("staff help: %v\n%s", err, out)
	}
	if _, errOut, err := staffRun(t, nil, "", "frobnicate"); err == nil || !strings.Contains(errOut, "usage") {
		t.Fatalf("unknown staff command: %v", err)
	}
}

var firstAdminLine = regexp.MustCompile(`^首次启动：已创建管理员账号 admin，初始密码：([A-Za-z0-9]{16})（仅显示这一次，请登录后修改）\n$`)

func TestEnsureFirstAdmin(t *testing.T) {
	db := testenv.SQLite(t, sqlstore.Open)
	var out bytes.Buffer
	if err := ensureFirstAdmin(context.Background(), db, &out); err != nil {
		t.Fatal(err)
	}
	m := firstAdminLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("printed %q", out.String())
	}
	st, err := db.FindStaffByUsername(context.Background(), "admin")
	if err != nil || st.Role != storage.RoleAdmin || st.Name != "管理员" || st.Disabled || !st.MustChangePassword {
		t.Fatalf("first admin %+v, %v; want an active admin who must change the printed password", st, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(st.PasswordHash), []byte(m[1])) != nil {
		t.Fatal("the printed password is not the admin's")
	}
	out.Reset()
	if err := ensureFirstAdmin(context.Background(), db, &out); err != nil || out.Len() != 0 {
		t.Fatalf("second start: %v, printed %q; want nothing", err, out.String())
	}
	if n, _ := db.CountStaff(context.Background()); n != 1 {
		t.Fatalf("%d accounts after two starts", n)
	}
}

func TestRandomPasswordIsFromTheAlphabet(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw := randomPassword(16)
		if len(pw) != 16 || strings.Trim(pw, passwordAlphabet) != "" || seen[pw] {
			t.Fatalf("randomPassword = %q", pw)
		}
		seen[pw] = true
	}
}

// TestStaffDisableKeepsTheLastAdmin: the command line cannot disable the only
// active admin either; nobody could then manage staff from the console.
func TestStaffDisableKeepsTheLastAdmin(t *testing.T) {
	env := map[string]string{"COMPLAINTBOT_DATABASE_URL": filepath.Join(t.TempDir(), "cb.db")}
	if _, _, err := staffRun(t, env, "only-admin-pass-1\n", "add", "--username", "boss", "--name", "老板", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	_, _, err := staffRun(t, env, "", "disable", "--username", "boss")
	if err == nil || !strings.Contains(err.Error(), "最后一位在用的管理员") {
		t.Fatalf("disabling the last admin: %v", err)
	}
	db := staffDB(t, env["COMPLAINTBOT_DATABASE_URL"])
	if st, _ := db.FindStaffByUsername(context.Background(), "boss"); st.Disabled {
		t.Fatal("the last admin was disabled")
	}
}
