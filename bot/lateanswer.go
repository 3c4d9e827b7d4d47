package bot

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// Retry of late answers whose enqueue fails.
const (
	// DefaultLateRetry is the first pause before enqueueing a late answer again.
	DefaultLateRetry = 200 * time.Millisecond
	// lateRetryMax caps the pause: an outbox back after an outage is used within
	// seconds, and a few attempts a minute cost the database nothing.
	lateRetryMax = 10 * time.Second
	// lateEnqueueTimeout bounds one attempt, so a stalled database cannot hold a
	// late answer forever in one try instead of retrying.
	lateEnqueueTimeout = 5 * time.Second
)

// enqueueLate writes the answer of a late turn to the outbox, trying again with
// exponential backoff (and jitter, so answers queued in one overload do not retry in
// lockstep) until it is written. It never gives up on an unavailable outbox: WeChat
// was told "success", so nobody else will deliver the answer. Only an answer the
// outbox refuses as invalid is dropped, since trying again cannot help.
func (w *Webhook) enqueueLate(openID, text string) {
	n := storage.NewNotification{OpenID: openID, Kind: storage.NoticeDialogReply, Text: text}
	pause := w.cfg.LateRetry
	for attempt := 1; ; attempt++ {
		err := w.enqueueOnce(n)
		if err == nil {
			w.metrics.Replies.WithLabelValues("late_queued").Inc()
			if attempt > 1 {
				w.log.Info("late answer queued after retries", "user", MaskOpenID(openID), "attempts", attempt)
			}
			return
		}
		w.metrics.Errors.WithLabelValues("late_enqueue").Inc()
		if storage.ErrorCode(err) == storage.EINVALID {
			w.log.Error("late answer refused by the outbox", "user", MaskOpenID(openID), "err", err)
			return
		}
		if attempt == 1 {
			w.log.Warn("late answer not queued yet; retrying", "user", MaskOpenID(openID), "err", err)
		}
		time.Sleep(jitter(pause))
		pause = min(2*pause, lateRetryMax)
	}
}

// enqueueOnce is one bounded attempt.
func (w *Webhook) enqueueOnce(n storage.NewNotification) error {
	ctx, cancel := context.WithTimeout(context.Background(), lateEnqueueTimeout)
	defer cancel()
	_, err := w.cfg.Late.EnqueueNotification(ctx, n)
	return err
}

// jitter returns a random duration between d/2 and d.
func jitter(d time.Duration) time.Duration {
	half := d / 2
	return half + rand.N(half+1)
}
