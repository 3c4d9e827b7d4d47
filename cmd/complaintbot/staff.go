package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/redisstore"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// staffUsage documents the staff subcommands. Passwords come from standard input,
// one line, never from a flag: flags show up in `ps` and in shell history.
const staffUsage = `usage: complaintbot staff <command> [flags] [-config FILE]

commands:
  add    --username U --name N --role mediator|supervisor|admin
         create an account; the password is read from standard input
  passwd --username U
         set a new password (read from standard input) and sign the account out
  disable --username U [--enable]
         disable an account and sign it out, or re-enable it
  list   show every account

A password set here is known to whoever typed it, so its owner must replace it
at the next sign-in to the console before anything else.

The password is one line on standard input, at least 10 characters. To keep it out
of the screen and the shell history:

  read -rs PW && printf '%s\n' "$PW" | complaintbot staff add --username zhang.wei --name 张伟 --role mediator

(echo 'pw' | complaintbot staff add … works too, but leaves the password in the
history.) On a terminal the password is read as typed and is shown on screen.
`

// staffStdin is where the staff commands read passwords; tests replace it.
var staffStdin io.Reader = os.Stdin

// staffCommand is one staff subcommand, run with the flags parsed and the
// database open.
type staffCommand struct {
	username, name, role string
	enable               bool
	cfg                  configs.Config
	db                   *sqlstore.DB
	logger               *slog.Logger
	stdout, stderr       io.Writer
}

// runStaff runs `complaintbot staff …`; setLogs is as for run.
func runStaff(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, setLogs func(*slog.Logger)) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		_, err := io.WriteString(stdout, staffUsage)
		return err
	}
	sub, args := args[0], args[1:]
	run, ok := map[string]func(context.Context, *staffCommand) error{
		"add": staffAdd, "passwd": staffPasswd, "disable": staffDisable, "list": staffList,
	}[sub]
	if !ok {
		_, _ = io.WriteString(stderr, staffUsage)
		return fmt.Errorf("unknown staff command %q", sub)
	}
	c, err := parseStaffFlags(sub, args, getenv, stderr)
	if err != nil {
		return err
	}
	if setLogs != nil {
		setLogs(c.logger)
	}
	c.stdout, c.stderr = stdout, stderr
	if c.db, err = openDatabase(ctx, c.cfg); err != nil {
		return err
	}
	defer c.db.Close()
	return run(ctx, c)
}

