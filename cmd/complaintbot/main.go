// Command complaintbot runs the complaint desk: the WeChat webhook, the intake dialog
// and (in zero-setup mode) a WeChat simulator, on PostgreSQL or SQLite and Redis or
// an in-process Redis.
//
//	complaintbot [serve] [-config FILE]   run the service (the default)
//	complaintbot migrate [-config FILE]   apply database migrations and exit
//	complaintbot wechat menu [-config FILE]  install the account's menu
//	complaintbot staff add|passwd|disable|list …  manage console accounts
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/bot"
	"github.com/complaintbot/complaintbot/configs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	setGCPercent(os.Getenv)
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, setLibraryLogs); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "complaintbot:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: complaintbot [command] [-config FILE]

commands:
  serve     run the service (default)
  migrate       apply database migrations and exit
  wechat menu   install the official account's menu (我要投诉 / 查询进度 / 帮助)
  staff         manage console accounts: add, passwd, disable, list
                (complaintbot staff help for details)
  privacy       consumers' personal data: show, erase, retention
                (complaintbot privacy help for details)
  help          show this help

Configuration comes from defaults, then the YAML file named by -config or
COMPLAINTBOT_CONFIG, then COMPLAINTBOT_* environment variables.
`

// run dispatches a subcommand; it is main without the process exit, for tests.
// Once the command's logger is built, run hands it to setLogs, which makes the
// process-wide settings: main passes setLibraryLogs; tests, which make them once
// in TestMain, pass nil.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, setLogs func(*slog.Logger)) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if cmd == "staff" {
		return runStaff(ctx, args, getenv, stdout, stderr, setLogs)
	}
	if cmd == "privacy" {
		return runPrivacy(ctx, args, getenv, stdout, stderr, setLogs)
	}
	if cmd == "wechat" {
		if len(args) == 0 || args[0] != "menu" {
			fmt.Fprint(stderr, usage)
			return fmt.Errorf("usage: complaintbot wechat menu [-config FILE]")
		}
		cmd, args = "wechat menu", args[1:]
	}
	switch cmd {
	case "serve", "migrate", "wechat menu":
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	cfg, err := loadConfig(cmd, args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log, stderr)
	if setLogs != nil {
		setLogs(logger)
	}
	switch cmd {
	case "migrate":
		return migrate(ctx, cfg, logger)
	case "wechat menu":
		return installMenu(ctx, cfg, logger, stdout)
	}
	return serve(ctx, cfg, logger, stdout)
}

func loadConfig(cmd string, args []string, getenv func(string) string, stderr io.Writer) (configs.Config, error) {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", configs.ConfigPathFromEnv(getenv), "YAML configuration file")
	if err := fs.Parse(args); err != nil {
		return configs.Config{}, err
	}
	if fs.NArg() > 0 {
		return configs.Config{}, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return configs.Load(*path, getenv)
}

func newLogger(c configs.LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // validated by configs
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// setLibraryLogs makes the settings the libraries keep for the whole process,
// once per process (by main, through run): the WeChat library's logrus output is
// silenced, and go-redis's own messages go to logger at debug level. Main does not
// touch them, so two Mains in one process do not fight over them.
func setLibraryLogs(logger *slog.Logger) {
	bot.SilenceLibraryLogs()
	redis.SetLogger(redisLogger{logger})
}

// migrate applies the migrations and exits; safe to run while instances serve.
func migrate(ctx context.Context, cfg configs.Config, logger *slog.Logger) error {
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	logger.Info("migrations applied", "database", db.Dialect())
	return nil
}

// installMenu creates the account's menu with the CLICK keys the dialog knows.
func installMenu(ctx context.Context, cfg configs.Config, logger *slog.Logger, stdout io.Writer) error {
	if cfg.SimulatorMode() {
		return errors.New("wechat menu needs a real account: set wechat.app_id, app_secret and token " +
			"(in simulator mode the /sim page has the menu built in)")
	}
	rdb, mr, err := openRedis(ctx, cfg.Redis.URL)
	if err != nil {
		return err
	}
	defer closeRedis(rdb, mr)
	api := newAPIClient(apiConfig(cfg, ""), rdb, logger) // no self URL: not in simulator mode
	if err := api.CreateMenu(ctx, bot.DefaultMenu()); err != nil {
		return fmt.Errorf("create menu: %w", err)
	}
	fmt.Fprintln(stdout, "menu installed: 我要投诉 / 查询进度 / 帮助")
	return nil
}

// serve runs until ctx is cancelled (SIGINT/SIGTERM), then shuts down in order.
func serve(ctx context.Context, cfg configs.Config, logger *slog.Logger, stdout io.Writer) error {
	m := NewMain(cfg, logger)
	m.Out = stdout
	if err := m.Run(ctx); err != nil {
		_ = m.Close()
		return err
	}
	m.PrintURLs(stdout)
	<-ctx.Done()
	logger.Info("shutting down")
	return m.Close()
}
