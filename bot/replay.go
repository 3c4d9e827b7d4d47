package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/redisbase"
)

// ErrReplayed says a plain-mode signature was seen before with another body.
var ErrReplayed = dialog.ErrReplayed

// ReplayGuard remembers the signatures of plain-mode callbacks. In plain mode the
// signature covers only token, timestamp and nonce, not the body, so without it a
// URL seen once (in a proxy log) would post anything as anyone for the timestamp
// window.
type ReplayGuard interface {
	// Claim records that signature came with a body of SHA-256 bodySum, for ttl.
	// It returns nil when the signature is new or came with the same body before
	// (WeChat's retry), ErrReplayed when it came with another body, and any other
	// error when the answer is unknown.
	Claim(ctx context.Context, signature string, bodySum [sha256.Size]byte, ttl time.Duration) error
}

// RedisReplayGuard is the ReplayGuard on Redis, shared by every instance. Its key
// (redisbase.Keys.ReplaySignature) holds the hex SHA-256 of the body and expires
// with the signature. The hash tag is the signature, not the openid: the openid is
// in the body, which is what an attacker changes.
type RedisReplayGuard struct {
	rdb  redis.UniversalClient
	keys redisbase.Keys
}

// NewRedisReplayGuard returns a guard on rdb; prefix is the dialog store's key
// prefix (empty means "cb").
func NewRedisReplayGuard(rdb redis.UniversalClient, prefix string) *RedisReplayGuard {
	return &RedisReplayGuard{rdb: rdb, keys: redisbase.NewKeys(prefix)}
}

// Claim implements ReplayGuard with one SET NX GET, so two instances receiving
// the same signature agree on which body came first. It returns when ctx ends even
// if the client ignores the deadline.
func (g *RedisReplayGuard) Claim(ctx context.Context, signature string, bodySum [sha256.Size]byte, ttl time.Duration) error {
	sum := hex.EncodeToString(bodySum[:])
	key := g.keys.ReplaySignature(signature)
	type result struct {
		prev string
		err  error
	}
	done := make(chan result, 1) // buffered: an abandoned call must not block
	go func() {
		prev, err := g.rdb.SetArgs(ctx, key, sum, redis.SetArgs{Mode: "NX", TTL: max(ttl, time.Millisecond), Get: true}).Result()
		done <- result{prev, err}
	}()
	select {
	case <-ctx.Done():
		return fmt.Errorf("replay guard: %w", ctx.Err())
	case r := <-done:
		switch {
		case errors.Is(r.err, redis.Nil):
			return nil // first sight
		case r.err != nil:
			return fmt.Errorf("replay guard: %w", r.err)
		case r.prev != sum:
			return ErrReplayed
		}
		return nil
	}
}

// turnClaimGuard is a ReplayGuard whose check the turn's Load can make in its
// own round trip (see dialog.ReplayClaim).
type turnClaimGuard interface {
	TurnClaim(signature string, bodySum [sha256.Size]byte, ttl time.Duration, deadline time.Time) *dialog.ReplayClaim
}

// TurnClaim returns the claim Claim would make, for the dialog store's Load to
// make in its pipeline; the store must share this guard's Redis and prefix.
func (g *RedisReplayGuard) TurnClaim(signature string, bodySum [sha256.Size]byte, ttl time.Duration, deadline time.Time) *dialog.ReplayClaim {
	return &dialog.ReplayClaim{Key: g.keys.ReplaySignature(signature), BodySum: hex.EncodeToString(bodySum[:]),
		TTL: ttl, Deadline: deadline}
}

// replayClaimChecker is a TurnHandler whose turn can make a dialog.ReplayClaim
// for input in.
type replayClaimChecker interface {
	ChecksReplayClaim(in dialog.Input) bool
}

// checksReplayClaim reports whether turns makes the replay claim of a message
// with input in in its Load.
func checksReplayClaim(turns TurnHandler, in dialog.Input) bool {
	c, ok := turns.(replayClaimChecker)
	return ok && c.ChecksReplayClaim(in)
}
