package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// Defaults of PushConfig.
const (
	DefaultPushWorkers      = 2
	DefaultPushBatch        = 16
	DefaultPushLease        = time.Minute    // far longer than one send, which times out in 10 s
	DefaultPushMaxAge       = 72 * time.Hour // older news is stale; staff see it as 未送达 instead
	DefaultPushBaseBackoff  = 5 * time.Second
	DefaultPushMaxBackoff   = 30 * time.Minute
	DefaultPushPollInterval = 250 * time.Millisecond
)

// PushStore is what the push worker needs of the database: the outbox, and the
// record of who unfollowed the account.
type PushStore interface {
	storage.NotificationStore
	storage.FollowerStore
}

// Sender is what the push worker needs of the WeChat API; APIClient is the real one.
type Sender interface {
	SendText(ctx context.Context, openID, text string) error
	SendTemplate(ctx context.Context, msg TemplateMessage) (int64, error)
}

// Template says which template message stands in for a customer-service message
// outside the 48-hour window, and which of its fields carry what.
type Template struct {
	ID                                                    string // empty: no fallback
	CaseNumberField, StatusField, TimeField, SummaryField string
}

// PushConfig configures the outbox delivery.
type PushConfig struct {
	Workers      int
	Batch        int
	Lease        time.Duration
	MaxAge       time.Duration // a notice still failing this long after it was written dies
	BaseBackoff  time.Duration
	MaxBackoff   time.Duration
	PollInterval time.Duration
	Template     Template
	Now          func() time.Time
}

