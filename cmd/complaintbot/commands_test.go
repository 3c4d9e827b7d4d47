package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/configs"
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
	if err := run(context.Background(), []string{"migrate"}, env, &out, &errOut, nil); err != nil {
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
	err := run(context.Background(), []string{"serve"}, env, &out, &errOut, nil)
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
	if err := run(context.Background(), []string{"frobnicate"}, os.Getenv, &out, &errOut, nil); err == nil || !strings.Contains(errOut.String(), "usage") {
		t.Fatalf("unknown command: %v, %q", err, errOut.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"help"}, os.Getenv, &out, &errOut, nil); err != nil || !strings.Contains(out.String(), "migrate") {
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
	if err := run(context.Background(), []string{"wechat", "menu"}, env, &out, &errOut, nil); err != nil {
		t.Fatalf("wechat menu: %v\n%s", err, errOut.String())
	}
	var keys []string
	for _, b := range platform.Menu() {
		keys = append(keys, b.Name+"="+b.Key)
	}
	if got := strings.Join(keys, ","); got != "我要投诉=COMPLAIN,查询进度=QUERY,帮助=HELP" {
		t.Fatalf("menu on the platform: %s", got)
	}
	if err := run(context.Background(), []string{"wechat", "menu"}, envOf(nil), &out, &errOut, nil); err == nil {
		t.Fatal("in simulator mode the command must refuse with a clear message")
	}
}

// TestZeroSetupRun starts the service as `go run ./cmd/complaintbot` does: SQLite, an
// in-process Redis and the simulator, which a person drives through /sim.
func TestZeroSetupRun(t *testing.T) {
	cfg := configs.Default()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Database.URL = filepath.Join(t.TempDir(), "data", "complaintbot.db")
	m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	resp, err := http.Get(m.URL() + "/sim")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "微信模拟器") {
		t.Fatalf("/sim: %d", resp.StatusCode)
	}
	if len(m.Platform.Menu()) != 3 {
		t.Fatalf("the menu should be installed at start: %+v", m.Platform.Menu())
	}
	req, _ := http.NewRequest("POST", m.URL()+"/sim/api/send", strings.NewReader(`{"openid":"oZeroSetup1","type":"event","event":"CLICK","key":"COMPLAIN"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sim", "1")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "同意") {
		t.Fatalf("the simulator's menu click should reach the dialog: %s", body)
	}
}
