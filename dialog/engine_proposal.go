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
	c, err := e.Proposals.PendingProposal(ctx, openID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("find pending proposal: %w", err)
	}
	return c, nil
}

// answerProposal records the answer: accepted closes the case as 协商和解,
// declined takes it back to the association's mediation. A proposal answered
// meanwhile (ECONFLICT) is said so.
func (e *Engine) answerProposal(ctx context.Context, eff AnswerProposal) (outcome, error) {
	if e.Proposals == nil {
		return outcome{}, fmt.Errorf("dialog: no proposal store for the answer")
	}
	_, err := e.Proposals.AnswerProposal(ctx, eff.Case.ID, eff.Answer)
	switch storage.ErrorCode(err) {
	case "":
	case storage.ECONFLICT:
		return outcome{text: e.Catalogue.text(msgProposalAnswered, "Number", eff.Case.Number)}, nil
	default:
		return outcome{}, fmt.Errorf("answer proposal: %w", err)
	}
	if eff.Answer == storage.ProposalDeclined {
		return outcome{text: e.Catalogue.text(msgProposalDeclined, "Number", eff.Case.Number)}, nil
	}
	return outcome{text: e.Catalogue.text(msgProposalAccepted, "Number", eff.Case.Number)}, nil
}
