package configs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeConfig writes a config file in a temporary directory and returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "complaintbot.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// env turns a map into a getenv function.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

const realAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

func TestLoadWithoutFileOrEnvGivesDefaults(t *testing.T) {
	got, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.HTTP.Addr != Default().HTTP.Addr || got.Cases.Prefix != "TS" {
		t.Errorf("Load(\"\", nil) = %+v, want the defaults", got)
	}
}

func TestLoadYAMLOverridesDefaultsAndKeepsTheRest(t *testing.T) {
	path := writeConfig(t, `
http:
  addr: "127.0.0.1:9000"
  public_url: "https://ts.example.org/"
database:
  url: "postgres://cb:pw@db:5432/cb?sslmode=disable"
redis:
  url: "redis://:pw@redis:6379/2"
wechat:
  app_id: "wx1234567890abcdef"
  app_secret: "0123456789abcdef0123456789abcdef"
  token: "Tok3n"
  encoding_aes_key: "`+realAESKey+`"
  use_stable_token: true
org:
  name: "某市消费者委员会"
cases:
  prefix: "sz"
  accept_working_days: 5
casework:
  merchant_days: 12
dialog:
  draft_ttl: "90m"
  reply_budget: "4.5s"
  messages:
    welcome: "您好"
log:
  level: "DEBUG"
  format: json
`)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"http.addr", c.HTTP.Addr, "127.0.0.1:9000"},
		{"http.public_url", c.HTTP.PublicURL, "https://ts.example.org"},
		{"http.shutdown_timeout (default)", time.Duration(c.HTTP.ShutdownTimeout), 10 * time.Second},
		{"postgres", c.DatabaseIsPostgres(), true},
		{"redis.url", c.Redis.URL, "redis://:pw@redis:6379/2"},
		{"simulator", c.SimulatorMode(), false},
		{"wechat.use_stable_token", c.WeChat.UseStableToken, true},
		{"org.name", c.Org.Name, "某市消费者委员会"},
		{"org.hotline (default)", c.Org.Hotline, "12315"},
		{"cases.prefix", c.Cases.Prefix, "SZ"},
		{"cases.accept_working_days", c.Cases.AcceptWorkingDays, 5},
		{"cases.mediation_working_days (default)", c.Cases.MediationWorkingDays, 45},
		{"casework.merchant_days", c.Casework.MerchantDays, 12},
		{"casework.termination_notice_days (default)", c.Casework.TerminationNoticeDays, 7},
		{"dialog.draft_ttl", time.Duration(c.Dialog.DraftTTL), 90 * time.Minute},
		{"dialog.reply_budget", time.Duration(c.Dialog.ReplyBudget), 4500 * time.Millisecond},
		{"dialog.messages", c.Dialog.Messages["welcome"], "您好"},
		{"log.level", c.Log.Level, "debug"},
		{"log.format", c.Log.Format, "json"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadEnvBeatsYAML(t *testing.T) {
	path := writeConfig(t, `
http:
  addr: ":9000"
org:
  name: "文件里的名字"
dialog:
  draft_ttl: "2h"
`)
	c, err := Load(path, env(map[string]string{
		"COMPLAINTBOT_HTTP_ADDR":           ":7000",
		"COMPLAINTBOT_ORG_NAME":            "环境变量里的名字",
		"COMPLAINTBOT_DRAFT_TTL":           "30m",
		"COMPLAINTBOT_REPLY_BUDGET":        "3s",
		"COMPLAINTBOT_CASE_PREFIX":         "xf",
		"COMPLAINTBOT_DATABASE_URL":        "postgresql://db/cb",
		"COMPLAINTBOT_WECHAT_APP_ID":       "wx1234567890abcdef",
		"COMPLAINTBOT_WECHAT_APP_SECRET":   "s3cret\n", // pasted with a newline
		"COMPLAINTBOT_WECHAT_TOKEN":        "abc123",
		"COMPLAINTBOT_WECHAT_AES_KEY":      realAESKey,
		"COMPLAINTBOT_WECHAT_STABLE_TOKEN": "true",
		"COMPLAINTBOT_LOG_FORMAT":          "json",
		"COMPLAINTBOT_WECHAT_TEMPLATE_ID":  "tmplABC",
		"COMPLAINTBOT_PUSH_WORKERS":        "4",
		"COMPLAINTBOT_EVIDENCE_DIR":        "/var/lib/complaintbot/evidence",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Addr != ":7000" || c.Org.Name != "环境变量里的名字" {
		t.Errorf("env did not override the file: addr %q, org.name %q", c.HTTP.Addr, c.Org.Name)
	}
	if time.Duration(c.Dialog.DraftTTL) != 30*time.Minute || time.Duration(c.Dialog.ReplyBudget) != 3*time.Second {
		t.Errorf("durations = %v, %v; want 30m, 3s", c.Dialog.DraftTTL, c.Dialog.ReplyBudget)
	}
	if c.Cases.Prefix != "XF" || !c.DatabaseIsPostgres() || c.SimulatorMode() || !c.WeChat.UseStableToken {
		t.Errorf("env overrides lost: %+v", c)
	}
	if c.WeChat.AppSecret != "s3cret" {
		t.Errorf("app secret not trimmed")
	}
}

func TestLoadEmptyEnvKeepsFileValue(t *testing.T) {
	path := writeConfig(t, "org:\n  hotline: \"96315\"\n")
	c, err := Load(path, env(map[string]string{"COMPLAINTBOT_ORG_HOTLINE": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Org.Hotline != "96315" {
		t.Errorf("org.hotline = %q, want the file's 96315", c.Org.Hotline)
	}
}

func TestLoadStableTokenBool(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "false": false, "1": true, "0": false, "TRUE": true} {
		c, err := Load("", env(map[string]string{"COMPLAINTBOT_WECHAT_STABLE_TOKEN": in}))
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if c.WeChat.UseStableToken != want {
			t.Errorf("%q: use_stable_token = %v, want %v", in, c.WeChat.UseStableToken, want)
		}
	}
	_, err := Load("", env(map[string]string{"COMPLAINTBOT_WECHAT_STABLE_TOKEN": "yes please"}))
	if err == nil || !strings.Contains(err.Error(), "COMPLAINTBOT_WECHAT_STABLE_TOKEN") {
		t.Errorf("bad bool: error %v does not name the variable", err)
	}
}

func TestLoadBadEnvValuesAreAllNamed(t *testing.T) {
	_, err := Load("", env(map[string]string{
		"COMPLAINTBOT_DRAFT_TTL":    "abc",
		"COMPLAINTBOT_REPLY_BUDGET": "4",
		"COMPLAINTBOT_LOG_LEVEL":    "verbose",
	}))
	if err == nil {
		t.Fatal("Load accepted bad environment values")
	}
	for _, want := range []string{"COMPLAINTBOT_DRAFT_TTL", `"abc"`, "COMPLAINTBOT_REPLY_BUDGET", "log.level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 3 {
		t.Errorf("want one *ValidationError with 3 problems, got %#v", err)
	}
}

func TestLoadUnknownKeyIsNamed(t *testing.T) {
	path := writeConfig(t, "http:\n  adr: \":9000\"\n")
	_, err := Load(path, nil)
	if err == nil {
		t.Fatal("Load accepted an unknown key")
	}
	if !strings.Contains(err.Error(), "adr") || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q names neither the key adr nor the file", err)
	}
}

func TestLoadRemovedMaxAttemptsSaysWhatReplacesIt(t *testing.T) {
	path := writeConfig(t, "push:\n  workers: 2\n  max_attempts: 12\n")
	_, err := Load(path, nil)
	if err == nil {
		t.Fatal("Load accepted push.max_attempts, which no longer does anything")
	}
	for _, want := range []string{path, "line 3", "push.max_attempts was removed", "push.max_age"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	c, err := Load(writeConfig(t, "push:\n  max_age: 96h\n"), nil)
	if err != nil || time.Duration(c.Push.MaxAge) != 96*time.Hour {
		t.Errorf("push.max_age 96h = %v, %v", c.Push.MaxAge, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path, nil)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an fs.ErrNotExist naming %s", err, path)
	}
}

func TestLoadEmptyOrCommentOnlyFileGivesDefaults(t *testing.T) {
	for _, content := range []string{"", "# nothing yet\n"} {
		if _, err := Load(writeConfig(t, content), nil); err != nil {
			t.Errorf("Load(%q) = %v", content, err)
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	for name, tc := range map[string]struct{ content, want string }{
		"bad duration":  {"dialog:\n  draft_ttl: soon\n", `line 2: cannot parse "soon" as a duration`},
		"bare number":   {"dialog:\n  reply_budget: 4\n", "line 2"},
		"two documents": {"log:\n  level: info\n---\nlog:\n  level: warn\n", "more than one YAML document"},
		"malformed":     {"http: [\n", "yaml"},
		"wrong type":    {"cases:\n  accept_working_days: seven\n", "line 2"},
		"not a mapping": {"- a\n- b\n", "cannot unmarshal"},
	} {
		_, err := Load(writeConfig(t, tc.content), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", name, err, tc.want)
		}
	}
}

func TestLoadValidatesFileValues(t *testing.T) {
	_, err := Load(writeConfig(t, "dialog:\n  reply_budget: 5s\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "dialog.reply_budget") {
		t.Errorf("Load with a 5s reply budget = %v, want a dialog.reply_budget problem", err)
	}
}

func TestConfigPathFromEnv(t *testing.T) {
	if got := ConfigPathFromEnv(env(map[string]string{"COMPLAINTBOT_CONFIG": " /etc/cb.yaml "})); got != "/etc/cb.yaml" {
		t.Errorf("ConfigPathFromEnv = %q", got)
	}
	if got := ConfigPathFromEnv(env(nil)); got != "" {
		t.Errorf("ConfigPathFromEnv(unset) = %q", got)
	}
}

func TestEveryEnvVarOverridesItsKey(t *testing.T) {
	// Each variable is set to a value valid for its key; Load must then report
	// that value at the key EnvVars names, which catches a table entry wired to
	// the wrong field.
	values := map[string]string{
		"http.addr": ":1234", "http.public_url": "https://x.example", "http.metrics_addr": "127.0.0.1:9090",
		"database.url": "other.db", "redis.url": "redis://r:6379",
		"wechat.app_id": "wxabc", "wechat.app_secret": "sec", "wechat.token": "tok",
		"wechat.encoding_aes_key": realAESKey, "wechat.api_base": "http://sim.local",
		"wechat.use_stable_token": "true", "cases.prefix": "AB",
		"org.name": "n", "org.hotline": "h", "org.service_hours": "s",
		"dialog.draft_ttl": "11m", "dialog.reply_budget": "1s", "dialog.rating_window": "48h",
		"dialog.max_turns": "8", "dialog.turn_wait": "200ms",
		"log.level": "warn", "log.format": "json",
		"wechat.template.id": "tmplX", "http.trust_proxy": "true", "push.workers": "3", "evidence.dir": "/srv/evidence",
		"console.phone_searches_per_hour": "7", "console.max_in_flight": "3",
		"push.max_age":           "48h",
		"casework.merchant_days": "12", "casework.termination_notice_days": "9",
		"casework.material_wait":  "72h",
		"casework.mass_threshold": "8", "casework.mass_window": "72h",
		"privacy.retention_rejected_months": "6", "privacy.retention_withdrawn_months": "7",
		"privacy.retention_mediated_months": "24", "privacy.retention_arbitration_months": "72",
		"privacy.retention_other_months": "30", "privacy.retention_poll": "30m",
		"casework.proposal_answer_days": "5", "casework.proposal_return_days": "6",
		"casework.payment_answer_days":      "9",
		"privacy.deletion_due_working_days": "10",
	}
	vars := map[string]string{}
	for _, v := range EnvVars() {
		val, ok := values[v.Key]
		if !ok {
			t.Fatalf("no test value for %s (%s)", v.Name, v.Key)
		}
		vars[v.Name] = val
	}
	c, err := Load("", env(vars))
	if err != nil {
		t.Fatal(err)
	}
	got := flatten(t, c)
	for key, want := range values {
		if got[key] != want {
			t.Errorf("%s = %q, want %q from the environment", key, got[key], want)
		}
	}
}