func (c PushConfig) withDefaults() PushConfig {
	orDefault(&c.Workers, DefaultPushWorkers)
	orDefault(&c.Batch, DefaultPushBatch)
	orDefault(&c.MaxAge, DefaultPushMaxAge)
	orDefault(&c.Lease, DefaultPushLease)
	orDefault(&c.BaseBackoff, DefaultPushBaseBackoff)
	orDefault(&c.MaxBackoff, DefaultPushMaxBackoff)
	orDefault(&c.PollInterval, DefaultPushPollInterval)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// orDefault sets an unset (zero or negative) setting to its default.
func orDefault[T int | int64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Pusher drains the outbox: it claims due notifications, sends each as a
// customer-service message (or the template fallback outside the 48-hour window)
// and records the outcome. Any number of instances may run Pushers on one
// database: claims are leased, and only the oldest pending notice of a consumer is
// claimable, so each consumer's notices arrive in order. Delivery is at least
// once: each outcome is recorded as soon as its send returns, so a crash repeats
// at most the sends in flight at that moment and the deliveries of the one
// commit then under way (WeChat has no idempotency key).
type Pusher struct {
	cfg     PushConfig
	store   PushStore
	api     Sender
	render  func(*storage.Notification) string
	log     *slog.Logger
	metrics *PushMetrics
}

// NewPusher builds a Pusher; render turns a notification into the consumer's text
// (dialog.Catalogue.Notice).
func NewPusher(cfg PushConfig, store PushStore, api Sender,
	render func(*storage.Notification) string, log *slog.Logger, m *PushMetrics) *Pusher {
	return &Pusher{cfg: cfg.withDefaults(), store: store, api: api, render: render, log: log, metrics: m}
}

// Run runs the workers until ctx is cancelled, then waits for the sends in flight.
func (p *Pusher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range p.cfg.Workers {
		wg.Go(func() { p.work(ctx) })
	}
	wg.Wait()
}

// work is one worker's loop.
func (p *Pusher) work(ctx context.Context) {
	drainLoop(ctx, p.cfg.Batch, p.cfg.PollInterval, p.DrainOnce, p.log)
}

// drainLoop runs once until ctx ends: at once again while batches come back full,
// after poll otherwise (or after an error, which it logs).
func drainLoop(ctx context.Context, batch int, poll time.Duration, once func(context.Context) (int, error), log *slog.Logger) {
	for ctx.Err() == nil {
		n, err := once(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("work queue claim failed", "err", err)
		}
		if n < batch || err != nil {
			sleep(ctx, poll)
		}
	}
}

// DrainOnce claims one batch and delivers it; it returns how many it claimed.
func (p *Pusher) DrainOnce(ctx context.Context) (int, error) {
	batch, err := p.store.ClaimNotifications(ctx, p.cfg.Batch, p.cfg.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim notifications: %w", err)
	}
	// A batch holds at most one notice per consumer, so its sends are independent.
	// They run to the end even when the worker is stopping, so a message that went
	// out is recorded as sent, but no longer than half the lease: each outcome must
	// be recorded before another worker may claim its row again and send it twice.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.Lease/2)
	defer cancel()
	sent, sendsDone, recorded := newSentLog(), make(chan struct{}), make(chan struct{})
	go func() { p.recordSent(sendCtx, sent, sendsDone); close(recorded) }()
	var wg sync.WaitGroup
	for _, n := range batch {
		wg.Go(func() { p.deliver(sendCtx, n, sent) })
	}
	wg.Wait()
	close(sendsDone)
	<-recorded
	return len(batch), nil
}

// deliver sends one notification and records the outcome as soon as the send
// returns, not when its whole batch is done: WeChat has no idempotency key, so a
// delivery not yet recorded when the instance dies is sent again. A delivery
// goes to sent, the batch's log (see sentLog); a failure is recorded here.
func (p *Pusher) deliver(ctx context.Context, n *storage.Notification, sent *sentLog) {
	start := p.cfg.Now()
	via, err := p.send(ctx, n)
	if err == nil {
		p.metrics.observeSent(via, p.cfg.Now().Sub(n.CreatedAt))
		sent.add(storage.SentMark{ID: n.ID, LeaseToken: n.LeaseToken, Via: via})
		return
	}
	// The record gets its own time: the send may have used up ctx's.
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.Lease/4)
	defer cancel()
	err = p.recordFailure(recordCtx, n, start, err)
	if storage.ErrorCode(err) == storage.ECONFLICT {
		p.log.Warn("notification finished after its lease ended", "id", n.ID)
	} else if err != nil {
		p.log.Error("outbox record failed", "id", n.ID, "err", err)
	}
}

// recordFailure decides what a failed send means. A consumer who unfollowed has
// their notices held until they follow again; a notice WeChat can never accept
// dies; so does one still undelivered past MaxAge; anything else (Redis, the
// database, the network, timeouts, 5xx, rate limits, unknown answers) is tried
// again later, and the consumer's later notices wait behind it.
func (p *Pusher) recordFailure(ctx context.Context, n *storage.Notification, start time.Time, sendErr error) error {
	age := p.cfg.Now().Sub(n.CreatedAt)
	switch {
	case IsUnfollowed(sendErr):
		return p.hold(ctx, n, start, sendErr)
	case errors.Is(sendErr, errNoFallback) || IsPermanent(sendErr):
		return p.kill(ctx, n, sendErr)
	case age >= p.cfg.MaxAge:
		return p.kill(ctx, n, fmt.Errorf("undelivered after %s (push max age %s): %w",
			age.Round(time.Minute), p.cfg.MaxAge, sendErr))
	}
	return p.retry(ctx, n, sendErr, p.cfg.Now().Add(p.backoff(n.Attempts)))
}

// kill gives the notification up; the consumer's next one becomes due.
func (p *Pusher) kill(ctx context.Context, n *storage.Notification, err error) error {
	p.metrics.Outcomes.WithLabelValues("dead").Inc()
	p.log.Error("notification dead", "id", n.ID, "kind", n.Kind, "user", MaskOpenID(n.OpenID), "attempts", n.Attempts, "err", err)
	return p.store.KillNotification(ctx, n.ID, n.LeaseToken, err.Error())
}

// retry makes the notification due again at next.
func (p *Pusher) retry(ctx context.Context, n *storage.Notification, err error, next time.Time) error {
	p.metrics.Outcomes.WithLabelValues("retry").Inc()
	p.log.Info("notification retry", "id", n.ID, "user", MaskOpenID(n.OpenID), "attempts", n.Attempts, "next", next, "err", err)
	return p.store.RetryNotification(ctx, n.ID, n.LeaseToken, err.Error(), next)
}

// hold records that the consumer unfollowed, which holds all their notices (the
// claim skips them) until a subscribe event is recorded; the row itself is due
// again at once. The unfollow is dated a second before the send started: a
// subscribe event (dated by WeChat in whole seconds) that WeChat saw after our
// send must win over it, whichever is recorded first. If the record fails, the
// notice is simply retried later, and the next 43004 tries again.
func (p *Pusher) hold(ctx context.Context, n *storage.Notification, start time.Time, err error) error {
	at := start.Truncate(time.Second).Add(-time.Second)
	if ferr := p.store.SetFollowing(ctx, n.OpenID, false, at); ferr != nil {
		p.log.Error("unfollow not recorded", "user", MaskOpenID(n.OpenID), "err", ferr)
		return p.retry(ctx, n, err, p.cfg.Now().Add(p.backoff(n.Attempts)))
	}
	p.metrics.Outcomes.WithLabelValues("held").Inc()
	p.log.Info("notification held: consumer unfollowed", "id", n.ID, "user", MaskOpenID(n.OpenID))
	return p.store.RetryNotification(ctx, n.ID, n.LeaseToken, err.Error(), p.cfg.Now())
}

// send tries the customer-service message, then the template fallback when WeChat
// says the consumer is outside the 48-hour window or over its count.
func (p *Pusher) send(ctx context.Context, n *storage.Notification) (string, error) {
	err := p.api.SendText(ctx, n.OpenID, p.render(n))
	if err == nil {
		return storage.ViaCustom, nil
	}
	if !IsOutsideWindow(err) {
		return "", err
	}
	if p.cfg.Template.ID == "" {
		return "", fmt.Errorf("%w: outside the 48-hour window and no template is configured", errNoFallback)
	}
	if _, err := p.api.SendTemplate(ctx, p.templateMessage(n)); err != nil {
		return "", fmt.Errorf("template fallback: %w", err)
	}
	return storage.ViaTemplate, nil
}

var errNoFallback = errors.New("undeliverable")

// backoff is exponential with jitter, so a crowd of failed sends does not return
// all at once when WeChat recovers.
func (p *Pusher) backoff(attempts int) time.Duration {
	d := p.cfg.BaseBackoff << min(max(attempts-1, 0), 20)
	d = min(d, p.cfg.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// staffReplySummary is the template's summary for a staff reply: a template cannot
// carry the reply's words, so it tells the consumer where to read them (查询 shows
// the latest reply).
const staffReplySummary = "调解员已回复，请发送“查询”查看"

// ratingRequestSummary is the template's summary for a rating request: the
// question itself, in the thing field's 20 characters, in the words the dialog
// accepts as a rating.
const ratingRequestSummary = "请回复满意/基本满意/不满意评价"

// materialSummary is the template's summary when staff ask for material (待补正):
// the card cannot say what to send, so it points to 查询, which does.
const materialSummary = "请补充材料，发送“查询”查看详情"

// appraisalSummary is the template's summary of a case sent for testing or
// appraisal (检测鉴定), whose time does not count against mediation.
const appraisalSummary = "检测鉴定中，期间不计入调解期限"

// agreementSummary is the template's summary when the mediation agreement is
// issued: the card cannot hold the terms, and the paper copy is with the mediator.
const agreementSummary = "已出具调解协议书，可向调解员索取"

// paymentQuestionSummary is the template's summary of the payment question, in
// the words the dialog accepts as its answers.
const paymentQuestionSummary = "款项是否到账？请回复已到账或未到账"

// arbitrationConsentSummary is the template's summary of the arbitration
// question: the answers the chat accepts, in 20 characters.
const arbitrationConsentSummary = "是否同意仲裁？请回复同意仲裁或不同意"

// proposalSummary is the template's summary of a merchant's settlement
// proposal: the answers the chat accepts, in 20 characters.
const proposalSummary = "商家和解方案：请回复接受或不接受"

// erasureSummary is the template's summary of a settled deletion request.
const erasureSummary = "个人信息删除申请已处理"

// templateMessage fills the template's fields within WeChat's limits.
func (p *Pusher) templateMessage(n *storage.Notification) TemplateMessage {
	t := p.cfg.Template
	summary := n.Summary
	switch n.Kind {
	case storage.NoticeStaffReply:
		summary = staffReplySummary
	case storage.NoticeRatingRequest:
		summary = ratingRequestSummary
	case storage.NoticeStatusChange:
		summary = statusSummary(n)
	case storage.NoticeTransfer:
		summary = transferSummary(n)
	case storage.NoticeAgreement:
		summary = agreementSummary
	case storage.NoticePaymentQuestion:
		summary = paymentQuestionSummary
	case storage.NoticeArbitrationConsent:
		summary = arbitrationConsentSummary
	case storage.NoticeSettlementProposal:
		summary = proposalSummary
	case storage.NoticeErasure:
		summary = erasureSummary
	}
	return TemplateMessage{
		ToUser:     n.OpenID,
		TemplateID: t.ID,
		Data: map[string]string{
			t.CaseNumberField: truncateRunes(n.CaseNumber, 32),
			t.StatusField:     truncateRunes(n.StatusLabel, 5),
			t.TimeField:       n.CreatedAt.In(chinaZone).Format("2006-01-02 15:04"),
			t.SummaryField:    truncateRunes(summary, 20),
		},
	}
}

// statusSummary is the template's summary of a status change: a pointer to what
// the consumer must do or know for the statuses that ask it, else the row's own.
func statusSummary(n *storage.Notification) string {
	switch n.StatusLabel {
	case storage.StatusAwaitingMaterial.Label():
		return materialSummary
	case storage.StatusAppraisal.Label():
		return appraisalSummary
	}
	return n.Summary
}

// transferSummaryDefault is the template's summary of a case moved to another
// unit when the row names none (the store writes "已移交<unit>").
const transferSummaryDefault = "已移交其他单位办理"

// transferSummary is the template's summary of a transfer: the unit the case went
// to, as the store wrote it, within the field's 20 characters.
func transferSummary(n *storage.Notification) string {
	if n.Summary == "" {
		return transferSummaryDefault
	}
	return n.Summary
}

// chinaZone is UTC+8 without tzdata; template times are read by people in China.
var chinaZone = time.FixedZone("CST", 8*60*60)

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
