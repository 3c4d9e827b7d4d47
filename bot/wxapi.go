package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Defaults of APIConfig and DownloadMedia.
const (
	// DefaultAPIBase is WeChat's API host.
	DefaultAPIBase = "https://api.weixin.qq.com"
	// DefaultAPITimeout bounds one HTTP exchange with WeChat when APIConfig.HTTP
	// is nil; the library's default client has no timeout at all.
	DefaultAPITimeout = 10 * time.Second
	// DefaultMaxMediaBytes is WeChat's own ceiling for an image or a video
	// (10 MB), used when DownloadMedia is given no limit.
	DefaultMaxMediaBytes = 10 << 20
)

// maxJSONBody bounds the JSON answers read from WeChat; real ones are tiny.
const maxJSONBody = 1 << 20

// Operation names, used in errors and logs.
const (
	opToken        = "token"
	opStableToken  = "stable_token"
	opCustomSend   = "custom/send"
	opTemplateSend = "template/send"
	opMediaGet     = "media/get"
	opMenuCreate   = "menu/create"
)

// WeChat error codes the client branches on.
const (
	codeSystemBusy     = -1
	codeInvalidToken   = 40001
	codeTokenNotLatest = 40014
	codeTokenExpired   = 42001
	codeRateLimited    = 45009 // the API's daily quota
	codeMinuteQuota    = 45011 // the API's per-minute quota
	codeOutOfTime      = 45015
	codeOutOfCount     = 45047

	// Answers after which the same send can never succeed.
	codeInvalidOpenID     = 40003 // no such follower of this account
	codeInvalidMsgType    = 40008
	codeInvalidTemplateID = 40037 // the template was deleted or never existed
	codeEmptyContent      = 44004
	codeDataFormat        = 47001 // the body is not what WeChat expects
	codeInvalidArgument   = 47003 // a template field breaks its type's rules

	// codeRequireSubscribe: the consumer unfollowed the account. Not permanent:
	// they may follow again.
	codeRequireSubscribe = 43004
)

// ErrMediaTooLarge is returned (wrapped) by DownloadMedia when the media is
// larger than the limit. It is not retryable: the media will not shrink.
var ErrMediaTooLarge = errors.New("wechat media larger than the limit")

// APIConfig configures the outbound WeChat API: the APIClient and the token
// source built by NewRedisTokenSource take the same value.
type APIConfig struct {
	// AppID and AppSecret are the official account's credentials.
	AppID, AppSecret string
	// APIBase is the API host; "" means DefaultAPIBase. Tests and the
	// zero-setup run point it at the simulator.
	APIBase string
	// HTTP sends the requests; nil means a client with DefaultAPITimeout. The
	// library's global util.DefaultHTTPClient is never used.
	HTTP *http.Client
	// UseStableToken fetches tokens from /cgi-bin/stable_token instead of
	// /cgi-bin/token. The stable endpoint hands out the same token until it
	// expires, so a fetch does not cut short a token other instances (or other
	// deployments on the same account) still use.
	UseStableToken bool
}

// APIError is an error code answered by WeChat.
type APIError struct {
	// Code is WeChat's errcode, such as 45015.
	Code int
	// Msg is WeChat's errmsg with any access_token or secret redacted.
	Msg string
	// Op names the call, such as "custom/send".
	Op string
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("wechat %s: errcode %d: %s", e.Op, e.Code, e.Msg)
}

// statusError is an HTTP status other than 200 that carried no WeChat errcode.
type statusError struct {
	op     string
	status int
}

// Error implements error.
func (e *statusError) Error() string {
	return fmt.Sprintf("wechat %s: HTTP %d", e.op, e.status)
}

// transportError is a failure to get an answer at all. err has had its URL
// redacted, so unwrapping it cannot leak the access token either.
type transportError struct {
	op  string
	err error
}

// Error implements error; the redaction here also covers an inner error
// that quotes the URL.
func (e *transportError) Error() string { return redact("wechat " + e.op + ": " + e.err.Error()) }

// Unwrap gives errors.Is and errors.As the cause (a timeout, a cancellation).
func (e *transportError) Unwrap() error { return e.err }

// IsOutsideWindow reports whether WeChat refused a customer-service message
// because the consumer's 48-hour window is closed (45015) or its message
// quota is used up (45047): send a template message instead.
func IsOutsideWindow(err error) bool {
	code, ok := apiCode(err)
	return ok && (code == codeOutOfTime || code == codeOutOfCount)
}

// IsTokenError reports whether WeChat refused the access token (40001
// invalid or replaced, 40014 malformed, 42001 expired). The APIClient has
// already fetched a new token and retried once when it returns one.
func IsTokenError(err error) bool {
	code, ok := apiCode(err)
	return ok && (code == codeInvalidToken || code == codeTokenNotLatest || code == codeTokenExpired)
}

