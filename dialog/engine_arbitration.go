package dialog

import (
	"context"
	"fmt"

	"github.com/complaintbot/complaintbot/storage"
)

// arbitrationQuestion returns the consumer's case whose arbitration question is
// open, nil if none (or without Engine.Referrals).
func (e *Engine) arbitrationQuestion(ctx context.Context, openID string) (*storage.Case, error) {
	if e.Referrals == nil {
		return nil, nil
	}
	return pendingCase(ctx, e.Referrals.PendingArbitrationConsent, openID, "arbitration question")
}

// answerArbitration records the answer. A question answered meanwhile
// (ECONFLICT: another answer came first) is said so; the same answer again
// (a retried message) is recorded once by the store.
func (e *Engine) answerArbitration(ctx context.Context, eff AnswerArbitration) (outcome, error) {
	if e.Referrals == nil {
		return outcome{}, fmt.Errorf("dialog: no referral store for the arbitration answer")
	}
	_, err := e.Referrals.AnswerArbitrationConsent(ctx, eff.Case.ID, eff.Answer)
	return e.answered(err, eff.Case.Number, "arbitration", msgArbitrationAnswered, msgArbitrationAgreed, msgArbitrationRefused,
		eff.Answer == storage.ConsentRefused)
}
