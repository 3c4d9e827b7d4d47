package bot

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/storage"
)

// FollowTracker is a TurnHandler that records subscribe and unsubscribe events
// before passing every message on. WeChat refuses all messages to a consumer who
// unfollowed (43004), so the push worker holds their notices, instead of sending
// or killing them, until a subscribe event is recorded; then they go out in
// order.
type FollowTracker struct {
	next  TurnHandler
	store storage.FollowerStore
	log   *slog.Logger
	now   func() time.Time
}

// TrackFollows wraps next; log may be nil.
func TrackFollows(next TurnHandler, store storage.FollowerStore, log *slog.Logger) *FollowTracker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &FollowTracker{next: next, store: store, log: log, now: time.Now}
}

// Handle records a follow or unfollow, then runs the turn. A record that fails
// is logged and the turn still runs: the webhook answers WeChat either way, so
// WeChat would not send the event again, and a subscriber should still be
// welcomed.
func (f *FollowTracker) Handle(ctx context.Context, openID, msgKey string, in dialog.Input) (string, error) {
	if in.Kind == dialog.InputSubscribe || in.Kind == dialog.InputUnsubscribe {
		following := in.Kind == dialog.InputSubscribe
		if err := f.store.SetFollowing(ctx, openID, following, f.eventTime(msgKey)); err != nil {
			f.log.Error("follow event not recorded", "user", MaskOpenID(openID), "following", following, "err", err)
		}
	}
	return f.next.Handle(ctx, openID, msgKey, in)
}

// eventTime is when WeChat says the event happened (its CreateTime, in the key
// messageKey builds for events), so events recorded out of order still leave the
// newest in place; the receipt time if the key holds none.
func (f *FollowTracker) eventTime(msgKey string) time.Time {
	rest, ok := strings.CutPrefix(msgKey, "e")
	if !ok {
		return f.now()
	}
	secs, _, _ := strings.Cut(rest, ":")
	unix, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || unix <= 0 {
		return f.now()
	}
	return time.Unix(unix, 0)
}

// ChecksReplayClaim reports whether the wrapped handler's turn makes the replay
// claim of a message with input in. Follow events are recorded before the turn,
// so their claim is made apart, before anything is recorded.
func (f *FollowTracker) ChecksReplayClaim(in dialog.Input) bool {
	if in.Kind == dialog.InputSubscribe || in.Kind == dialog.InputUnsubscribe {
		return false
	}
	return checksReplayClaim(f.next, in)
}
