package bot

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/storage"
)

// Defaults of WebhookConfig.
const (
	// DefaultReplyBudget: WeChat waits 5 s. The answer must leave by 4.5 s
	// (room for the network), and a handler whose budget has run out may still
	// wait for a core: in BenchmarkWebhookOverload, whose generator shares the
	// server's two cores, that wait reached 0.8 s. With 4 s, one answer in four
	// runs left at 4.53 s; with 3.5 s the longest of six runs left at 4.34 s.
	DefaultReplyBudget  = 3500 * time.Millisecond
	DefaultMaxBodyBytes = 64 << 10        // real callbacks are a few KiB
	DefaultMaxClockSkew = 5 * time.Minute // older callbacks are replays
	DefaultTurnTimeout  = 30 * time.Second
)

// LateReplies queues answers that missed the passive reply; the outbox does.
type LateReplies interface {
	EnqueueNotification(ctx context.Context, n storage.NewNotification) (*storage.Notification, error)
}

// errLate says the turn goes on after the passive reply; its answer is pushed.
var errLate = errors.New("turn outlived the reply budget; answer pushed later")

// TurnHandler answers one consumer message; dialog.Engine is the real one.
type TurnHandler interface {
	Handle(ctx context.Context, openID, msgKey string, in dialog.Input) (string, error)
}

// WebhookConfig configures the webhook.
type WebhookConfig struct {
	AppID          string
	Token          string
	EncodingAESKey string // required for safe (AES) mode callbacks
	// AllowPlain accepts plaintext callbacks although an EncodingAESKey is set.
	// Leave it off: in plain mode the URL signature does not cover the body, so
	// anyone who saw one callback URL (a proxy log) could post any message as that
	// consumer within the timestamp window. With a key, only safe mode is taken.
	AllowPlain bool

	BusyReply string // answered when a turn fails or runs out of time
	// ResendReply is answered when the plain-mode replay guard could not tell
	// whether a callback is a replay, so nothing was done with it: it asks the
	// consumer to send the message again. Empty means BusyReply.
	ResendReply string
	ReplyBudget time.Duration // from receipt to answer; default DefaultReplyBudget
	// Late, when set, takes the answers of turns that outlive the reply budget:
	// the webhook answers "success" at once (so WeChat neither retries nor tells
	// the consumer the account is broken) and the answer is pushed through the
	// outbox when the turn ends. Without it such turns get BusyReply.
	Late         LateReplies
	TurnTimeout  time.Duration // how long a late turn may still run; default DefaultTurnTimeout
	MaxBodyBytes int64         // larger bodies get 413; default DefaultMaxBodyBytes
	MaxClockSkew time.Duration // older or newer timestamps get 403; default DefaultMaxClockSkew
	// MaxTurns bounds the turns in flight, late ones included; a callback that
	// finds no free slot within TurnWait is answered BusyReply at once.
	// Defaults DefaultMaxTurns and DefaultTurnWait.
	MaxTurns int
	TurnWait time.Duration
	// LateRetry is the first pause before a failed enqueue of a late answer is
	// tried again (doubling up to 10 s); default DefaultLateRetry.
	LateRetry time.Duration
	// Replay, when set, remembers each plain-mode signature with its body, so a
	// signed URL cannot carry another body (see ReplayGuard). Safe mode needs no
	// guard: msg_signature covers the body.
	Replay ReplayGuard
	Now    func() time.Time
}

// Webhook serves WeChat's callbacks at /wechat: the GET URL check and the POSTed
// messages, in plain and safe mode.
type Webhook struct {
	late    sync.WaitGroup // turns still running after their passive reply
	cfg     WebhookConfig
	admit   *admission
	workers *turnWorkers
	turns   TurnHandler
	log     *slog.Logger
	metrics *Metrics
	sealer  *replySealer // nil without a valid EncodingAESKey
}

