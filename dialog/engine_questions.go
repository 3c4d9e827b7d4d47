package dialog

import (
	"context"
	"fmt"

	"github.com/complaintbot/complaintbot/storage"
)

// The questions staff or the service ask about a filed case — the arbitration
// consent, a merchant's proposal, whether a payment arrived — work alike: the
// store finds the consumer's case whose question is open, and records the
// answer once.

// pendingCase returns the case lookup finds for openID, nil when there is none
// (ENOTFOUND). what names the question in an error.
func pendingCase(ctx context.Context, lookup func(context.Context, string) (*storage.Case, error),
	openID, what string) (*storage.Case, error) {
	c, err := lookup(ctx, openID)
	switch storage.ErrorCode(err) {
	case "":
		return c, nil
	case storage.ENOTFOUND:
		return nil, nil
	}
	return nil, fmt.Errorf("find %s: %w", what, err)
}

// answered turns the store's answer to recording an answer about case number
// into what the consumer reads: yes or, when the answer was no, no once
// recorded; already when another answer came first (ECONFLICT). what names the
// question in an error.
func (e *Engine) answered(err error, number, what, already, yes, no string, wasNo bool) (outcome, error) {
	switch storage.ErrorCode(err) {
	case "":
		if wasNo {
			return outcome{text: e.Catalogue.text(no, "Number", number)}, nil
		}
		return outcome{text: e.Catalogue.text(yes, "Number", number)}, nil
	case storage.ECONFLICT:
		return outcome{text: e.Catalogue.text(already, "Number", number)}, nil
	}
	return outcome{}, fmt.Errorf("answer %s: %w", what, err)
}
