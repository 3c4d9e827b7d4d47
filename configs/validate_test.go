package configs

import (
	"strings"
	"testing"
	"time"
)

// realWeChat returns a valid configuration for the real WeChat platform.
func realWeChat() Config {
	c := Default()
	c.WeChat = WeChatConfig{
		AppID:          "wx1234567890abcdef",
		AppSecret:      "0123456789abcdef0123456789abcdef",
		Token:          "complaintbot2026",
		EncodingAESKey: realAESKey,
	}
	return c
}

func TestValidateNamesEveryBadValueInOneError(t *testing.T) {
	c := Default()
	c.HTTP.Addr = "8080"
	c.HTTP.ShutdownTimeout = 0
	c.Database.URL = "mysql://db/cb"
	c.Redis.URL = "http://redis:6379"
	c.WeChat.AppID = "wx1234567890abcdef"
	c.WeChat.Token = "no"
	c.Org.Name = " "
	c.Cases.Prefix = "TOOLONGPREFIX"
	c.Cases.MediationWorkingDays = 0
	c.Dialog.DraftTTL = Duration(time.Minute)
	c.Dialog.ReplyBudget = Duration(5 * time.Second)
	c.Dialog.Messages = map[string]string{"welcome": ""}
	c.Log.Level = "trace"
	c.Log.Format = "xml"
	c.Console.PhoneSearchesPerHour = 0
	c.Console.MaxInFlight = -1
	c.Push.MaxAge = Duration(10 * time.Minute)
	c.Casework.MaterialWait = Duration(10 * time.Minute)
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted a broken configuration")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "invalid configuration:\n  - ") {
		t.Errorf("message does not start with the heading:\n%s", msg)
	}
	for _, key := range []string{
		"http.addr", "http.shutdown_timeout", "database.url", "redis.url", "casework.material_wait",
		"wechat.app_secret", "wechat.token", "org.name", "cases.prefix",
		"cases.mediation_working_days", "dialog.draft_ttl", "dialog.reply_budget",
		"dialog.messages.welcome", "log.level", "log.format", "console.phone_searches_per_hour", "push.max_age",
		"console.max_in_flight",
	} {
		if !strings.Contains(msg, "\n  - "+key+": ") {
			t.Errorf("message does not name %s:\n%s", key, msg)
		}
	}
}

func TestValidateNeverEchoesSecrets(t *testing.T) {
	c := Default()
	c.WeChat.AppSecret = "SUPERSECRETVALUE"
	c.WeChat.Token = "bad-token-SECRETTOKEN!"
	c.WeChat.EncodingAESKey = "SECRETAESKEY-too-short"
	c.Database.URL = "postgres://cb:DBPASSWORD@db:notaport/cb"
	c.Redis.URL = "redis://:REDISPASSWORD@redis:6379/notadb"
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted a broken configuration")
	}
	for _, secret := range []string{"SUPERSECRETVALUE", "SECRETTOKEN", "SECRETAESKEY", "DBPASSWORD", "REDISPASSWORD"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("message echoes %s:\n%v", secret, err)
		}
	}
	for _, key := range []string{"wechat.app_id", "wechat.token", "wechat.encoding_aes_key", "database.url", "redis.url"} {
		if !strings.Contains(err.Error(), key+":") {
			t.Errorf("message does not name %s:\n%v", key, err)
		}
	}
}

func TestValidateWeChatCredentials(t *testing.T) {
	cases := map[string]struct {
		edit    func(*Config)
		wantKey string // "" means valid
	}{
		"complete":             {func(*Config) {}, ""},
		"plaintext mode":       {func(c *Config) { c.WeChat.EncodingAESKey = "" }, ""},
		"no secret":            {func(c *Config) { c.WeChat.AppSecret = "" }, "wechat.app_secret"},
		"no token":             {func(c *Config) { c.WeChat.Token = "" }, "wechat.token"},
		"token too short":      {func(c *Config) { c.WeChat.Token = "ab" }, "wechat.token"},
		"token 32":             {func(c *Config) { c.WeChat.Token = strings.Repeat("a", 32) }, ""},
		"token 33":             {func(c *Config) { c.WeChat.Token = strings.Repeat("a", 33) }, "wechat.token"},
		"token punctuation":    {func(c *Config) { c.WeChat.Token = "abc_def" }, "wechat.token"},
		"secret without appid": {func(c *Config) { c.WeChat.AppID = "" }, "wechat.app_id"},
		"api base":             {func(c *Config) { c.WeChat.APIBase = "http://127.0.0.1:8081" }, ""},
		"api base ftp":         {func(c *Config) { c.WeChat.APIBase = "ftp://x" }, "wechat.api_base"},
		"api base no host":     {func(c *Config) { c.WeChat.APIBase = "https://" }, "wechat.api_base"},
	}
	for name, tc := range cases {
		c := realWeChat()
		tc.edit(&c)
		checkOnlyProblem(t, name, c.Validate(), tc.wantKey)
	}
}

func TestValidateAESKey(t *testing.T) {
	cases := map[string]struct {
		key   string
		valid bool
	}{
		// The last character's low bits are non-zero here; WeChat's keys are
		// random, so a strict decoder would refuse most real ones.
		"random key":      {realAESKey, true},
		"with plus/slash": {"ab+/" + strings.Repeat("Z", 39), true},
		"42 chars":        {realAESKey[:42], false},
		"44 chars":        {realAESKey + "=", false},
		"url alphabet":    {"ab-_" + strings.Repeat("Z", 39), false},
		"non-ascii":       {"密" + realAESKey[3:], false},
	}
	for name, tc := range cases {
		c := realWeChat()
		c.WeChat.EncodingAESKey = tc.key
		want := "wechat.encoding_aes_key"
		if tc.valid {
			want = ""
		}
		checkOnlyProblem(t, name, c.Validate(), want)
	}
}

