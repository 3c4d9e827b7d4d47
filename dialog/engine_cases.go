package dialog

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// CaseBackend is the storage the Engine works on: cases, and what happens on them
// after filing. The SQL store implements both.
type CaseBackend interface {
	storage.CaseStore
	storage.ConversationStore
}

// unratedLookback is how many of the consumer's closed cases are checked for a
// missing rating; a consumer rates the case whose rating request just arrived.
const unratedLookback = 5

// loadFacts looks up what a step asked for, only ever among openID's cases.
func (e *Engine) loadFacts(ctx context.Context, openID string, n Need) (*Facts, error) {
	f := &Facts{}
	var err error
	if n.OpenCases {
		if f.OpenCases, err = e.openCases(ctx, openID); err != nil {
			return nil, err
		}
	}
	if n.Unrated {
		if f.Unrated, err = e.unrated(ctx, openID); err != nil {
			return nil, err
		}
	}
	if n.Number != "" {
		if f.Case, f.CaseRated, err = e.ownCaseRated(ctx, openID, n.Number); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// openCases returns the consumer's cases that are not final, newest first.
func (e *Engine) openCases(ctx context.Context, openID string) ([]*storage.Case, error) {
	open := true
	cases, _, err := e.Cases.FindCases(ctx, storage.CaseFilter{OpenID: &openID, Open: &open, Limit: maxChoices})
	if err != nil {
		return nil, fmt.Errorf("list open cases: %w", err)
	}
	return cases, nil
}

// unrated returns the consumer's most recently closed case without a rating, nil if
// none of the last few has one missing.
func (e *Engine) unrated(ctx context.Context, openID string) (*storage.Case, error) {
	closed := storage.StatusClosed
	cases, _, err := e.Cases.FindCases(ctx, storage.CaseFilter{OpenID: &openID, Status: &closed, Limit: unratedLookback})
	if err != nil {
		return nil, fmt.Errorf("list closed cases: %w", err)
	}
	// The filter orders by filing; the rating request follows closing.
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].UpdatedAt.After(cases[j].UpdatedAt) })
	for _, c := range cases {
		rated, err := e.rated(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if !rated {
			return c, nil
		}
	}
	return nil, nil
}

// rated reports whether the case has a rating.
func (e *Engine) rated(ctx context.Context, caseID int64) (bool, error) {
	_, err := e.Cases.FindRating(ctx, caseID)
	switch storage.ErrorCode(err) {
	case "":
		return true, nil
	case storage.ENOTFOUND:
		return false, nil
	}
	return false, fmt.Errorf("find rating: %w", err)
}

// findOwnCase returns openID's case with that number, or nil. A case of another
// consumer is nil exactly like a missing one, so numbers cannot be probed.
func (e *Engine) findOwnCase(ctx context.Context, openID, number string) (*storage.Case, error) {
	c, err := e.Cases.FindCaseByNumber(ctx, number)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND || (err == nil && c.OpenID != openID):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("find case: %w", err)
	}
	return c, nil
}

// ownCaseRated is findOwnCase and, for a closed case, whether it is rated.
func (e *Engine) ownCaseRated(ctx context.Context, openID, number string) (*storage.Case, bool, error) {
	c, err := e.findOwnCase(ctx, openID, number)
	if err != nil || c == nil || c.Status != storage.StatusClosed {
		return c, false, err
	}
	rated, err := e.rated(ctx, c.ID)
	return c, rated, err
}

// addToCase puts each message on the case's timeline: a text as a consumer message,
// a photo as evidence, a voice message as a consumer message (its recognised text)
// carrying the recording as evidence, or as evidence alone when nothing was
// recognised. The first event's DedupeKey is the message key and the others' are
// derived from it, so a retried message adds nothing twice.
func (e *Engine) addToCase(ctx context.Context, msgKey string, eff AddToCase) (string, error) {
	for i, m := range eff.Messages {
		ev := storage.NewEvent{
			CaseID: eff.Case.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer,
			Body: m.Text, DedupeKey: dedupeKey(msgKey, i),
		}
		if m.Photo != nil {
			ev.Evidence = []storage.NewEvidence{newEvidence(*m.Photo)}
		}
		if m.Photo != nil && m.Text == "" {
			ev.Kind = storage.EventEvidence
		}
		if _, err := e.Cases.AddEvent(ctx, ev); err != nil {
			return "", fmt.Errorf("add to case: %w", err)
		}
	}
	return e.Catalogue.text(msgForwarded, "Number", eff.Case.Number, "Count", strconv.Itoa(len(eff.Messages))), nil
}

// dedupeKey is the timeline de-duplication key of the i-th message a turn adds.
func dedupeKey(msgKey string, i int) string {
	if i == 0 || msgKey == "" {
		return msgKey
	}
	return msgKey + "#" + strconv.Itoa(i+1)
}

// withdraw withdraws the case for the consumer. A case that moved on meanwhile
// (ECONFLICT) gets a polite explanation, not an error.
func (e *Engine) withdraw(ctx context.Context, eff WithdrawCase) (outcome, error) {
	_, err := e.Cases.ChangeStatus(ctx, storage.StatusChange{
		CaseID: eff.Case.ID, To: storage.StatusWithdrawn, Actor: storage.ActorConsumer,
	})
	switch storage.ErrorCode(err) {
	case "":
		return outcome{text: e.Catalogue.text(msgWithdrawn, "Number", eff.Case.Number)}, nil
	case storage.ECONFLICT:
		return outcome{text: e.Catalogue.text(msgWithdrawTooLate, "Number", eff.Case.Number), endStage: true}, nil
	}
	return outcome{}, fmt.Errorf("withdraw case: %w", err)
}

// rate records the rating and asks for the optional comment; a case rated already
// (ECONFLICT) is said so and ends the comment stage.
func (e *Engine) rate(ctx context.Context, eff RateCase) (outcome, error) {
	err := e.Cases.RateCase(ctx, storage.Rating{CaseID: eff.Case.ID, Rating: eff.Rating})
	switch storage.ErrorCode(err) {
	case "":
		return outcome{text: e.Catalogue.text(msgRated, "Number", eff.Case.Number, "Rating", ratingLabels[eff.Rating],
			"Max", strconv.Itoa(commentLimit.Max))}, nil
	case storage.ECONFLICT:
		return outcome{text: e.Catalogue.text(msgAlreadyRated, "Number", eff.Case.Number), endStage: true}, nil
	}
	return outcome{}, fmt.Errorf("rate case: %w", err)
}

// comment adds the comment to the rating, once; a second one (ECONFLICT) is said so.
func (e *Engine) comment(ctx context.Context, eff CommentOnRating) (outcome, error) {
	err := e.Cases.CommentOnRating(ctx, eff.Case.ID, eff.Comment)
	switch storage.ErrorCode(err) {
	case "":
		return outcome{text: e.Catalogue.text(msgCommentThanks)}, nil
	case storage.ECONFLICT:
		return outcome{text: e.Catalogue.text(msgAlreadyCommented), endStage: true}, nil
	}
	return outcome{}, fmt.Errorf("comment on rating: %w", err)
}
