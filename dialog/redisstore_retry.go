package dialog

import (
	"context"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// ForgetRun is what one RetryForgets pass did.
type ForgetRun struct {
	Done   int // consumers whose dialog keys are now deleted
	Failed int // tries that failed and were put off
}

// RetryForgets does the due pending forgets of q (those a consumer's erasure
// filed and whose turn could not do at once, see Engine.forgetAfterCommit):
// it deletes each consumer's dialog keys and removes the forget, at most limit
// of them. The first Redis failure puts that forget off by retry and ends the
// pass: Redis is likely down, and the rest stay due for the next pass. The
// error is the first failure, Redis's or the database's.
func (s *RedisStore) RetryForgets(ctx context.Context, q storage.ForgetStore, limit int, retry time.Duration) (ForgetRun, error) {
	var run ForgetRun
	due, err := q.DueDialogForgets(ctx, limit)
	if err != nil {
		return run, fmt.Errorf("list dialog forgets: %w", err)
	}
	for _, f := range due {
		if _, err := s.ForgetConsumer(ctx, f.OpenID); err != nil {
			run.Failed++
			if perr := q.DialogForgetFailed(ctx, f.ID, retry); perr != nil {
				return run, fmt.Errorf("put off dialog forget %d: %w", f.ID, perr)
			}
			return run, fmt.Errorf("dialog forget %d: %w", f.ID, err)
		}
		if err := q.DialogForgetDone(ctx, f.ID); err != nil {
			return run, fmt.Errorf("finish dialog forget %d: %w", f.ID, err)
		}
		run.Done++
	}
	return run, nil
}
