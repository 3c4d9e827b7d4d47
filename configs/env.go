package configs

import (
	"fmt"
	"strconv"
	"strings"
)

// ConfigPathEnv names the environment variable that holds the config file path.
const ConfigPathEnv = "COMPLAINTBOT_CONFIG"

// EnvVar documents one environment variable that overrides a config key.
type EnvVar struct {
	// Name is the variable, e.g. COMPLAINTBOT_HTTP_ADDR.
	Name string
	// Key is the dotted YAML key it overrides, e.g. http.addr.
	Key string
	// Description says what the value means, in one English sentence.
	Description string
}

// envBinding ties an EnvVar to the code that stores its value.
type envBinding struct {
	EnvVar
	set func(c *Config, value string) error
}

// envBindings lists every override in the order the README shows them.
var envBindings = []envBinding{
	{EnvVar{"COMPLAINTBOT_HTTP_ADDR", "http.addr", "Listen address, host:port or :port."},
		setString(func(c *Config) *string { return &c.HTTP.Addr })},
	{EnvVar{"COMPLAINTBOT_PUBLIC_URL", "http.public_url", "Externally visible base URL used in printed URLs and links."},
		setString(func(c *Config) *string { return &c.HTTP.PublicURL })},
	{EnvVar{"COMPLAINTBOT_TRUST_PROXY", "http.trust_proxy", "true behind a reverse proxy that sets X-Forwarded-For."},
		setBool(func(c *Config) *bool { return &c.HTTP.TrustProxy })},
	{EnvVar{"COMPLAINTBOT_METRICS_ADDR", "http.metrics_addr", "Separate listen address for /metrics; empty serves none with a real account."},
		setString(func(c *Config) *string { return &c.HTTP.MetricsAddr })},
	{EnvVar{"COMPLAINTBOT_DATABASE_URL", "database.url", "SQLite file path, or a postgres:// URL for PostgreSQL."},
		setString(func(c *Config) *string { return &c.Database.URL })},
	{EnvVar{"COMPLAINTBOT_REDIS_URL", "redis.url", "redis://, rediss://, redis+cluster:// or redis+sentinel:// URL; empty runs an in-process Redis."},
		setString(func(c *Config) *string { return &c.Redis.URL })},
	{EnvVar{"COMPLAINTBOT_WECHAT_APP_ID", "wechat.app_id", "Official account AppID; empty runs the WeChat simulator."},
		setString(func(c *Config) *string { return &c.WeChat.AppID })},
	{EnvVar{"COMPLAINTBOT_WECHAT_APP_SECRET", "wechat.app_secret", "Official account AppSecret (secret)."},
		setString(func(c *Config) *string { return &c.WeChat.AppSecret })},
	{EnvVar{"COMPLAINTBOT_WECHAT_TOKEN", "wechat.token", "Webhook signature Token, 3 to 32 letters or digits (secret)."},
		setString(func(c *Config) *string { return &c.WeChat.Token })},
	{EnvVar{"COMPLAINTBOT_WECHAT_AES_KEY", "wechat.encoding_aes_key", "43-character EncodingAESKey for safe mode; empty for plaintext (secret)."},
		setString(func(c *Config) *string { return &c.WeChat.EncodingAESKey })},
	{EnvVar{"COMPLAINTBOT_WECHAT_API_BASE", "wechat.api_base", "WeChat API base URL override, e.g. a proxy."},
		setString(func(c *Config) *string { return &c.WeChat.APIBase })},
	{EnvVar{"COMPLAINTBOT_WECHAT_STABLE_TOKEN", "wechat.use_stable_token", "true to fetch access tokens from the stable_token endpoint."},
		setBool(func(c *Config) *bool { return &c.WeChat.UseStableToken })},
	{EnvVar{"COMPLAINTBOT_WECHAT_TEMPLATE_ID", "wechat.template.id", "Template id for notices outside the 48-hour window; empty means no fallback."},
		setString(func(c *Config) *string { return &c.WeChat.Template.ID })},
	{EnvVar{"COMPLAINTBOT_CASE_PREFIX", "cases.prefix", "Case number prefix, 1 to 8 ASCII letters."},
		setString(func(c *Config) *string { return &c.Cases.Prefix })},
	{EnvVar{"COMPLAINTBOT_PHONE_SEARCHES_PER_HOUR", "console.phone_searches_per_hour", "Whole-phone searches each staff member may make per hour, 1 to 1000."},
		setInt(func(c *Config) *int { return &c.Console.PhoneSearchesPerHour })},
	{EnvVar{"COMPLAINTBOT_CONSOLE_MAX_IN_FLIGHT", "console.max_in_flight", "Console and API requests one instance works on at once, later ones queued in arrival order; 0 (one per core) to 1024."},
		setInt(func(c *Config) *int { return &c.Console.MaxInFlight })},
	{EnvVar{"COMPLAINTBOT_ORG_NAME", "org.name", "Association name shown to consumers."},
		setString(func(c *Config) *string { return &c.Org.Name })},
	{EnvVar{"COMPLAINTBOT_ORG_HOTLINE", "org.hotline", "Complaint hotline shown to consumers."},
		setString(func(c *Config) *string { return &c.Org.Hotline })},
	{EnvVar{"COMPLAINTBOT_ORG_HOURS", "org.service_hours", "Service hours shown to consumers."},
		setString(func(c *Config) *string { return &c.Org.ServiceHours })},
	{EnvVar{"COMPLAINTBOT_DRAFT_TTL", "dialog.draft_ttl", "How long an idle draft complaint is kept, e.g. 24h; 10m to 48h."},
		setDuration(func(c *Config) *Duration { return &c.Dialog.DraftTTL })},
	{EnvVar{"COMPLAINTBOT_REPLY_BUDGET", "dialog.reply_budget", "Time allowed for a passive reply (default 3.5s); at most 4.5s."},
		setDuration(func(c *Config) *Duration { return &c.Dialog.ReplyBudget })},
	{EnvVar{"COMPLAINTBOT_RATING_WINDOW", "dialog.rating_window", "How long after closing a case the chat asks for its rating, e.g. 168h; 1h to 720h."},
		setDuration(func(c *Config) *Duration { return &c.Dialog.RatingWindow })},
	{EnvVar{"COMPLAINTBOT_MAX_TURNS", "dialog.max_turns", "Dialog turns in flight per instance before callbacks get the busy reply, 1 to 4096."},
		setInt(func(c *Config) *int { return &c.Dialog.MaxTurns })},
	{EnvVar{"COMPLAINTBOT_TURN_WAIT", "dialog.turn_wait", "How long a callback may wait for a free turn, e.g. 500ms; less than the reply budget."},
		setDuration(func(c *Config) *Duration { return &c.Dialog.TurnWait })},
	{EnvVar{"COMPLAINTBOT_PUSH_WORKERS", "push.workers", "Delivery workers per instance, 1 to 32."},
		setInt(func(c *Config) *int { return &c.Push.Workers })},
	{EnvVar{"COMPLAINTBOT_PUSH_MAX_AGE", "push.max_age", "How long a failing notice is retried before it is marked dead, e.g. 72h; 1h to 720h."},
		setDuration(func(c *Config) *Duration { return &c.Push.MaxAge })},
	{EnvVar{"COMPLAINTBOT_EVIDENCE_DIR", "evidence.dir", "Directory for evidence bytes; empty keeps them in the database."},
		setString(func(c *Config) *string { return &c.Evidence.Dir })},
	{EnvVar{"COMPLAINTBOT_CASEWORK_MATERIAL_WAIT", "casework.material_wait", "How long a consumer has to send material asked for before the complaint may be rejected for it, e.g. 168h; 1h to 2160h."},
		setDuration(func(c *Config) *Duration { return &c.Casework.MaterialWait })},
	{EnvVar{"COMPLAINTBOT_LOG_LEVEL", "log.level", "debug, info, warn or error."},
		setString(func(c *Config) *string { return &c.Log.Level })},
	{EnvVar{"COMPLAINTBOT_LOG_FORMAT", "log.format", "text or json."},
		setString(func(c *Config) *string { return &c.Log.Format })},
	{EnvVar{"COMPLAINTBOT_CASEWORK_MERCHANT_DAYS", "casework.merchant_days", "Working days the merchant has to settle a case referred to it (default 10)."},
		setInt(func(c *Config) *int { return &c.Casework.MerchantDays })},
	{EnvVar{"COMPLAINTBOT_CASEWORK_TERMINATION_NOTICE_DAYS", "casework.termination_notice_days", "Working days to tell both parties of a terminated mediation and close the file (default 7)."},
		setInt(func(c *Config) *int { return &c.Casework.TerminationNoticeDays })},
	{EnvVar{"COMPLAINTBOT_CASEWORK_MASS_THRESHOLD", "casework.mass_threshold", "Complaints against one merchant within casework.mass_window that raise a mass-complaint group (default 5, 2 to 1000)."},
		setInt(func(c *Config) *int { return &c.Casework.MassThreshold })},
	{EnvVar{"COMPLAINTBOT_CASEWORK_MASS_WINDOW", "casework.mass_window", "How far back the mass-complaint detector counts, e.g. 168h; 1h to 2160h."},
		setDuration(func(c *Config) *Duration { return &c.Casework.MassWindow })},
	{EnvVar{"COMPLAINTBOT_PRIVACY_RETENTION_REJECTED_MONTHS", "privacy.retention_rejected_months", "Months a refused complaint keeps its personal data after it was refused (default 12, 1 to 1200)."},
		setInt(func(c *Config) *int { return &c.Privacy.RetentionRejectedMonths })},
	{EnvVar{"COMPLAINTBOT_PRIVACY_RETENTION_WITHDRAWN_MONTHS", "privacy.retention_withdrawn_months", "Months a withdrawn complaint keeps its personal data after the withdrawal (default 12)."},
		setInt(func(c *Config) *int { return &c.Privacy.RetentionWithdrawnMonths })},
	{EnvVar{"COMPLAINTBOT_PRIVACY_RETENTION_MEDIATED_MONTHS", "privacy.retention_mediated_months", "Months a complaint settled in mediation keeps its personal data after closing (default 36)."},
		setInt(func(c *Config) *int { return &c.Privacy.RetentionMediatedMonths })},
	{EnvVar{"COMPLAINTBOT_PRIVACY_RETENTION_ARBITRATION_MONTHS", "privacy.retention_arbitration_months", "Months a complaint ever referred to arbitration keeps its personal data after closing (default 60)."},
		setInt(func(c *Config) *int { return &c.Privacy.RetentionArbitrationMonths })},
	{EnvVar{"COMPLAINTBOT_PRIVACY_RETENTION_OTHER_MONTHS", "privacy.retention_other_months", "Months every other finished complaint keeps its personal data (default 36)."},
		setInt(func(c *Config) *int { return &c.Privacy.RetentionOtherMonths })},
	{EnvVar{"COMPLAINTBOT_PRIVACY_RETENTION_POLL", "privacy.retention_poll", "How often each instance asks whether the daily retention run is due, e.g. 1h; 1s to 24h."},
		setDuration(func(c *Config) *Duration { return &c.Privacy.RetentionPoll })},
	{EnvVar{"COMPLAINTBOT_CASEWORK_PROPOSAL_ANSWER_DAYS", "casework.proposal_answer_days", "Days a merchant's settlement proposal waits for the consumer's answer before the chat asks once more (default 3, 1 to 30)."},
		setInt(func(c *Config) *int { return &c.Casework.ProposalAnswerDays })},
	{EnvVar{"COMPLAINTBOT_CASEWORK_PROPOSAL_RETURN_DAYS", "casework.proposal_return_days", "Days after that reminder an unanswered proposal lapses and the case returns to mediation (default 4, 1 to 30)."},
		setInt(func(c *Config) *int { return &c.Casework.ProposalReturnDays })},
	{EnvVar{"COMPLAINTBOT_CASEWORK_PAYMENT_ANSWER_DAYS", "casework.payment_answer_days", "Days after the last ask whether the agreed money arrived that an unanswered question lapses and the mediator is alerted (default 7, 1 to 30)."},
		setInt(func(c *Config) *int { return &c.Casework.PaymentAnswerDays })},
	{EnvVar{"COMPLAINTBOT_PRIVACY_DELETION_DUE_WORKING_DAYS", "privacy.deletion_due_working_days", "Working days the desk has to answer a consumer's request to delete an open case's personal data (default 15, 1 to 60)."},
		setInt(func(c *Config) *int { return &c.Privacy.DeletionDueWorkingDays })},
}

