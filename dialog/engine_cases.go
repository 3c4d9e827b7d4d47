package dialog

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

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
		if f.Unrated, f.UnratedRating, err = e.unrated(ctx, openID); err != nil {
			return nil, err
		}
	}
	if n.Finished {
		if f.Finished, f.RatingDue, err = e.finished(ctx, openID); err != nil {
			return nil, err
		}
	}
	if n.Payment {
		if f.Payment, err = e.pendingPayment(ctx, openID); err != nil {
			return nil, err
		}
	}
	// A lapsed question's case is a finished one: none finished, none lapsed.
	if n.LapsedPayment && (!n.Finished || f.Finished != nil) {
		if f.LapsedPayment, err = e.lapsedPayment(ctx, openID); err != nil {
			return nil, err
		}
	}
	if n.Number != "" {
		if f.Case, f.CaseRating, err = e.ownCaseRating(ctx, openID, n.Number); err != nil {
			return nil, err
		}
		f.CaseRated = f.CaseRating != nil
	}
	if n.ProposalQuestion {
		if f.ProposalCase, err = e.proposalQuestion(ctx, openID); err != nil {
			return nil, err
		}
	}
	if n.ArbitrationQuestion {
		if f.ArbitrationCase, err = e.arbitrationQuestion(ctx, openID); err != nil {
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
// none of the last few has one missing. With none, it returns the only one of them
// whose rating has no comment yet, and that rating (see Facts.Unrated).
func (e *Engine) unrated(ctx context.Context, openID string) (*storage.Case, *storage.Rating, error) {
	closed := storage.StatusClosed
	cases, _, err := e.Cases.FindCases(ctx, storage.CaseFilter{OpenID: &openID, Status: &closed, Limit: unratedLookback})
	if err != nil {
		return nil, nil, fmt.Errorf("list closed cases: %w", err)
	}
	// The filter orders by filing; the rating request follows closing.
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].UpdatedAt.After(cases[j].UpdatedAt) })
	var uncommented *storage.Case
	var uncommentedRating *storage.Rating
	candidates := 0
	for _, c := range cases {
		r, err := e.findRating(ctx, c.ID)
		if err != nil {
			return nil, nil, err
		}
		if r == nil {
			return c, nil, nil
		}
		if r.Comment == "" {
			uncommented, uncommentedRating = c, r
			candidates++
		}
	}
	if candidates != 1 {
		return nil, nil, nil // none, or no telling which one a repeat would be about
	}
	return uncommented, uncommentedRating, nil
}

// finishedLookback is how many of the consumer's finished cases are checked for
// the latest one and a rating due.
const finishedLookback = 10

// finished returns the consumer's most recently finished case and the most
// recently closed case whose rating is due (see ratingDue), each nil if none.
func (e *Engine) finished(ctx context.Context, openID string) (latest, due *storage.Case, err error) {
	open := false
	cases, _, err := e.Cases.FindCases(ctx, storage.CaseFilter{OpenID: &openID, Open: &open, Limit: finishedLookback})
	if err != nil {
		return nil, nil, fmt.Errorf("list finished cases: %w", err)
	}
	if len(cases) == 0 {
		return nil, nil, nil
	}
	// The filter orders by filing; what the consumer last heard of is the latest
	// change.
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].UpdatedAt.After(cases[j].UpdatedAt) })
	due, err = e.ratingDue(ctx, cases)
	return cases[0], due, err
}

// ratingDue returns the first of cases (latest change first) that is closed,
// has no rating and was closed within the rating window. A case's UpdatedAt is
// never before its closing, so the cases changed before the window need no
// further look: only the few left cost a rating and a timeline read.
func (e *Engine) ratingDue(ctx context.Context, cases []*storage.Case) (*storage.Case, error) {
	since := e.now().Add(-e.ratingWindow())
	for _, c := range cases {
		if c.UpdatedAt.Before(since) {
			return nil, nil
		}
		if c.Status != storage.StatusClosed {
			continue
		}
		due, err := e.unratedSince(ctx, c, since)
		if due || err != nil {
			return c, err
		}
	}
	return nil, nil
}

// unratedSince reports whether the closed case c has no rating and was closed
// at or after since.
func (e *Engine) unratedSince(ctx context.Context, c *storage.Case, since time.Time) (bool, error) {
	r, err := e.findRating(ctx, c.ID)
	if err != nil || r != nil {
		return false, err
	}
	closedAt, err := e.closedAt(ctx, c)
	return err == nil && !closedAt.Before(since), err
}

// closedAt is when the closed case c was closed: its latest status change, since
// a closed case can only leave that status by being reopened. A case without one
// on its timeline (imported, say) counts from its last change.
func (e *Engine) closedAt(ctx context.Context, c *storage.Case) (time.Time, error) {
	events, err := e.Cases.ListEvents(ctx, c.ID)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the closing of a case: %w", err)
	}
	for i := len(events) - 1; i >= 0; i-- { // oldest first
		if ev := events[i]; ev != nil && ev.Kind == storage.EventStatusChange {
			return ev.CreatedAt, nil
		}
	}
	return c.UpdatedAt, nil
}

// ratingWindow returns the configured rating window or the default.
func (e *Engine) ratingWindow() time.Duration {
	if e.RatingWindow > 0 {
		return e.RatingWindow
	}
	return DefaultRatingWindow
}

// now returns the Engine's clock.
func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
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

// ownCaseRating is findOwnCase and, for a closed case, its rating (nil if none).
func (e *Engine) ownCaseRating(ctx context.Context, openID, number string) (*storage.Case, *storage.Rating, error) {
	c, err := e.findOwnCase(ctx, openID, number)
	if err != nil || c == nil || c.Status != storage.StatusClosed {
		return c, nil, err
	}
	r, err := e.findRating(ctx, c.ID)
	return c, r, err
}

