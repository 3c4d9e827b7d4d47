package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestMigrateCommandCreatesTheSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cb.db")
	var out, errOut bytes.Buffer
	env := envOf(map[string]string{"COMPLAINTBOT_DATABASE_URL": path})
	if err := run(context.Background(), []string{"migrate"}, env, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v\n%s", err, errOut.String())
	}
	db, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := db.FindCases(context.Background(), storage.CaseFilter{}); err != nil {
		t.Fatalf("the cases table should exist after migrate: %v", err)
	}
}

func TestBadConfigurationIsNamed(t *testing.T) {
	var out, errOut bytes.Buffer
	env := envOf(map[string]string{"COMPLAINTBOT_DRAFT_TTL": "soon", "COMPLAINTBOT_WECHAT_APP_ID": "wx123"})
	err := run(context.Background(), []string{"serve"}, env, &out, &errOut)
	if err == nil {
		t.Fatal("want a configuration error")
	}
	for _, want := range []string{"COMPLAINTBOT_DRAFT_TTL", "wechat.app_secret", "wechat.token"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error should name %s:\n%v", want, err)
		}
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, os.Getenv, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "usage") {
		t.Fatalf("unknown command: %v, %q", err, errOut.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"help"}, os.Getenv, &out, &errOut); err != nil || !strings.Contains(out.String(), "migrate") {
		t.Fatalf("help: %v, %q", err, out.String())
	}
}

func TestWechatMenuInstallsTheMenu(t *testing.T) {
	platform := wechatsim.NewPlatform(wechatsim.PlatformConfig{AppID: e2eAppID, AppSecret: "e2e-secret"})
	api := httptest.NewServer(platform.Handler())
	defer api.Close()
	env := envOf(map[string]string{
		"COMPLAINTBOT_WECHAT_APP_ID": e2eAppID, "COMPLAINTBOT_WECHAT_APP_SECRET": "e2e-secret",
		"COMPLAINTBOT_WECHAT_TOKEN": e2eToken, "COMPLAINTBOT_WECHAT_API_BASE": api.URL,
	})
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"wechat", "menu"}, env, &out, &errOut); err != nil {
		t.Fatalf("wechat menu: %v\n%s", err, errOut.String())
	}
	var keys []string
	for _, b := range platform.Menu() {
		keys = append(keys, b.Name+"="+b.Key)
	}
	if got := strings.Join(keys, ","); got != "我要投诉=COMPLAIN,查询进度=QUERY,帮助=HELP" {
		t.Fatalf("menu on the platform: %s", got)
	}
	if err := run(context.Background(), []string{"wechat", "menu"}, envOf(nil), &out, &errOut); err == nil {
		t.Fatal("in simulator mode the command must refuse with a clear message")
	}
}