// EnvVars lists every environment variable Load reads besides ConfigPathEnv, with
// the key it overrides, for the README and --help output.
func EnvVars() []EnvVar {
	out := make([]EnvVar, len(envBindings))
	for i, b := range envBindings {
		out[i] = b.EnvVar
	}
	return out
}

// ConfigPathFromEnv returns the config file path from COMPLAINTBOT_CONFIG, or ""
// when it is unset. The caller lets a -config flag take precedence.
func ConfigPathFromEnv(getenv func(string) string) string {
	if getenv == nil {
		return ""
	}
	return strings.TrimSpace(getenv(ConfigPathEnv))
}

// applyEnv overrides c with every variable that is set and non-empty; an empty
// variable is treated as unset so it cannot blank a value from the file. Values
// are trimmed, which is safe because no setting legitimately starts or ends with
// a space and secrets pasted into env files often carry a newline. It returns one
// problem per variable that cannot be parsed, naming the variable.
func applyEnv(c *Config, getenv func(string) string) []string {
	var problems []string
	for _, b := range envBindings {
		v := strings.TrimSpace(getenv(b.Name))
		if v == "" {
			continue
		}
		if err := b.set(c, v); err != nil {
			problems = append(problems, fmt.Sprintf("%s (%s): %v", b.Name, b.Key, err))
		}
	}
	return problems
}

func setString(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*field(c) = v
		return nil
	}
}

func setDuration(field func(*Config) *Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		*field(c) = d
		return nil
	}
}

func setInt(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("cannot parse %q as a whole number", v)
		}
		*field(c) = n
		return nil
	}
}

// setBool accepts what strconv.ParseBool does (true/false, 1/0, t/f).
func setBool(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("cannot parse %q as a boolean; write true or false", v)
		}
		*field(c) = b
		return nil
	}
}
