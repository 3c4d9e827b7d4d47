package configs

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Limits enforced by Validate.
const (
	minDraftTTL    = 10 * time.Minute
	maxDraftTTL    = 48 * time.Hour          // leaves a day of WeChat's 72h media lifetime for the download
	maxReplyBudget = 4500 * time.Millisecond // WeChat gives up after 5 s
	minRatingWin   = time.Hour
	maxRatingWin   = 30 * 24 * time.Hour // later than that the consumer has moved on
	maxTurns       = 4096                // beyond, the Redis and database pools queue anyway
	maxWorkingDays = 365
	minPushMaxAge  = time.Hour // shorter would kill notices during an ordinary outage
	maxPushMaxAge  = 30 * 24 * time.Hour
)

var (
	// wechatToken is WeChat's rule for the server-configuration Token.
	wechatToken = regexp.MustCompile(`^[A-Za-z0-9]{3,32}$`)
	// aesKeyAlphabet is 43 characters of the standard base64 alphabet.
	aesKeyAlphabet = regexp.MustCompile(`^[A-Za-z0-9+/]{43}$`)
	casePrefix     = regexp.MustCompile(`^[A-Z]{1,8}$`)
)

// ValidationError lists every problem found in a configuration.
type ValidationError struct {
	// Problems are "key: what is wrong" lines, using YAML key names (or the
	// environment variable's name when its value could not be parsed).
	Problems []string
}

// Error formats the problems one per line under a heading.
func (e *ValidationError) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// checker collects problems so Validate can report them all at once.
type checker struct{ problems []string }

func (ch *checker) add(key, format string, args ...any) {
	ch.problems = append(ch.problems, key+": "+fmt.Sprintf(format, args...))
}

// count checks a setting that counts days, months or turns: 1 to most, unit
// (" months", …, or "") naming what in the message.
func (ch *checker) count(key string, n, most int, unit string) {
	if n < 1 || n > most {
		ch.add(key, "must be between 1 and %d%s (got %d)", most, unit, n)
	}
}

// Validate checks every setting and returns a *ValidationError naming each bad
// one by its YAML key, or nil. Secrets and URLs that may carry a password are
// never quoted in the message.
func (c Config) Validate() error {
	var ch checker
	c.validateHTTP(&ch)
	c.validateStores(&ch)
	c.validateWeChat(&ch)
	c.validateOrg(&ch)
	c.validateCases(&ch)
	c.validateDialog(&ch)
	c.validateWorkers(&ch)
	c.validateLog(&ch)
	c.validateCasework(&ch)
	c.validatePrivacy(&ch)
	if len(ch.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: ch.problems}
}

func (c Config) validateHTTP(ch *checker) {
	if err := checkListenAddr(c.HTTP.Addr); err != nil {
		ch.add("http.addr", "%v (got %q)", err, c.HTTP.Addr)
	}
	if c.HTTP.MetricsAddr != "" {
		c.validateMetricsAddr(ch)
	}
	if c.HTTP.PublicURL != "" {
		if err := checkBaseURL(c.HTTP.PublicURL); err != nil {
			ch.add("http.public_url", "%v", err)
		}
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		ch.add("http.shutdown_timeout", "must be positive (got %s)", c.HTTP.ShutdownTimeout)
	}
}

// validateMetricsAddr wants a listen address other than http.addr: on the same
// one the second listener could not bind, and /metrics would not be private.
func (c Config) validateMetricsAddr(ch *checker) {
	if err := checkListenAddr(c.HTTP.MetricsAddr); err != nil {
		ch.add("http.metrics_addr", "%v (got %q)", err, c.HTTP.MetricsAddr)
		return
	}
	_, port, _ := net.SplitHostPort(c.HTTP.MetricsAddr)
	if c.HTTP.MetricsAddr == c.HTTP.Addr && port != "0" {
		ch.add("http.metrics_addr", "must differ from http.addr (got %q for both)", c.HTTP.MetricsAddr)
	}
}

func (c Config) validateStores(ch *checker) {
	if err := checkDatabaseURL(c.Database.URL); err != nil {
		ch.add("database.url", "%v", err)
	}
	if c.Redis.URL != "" {
		if err := checkRedisURL(c.Redis.URL); err != nil {
			ch.add("redis.url", "%v", err)
		}
	}
}

