// Package configs holds complaintbot's configuration: the Config type, defaults that
// work with zero setup, loading from a YAML file and COMPLAINTBOT_* environment
// variables, and validation.
//
// Precedence is defaults, then the YAML file, then the environment, then Validate,
// which reports every bad value at once so an operator fixes a deployment in one go.
// Only cmd/complaintbot imports this package; it passes plain values to the rest.
package configs

import (
	"strings"
	"time"
)

// Config is the whole configuration of one complaintbot instance. The yaml tags are
// the keys of the config file; see complaintbot.example.yaml.
type Config struct {
	HTTP     HTTPConfig     `yaml:"http"`
	Database DatabaseConfig `yaml:"database"`
	Redis    RedisConfig    `yaml:"redis"`
	WeChat   WeChatConfig   `yaml:"wechat"`
	Org      OrgConfig      `yaml:"org"`
	Cases    CasesConfig    `yaml:"cases"`
	Console  ConsoleConfig  `yaml:"console"`
	Dialog   DialogConfig   `yaml:"dialog"`
	Push     PushConfig     `yaml:"push"`
	Evidence EvidenceConfig `yaml:"evidence"`
	Log      LogConfig      `yaml:"log"`
	Casework CaseworkConfig `yaml:"casework"`
	Privacy  PrivacyConfig  `yaml:"privacy"`
}

// HTTPConfig configures the HTTP server that serves the WeChat webhook, the staff
// console and, in simulator mode, the simulator.
type HTTPConfig struct {
	// Addr is the listen address, host:port or :port.
	Addr string `yaml:"addr"`
	// PublicURL is the externally visible base URL (http or https, no trailing
	// slash after Load), used to print URLs and build links. Empty means the caller
	// derives it from Addr. An https URL also makes the console's cookies Secure
	// and every response carry Strict-Transport-Security.
	PublicURL string `yaml:"public_url"`
	// TrustProxy takes the client address from X-Forwarded-For for the console's
	// login throttle and audit log; set it only behind a proxy that sets it.
	TrustProxy bool `yaml:"trust_proxy"`
	// ShutdownTimeout bounds how long in-flight requests may take to finish on
	// shutdown.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// MetricsAddr is a separate listen address for /metrics, host:port or :port.
	// Empty serves no metrics with a real WeChat account, so the counters are never
	// public on the address WeChat reaches; the simulator then keeps them on Addr.
	MetricsAddr string `yaml:"metrics_addr"`
}

// DatabaseConfig says where cases live.
type DatabaseConfig struct {
	// URL is a SQLite file path, or a postgres:// or postgresql:// URL for
	// PostgreSQL. It may hold a password and is never echoed by Validate.
	URL string `yaml:"url"`
}

// RedisConfig says where dialog state, de-duplication keys, the access token and
// console sessions live.
type RedisConfig struct {
	// URL is a redis:// or rediss:// URL of one server, a redis+cluster:// URL
	// of a Redis Cluster's nodes or a redis+sentinel://…?master_name= URL of
	// Sentinels (the forms are in the README); empty means an in-process
	// miniredis, which is only right for a single instance. It may hold a
	// password and is never echoed by Validate.
	URL string `yaml:"url"`
}

// WeChatConfig holds the official account's credentials. With AppID empty the
// service runs against the built-in WeChat simulator.
type WeChatConfig struct {
	// AppID is the official account's AppID (开发者ID).
	AppID string `yaml:"app_id"`
	// AppSecret is the account's AppSecret (开发者密码); required with AppID.
	AppSecret string `yaml:"app_secret"`
	// Token is the server-configuration Token (令牌) used to sign webhook
	// requests: 3 to 32 letters or digits; required with AppID.
	Token string `yaml:"token"`
	// EncodingAESKey is the 43-character message encryption key
	// (消息加解密密钥); empty means plaintext mode.
	EncodingAESKey string `yaml:"encoding_aes_key"`
	// APIBase overrides the WeChat API base URL (default
	// https://api.weixin.qq.com), e.g. for a proxy or the simulator.
	APIBase string `yaml:"api_base"`
	// UseStableToken fetches access tokens from the stable_token endpoint, which
	// does not invalidate tokens held by other systems sharing the AppID.
	UseStableToken bool `yaml:"use_stable_token"`
	// Template is the template message used when a notice falls outside the
	// 48-hour customer-service window.
	Template TemplateConfig `yaml:"template"`
}

// TemplateConfig names the account's service-notice template and which of its
// fields carry what. Template ids and field keys come from the platform's 模板消息
// page after the template is added to the account.
type TemplateConfig struct {
	// ID is the template_id; empty means no fallback, so a notice outside the
	// 48-hour window is marked dead (visible to staff) instead of sent.
	ID string `yaml:"id"`
	// CaseNumberField is the character_string field for the case number.
	CaseNumberField string `yaml:"case_number_field"`
	// StatusField is the phrase field for the status (≤ 5 characters).
	StatusField string `yaml:"status_field"`
	// TimeField is the time field for when it happened.
	TimeField string `yaml:"time_field"`
	// SummaryField is the thing field for a short summary (≤ 20 characters).
	SummaryField string `yaml:"summary_field"`
}

// PushConfig tunes the workers that deliver the outbox to consumers.
type PushConfig struct {
	// Workers is how many delivery workers each instance runs.
	Workers int `yaml:"workers"`
	// MaxAge is how long a notice may keep failing before it is marked dead. Only
	// WeChat answers that can never succeed kill a notice sooner; every other
	// failure is retried with backoff until then. (It replaces max_attempts.)
	MaxAge Duration `yaml:"max_age"`
	// PollInterval is how often an idle worker looks for new notifications.
	PollInterval Duration `yaml:"poll_interval"`
}

