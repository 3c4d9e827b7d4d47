package dialog

import (
	"context"
	"fmt"

	"github.com/complaintbot/complaintbot/storage"
)

// PaymentBackend is the storage of the payment question: which case waits for
// an answer, and recording it. The SQL store implements it.
type PaymentBackend interface {
	PendingPayment(ctx context.Context, openID string) (*storage.Case, error)
	AnswerPayment(ctx context.Context, a storage.PaymentAnswer) (*storage.Case, error)
	LapsedPayment(ctx context.Context, openID string) (*storage.Case, error)
}

// pendingPayment returns the consumer's case whose payment question waits for an
// answer, nil if none or if the Engine has no Payments.
func (e *Engine) pendingPayment(ctx context.Context, openID string) (*storage.Case, error) {
	if e.Payments == nil {
		return nil, nil
	}
	return pendingCase(ctx, e.Payments.PendingPayment, openID, "pending payment")
}

// lapsedPayment returns the consumer's case whose payment question lapsed and
// that nobody moved since, nil if none or if the Engine has no Payments.
func (e *Engine) lapsedPayment(ctx context.Context, openID string) (*storage.Case, error) {
	if e.Payments == nil {
		return nil, nil
	}
	return pendingCase(ctx, e.Payments.LapsedPayment, openID, "lapsed payment")
}

// answerPayment records the answer and says what follows: the case is closed,
// or back with its mediator. An answer recorded already (ECONFLICT, a retried
// turn or a second answer) is said so.
func (e *Engine) answerPayment(ctx context.Context, eff AnswerPayment) (outcome, error) {
	if e.Payments == nil {
		return outcome{}, fmt.Errorf("answer payment: the engine has no payment backend")
	}
	_, err := e.Payments.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: eff.Case.ID, Answer: eff.Answer})
	return e.answered(err, eff.Case.Number, "payment", msgPaymentAlreadyAnswered, msgPaymentReceived, msgPaymentNotReceived,
		eff.Answer == storage.PaymentNotReceived)
}
