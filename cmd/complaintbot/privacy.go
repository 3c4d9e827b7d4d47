package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// privacyUsage documents the privacy subcommands, which run the same store code
// as the service: the retention job's RunRetention, the consumer's erasure.
const privacyUsage = `usage: complaintbot privacy <command> [flags] [-config FILE]

commands:
  show      --openid X | --case NUMBER | --phone MOBILE
            list the cases held on a consumer: name, phone (masked), status,
            and until when the data is kept
  erase     --openid X [--open] [--dry-run]
            anonymise the consumer's finished cases now (not those under a
            legal hold), leave open ones to the desk, and delete the consumer's
            dialog state in Redis; --open also carries out the deletion of the
            open cases (a deletion request filed for each, then withdrawn and
            anonymised as the desk's 执行删除 does; held ones stay pending for
            a supervisor to refuse); --dry-run only lists what would happen
  retention [--dry-run]
            run the retention job once: anonymise every finished case whose
            retention has ended; --dry-run lists them instead

Every command is recorded in the audit log as the system's action.
`

// privacyCommand is one privacy subcommand with its flags parsed.
type privacyCommand struct {
	openid, number, phone string
	dryRun                bool
	open                  bool // erase --open: carry out the open cases' deletion too
	cfg                   configs.Config
	db                    *sqlstore.DB
	blobs                 evidenceBlobs
	stdout                io.Writer
}

// runPrivacy runs `complaintbot privacy …`; setLogs is as for run.
func runPrivacy(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, setLogs func(*slog.Logger)) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		_, err := io.WriteString(stdout, privacyUsage)
		return err
	}
	sub, args := args[0], args[1:]
	cmd, ok := map[string]func(context.Context, *privacyCommand) error{
		"show": privacyShow, "erase": privacyErase, "retention": privacyRetention,
	}[sub]
	if !ok {
		_, _ = io.WriteString(stderr, privacyUsage)
		return fmt.Errorf("unknown privacy command %q", sub)
	}
	c, err := parsePrivacyFlags(sub, args, getenv, stderr)
	if err != nil {
		return err
	}
	if setLogs != nil {
		setLogs(newLogger(c.cfg.Log, stderr))
	}
	c.stdout = stdout
	if c.db, err = openDatabase(ctx, c.cfg); err != nil {
		return err
	}
	defer c.db.Close()
	c.db.Now = func() time.Time { return time.Now().In(chinaTime) }
	c.db.Retention = retentionPolicy(c.cfg)
	blobs, closeBlobs, err := openBlobStore(c.cfg.Evidence.Dir, c.db)
	if err != nil {
		return err
	}
	if closeBlobs != nil {
		defer closeBlobs()
	}
	c.blobs = blobs
	return cmd(ctx, c)
}