// parseStaffFlags reads the flags of a staff subcommand and loads the config.
// Go's flag package takes both -username and --username.
func parseStaffFlags(sub string, args []string, getenv func(string) string, stderr io.Writer) (*staffCommand, error) {
	c := &staffCommand{}
	fs := flag.NewFlagSet("staff "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", configs.ConfigPathFromEnv(getenv), "YAML configuration file")
	if sub != "list" {
		fs.StringVar(&c.username, "username", "", "the account's username")
	}
	if sub == "add" {
		fs.StringVar(&c.name, "name", "", "the person's name, as staff see it")
		fs.StringVar(&c.role, "role", "", "mediator, supervisor or admin")
	}
	if sub == "disable" {
		fs.BoolVar(&c.enable, "enable", false, "re-enable the account instead")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if sub != "list" && strings.TrimSpace(c.username) == "" {
		return nil, errors.New("--username is required")
	}
	c.username = webauth.NormalizeUsername(c.username)
	var err error
	if c.cfg, err = configs.Load(*path, getenv); err != nil {
		return nil, err
	}
	c.logger = newLogger(c.cfg.Log, stderr)
	return c, nil
}

// staffAdd creates an account.
func staffAdd(ctx context.Context, c *staffCommand) error {
	role := storage.Role(strings.ToLower(strings.TrimSpace(c.role)))
	name := strings.TrimSpace(c.name)
	if err := errors.Join(webauth.ValidateUsername(c.username), console.ValidateStaffName(name)); err != nil {
		return cliError(err)
	}
	if !role.Valid() {
		return fmt.Errorf("--role must be mediator, supervisor or admin, not %q", c.role)
	}
	hash, err := readNewPassword(c.stderr)
	if err != nil {
		return err
	}
	st, err := c.db.CreateStaff(ctx, storage.NewStaff{Username: c.username, Name: name, Role: role, PasswordHash: hash,
		MustChangePassword: true})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(c.stdout, "staff account %s created (id %d, %s)\n", st.Username, st.ID, st.Role)
	return c.audit(ctx, storage.AuditStaffCreate, fmt.Sprintf("命令行：创建账号 #%d（%s）", st.ID, role.Label()))
}

// revokeTokens revokes the account's API tokens: whoever knew the old password
// (the reason for a reset) may have made one.
func (c *staffCommand) revokeTokens(ctx context.Context, st *storage.Staff) error {
	n, err := c.db.RevokeStaffTokens(ctx, st.ID)
	if err != nil {
		return fmt.Errorf("revoke API tokens of %s: %w", st.Username, err)
	}
	if n > 0 {
		fmt.Fprintf(c.stdout, "%d API token(s) of %s revoked\n", n, st.Username)
		return c.audit(ctx, storage.AuditTokenRevoke, fmt.Sprintf("命令行：吊销账号 #%d 的 %d 个 API 令牌", st.ID, n))
	}
	return nil
}

// audit records a command-line staff action. Nobody is signed in, so the entry
// has no staff id and says it came from the command line.
func (c *staffCommand) audit(ctx context.Context, action, detail string) error {
	if err := c.db.AddAudit(ctx, storage.AuditEntry{Action: action, Detail: detail, IP: "cli"}); err != nil {
		return fmt.Errorf("the change was made but its audit entry could not be written: %w", err)
	}
	return nil
}

// staffPasswd sets a new password and ends the account's sessions.
func staffPasswd(ctx context.Context, c *staffCommand) error {
	st, err := c.findStaff(ctx)
	if err != nil {
		return err
	}
	hash, err := readNewPassword(c.stderr)
	if err != nil {
		return err
	}
	if err := c.db.SetStaffPassword(ctx, st.ID, hash, true); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(c.stdout, "password of %s changed\n", st.Username)
	if err := c.audit(ctx, storage.AuditStaffPassword, fmt.Sprintf("命令行：重设账号 #%d 的密码", st.ID)); err != nil {
		return err
	}
	if err := c.revokeTokens(ctx, st); err != nil {
		return err
	}
	return c.endSessions(ctx, st)
}

// staffDisable disables (and signs out) or re-enables an account.
func staffDisable(ctx context.Context, c *staffCommand) error {
	st, err := c.findStaff(ctx)
	if err != nil {
		return err
	}
	if err := c.db.SetStaffDisabled(ctx, st.ID, !c.enable); err != nil {
		return cliError(err)
	}
	verb := map[bool]string{true: "启用", false: "停用"}[c.enable]
	if err := c.audit(ctx, storage.AuditStaffDisable, fmt.Sprintf("命令行：%s账号 #%d", verb, st.ID)); err != nil {
		return err
	}
	if c.enable {
		fmt.Fprintf(c.stdout, "staff account %s enabled\n", st.Username)
		return nil
	}
	fmt.Fprintf(c.stdout, "staff account %s disabled\n", st.Username)
	if err := c.revokeTokens(ctx, st); err != nil {
		return err
	}
	return c.endSessions(ctx, st)
}

// findStaff loads the account named by --username.
func (c *staffCommand) findStaff(ctx context.Context) (*storage.Staff, error) {
	st, err := c.db.FindStaffByUsername(ctx, c.username)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil, fmt.Errorf("no staff account named %q", c.username)
	}
	return st, err
}

// staffList prints every account.
func staffList(ctx context.Context, c *staffCommand) error {
	list, err := c.db.ListStaff(ctx)
	if err != nil {
		return cliError(err)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tROLE\tSTATUS")
	for _, st := range list {
		status := "active"
		if st.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", st.ID, st.Username, st.Name, st.Role, status)
	}
	return tw.Flush()
}

// endSessions signs the account out of every console instance. Sessions live in
// the configured Redis; with none configured they live inside the running
// server's in-process Redis, which this process cannot reach. A disabled account
// is refused on its next request anyway; a changed password is not, so say so.
func (c *staffCommand) endSessions(ctx context.Context, st *storage.Staff) error {
	if c.cfg.Redis.URL == "" {
		fmt.Fprintln(c.stderr, "note: no redis.url configured, so open console sessions were not ended; "+
			"restart the server to end them")
		return nil
	}
	rdb, mr, err := openRedis(ctx, c.cfg.Redis.URL)
	if err != nil {
		return fmt.Errorf("the change is saved, but open sessions were not ended: %w", err)
	}
	defer closeRedis(rdb, mr)
	if err := redisstore.NewSessions(rdb, redisstore.SessionOptions{}).DeleteStaffSessions(ctx, st.ID); err != nil {
		return fmt.Errorf("the change is saved, but open sessions were not ended: %w", err)
	}
	fmt.Fprintf(c.stdout, "signed %s out of the console\n", st.Username)
	return nil
}

// readNewPassword reads one line from staffStdin, checks it against the password
// rules and hashes it. On a terminal it prompts first (on stderr, so stdout stays
// clean for scripts).
func readNewPassword(stderr io.Writer) (string, error) {
	if f, ok := staffStdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, "password (shown as typed): ")
		}
	}
	line, err := bufio.NewReader(staffStdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input (see complaintbot staff help)")
	}
	if err := webauth.ValidatePassword(pw); err != nil {
		return "", cliError(err)
	}
	hash, err := webauth.HashPassword(pw)
	return hash, cliError(err)
}