// IsRetryable reports whether the same call may succeed later: rate limited
// (45009 daily, 45011 per minute), system busy (-1), HTTP 5xx, a timeout, a
// network error or a cancelled call. A send that timed out may have been delivered, so a retry
// can deliver it twice.
func IsRetryable(err error) bool {
	if code, ok := apiCode(err); ok {
		return code == codeRateLimited || code == codeMinuteQuota || code == codeSystemBusy
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.status >= 500
	}
	var te *transportError
	var ne net.Error
	return errors.As(err, &te) || errors.As(err, &ne) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// permanentCodes are WeChat's answers to a message that will be refused however
// often it is sent: a bad recipient, template or content.
var permanentCodes = map[int]bool{
	codeInvalidOpenID: true, codeInvalidMsgType: true, codeInvalidTemplateID: true,
	codeEmptyContent: true, codeDataFormat: true, codeInvalidArgument: true,
}

// IsPermanent reports whether WeChat refused a message for a reason waiting
// cannot cure: 40003 invalid openid, 40008 invalid message type, 40037 invalid
// template_id, 44004 empty content, 47001 malformed body, 47003 invalid template
// field. Any other failure (Redis, network, timeouts, 5xx, rate limits, unknown
// codes) may pass later. 43004 is not permanent either: see IsUnfollowed.
func IsPermanent(err error) bool {
	code, ok := apiCode(err)
	return ok && permanentCodes[code]
}

// IsUnfollowed reports whether WeChat refused a message because the consumer
// unfollowed the account (43004 require subscribe); it will be accepted once they
// follow again.
func IsUnfollowed(err error) bool {
	code, ok := apiCode(err)
	return ok && code == codeRequireSubscribe
}

// apiCode returns WeChat's errcode if err is (or wraps) an APIError.
func apiCode(err error) (int, bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code, true
	}
	return 0, false
}

// secretParams matches the query parameters that must never reach an error
// or a log line: the URLs of the API carry the token, the token URL the secret.
var secretParams = regexp.MustCompile(`(?i)(access_token|secret)=[^&\s"'\\]*`)

// redact hides secret query parameters and the given literal secrets in s.
func redact(s string, secrets ...string) string {
	s = secretParams.ReplaceAllString(s, "${1}=REDACTED")
	for _, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, "REDACTED")
		}
	}
	return s
}

// wxHTTP is the HTTP side shared by the APIClient and the token fetcher: our
// own base URL and client, so several clients against several simulators can
// live in one process, which the library's globals do not allow.
type wxHTTP struct {
	base   string
	client *http.Client
	secret string // redacted from every error
}

// newWXHTTP applies the defaults of APIConfig.
func newWXHTTP(cfg APIConfig) wxHTTP {
	h := wxHTTP{base: strings.TrimRight(cfg.APIBase, "/"), client: cfg.HTTP, secret: cfg.AppSecret}
	if h.base == "" {
		h.base = DefaultAPIBase
	}
	if h.client == nil {
		h.client = &http.Client{Timeout: DefaultAPITimeout}
	}
	return h
}

// requestErr reports a request that could not even be built (a bad
// APIBase). It is not a transportError: retrying will not mend the config.
func (h wxHTTP) requestErr(op string, err error, token string) error {
	return fmt.Errorf("wechat %s: build request: %s", op, redact(err.Error(), h.secret, token))
}

// endpoint is the URL of path with query q.
func (h wxHTTP) endpoint(path string, q url.Values) string {
	return h.base + path + "?" + q.Encode()
}

// tokenQuery is the query every authenticated call carries.
func tokenQuery(token string) url.Values {
	return url.Values{"access_token": {token}}
}

// do sends req and returns the response, whatever its status. A transport
// error is returned with the URL redacted.
func (h wxHTTP) do(op string, req *http.Request, token string) (*http.Response, error) {
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, h.transportErr(op, err, token)
	}
	return resp, nil
}

// transportErr wraps err, replacing the URL a *url.Error holds by its redacted form.
func (h wxHTTP) transportErr(op string, err error, token string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		c := *ue
		c.URL = redact(c.URL, h.secret, token)
		err = &c
	}
	return &transportError{op: op, err: err}
}