// addToCase puts each message on the case's timeline: a text as a consumer message,
// a photo as evidence, a voice message as a consumer message (its recognised text)
// carrying the recording as evidence, or as evidence alone when nothing was
// recognised. Each event's DedupeKey is the key of the message it came in (held
// messages carry theirs); a message without one gets a key derived from msgKey, the
// message being handled. Either way a retried message adds nothing twice.
func (e *Engine) addToCase(ctx context.Context, msgKey string, eff AddToCase) (string, error) {
	for i, m := range eff.Messages {
		key := m.Key
		if key == "" {
			key = dedupeKey(msgKey, i)
		}
		ev := storage.NewEvent{
			CaseID: eff.Case.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer,
			Body: m.Text, DedupeKey: key,
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
	count := strconv.Itoa(len(eff.Messages))
	if eff.Material {
		return e.Catalogue.text(msgMaterialReceived, "Number", eff.Case.Number, "Count", count), nil
	}
	if eff.LatePayment {
		return e.Catalogue.text(msgPaymentLate, "Number", eff.Case.Number), nil
	}
	return e.Catalogue.text(msgForwarded, "Number", eff.Case.Number, "Count", count), nil
}

// dedupeKey is the timeline de-duplication key of the i-th message a turn adds.
func dedupeKey(msgKey string, i int) string {
	if i == 0 || msgKey == "" {
		return msgKey
	}
	return msgKey + "#" + strconv.Itoa(i+1)
}

// The effects below act once, and the store refuses a second time with ECONFLICT.
// That second time is often this very action again: the effect ran, then the
// Commit was lost and WeChat retried the message, or another instance handled a
// retry concurrently. So on ECONFLICT each reads the case back, and if it is
// already as asked the action succeeded and is answered as such; only a case that
// moved elsewhere is refused.

// withdraw withdraws the case for the consumer. A case that moved on meanwhile
// (ECONFLICT) gets a polite explanation, not an error, unless it is withdrawn.
func (e *Engine) withdraw(ctx context.Context, eff WithdrawCase) (outcome, error) {
	_, err := e.Cases.ChangeStatus(ctx, storage.StatusChange{
		CaseID: eff.Case.ID, To: storage.StatusWithdrawn, Actor: storage.ActorConsumer,
	})
	done := outcome{text: e.Catalogue.text(msgWithdrawn, "Number", eff.Case.Number)}
	switch storage.ErrorCode(err) {
	case "":
		return done, nil
	case storage.ECONFLICT:
		c, err := e.Cases.FindCaseByNumber(ctx, eff.Case.Number)
		if err != nil {
			return outcome{}, fmt.Errorf("withdraw case: re-read after a conflict: %w", err)
		}
		if c.ID == eff.Case.ID && c.Status == storage.StatusWithdrawn {
			return done, nil
		}
		return outcome{text: e.Catalogue.text(msgWithdrawTooLate, "Number", eff.Case.Number), endStage: true}, nil
	}
	return outcome{}, fmt.Errorf("withdraw case: %w", err)
}

// rate records the rating and asks for the optional comment; a case rated already
// (ECONFLICT) is said so and ends the comment stage, unless its rating is this one
// and has no comment yet.
func (e *Engine) rate(ctx context.Context, eff RateCase) (outcome, error) {
	err := e.Cases.RateCase(ctx, storage.Rating{CaseID: eff.Case.ID, Rating: eff.Rating})
	switch storage.ErrorCode(err) {
	case "":
	case storage.ECONFLICT:
		r, err := e.findRating(ctx, eff.Case.ID)
		if err != nil {
			return outcome{}, fmt.Errorf("rate case: %w", err)
		}
		if r == nil || r.Rating != eff.Rating || r.Comment != "" {
			return outcome{text: e.Catalogue.text(msgAlreadyRated, "Number", eff.Case.Number), endStage: true}, nil
		}
	default:
		return outcome{}, fmt.Errorf("rate case: %w", err)
	}
	return outcome{text: e.Catalogue.text(msgRated, "Number", eff.Case.Number, "Rating", ratingLabels[eff.Rating],
		"Max", strconv.Itoa(commentLimit.Max))}, nil
}

// comment adds the comment to the rating, once; another comment there already
// (ECONFLICT) is said so.
func (e *Engine) comment(ctx context.Context, eff CommentOnRating) (outcome, error) {
	err := e.Cases.CommentOnRating(ctx, eff.Case.ID, eff.Comment)
	switch storage.ErrorCode(err) {
	case "":
	case storage.ECONFLICT:
		r, err := e.findRating(ctx, eff.Case.ID)
		if err != nil {
			return outcome{}, fmt.Errorf("comment on rating: %w", err)
		}
		if r == nil || strings.TrimSpace(r.Comment) != strings.TrimSpace(eff.Comment) {
			return outcome{text: e.Catalogue.text(msgAlreadyCommented), endStage: true}, nil
		}
	default:
		return outcome{}, fmt.Errorf("comment on rating: %w", err)
	}
	return outcome{text: e.Catalogue.text(msgCommentThanks)}, nil
}

// findRating returns the case's rating, nil if it has none.
func (e *Engine) findRating(ctx context.Context, caseID int64) (*storage.Rating, error) {
	r, err := e.Cases.FindRating(ctx, caseID)
	switch storage.ErrorCode(err) {
	case "":
		return r, nil
	case storage.ENOTFOUND:
		return nil, nil
	}
	return nil, fmt.Errorf("find rating: %w", err)
}
