package dialog

import (
	"context"
	"fmt"

	"github.com/complaintbot/complaintbot/storage"
)

// proposalQuestion returns the consumer's case whose merchant proposal awaits
// an answer, nil if none (or without Engine.Proposals).
func (e *Engine) proposalQuestion(ctx context.Context, openID string) (*storage.Case, error) {
	if e.Proposals == nil {
		return nil, nil
	}
	return pendingCase(ctx, e.Proposals.PendingProposal, openID, "pending proposal")
}

// answerProposal records the answer: accepted closes the case as 协商和解,
// declined takes it back to the association's mediation. A proposal answered
// meanwhile (ECONFLICT) is said so.
func (e *Engine) answerProposal(ctx context.Context, eff AnswerProposal) (outcome, error) {
	if e.Proposals == nil {
		return outcome{}, fmt.Errorf("dialog: no proposal store for the answer")
	}
	_, err := e.Proposals.AnswerProposal(ctx, eff.Case.ID, eff.Answer)
	return e.answered(err, eff.Case.Number, "proposal", msgProposalAnswered, msgProposalAccepted, msgProposalDeclined,
		eff.Answer == storage.ProposalDeclined)
}
