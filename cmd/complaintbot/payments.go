package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/storage"
)

// paymentsPoll is how often each instance looks for payment questions due. The
// first ask is due on the payment day's morning; a minute late is on time.
const paymentsPoll = time.Minute

// paymentsBatch bounds one look: a morning with more due asks them in turns.
const paymentsBatch = 100

// paymentAsker asks consumers, on the payment date of their mediation agreement,
// whether the money arrived (and once more three days later without an answer),
// and lapses the questions still unanswered answerWait after the last ask (the
// mediator is alerted). Every instance runs one; the store's conditional
// updates make each question go out, and lapse, once however many look at the
// same moment, and the rows they write in the same transaction survive a restart.
type paymentAsker struct {
	store      storage.AgreementStore
	answerWait time.Duration // casework.payment_answer_days
	now        func() time.Time
	logger     *slog.Logger
}

// look asks the questions due now and then lapses those left unanswered.
func (p *paymentAsker) look(ctx context.Context) {
	p.askDue(ctx)
	p.lapseDue(ctx)
}

// askDue asks every question due now, batch after batch, and returns how many it
// asked. Errors are logged: the next tick tries again.
func (p *paymentAsker) askDue(ctx context.Context) int {
	return p.inBatches(ctx, "payment questions asked", "payment questions not asked",
		func() (int, error) { return p.store.AskDuePayments(ctx, p.now(), paymentsBatch) })
}

// lapseDue lapses every question whose answer is overdue now, batch after
// batch, and returns how many lapsed. Errors are logged: the next tick tries
// again.
func (p *paymentAsker) lapseDue(ctx context.Context) int {
	return p.inBatches(ctx, "unanswered payment questions lapsed", "unanswered payment questions not lapsed",
		func() (int, error) {
			return p.store.LapseUnansweredPayments(ctx, p.now(), p.answerWait, paymentsBatch)
		})
}

// inBatches calls batch until it handles fewer than paymentsBatch questions,
// an error or the end of ctx, logs the total as done (when there was any) or
// the error as failed, and returns the total.
func (p *paymentAsker) inBatches(ctx context.Context, done, failed string, batch func() (int, error)) int {
	total := 0
	for ctx.Err() == nil {
		n, err := batch()
		total += n
		if err != nil {
			p.logger.Warn(failed, "err", err)
			return total
		}
		if n < paymentsBatch {
			break
		}
	}
	if total > 0 {
		p.logger.Info(done, "count", total)
	}
	return total
}

// run looks at start and then every paymentsPoll until ctx ends.
func (p *paymentAsker) run(ctx context.Context) {
	p.look(ctx)
	onEveryTick(ctx, paymentsPoll, func() { p.look(ctx) })
}

// paymentAnswerWait is the configured wait for an answer after the last ask.
func paymentAnswerWait(w configs.CaseworkConfig) time.Duration {
	return time.Duration(w.PaymentAnswerDays) * 24 * time.Hour
}