// parsePrivacyFlags reads the flags of a privacy subcommand and loads the config.
func parsePrivacyFlags(sub string, args []string, getenv func(string) string, stderr io.Writer) (*privacyCommand, error) {
	c := &privacyCommand{}
	fs := flag.NewFlagSet("privacy "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", configs.ConfigPathFromEnv(getenv), "YAML configuration file")
	if sub != "retention" {
		fs.StringVar(&c.openid, "openid", "", "the consumer's openid")
	}
	if sub == "show" {
		fs.StringVar(&c.number, "case", "", "a case number of the consumer")
		fs.StringVar(&c.phone, "phone", "", "the consumer's whole mobile number")
	}
	if sub != "show" {
		fs.BoolVar(&c.dryRun, "dry-run", false, "list what would happen, change nothing")
	}
	if sub == "erase" {
		fs.BoolVar(&c.open, "open", false, "also withdraw and anonymise the consumer's open cases")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if err := c.checkSelector(sub); err != nil {
		return nil, err
	}
	var err error
	c.cfg, err = configs.Load(*path, getenv)
	return c, err
}

// checkSelector requires exactly one way of naming the consumer where one is
// needed.
func (c *privacyCommand) checkSelector(sub string) error {
	n := 0
	for _, s := range []string{c.openid, c.number, c.phone} {
		if s != "" {
			n++
		}
	}
	switch {
	case sub == "erase" && c.openid == "":
		return errors.New("--openid is required (find it with privacy show)")
	case sub == "show" && n != 1:
		return errors.New("give one of --openid, --case or --phone")
	}
	return nil
}

// privacyShow lists the cases held on the consumer named by a flag.
func privacyShow(ctx context.Context, c *privacyCommand) error {
	openids, err := c.consumerOpenIDs(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "OPENID\tCASE\tSTATUS\tNAME\tPHONE\tKEPT UNTIL")
	for _, openid := range openids {
		recs, err := c.db.ConsumerRecords(ctx, openid)
		if err != nil {
			return err
		}
		for _, r := range recs {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", openid, r.Number, r.Status.Label(), r.Name,
				storage.MaskPhone(r.Phone), keptUntil(r))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return c.db.AddAudit(ctx, storage.AuditEntry{Action: storage.AuditConsumerRecord,
		Detail: fmt.Sprintf("complaintbot privacy show：%d 位消费者", len(openids))})
}

// keptUntil says until when a record's personal data is kept.
func keptUntil(r *storage.ConsumerRecord) string {
	switch {
	case r.LegalHold:
		return "法律保全"
	case r.Until.IsZero():
		return "办结后起算"
	}
	return r.Until.In(chinaTime).Format(time.DateOnly)
}

// consumerOpenIDs resolves the flags to the consumers they name. A case that is
// anonymised names no one any more.
func (c *privacyCommand) consumerOpenIDs(ctx context.Context) ([]string, error) {
	if c.openid != "" {
		return []string{c.openid}, nil
	}
	f := storage.CaseFilter{Limit: 500}
	if c.number != "" {
		f.Number = &c.number
	} else {
		phone, ok := storage.WholePhone(c.phone)
		if !ok {
			return nil, fmt.Errorf("--phone %q is not a whole mobile number", c.phone)
		}
		f.Search = phone
	}
	cases, _, err := c.db.FindCases(ctx, f)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, cs := range cases {
		if cs.OpenID != "" && !slices.Contains(out, cs.OpenID) {
			out = append(out, cs.OpenID)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no consumer's data is held under that case number or phone")
	}
	return out, nil
}

// privacyErase anonymises a consumer's finished cases (with --open, their open
// ones too) and forgets their dialog state, or in a dry run lists what would
// happen.
func privacyErase(ctx context.Context, c *privacyCommand) error {
	if c.dryRun {
		return c.listErasure(ctx)
	}
	by := storage.By{Actor: storage.ActorSystem}
	var e *storage.Erasure
	var err error
	if c.open {
		e, err = c.db.RequestErasure(ctx, c.openid, c.blobs, by)
	} else {
		e, err = c.db.EraseConsumer(ctx, c.openid, c.blobs, by)
	}
	if err != nil {
		return err
	}
	carried, err := c.carryOutOpen(ctx, e, by)
	if err != nil {
		return err
	}
	keys, err := c.forgetDialog(ctx)
	if err != nil {
		return err
	}
	c.printErasure(e, carried, keys)
	return nil
}

// carryOutOpen carries out, with --open, the deletion requests RequestErasure
// filed for the open cases, as the desk's 执行删除 does (the same store code:
// withdrawn, anonymised, the consumer told, audited). A held case's request is
// left pending: only a supervisor can refuse it, with a reason for the
// consumer. It returns the numbers carried out.
func (c *privacyCommand) carryOutOpen(ctx context.Context, e *storage.Erasure, by storage.By) ([]string, error) {
	carried := []string{}
	for _, req := range e.Requested {
		if req.LegalHold {
			continue
		}
		if _, err := c.db.CarryOutDeletion(ctx, req.ID, c.blobs, by); err != nil {
			return carried, fmt.Errorf("carry out the deletion of %s: %w", req.CaseNumber, err)
		}
		carried = append(carried, req.CaseNumber)
	}
	return carried, nil
}

// printErasure says what erase did.
func (c *privacyCommand) printErasure(e *storage.Erasure, carried []string, keys int) {
	fmt.Fprintf(c.stdout, "anonymised %d case(s): %v\n", len(e.Erased), e.Erased)
	for _, r := range e.Open {
		switch {
		case slices.Contains(carried, r.Number):
			fmt.Fprintf(c.stdout, "open, withdrawn and anonymised: %s\n", r.Number)
		case c.open && r.LegalHold:
			fmt.Fprintf(c.stdout, "open under a legal hold, kept; its deletion request waits for a supervisor: %s\n", r.Number)
		default:
			fmt.Fprintf(c.stdout, "open, left to the desk: %s (%s)\n", r.Number, r.Status.Label())
		}
	}
	for _, r := range e.Held {
		fmt.Fprintf(c.stdout, "under a legal hold, kept: %s\n", r.Number)
	}
	fmt.Fprintf(c.stdout, "evidence files removed: %d; dialog keys deleted: %d\n", e.BlobsRemoved, keys)
}

// listErasure prints what erase would do.
func (c *privacyCommand) listErasure(ctx context.Context) error {
	recs, err := c.db.ConsumerRecords(ctx, c.openid)
	if err != nil {
		return err
	}
	for _, r := range recs {
		fmt.Fprintf(c.stdout, "%s (%s): %s\n", r.Number, r.Status.Label(), c.wouldDo(r))
	}
	fmt.Fprintf(c.stdout, "dry run: %d case(s) held, nothing changed\n", len(recs))
	return nil
}

// wouldDo says what erase would do with one case.
func (c *privacyCommand) wouldDo(r *storage.ConsumerRecord) string {
	switch {
	case !r.Status.Final() && c.open && r.LegalHold:
		return "open under a legal hold, would be kept (its deletion request left to a supervisor)"
	case !r.Status.Final() && c.open:
		return "open, would be withdrawn and anonymised"
	case !r.Status.Final():
		return "open, would be left to the desk"
	case r.LegalHold:
		return "under a legal hold, would be kept"
	}
	return "would be anonymised"
}

// forgetDialog deletes the consumer's dialog state from the configured Redis
// (none to delete in the zero-setup run, whose Redis lives in the service).
func (c *privacyCommand) forgetDialog(ctx context.Context) (int, error) {
	if c.cfg.Redis.URL == "" {
		return 0, nil
	}
	rdb, mr, err := openRedis(ctx, c.cfg.Redis.URL)
	if err != nil {
		return 0, err
	}
	defer closeRedis(rdb, mr)
	return dialog.NewRedisStore(rdb, dialog.RedisStoreOptions{}).ForgetConsumer(ctx, c.openid)
}

// privacyRetention runs the retention job once, or lists what it would do.
func privacyRetention(ctx context.Context, c *privacyCommand) error {
	run, err := c.db.RunRetention(ctx, c.blobs, c.dryRun)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CASE\tSTATUS\tRULE\tFINISHED\tEXPIRED")
	for _, rc := range run.Expired {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", rc.Number, rc.Status.Label(), rc.Class,
			rc.Finished.In(chinaTime).Format(time.DateOnly), rc.Until.In(chinaTime).Format(time.DateOnly))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	verb := "anonymised"
	if c.dryRun {
		verb = "dry run: would anonymise"
	}
	fmt.Fprintf(c.stdout, "%s %d case(s); %d kept under a legal hold; evidence files removed: %d\n",
		verb, len(run.Expired), run.Held, run.BlobsRemoved)
	return nil
}