// EvidenceConfig tunes the download of consumers' photos and voice messages.
type EvidenceConfig struct {
	// MaxBytes refuses larger media.
	MaxBytes int64 `yaml:"max_bytes"`
	// Dir stores the bytes in this directory; empty stores them in the database.
	Dir string `yaml:"dir"`
}

// OrgConfig describes the association; the dialog's messages quote it.
type OrgConfig struct {
	// Name is the association's name as consumers see it.
	Name string `yaml:"name"`
	// Hotline is the phone number consumers can call instead.
	Hotline string `yaml:"hotline"`
	// ServiceHours tells consumers when staff are at work.
	ServiceHours string `yaml:"service_hours"`
}

// CasesConfig shapes case numbers and deadlines.
type CasesConfig struct {
	// Prefix starts every case number (TS-2026-000123): 1 to 8 ASCII letters,
	// upper-cased by Load.
	Prefix string `yaml:"prefix"`
	// AcceptWorkingDays is the deadline for deciding whether to accept a case,
	// counted from submission (SAMR Order 20, art. 14).
	AcceptWorkingDays int `yaml:"accept_working_days"`
	// MediationWorkingDays is the deadline for ending mediation, counted from
	// acceptance (SAMR Order 20, art. 21).
	MediationWorkingDays int `yaml:"mediation_working_days"`
}

// ConsoleConfig tunes the staff console and its API.
type ConsoleConfig struct {
	// PhoneSearchesPerHour is how many searches by a whole phone number each
	// staff member may make per hour, in the console and the API together. Such
	// a search tells whose number it is, so it is audited and limited like a
	// reveal: unlimited, it recovers a masked number in seconds.
	PhoneSearchesPerHour int `yaml:"phone_searches_per_hour"`
	// MaxInFlight is how many console and API requests one instance works on
	// at once; later ones wait in arrival order. 0 means one per core.
	MaxInFlight int `yaml:"max_in_flight"`
}

// DialogConfig tunes the consumer-side intake conversation.
type DialogConfig struct {
	// DraftTTL is how long an idle draft complaint is kept; at least 10 minutes.
	DraftTTL Duration `yaml:"draft_ttl"`
	// ReplyBudget is how long the webhook may work on a passive reply before it
	// answers and pushes the rest; WeChat waits 5 s, so at most 4.5 s. The
	// default, 3.5 s, leaves a second for a handler that waits for a core on a
	// starved machine (see bot.DefaultReplyBudget).
	ReplyBudget Duration `yaml:"reply_budget"`
	// RatingWindow is how long after a case is closed the dialog asks for its
	// rating when the consumer next writes (the rating request itself may have
	// gone out as a template card, which cannot ask); 1h to 30 days.
	RatingWindow Duration `yaml:"rating_window"`
	// MaxTurns bounds the turns one instance runs at once, late ones included; a
	// callback that finds none free within TurnWait gets the busy reply at once,
	// so overload sheds load instead of missing WeChat's 5 s.
	MaxTurns int `yaml:"max_turns"`
	// TurnWait is how long a callback may wait for a free turn; less than
	// ReplyBudget.
	TurnWait Duration `yaml:"turn_wait"`
	// Messages overrides catalogue messages by key. The keys are checked against
	// the dialog catalogue by the caller; Validate only rejects blank entries.
	Messages map[string]string `yaml:"messages"`
}

// LogConfig configures the slog logger built in main.
type LogConfig struct {
	// Level is debug, info, warn or error (lower-cased by Load).
	Level string `yaml:"level"`
	// Format is text or json (lower-cased by Load).
	Format string `yaml:"format"`
}

// Default returns the zero-setup configuration: a SQLite file, an in-process Redis
// and the WeChat simulator. It is valid as it stands.
func Default() Config {
	return Config{
		HTTP:     HTTPConfig{Addr: ":8080", ShutdownTimeout: seconds(10)},
		Database: DatabaseConfig{URL: "data/complaintbot.db"},
		Org: OrgConfig{
			Name:         "消费者协会",
			Hotline:      "12315",
			ServiceHours: "工作日 9:00-17:00",
		},
		Cases:   CasesConfig{Prefix: "TS", AcceptWorkingDays: 7, MediationWorkingDays: 45},
		Console: ConsoleConfig{PhoneSearchesPerHour: 20},
		Dialog: DialogConfig{
			DraftTTL:     seconds(24 * 60 * 60),
			ReplyBudget:  Duration(3500 * time.Millisecond),
			RatingWindow: seconds(7 * 24 * 60 * 60),
			MaxTurns:     64,
			TurnWait:     Duration(500 * time.Millisecond),
			Messages:     map[string]string{},
		},
		WeChat: WeChatConfig{Template: TemplateConfig{
			CaseNumberField: "character_string1", StatusField: "phrase2",
			TimeField: "time3", SummaryField: "thing4",
		}},
		Push:     PushConfig{Workers: 2, MaxAge: seconds(72 * 60 * 60), PollInterval: Duration(250 * time.Millisecond)},
		Evidence: EvidenceConfig{MaxBytes: 10 << 20},
		Log:      LogConfig{Level: "info", Format: "text"},
		Casework: defaultCasework(),
		Privacy:  defaultPrivacy(),
	}
}

// DatabaseIsPostgres reports whether Database.URL names a PostgreSQL database
// rather than a SQLite file.
func (c Config) DatabaseIsPostgres() bool {
	u := strings.ToLower(strings.TrimSpace(c.Database.URL))
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// SimulatorMode reports whether the service talks to the built-in WeChat simulator
// instead of the real platform, which is the case when no AppID is configured.
func (c Config) SimulatorMode() bool {
	return c.WeChat.AppID == ""
}