func (c Config) validateWeChat(ch *checker) {
	w := c.WeChat
	if w.AppID == "" && (w.AppSecret != "" || w.Token != "" || w.EncodingAESKey != "") {
		// Without this a deployment that forgot only the AppID would quietly run
		// the simulator and consumers' messages would go nowhere.
		ch.add("wechat.app_id", "required when other WeChat credentials are set (leave them all empty to use the built-in simulator)")
	}
	if w.AppID != "" && w.AppSecret == "" {
		ch.add("wechat.app_secret", "required when wechat.app_id is set")
	}
	switch {
	case w.Token == "" && w.AppID != "":
		ch.add("wechat.token", "required when wechat.app_id is set")
	case w.Token != "" && !wechatToken.MatchString(w.Token):
		ch.add("wechat.token", "must be 3 to 32 letters or digits, as on the WeChat admin page")
	}
	if w.EncodingAESKey != "" {
		if err := checkAESKey(w.EncodingAESKey); err != nil {
			ch.add("wechat.encoding_aes_key", "%v", err)
		}
	}
	if w.APIBase != "" {
		if err := checkBaseURL(w.APIBase); err != nil {
			ch.add("wechat.api_base", "%v", err)
		}
	}
}

func (c Config) validateOrg(ch *checker) {
	required := []struct{ key, value string }{
		{"org.name", c.Org.Name},
		{"org.hotline", c.Org.Hotline},
		{"org.service_hours", c.Org.ServiceHours},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			ch.add(r.key, "must not be empty; consumers see it in replies")
		}
	}
}

func (c Config) validateCases(ch *checker) {
	if !casePrefix.MatchString(c.Cases.Prefix) {
		// Case numbers go into template messages, which refuse non-ASCII there.
		ch.add("cases.prefix", "must be 1 to 8 upper-case ASCII letters A-Z (got %q)", c.Cases.Prefix)
	}
	ch.count("cases.accept_working_days", c.Cases.AcceptWorkingDays, maxWorkingDays, "")
	ch.count("cases.mediation_working_days", c.Cases.MediationWorkingDays, maxWorkingDays, "")
}

func (c Config) validateDialog(ch *checker) {
	if ttl := time.Duration(c.Dialog.DraftTTL); ttl < minDraftTTL || ttl > maxDraftTTL {
		ch.add("dialog.draft_ttl", "must be between %s and %s (got %s): photos in a draft are fetched when it is filed, "+
			"and WeChat deletes them after 72h", Duration(minDraftTTL), Duration(maxDraftTTL), c.Dialog.DraftTTL)
	}
	if b := time.Duration(c.Dialog.ReplyBudget); b <= 0 || b > maxReplyBudget {
		ch.add("dialog.reply_budget", "must be more than 0 and at most %s because WeChat waits only 5s (got %s)",
			Duration(maxReplyBudget), c.Dialog.ReplyBudget)
	}
	if w := time.Duration(c.Dialog.RatingWindow); w < minRatingWin || w > maxRatingWin {
		ch.add("dialog.rating_window", "must be between %s and %s (got %s)",
			Duration(minRatingWin), Duration(maxRatingWin), c.Dialog.RatingWindow)
	}
	ch.count("dialog.max_turns", c.Dialog.MaxTurns, maxTurns, "")
	if w := c.Dialog.TurnWait; w <= 0 || (c.Dialog.ReplyBudget > 0 && w >= c.Dialog.ReplyBudget) {
		ch.add("dialog.turn_wait", "must be more than 0 and less than dialog.reply_budget %s (got %s)", c.Dialog.ReplyBudget, w)
	}
	keys := make([]string, 0, len(c.Dialog.Messages))
	for k := range c.Dialog.Messages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case strings.TrimSpace(k) == "":
			ch.add("dialog.messages", "has an empty key")
		case strings.TrimSpace(c.Dialog.Messages[k]) == "":
			ch.add("dialog.messages."+k, "must not be empty; remove the key to keep the built-in message")
		}
	}
}

func (c Config) validateWorkers(ch *checker) {
	t := c.WeChat.Template
	for _, f := range []struct{ key, value string }{
		{"wechat.template.case_number_field", t.CaseNumberField}, {"wechat.template.status_field", t.StatusField},
		{"wechat.template.time_field", t.TimeField}, {"wechat.template.summary_field", t.SummaryField},
	} {
		if t.ID != "" && strings.TrimSpace(f.value) == "" {
			ch.add(f.key, "must name the template's field when wechat.template.id is set")
		}
	}
	if w := c.Push.Workers; w < 1 || w > 32 {
		ch.add("push.workers", "must be 1 to 32 (got %d)", w)
	}
	if a := time.Duration(c.Push.MaxAge); a < minPushMaxAge || a > maxPushMaxAge {
		ch.add("push.max_age", "must be 1h to 720h (got %s)", c.Push.MaxAge)
	}
	if p := time.Duration(c.Push.PollInterval); p < 10*time.Millisecond || p > 10*time.Second {
		ch.add("push.poll_interval", "must be 10ms to 10s (got %s)", c.Push.PollInterval)
	}
	if m := c.Evidence.MaxBytes; m < 1<<10 || m > 64<<20 {
		ch.add("evidence.max_bytes", "must be 1024 to 67108864 bytes (got %d)", m)
	}
	if n := c.Console.PhoneSearchesPerHour; n < 1 || n > 1000 {
		ch.add("console.phone_searches_per_hour", "must be 1 to 1000 (got %d): each search by a whole phone "+
			"number reveals whose it is", n)
	}
	if n := c.Console.MaxInFlight; n < 0 || n > 1024 {
		ch.add("console.max_in_flight", "must be 0 (one per core) to 1024 (got %d)", n)
	}
}

