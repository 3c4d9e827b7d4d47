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
	DefaultPushLease        = time.Minute // far longer than one send, which times out in 10 s
	DefaultPushMaxAttempts  = 12
	DefaultPushBaseBackoff  = 5 * time.Second
	DefaultPushMaxBackoff   = 30 * time.Minute
	DefaultPushPollInterval = 250 * time.Millisecond
)

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
	MaxAttempts  int
	BaseBackoff  time.Duration
	MaxBackoff   time.Duration
	PollInterval time.Duration
	Template     Template
	Now          func() time.Time
}

func (c PushConfig) withDefaults() PushConfig {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Workers, DefaultPushWorkers)
	def(&c.Batch, DefaultPushBatch)
	def(&c.MaxAttempts, DefaultPushMaxAttempts)
	defDur(&c.Lease, DefaultPushLease)
	defDur(&c.BaseBackoff, DefaultPushBaseBackoff)
	defDur(&c.MaxBackoff, DefaultPushMaxBackoff)
	defDur(&c.PollInterval, DefaultPushPollInterval)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Pusher drains the outbox: it claims due notifications, sends each as a
// customer-service message (or the template fallback outside the 48-hour window)
// and records the outcome. Any number of instances may run Pushers on one
// database: claims are leased, and only the oldest pending notice of a consumer is
// claimable, so each consumer's notices arrive in order and once.
type Pusher struct {
	cfg     PushConfig
	store   storage.NotificationStore
	api     Sender
	render  func(*storage.Notification) string
	log     *slog.Logger
	metrics *PushMetrics
}

// NewPusher builds a Pusher; render turns a notification into the consumer's text
// (dialog.Catalogue.Notice).
func NewPusher(cfg PushConfig, store storage.NotificationStore, api Sender,
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
	// out is recorded as sent, but no longer than half the lease: the batch must be
	// recorded before another worker may claim its rows again and send them twice.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.Lease/2)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		marks []storage.SentMark
	)
	for _, n := range batch {
		wg.Go(func() {
			if mark, ok := p.deliver(sendCtx, n); ok {
				mu.Lock()
				marks = append(marks, mark)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	recordCtx, cancelRecord := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.Lease/4)
	defer cancelRecord()
	p.recordSent(recordCtx, marks)
	return len(batch), nil
}

// recordSent marks a batch's deliveries in one transaction.
func (p *Pusher) recordSent(ctx context.Context, marks []storage.SentMark) {
	if len(marks) == 0 {
		return
	}
	lost, err := p.store.MarkNotificationsSent(ctx, marks)
	if err != nil {
		// The leases expire and the rows are tried again: possible duplicates,
		// which is why leases are far longer than a send.
		p.log.Error("outbox record failed", "rows", len(marks), "err", err)
	}
	for _, id := range lost {
		p.log.Warn("notification sent after its lease ended", "id", id)
	}
}

// deliver sends one notification. A success is returned for recording with the
// batch; a failure is recorded at once (retry later, or dead).
func (p *Pusher) deliver(ctx context.Context, n *storage.Notification) (storage.SentMark, bool) {
	via, err := p.send(ctx, n)
	if err == nil {
		p.metrics.observeSent(via, p.cfg.Now().Sub(n.CreatedAt))
		return storage.SentMark{ID: n.ID, LeaseToken: n.LeaseToken, Via: via}, true
	}
	if p.permanent(n, err) {
		p.metrics.Outcomes.WithLabelValues("dead").Inc()
		p.log.Error("notification dead", "id", n.ID, "kind", n.Kind, "user", MaskOpenID(n.OpenID), "attempts", n.Attempts, "err", err)
		err = p.store.KillNotification(ctx, n.ID, n.LeaseToken, err.Error())
	} else {
		p.metrics.Outcomes.WithLabelValues("retry").Inc()
		next := p.cfg.Now().Add(p.backoff(n.Attempts))
		p.log.Info("notification retry", "id", n.ID, "user", MaskOpenID(n.OpenID), "attempts", n.Attempts, "next", next, "err", err)
		err = p.store.RetryNotification(ctx, n.ID, n.LeaseToken, err.Error(), next)
	}
	if err != nil {
		p.log.Error("outbox record failed", "id", n.ID, "err", err)
	}
	return storage.SentMark{}, false
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

// permanent says whether to give up: the error will not go away by waiting, or the
// attempts are used up.
func (p *Pusher) permanent(n *storage.Notification, err error) bool {
	if n.Attempts >= p.cfg.MaxAttempts || errors.Is(err, errNoFallback) {
		return true
	}
	return !IsRetryable(err) && !IsTokenError(err)
}

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

// templateMessage fills the template's fields within WeChat's limits.
func (p *Pusher) templateMessage(n *storage.Notification) TemplateMessage {
	t := p.cfg.Template
	summary := n.Summary
	if n.Kind == storage.NoticeStaffReply {
		summary = staffReplySummary
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