// postJSON posts in as JSON and decodes the answer into out (nil to ignore).
// HTML escaping is off, as in the library, so "&" and "<" in a message reach
// WeChat as themselves rather than as \u0026 escapes.
func (h wxHTTP) postJSON(ctx context.Context, op, endpoint, token string, in, out any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return fmt.Errorf("wechat %s: encode request: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, &buf)
	if err != nil {
		return h.requestErr(op, err, token)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	return h.exchange(op, req, token, out)
}

// getJSON sends a GET and decodes the answer into out.
func (h wxHTTP) getJSON(ctx context.Context, op, endpoint, token string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return h.requestErr(op, err, token)
	}
	return h.exchange(op, req, token, out)
}

// exchange sends req, checks the HTTP status and the errcode, and decodes
// a successful answer into out.
func (h wxHTTP) exchange(op string, req *http.Request, token string, out any) error {
	resp, err := h.do(op, req, token)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody))
	if err != nil {
		return h.transportErr(op, err, token)
	}
	if err := h.resultErr(op, resp.StatusCode, body, token); err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("wechat %s: decode answer: %w", op, err)
		}
	}
	return nil
}

// wxResult is WeChat's common answer (util.CommonError's shape).
type wxResult struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// resultErr returns the APIError of a non-zero errcode, a statusError for
// another HTTP status without one, or an error for an answer that is not JSON.
func (h wxHTTP) resultErr(op string, status int, body []byte, token string) error {
	var r wxResult
	jsonErr := json.Unmarshal(body, &r)
	switch {
	case jsonErr == nil && r.ErrCode != 0:
		return &APIError{Code: r.ErrCode, Msg: redact(r.ErrMsg, h.secret, token), Op: op}
	case status != http.StatusOK:
		return &statusError{op: op, status: status}
	case jsonErr != nil:
		return fmt.Errorf("wechat %s: answer is not JSON: %w", op, jsonErr)
	}
	return nil
}

// TokenSource hands out the account's access token. RedisTokenSource is the
// one to use: one token shared by every instance.
type TokenSource interface {
	// Token returns the current token, fetching one if there is none.
	Token(ctx context.Context) (string, error)
	// Invalidate drops token if it is still the current one, after WeChat
	// refused it; a newer token is kept.
	Invalidate(ctx context.Context, token string)
}

// APIClient calls the WeChat API for the bot: customer-service and template
// messages, media downloads and the menu. Every call that WeChat answers with
// a token error is retried once with a fresh token. Errors are *APIError when
// WeChat answered with an errcode; classify them with IsOutsideWindow,
// IsRetryable and IsTokenError. No error or log line holds the access token
// or the secret. It is safe for concurrent use.
type APIClient struct {
	wx     wxHTTP
	tokens TokenSource
	log    *slog.Logger
}

// NewAPIClient returns a client for the account in cfg that takes its tokens
// from tokens (required); log may be nil.
func NewAPIClient(cfg APIConfig, tokens TokenSource, log *slog.Logger) *APIClient {
	if tokens == nil {
		panic("bot: NewAPIClient needs a TokenSource")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &APIClient{wx: newWXHTTP(cfg), tokens: tokens, log: log}
}

// withToken runs call with the current token and, when WeChat refuses that
// token, once more with a fresh one. Once only: a token refused twice in a
// row is a configuration problem, not a race, and looping would hammer the
// token endpoint.
func (c *APIClient) withToken(ctx context.Context, op string, call func(token string) error) error {
	token, err := c.tokens.Token(ctx)
	if err != nil {
		return err
	}
	err = call(token)
	if !IsTokenError(err) {
		return err
	}
	code, _ := apiCode(err)
	c.log.Info("wechat access token refused; retrying with a fresh one", "op", op, "errcode", code)
	c.tokens.Invalidate(ctx, token)
	if token, err = c.tokens.Token(ctx); err != nil {
		return err
	}
	return call(token)
}

// customText is the body of a customer-service text message.
type customText struct {
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
}

// SendText sends a customer-service text message to openID. WeChat accepts it
// only within 48 hours of the consumer's last message (IsOutsideWindow).
func (c *APIClient) SendText(ctx context.Context, openID, text string) error {
	body := customText{ToUser: openID, MsgType: "text"}
	body.Text.Content = text
	return c.withToken(ctx, opCustomSend, func(token string) error {
		return c.wx.postJSON(ctx, opCustomSend, c.wx.endpoint("/cgi-bin/message/custom/send", tokenQuery(token)), token, body, nil)
	})
}

// TemplateMessage is a template message to one consumer.
type TemplateMessage struct {
	// ToUser is the consumer's openid.
	ToUser string
	// TemplateID is the template chosen in the account's console.
	TemplateID string
	// URL is opened when the consumer taps the message; may be empty.
	URL string
	// Data maps the template's field keys (character_string1, thing2, …) to
	// their values.
	Data map[string]string
}

// templateValue is one field of a template message's data.
type templateValue struct {
	Value string `json:"value"`
}

// templateBody is the body of message/template/send.
type templateBody struct {
	ToUser     string                   `json:"touser"`
	TemplateID string                   `json:"template_id"`
	URL        string                   `json:"url,omitempty"`
	Data       map[string]templateValue `json:"data"`
}

// SendTemplate sends a template message and returns WeChat's msgid. Template
// messages reach consumers outside the customer-service window.
func (c *APIClient) SendTemplate(ctx context.Context, m TemplateMessage) (msgID int64, err error) {
	body := templateBody{ToUser: m.ToUser, TemplateID: m.TemplateID, URL: m.URL, Data: map[string]templateValue{}}
	for k, v := range m.Data {
		body.Data[k] = templateValue{Value: v}
	}
	err = c.withToken(ctx, opTemplateSend, func(token string) error {
		var out struct {
			MsgID int64 `json:"msgid"`
		}
		err := c.wx.postJSON(ctx, opTemplateSend, c.wx.endpoint("/cgi-bin/message/template/send", tokenQuery(token)), token, body, &out)
		msgID = out.MsgID
		return err
	})
	return msgID, err
}

// CreateMenu installs menu as the account's custom menu, after checking it
// against WeChat's limits (Menu.Validate) so a bad menu fails here, with the
// reason, instead of as a bare errcode.
func (c *APIClient) CreateMenu(ctx context.Context, menu Menu) error {
	if err := menu.Validate(); err != nil {
		return err
	}
	return c.withToken(ctx, opMenuCreate, func(token string) error {
		return c.wx.postJSON(ctx, opMenuCreate, c.wx.endpoint("/cgi-bin/menu/create", tokenQuery(token)), token, menu, nil)
	})
}

// DownloadMedia fetches temporary media (a consumer's photo or voice) and
// returns its content type and bytes. maxBytes limits the size (0 or less
// means DefaultMaxMediaBytes); larger media fails with ErrMediaTooLarge. An
// unknown or expired media_id fails with an APIError (40007). A video comes
// back as WeChat sends it: a JSON object holding its video_url.
func (c *APIClient) DownloadMedia(ctx context.Context, mediaID string, maxBytes int64) (contentType string, data []byte, err error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxMediaBytes
	}
	err = c.withToken(ctx, opMediaGet, func(token string) error {
		var err error
		contentType, data, err = c.getMedia(ctx, token, mediaID, maxBytes)
		return err
	})
	return contentType, data, err
}