func TestValidateURLsAndAddresses(t *testing.T) {
	cases := map[string]struct {
		edit    func(*Config)
		wantKey string
	}{
		"listen on any port":  {func(c *Config) { c.HTTP.Addr = ":0" }, ""},
		"listen on host":      {func(c *Config) { c.HTTP.Addr = "127.0.0.1:8080" }, ""},
		"port out of range":   {func(c *Config) { c.HTTP.Addr = ":70000" }, "http.addr"},
		"metrics apart":       {func(c *Config) { c.HTTP.MetricsAddr = "127.0.0.1:9090" }, ""},
		"metrics any port":    {func(c *Config) { c.HTTP.Addr, c.HTTP.MetricsAddr = ":0", ":0" }, ""},
		"metrics on http":     {func(c *Config) { c.HTTP.MetricsAddr = ":8080" }, "http.metrics_addr"},
		"metrics no port":     {func(c *Config) { c.HTTP.MetricsAddr = "9090" }, "http.metrics_addr"},
		"public url":          {func(c *Config) { c.HTTP.PublicURL = "https://ts.example.org/cb" }, ""},
		"public url relative": {func(c *Config) { c.HTTP.PublicURL = "ts.example.org" }, "http.public_url"},
		"public url query":    {func(c *Config) { c.HTTP.PublicURL = "https://x.org/?a=1" }, "http.public_url"},
		"sqlite file uri":     {func(c *Config) { c.Database.URL = "file:cb.db?_pragma=busy_timeout(5000)" }, ""},
		"empty database":      {func(c *Config) { c.Database.URL = "" }, "database.url"},
		"postgres socket":     {func(c *Config) { c.Database.URL = "postgres:///cb?host=/run/postgresql" }, ""},
		"rediss":              {func(c *Config) { c.Redis.URL = "rediss://user:pw@redis.example:6380/1" }, ""},
		"redis without host":  {func(c *Config) { c.Redis.URL = "redis:///0" }, "redis.url"},
		"redis bare host":     {func(c *Config) { c.Redis.URL = "localhost:6379" }, "redis.url"},
		"prefix lower-case":   {func(c *Config) { c.Cases.Prefix = "ts" }, "cases.prefix"},
		"prefix non-ascii":    {func(c *Config) { c.Cases.Prefix = "投诉" }, "cases.prefix"},
		"reply budget 4.5s":   {func(c *Config) { c.Dialog.ReplyBudget = Duration(4500 * time.Millisecond) }, ""},
		"reply budget 0":      {func(c *Config) { c.Dialog.ReplyBudget = 0 }, "dialog.reply_budget"},
		"max turns 0":         {func(c *Config) { c.Dialog.MaxTurns = 0 }, "dialog.max_turns"},
		"max turns 4097":      {func(c *Config) { c.Dialog.MaxTurns = 4097 }, "dialog.max_turns"},
		"turn wait 0":         {func(c *Config) { c.Dialog.TurnWait = 0 }, "dialog.turn_wait"},
		"turn wait = budget":  {func(c *Config) { c.Dialog.TurnWait = c.Dialog.ReplyBudget }, "dialog.turn_wait"},
		"turn wait 1s":        {func(c *Config) { c.Dialog.TurnWait = Duration(time.Second) }, ""},
		"draft ttl 10m":       {func(c *Config) { c.Dialog.DraftTTL = Duration(10 * time.Minute) }, ""},
		"draft ttl 9m":        {func(c *Config) { c.Dialog.DraftTTL = Duration(9 * time.Minute) }, "dialog.draft_ttl"},
		"rating window 1h":    {func(c *Config) { c.Dialog.RatingWindow = Duration(time.Hour) }, ""},
		"rating window 0":     {func(c *Config) { c.Dialog.RatingWindow = 0 }, "dialog.rating_window"},
		"rating window 31d":   {func(c *Config) { c.Dialog.RatingWindow = Duration(31 * 24 * time.Hour) }, "dialog.rating_window"},
		"hours blank":         {func(c *Config) { c.Org.ServiceHours = "" }, "org.service_hours"},
		"message blank key":   {func(c *Config) { c.Dialog.Messages = map[string]string{" ": "x"} }, "dialog.messages"},
	}
	for name, tc := range cases {
		c := Default()
		tc.edit(&c)
		checkOnlyProblem(t, name, c.Validate(), tc.wantKey)
	}
}

// checkOnlyProblem fails unless err is nil when wantKey is "", or else reports
// exactly one problem, for wantKey.
func checkOnlyProblem(t *testing.T, name string, err error, wantKey string) {
	t.Helper()
	if wantKey == "" {
		if err != nil {
			t.Errorf("%s: unexpected error: %v", name, err)
		}
		return
	}
	verr, ok := err.(*ValidationError)
	if !ok {
		t.Errorf("%s: error %v, want a *ValidationError for %s", name, err, wantKey)
		return
	}
	if len(verr.Problems) != 1 || !strings.HasPrefix(verr.Problems[0], wantKey+": ") {
		t.Errorf("%s: problems %q, want exactly one for %s", name, verr.Problems, wantKey)
	}
}

func TestDraftTTLLeavesTimeToFetchPhotos(t *testing.T) {
	c := Default()
	c.Dialog.DraftTTL = Duration(72 * time.Hour)
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "dialog.draft_ttl") {
		t.Fatalf("a draft TTL past WeChat's media lifetime must be refused: %v", err)
	}
}