// NewWebhook builds the webhook. It parses, decrypts and seals messages with
// the library's message types and crypto, not its server, which would parse
// each message twice; no access token is ever fetched here.
func NewWebhook(cfg WebhookConfig, turns TurnHandler, log *slog.Logger, m *Metrics) *Webhook {
	orDefault(&cfg.ReplyBudget, DefaultReplyBudget)
	orDefault(&cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	orDefault(&cfg.MaxClockSkew, DefaultMaxClockSkew)
	orDefault(&cfg.TurnTimeout, DefaultTurnTimeout)
	orDefault(&cfg.MaxTurns, DefaultMaxTurns)
	orDefault(&cfg.TurnWait, DefaultTurnWait)
	orDefault(&cfg.LateRetry, DefaultLateRetry)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Webhook{cfg: cfg, turns: turns, log: log, metrics: m,
		admit: newAdmission(cfg.MaxTurns, cfg.TurnWait), workers: newTurnWorkers(turnWorkerIdle),
		sealer: newReplySealer(cfg.AppID, cfg.EncodingAESKey)}
}

// ServeHTTP implements http.Handler.
func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := w.cfg.Now()
	switch r.Method {
	case http.MethodGet:
		w.verifyURL(rw, r)
	case http.MethodPost:
		outcome := w.handleMessage(rw, r, start)
		w.metrics.Latency.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	default:
		rw.Header().Set("Allow", "GET, POST")
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verifyURL answers the check WeChat makes when the URL is configured.
func (w *Webhook) verifyURL(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if status, reason := w.checkSignature(q); status != 0 {
		w.refuse(rw, status, reason)
		return
	}
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(rw, q.Get("echostr"))
}

// callback is what one POSTed callback carries between the checks and the turn.
type callback struct {
	start     time.Time
	query     url.Values // the URL's query, parsed once
	urlOpenID string     // the URL's openid, which no signature covers
	sender    string     // who the busy reply of a shed callback goes to; "" if unknown before parsing
	account   string     // the official account's id, the reply's FromUserName
	slot      bool       // holds an admission slot, which a started turn takes over
	shed      bool       // no slot came free: answer busy without a turn
	guardErr  error      // the replay guard could not answer: reply busy
	refusal   string     // set by answer when the message must get 403
	// msg is the parsed message: in plain mode from checkPlain, in safe mode
	// once decrypted after admission from sealed, the envelope's ciphertext.
	msg    *inbound
	sealed string
	// claim is the plain-mode replay check when the turn's Load makes it
	// (see dialog.ReplayClaim); nil when made before the turn, or not needed.
	claim *dialog.ReplayClaim
}

// handleMessage answers one POSTed callback and returns the outcome for metrics.
// Admission comes before the message is decrypted and parsed: under overload the
// callbacks that are shed must cost little, or shedding alone fills the CPU.
func (w *Webhook) handleMessage(rw http.ResponseWriter, r *http.Request, start time.Time) string {
	q := r.URL.Query()
	cb := &callback{start: start, query: q, urlOpenID: q.Get("openid")}
	body, status, reason := w.readBody(rw, r)
	if status == 0 {
		status, reason = w.checkSignature(q)
	}
	if status == 0 {
		status, reason = w.checkEnvelope(body, cb)
	}
	if status != 0 {
		w.refuse(rw, status, reason)
		return "refused"
	}
	if !w.admit.acquire(start.Add(w.cfg.ReplyBudget)) {
		return w.shed(rw, r, body, cb)
	}
	cb.slot = true
	defer func() {
		if cb.slot { // no turn took it over
			w.admit.release()
		}
	}()
	if plain(q) && w.cfg.Replay != nil {
		if cb.claim = w.turnClaim(body, cb); cb.claim == nil {
			err := w.claimSignature(r, body, cb)
			if errors.Is(err, ErrReplayed) {
				w.refuse(rw, http.StatusForbidden, "signature replayed")
				return "refused"
			}
			cb.guardErr = err // not an answer: reply busy
		}
	}
	return w.serve(rw, r, body, cb)
}

// plain reports whether the callback whose URL query is q is in plain mode.
func plain(q url.Values) bool { return q.Get("encrypt_type") != "aes" }

// readBody reads at most MaxBodyBytes; a larger body is refused before any parsing.
func (w *Webhook) readBody(rw http.ResponseWriter, r *http.Request) ([]byte, int, string) {
	if r.ContentLength > w.cfg.MaxBodyBytes {
		return nil, http.StatusRequestEntityTooLarge, "body too large"
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, w.cfg.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, http.StatusRequestEntityTooLarge, "body too large"
	} else if err != nil {
		return nil, http.StatusBadRequest, "body unreadable"
	}
	return body, 0, ""
}

// checkSignature verifies the URL signature and refuses stale timestamps, which the
// library never checks: a captured callback must not be replayable later.
func (w *Webhook) checkSignature(q url.Values) (int, string) {
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if !equalSignature(q.Get("signature"), signature(w.cfg.Token, ts, nonce)) {
		return http.StatusForbidden, "bad signature"
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return http.StatusForbidden, "bad timestamp"
	}
	if skew := w.cfg.Now().Sub(time.Unix(sec, 0)); skew > w.cfg.MaxClockSkew || skew < -w.cfg.MaxClockSkew {
		return http.StatusForbidden, "stale timestamp"
	}
	return 0, ""
}

// checkEnvelope checks, in safe mode, that the body is the encrypted envelope and
// that msg_signature covers it, and refuses plaintext when a key is configured. The
// library checks too, but reports every failure as one error; doing it here lets a
// forged message get 403 and a broken one 400. It notes in cb whom a busy reply
// would address, so a shed callback needs no decryption.
func (w *Webhook) checkEnvelope(body []byte, cb *callback) (int, string) {
	q := cb.query
	if plain(q) {
		if w.cfg.EncodingAESKey != "" && !w.cfg.AllowPlain {
			return http.StatusForbidden, "plaintext refused in safe mode"
		}
		return w.checkPlain(body, cb)
	}
	var env message.EncryptedXMLMsg
	if err := xml.Unmarshal(body, &env); err != nil || env.EncryptedMsg == "" {
		return http.StatusBadRequest, "malformed envelope"
	}
	want := signature(w.cfg.Token, q.Get("timestamp"), q.Get("nonce"), env.EncryptedMsg)
	if !equalSignature(q.Get("msg_signature"), want) {
		return http.StatusForbidden, "bad msg_signature"
	}
	// The sender is inside the encryption; WeChat also puts it in the URL. A
	// mismatch is refused once the message is decrypted (answer).
	cb.sender, cb.account, cb.sealed = cb.urlOpenID, env.ToUserName, env.EncryptedMsg
	return 0, ""
}

// checkPlain parses a plaintext callback, once for the whole callback, and
// checks that the URL's openid is the sender's.
func (w *Webhook) checkPlain(body []byte, cb *callback) (int, string) {
	m := &inbound{}
	if err := parseInbound(body, m); err != nil {
		return http.StatusBadRequest, "malformed message"
	}
	sender := string(m.FromUserName)
	if cb.urlOpenID != "" && cb.urlOpenID != sender {
		return http.StatusForbidden, "openid mismatch"
	}
	cb.msg, cb.sender, cb.account = m, sender, string(m.ToUserName)
	return 0, ""
}

// replayGuardTimeout bounds the replay guard's round trip: a Redis that does not
// answer a single command within it is stalled, and the consumer is better
// told at once to send the message again than kept waiting.
const replayGuardTimeout = 300 * time.Millisecond

// replayTTL is how long a plain-mode signature stays claimed: as long as
// checkSignature would take its timestamp, plus a second for clock steps.
func (w *Webhook) replayTTL(q url.Values) time.Duration {
	sec, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64) // checked by checkSignature
	return time.Unix(sec, 0).Add(w.cfg.MaxClockSkew + time.Second).Sub(w.cfg.Now())
}

// guardDeadline is when a replay check gives up: replayGuardTimeout from now
// (not from receipt: a callback that waited for admission still gets it whole),
// and never past the reply budget.
func (w *Webhook) guardDeadline(start time.Time) time.Time {
	deadline, budgetEnd := time.Now().Add(replayGuardTimeout), start.Add(w.cfg.ReplyBudget)
	if budgetEnd.Before(deadline) {
		return budgetEnd
	}
	return deadline
}

// claimSignature asks the replay guard, on a round trip of its own, to remember
// the signature (see replayTTL).
func (w *Webhook) claimSignature(r *http.Request, body []byte, cb *callback) error {
	ctx, cancel := context.WithDeadline(context.WithoutCancel(r.Context()), w.guardDeadline(cb.start))
	defer cancel()
	return w.cfg.Replay.Claim(ctx, cb.query.Get("signature"), sha256.Sum256(body), w.replayTTL(cb.query))
}

// turnClaim returns the replay check for the turn's Load to make, nil when the
// guard or the turn handler cannot (then it is made apart, before the turn).
func (w *Webhook) turnClaim(body []byte, cb *callback) *dialog.ReplayClaim {
	m := cb.msg
	g, ok := w.cfg.Replay.(turnClaimGuard)
	if !ok || m == nil {
		return nil
	}
	in, ok := toInput(m)
	if !ok || !checksReplayClaim(w.turns, in) {
		return nil
	}
	return g.TurnClaim(cb.query.Get("signature"), sha256.Sum256(body), w.replayTTL(cb.query), w.guardDeadline(cb.start))
}

// serve opens the message (in safe mode: decrypts and parses it; plain mode
// parsed it in checkPlain), runs the turn and writes the passive reply, sealed
// in safe mode, or "success" when there is nothing to say.
func (w *Webhook) serve(rw http.ResponseWriter, r *http.Request, body []byte, cb *callback) string {
	if cb.msg == nil {
		m, err := w.decrypt(cb.sealed)
		if err != nil {
			w.refuse(rw, http.StatusBadRequest, "malformed message")
			return "refused"
		}
		cb.msg = m
	}
	text, outcome := w.answer(r.Context(), cb.msg, cb)
	if cb.refusal != "" {
		w.refuse(rw, http.StatusForbidden, cb.refusal)
		return "refused"
	}
	if text == "" {
		writeSuccess(rw)
		return outcome
	}
	out, err := w.replyXML(cb.query, string(cb.msg.FromUserName), string(cb.msg.ToUserName), text)
	if err != nil {
		w.metrics.Errors.WithLabelValues("encrypt").Inc()
		w.log.Error("wechat reply not sent", "err", err)
		http.Error(rw, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return "refused"
	}
	rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = rw.Write(out)
	return outcome
}

// decrypt opens the ciphertext of a safe-mode envelope whose msg_signature
// checkEnvelope verified, and parses the message.
func (w *Webhook) decrypt(sealed string) (*inbound, error) {
	_, raw, err := util.DecryptMsg(w.cfg.AppID, sealed, w.cfg.EncodingAESKey)
	if err != nil {
		return nil, err
	}
	m := &inbound{}
	return m, parseInbound(raw, m)
}

// answer runs the consumer's turn and returns the passive reply's text; empty
// means "success".
func (w *Webhook) answer(ctx context.Context, m *inbound, cb *callback) (string, string) {
	openID := string(m.FromUserName)
	if cb.urlOpenID != "" && cb.urlOpenID != openID {
		cb.refusal = "openid mismatch"
		return "", "refused"
	}
	w.metrics.Messages.WithLabelValues(typeLabel(messageType(m))).Inc()
	in, ok := toInput(m)
	if !ok || openID == "" {
		w.metrics.Replies.WithLabelValues("success").Inc()
		return "", "ignored"
	}
	if cb.shed {
		return w.busy("shed", "")
	}
	if cb.guardErr != nil {
		w.log.Warn("wechat replay guard unavailable", "user", MaskOpenID(openID), "err", cb.guardErr)
		return w.resend()
	}
	if cb.claim != nil {
		ctx = dialog.WithReplayClaim(ctx, cb.claim)
	}
	reply, err := w.runTurn(ctx, openID, messageKey(m), in, cb)
	switch {
	case errors.Is(err, dialog.ErrReplayed):
		cb.refusal = "signature replayed"
		return "", "refused"
	case cb.claim != nil && !cb.claim.Checked() && err != nil:
		w.log.Warn("wechat replay guard unavailable", "user", MaskOpenID(openID), "err", err)
		return w.resend()
	case errors.Is(err, errLate):
		w.metrics.Replies.WithLabelValues("late").Inc()
		w.log.Warn("wechat turn late; answer will be pushed", "user", MaskOpenID(openID), "type", messageType(m))
		return "", "late"
	case err != nil:
		w.log.Warn("wechat turn failed", "user", MaskOpenID(openID), "type", messageType(m), "err", err)
		return w.busy("busy", "turn")
	case reply == "":
		w.metrics.Replies.WithLabelValues("success").Inc()
		return "", "success"
	}
	if w.log.Enabled(ctx, slog.LevelDebug) { // its arguments cost on every message otherwise
		w.log.Debug("wechat turn", "user", MaskOpenID(openID), "type", messageType(m), "took", time.Since(cb.start))
	}
	w.metrics.Replies.WithLabelValues("text").Inc()
	return reply, "text"
}

// resend counts and builds the reply to a callback the replay guard could not
// check: nothing was done with it, so the consumer is asked to send it again.
func (w *Webhook) resend() (string, string) {
	text, outcome := w.busy("busy", "replay_guard")
	if w.cfg.ResendReply != "" {
		text = w.cfg.ResendReply
	}
	return text, outcome
}

// busy counts and builds the busy reply; stage, when set, is counted as an error.
func (w *Webhook) busy(outcome, stage string) (string, string) {
	if stage != "" {
		w.metrics.Errors.WithLabelValues(stage).Inc()
	}
	w.metrics.Replies.WithLabelValues(outcome).Inc()
	return w.cfg.BusyReply, outcome
}

type turnResult struct {
	reply string
	err   error
}

// runTurn gives the turn what is left of the reply budget. It takes over the
// callback's admission slot and holds it until the turn ends, late or not. The turn runs on its own goroutine so
// a backing service that ignores its deadline still cannot hold the answer past the
// budget. With Late set, a slow turn keeps running (up to TurnTimeout) and its
// answer is pushed; without it the turn is cut at the budget.
func (w *Webhook) runTurn(ctx context.Context, openID, key string, in dialog.Input, cb *callback) (string, error) {
	budgetEnd := cb.start.Add(w.cfg.ReplyBudget)
	turnEnd := budgetEnd
	if w.cfg.Late != nil {
		turnEnd = cb.start.Add(w.cfg.TurnTimeout)
	}
	cb.slot = false // the turn's goroutine releases it
	turnCtx, cancel := context.WithDeadline(context.WithoutCancel(ctx), turnEnd)
	done := make(chan turnResult, 1)
	w.workers.Go(func() {
		res := w.handle(turnCtx, openID, key, in)
		cancel()
		w.admit.release() // before the result, so whoever sees it sees the slot free
		done <- res
	})
	budget := time.NewTimer(time.Until(budgetEnd))
	defer budget.Stop()
	select {
	case res := <-done:
		return res.reply, res.err
	case <-budget.C:
		if w.cfg.Late == nil {
			return "", fmt.Errorf("reply budget exhausted: %w", context.DeadlineExceeded)
		}
		w.late.Go(func() { w.pushLate(openID, done) })
		return "", errLate
	}
}

// handle runs the turn, turning a panic into an error so its slot is released.
func (w *Webhook) handle(ctx context.Context, openID, key string, in dialog.Input) (res turnResult) {
	defer func() {
		if p := recover(); p != nil {
			res = turnResult{err: fmt.Errorf("turn panicked: %v", p)}
		}
	}()
	reply, err := w.turns.Handle(ctx, openID, key, in)
	return turnResult{reply, err}
}

// WaitLate waits until the turns that outlived their passive reply have finished
// and queued their answers, or ctx ends. Shutdown calls it before closing the
// stores those turns still use: WeChat was told "success", so nobody else will
// deliver their answers.
func (w *Webhook) WaitLate(ctx context.Context) error {
	done := make(chan struct{})
	go func() { w.late.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("late wechat turns still running: %w", ctx.Err())
	}
}

// pushLate waits for a late turn and queues its answer (or the busy sentence, so
// the consumer is not left wondering) for the push worker.
func (w *Webhook) pushLate(openID string, done <-chan turnResult) {
	res := <-done
	text := res.reply
	if res.err != nil {
		w.log.Warn("late wechat turn failed", "user", MaskOpenID(openID), "err", res.err)
		text = w.cfg.BusyReply
	}
	if text != "" {
		w.enqueueLate(openID, text)
	}
}

func (w *Webhook) refuse(rw http.ResponseWriter, status int, reason string) {
	w.metrics.Errors.WithLabelValues(strings.ReplaceAll(reason, " ", "_")).Inc()
	w.log.Info("wechat callback refused", "status", status, "reason", reason)
	http.Error(rw, http.StatusText(status), status)
}

func writeSuccess(rw http.ResponseWriter) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(rw, "success")
}

// signature is WeChat's: the hex SHA-1 of the sorted, concatenated parts.
// It hashes the parts one after another instead of joining them: in safe mode
// one part is the whole ciphertext, on every callback and every reply.
func signature(parts ...string) string {
	var buf [4]string // WeChat signs three or four parts
	sorted := append(buf[:0], parts...)
	slices.Sort(sorted)
	h := sha1.New()
	for _, p := range sorted {
		_, _ = io.WriteString(h, p) // a hash never fails
	}
	var sum [sha1.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

func equalSignature(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
