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
	c, err := e.Referrals.PendingArbitrationConsent(ctx, openID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("find arbitration question: %w", err)
	}
	return c, nil
}

// answerArbitration records the answer. A question answered meanwhile
// (ECONFLICT: another answer came first) is said so; the same answer again
// (a retried message) is recorded once by the store.
func (e *Engine) answerArbitration(ctx context.Context, eff AnswerArbitration) (outcome, error) {
	if e.Referrals == nil {
		return outcome{}, fmt.Errorf("dialog: no referral store for the arbitration answer")
	}
	_, err := e.Referrals.AnswerArbitrationConsent(ctx, eff.Case.ID, eff.Answer)
	switch storage.ErrorCode(err) {
	case "":
	case storage.ECONFLICT:
		return outcome{text: e.Catalogue.text(msgArbitrationAnswered, "Number", eff.Case.Number)}, nil
	default:
		return outcome{}, fmt.Errorf("answer arbitration: %w", err)
	}
	if eff.Answer == storage.ConsentRefused {
		return outcome{text: e.Catalogue.text(msgArbitrationRefused, "Number", eff.Case.Number)}, nil
	}
	return outcome{text: e.Catalogue.text(msgArbitrationAgreed, "Number", eff.Case.Number)}, nil
}