// maxErrorBody is how much of a media answer is read, at least, to find an
// errcode in it even when maxBytes is tiny.
const maxErrorBody = 4 << 10

// getMedia is one attempt of DownloadMedia.
func (c *APIClient) getMedia(ctx context.Context, token, mediaID string, maxBytes int64) (string, []byte, error) {
	q := tokenQuery(token)
	q.Set("media_id", mediaID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.wx.endpoint("/cgi-bin/media/get", q), nil)
	if err != nil {
		return "", nil, c.wx.requestErr(opMediaGet, err, token)
	}
	resp, err := c.wx.do(opMediaGet, req, token)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > maxBytes {
		return "", nil, mediaTooLarge(resp.ContentLength, maxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max(maxBytes, maxErrorBody)+1))
	if err != nil {
		return "", nil, c.wx.transportErr(opMediaGet, err, token)
	}
	ct := resp.Header.Get("Content-Type")
	if err := c.mediaErr(resp.StatusCode, ct, data, token); err != nil {
		return "", nil, err
	}
	if int64(len(data)) > maxBytes {
		return "", nil, mediaTooLarge(-1, maxBytes)
	}
	if ct == "" {
		ct = http.DetectContentType(data)
	}
	return ct, data, nil
}

// mediaErr finds an error in a media answer. WeChat answers errors with 200
// and a JSON body, labelled application/json or text/plain, so both labels
// (and a body that starts like JSON) are checked for an errcode.
func (c *APIClient) mediaErr(status int, contentType string, data []byte, token string) error {
	mt, _, _ := mime.ParseMediaType(contentType)
	looksJSON := mt == "application/json" || mt == "text/plain" || bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
	if status == http.StatusOK && !looksJSON {
		return nil
	}
	err := c.wx.resultErr(opMediaGet, status, data, token)
	var ae *APIError
	var se *statusError
	if errors.As(err, &ae) || errors.As(err, &se) {
		return err
	}
	return nil // JSON without an errcode is the media itself (a video's link)
}

// mediaTooLarge reports media over the limit; size is -1 when unknown.
func mediaTooLarge(size, limit int64) error {
	if size < 0 {
		return fmt.Errorf("wechat %s: %w (more than %d bytes)", opMediaGet, ErrMediaTooLarge, limit)
	}
	return fmt.Errorf("wechat %s: %w (%d bytes, limit %d)", opMediaGet, ErrMediaTooLarge, size, limit)
}
