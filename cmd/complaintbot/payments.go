package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// paymentsPoll is how often each instance looks for payment questions due. The
// first ask is due on the payment day's morning; a minute late is on time.
const paymentsPoll = time.Minute

// paymentsBatch bounds one look: a morning with more due asks them in turns.
const paymentsBatch = 100

// paymentAsker asks consumers, on the payment date of their mediation agreement,
// whether the money arrived (and once more three days later without an answer).
// Every instance runs one; the store's conditional update makes each question go
// out once however many ask at the same moment, and the outbox row it writes in
// the same transaction survives a restart.
type paymentAsker struct {
	store  storage.AgreementStore
	now    func() time.Time
	logger *slog.Logger
}

// askDue asks every question due now, batch after batch, and returns how many it
// asked. Errors are logged: the next tick tries again.
func (p *paymentAsker) askDue(ctx context.Context) int {
	total := 0
	for ctx.Err() == nil {
		n, err := p.store.AskDuePayments(ctx, p.now(), paymentsBatch)
		total += n
		if err != nil {
			p.logger.Warn("payment questions not asked", "err", err)
			return total
		}
		if n < paymentsBatch {
			break
		}
	}
	if total > 0 {
		p.logger.Info("payment questions asked", "count", total)
	}
	return total
}

// run asks at start and then every paymentsPoll until ctx ends.
func (p *paymentAsker) run(ctx context.Context) {
	p.askDue(ctx)
	onEveryTick(ctx, paymentsPoll, func() { p.askDue(ctx) })
}