func (c Config) validateLog(ch *checker) {
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		ch.add("log.level", "must be debug, info, warn or error (got %q)", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		ch.add("log.format", "must be text or json (got %q)", c.Log.Format)
	}
}

// checkListenAddr accepts host:port or :port with a numeric port (0 picks one).
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("must be host:port or :port")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("port must be a number from 0 to 65535")
	}
	return nil
}

// checkBaseURL accepts an absolute http or https URL with a host and no query or
// fragment, since paths are appended to it.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the wrapper quotes the whole input
		}
		return fmt.Errorf("not a valid URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("must be an http:// or https:// URL (got %q)", u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("must include a host (got %q)", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("must not have user info, a query or a fragment (got %q)", u.Redacted())
	}
	return nil
}

// checkDatabaseURL accepts a PostgreSQL URL or anything without a scheme, which is
// taken as a SQLite file path (including SQLite's own file: URIs).
func checkDatabaseURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return errors.New("must not be empty (a SQLite file path or a postgres:// URL)")
	}
	scheme, _, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		return nil
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		_, err := parseSecretURL(raw)
		return err
	default:
		return fmt.Errorf("unsupported scheme %q: use a SQLite file path or a postgres:// URL", scheme)
	}
}

// redisSchemes are the schemes redis.url takes: one server, a Redis Cluster
// (any of its nodes as seeds) or a master found through Sentinel, each with a
// TLS variant. internal/redisbase.ParseURL builds the client from them; this
// check mirrors its rules without importing go-redis, so an operator hears of
// a mistake from Validate with the key's name.
var redisSchemes = map[string]string{
	"redis": "single", "rediss": "single",
	"redis+cluster": "cluster", "rediss+cluster": "cluster",
	"redis+sentinel": "sentinel", "rediss+sentinel": "sentinel",
}

// checkRedisURL checks the forms redisbase.ParseURL accepts.
func checkRedisURL(raw string) error {
	u, err := parseSecretURL(raw)
	if err != nil {
		return err
	}
	kind, ok := redisSchemes[strings.ToLower(u.Scheme)]
	if !ok {
		return fmt.Errorf("must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL, "+
			"or empty for the in-process Redis (got scheme %q)", u.Scheme)
	}
	if u.Hostname() == "" {
		return errors.New("must include a host")
	}
	q := u.Query()
	for _, addr := range q["addr"] {
		if host, port, err := net.SplitHostPort(addr); err != nil || host == "" || port == "" {
			return fmt.Errorf("addr=%q must be host:port", addr)
		}
	}
	db := strings.TrimPrefix(u.Path, "/")
	switch kind {
	case "single":
		if q.Has("addr") || q.Has("master_name") {
			return errors.New("addr= and master_name= need redis+cluster:// or redis+sentinel://")
		}
	case "cluster":
		if db != "" && db != "0" {
			return errors.New("a Redis Cluster has only database 0: remove the path")
		}
		if q.Has("master_name") {
			return errors.New("master_name= is for redis+sentinel://, not a cluster")
		}
	case "sentinel":
		if q.Get("master_name") == "" {
			return errors.New("redis+sentinel:// needs master_name=<the master's name in Sentinel>")
		}
	}
	if db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return errors.New("path must be empty or a database number such as /0")
		}
	}
	return nil
}

// parseSecretURL wraps url.Parse for URLs that may hold a password. url.Parse's
// errors quote the input, or pieces of it, so none of their text is passed on.
func parseSecretURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a valid URL (check the host and port, and percent-encode special characters in the user name and password)")
	}
	return u, nil
}

// checkAESKey applies WeChat's rule: 43 base64 characters that, with "=" appended,
// decode to a 32-byte AES-256 key. Decoding is deliberately not strict about the
// unused low bits of the last character, as WeChat's own keys need not zero them.
func checkAESKey(key string) error {
	if len(key) != 43 {
		return fmt.Errorf("must be exactly 43 characters (got %d)", len(key))
	}
	if !aesKeyAlphabet.MatchString(key) {
		return errors.New("must contain only letters, digits, '+' and '/'")
	}
	raw, err := base64.StdEncoding.DecodeString(key + "=")
	if err != nil || len(raw) != 32 {
		return errors.New("must decode to a 32-byte key")
	}
	return nil
}