// cliError turns a store error into a plain message for the terminal: the
// Chinese message of invalid input or a conflict, the full error otherwise.
func cliError(err error) error {
	switch storage.ErrorCode(err) {
	case "":
		return nil
	case storage.EINVALID, storage.ECONFLICT:
		return errors.New(storage.ErrorMessage(err))
	}
	return err
}

// firstAdminUsername is the account the zero-setup run creates.
const firstAdminUsername = "admin"

// ensureFirstAdmin creates the first admin when there are no staff accounts at
// all, so that a fresh zero-setup run can be signed in to. Its random password is
// printed once, to stdout, and stored only as a hash. Two instances starting
// together may both see no accounts; the loser's CreateStaff conflicts and it
// prints nothing.
func ensureFirstAdmin(ctx context.Context, store storage.StaffStore, stdout io.Writer) error {
	n, err := store.CountStaff(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := randomPassword(16)
	hash, err := webauth.HashPassword(pw)
	if err != nil {
		return err
	}
	_, err = store.CreateStaff(ctx, storage.NewStaff{Username: firstAdminUsername, Name: "管理员",
		Role: storage.RoleAdmin, PasswordHash: hash, MustChangePassword: true})
	if storage.ErrorCode(err) == storage.ECONFLICT {
		return nil
	} else if err != nil {
		return fmt.Errorf("create the first admin: %w", err)
	}
	fmt.Fprintf(stdout, "首次启动：已创建管理员账号 %s，初始密码：%s（仅显示这一次，请登录后修改）\n", firstAdminUsername, pw)
	return nil
}

// passwordAlphabet leaves out look-alikes (0/O, 1/l/I) because the first
// password is read off a terminal and typed by hand.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// randomPassword returns n characters from passwordAlphabet, uniformly: 16 of
// them carry about 92 bits.
func randomPassword(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = passwordAlphabet[randomIndex(len(passwordAlphabet))]
	}
	return string(b)
}

// randomIndex returns a uniform random number in [0, n) for n ≤ 256, rejecting
// the bytes that would bias it.
func randomIndex(n int) int {
	limit := 256 - 256%n
	var one [1]byte
	for {
		_, _ = rand.Read(one[:]) // crypto/rand.Read never fails (Go 1.24+)
		if int(one[0]) < limit {
			return int(one[0]) % n
		}
	}
}
