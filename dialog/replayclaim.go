package dialog

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// ErrReplayed says a plain-mode signature came before with another body: the
// callback is a forgery made from a signed URL someone saw.
var ErrReplayed = errors.New("signature already used for another message")

// ReplayClaim is the webhook's plain-mode replay check (see bot.ReplayGuard),
// handed to the turn so the Store makes it in the same round trip as its Load
// instead of one of its own: a message then costs at most two round trips
// (Load and Commit) in plain mode as in safe mode. The claim is made before
// the turn has any effect, and a turn whose claim fails changes nothing.
type ReplayClaim struct {
	Key      string        // the signature's key in the Store's Redis
	BodySum  string        // hex SHA-256 of the callback's body
	TTL      time.Duration // how long the signature stays claimed
	Deadline time.Time     // the Load carrying the claim gives up then
	checked  atomic.Bool   // the Store read the claim's answer
}

// Checked reports whether the claim was answered (new, a retry, or replayed).
// After a failed turn, false means nobody knows whether the callback was a
// replay, so nothing was done: the consumer is asked to send it again.
func (c *ReplayClaim) Checked() bool { return c.checked.Load() }

type replayClaimKey struct{}

// WithReplayClaim returns ctx carrying c for the turn's Load.
func WithReplayClaim(ctx context.Context, c *ReplayClaim) context.Context {
	return context.WithValue(ctx, replayClaimKey{}, c)
}

func replayClaimFrom(ctx context.Context) *ReplayClaim {
	c, _ := ctx.Value(replayClaimKey{}).(*ReplayClaim)
	return c
}

// claimingStore is a Store whose Load can make a ReplayClaim in its round trip.
type claimingStore interface {
	LoadClaiming(ctx context.Context, openID, msgKey string, claim *ReplayClaim) (State, string, bool, error)
}

// ChecksReplayClaims reports whether the Engine's Store makes a ReplayClaim
// given in the context of Handle; the webhook checks the signature itself when
// it does not.
func (e *Engine) ChecksReplayClaims() bool {
	_, ok := e.Store.(claimingStore)
	return ok
}

// load is Store.Load, with the context's ReplayClaim made in the same round trip
// and bounded by the claim's deadline. A claim the Store cannot make fails the
// turn rather than go unchecked.
func (e *Engine) load(ctx context.Context, openID, msgKey string) (State, string, bool, error) {
	claim := replayClaimFrom(ctx)
	if claim == nil {
		return e.Store.Load(ctx, openID, msgKey)
	}
	cs, ok := e.Store.(claimingStore)
	if !ok {
		return State{}, "", false, errors.New("dialog: the store cannot check a replay claim")
	}
	ctx, cancel := context.WithDeadline(ctx, claim.Deadline)
	defer cancel()
	return cs.LoadClaiming(ctx, openID, msgKey, claim)
}

// ChecksReplayClaim is ChecksReplayClaims for any input: every turn starts with
// a Load.
func (e *Engine) ChecksReplayClaim(Input) bool { return e.ChecksReplayClaims() }
