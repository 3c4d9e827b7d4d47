package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// The forget worker's rhythm: every minute one instance (the job_leases row
// dialog_forget) retries the dialog forgets a consumer's erasure could not do
// at once because Redis failed; each waits a minute after a failure.
const (
	forgetPoll  = time.Minute
	forgetLease = 5 * time.Minute
	forgetBatch = 100
	forgetRetry = time.Minute
)

// forgetJob deletes, once Redis answers again, the dialog state of consumers
// whose erasure met a Redis failure (dialog.Engine files the forget; see
// docs/privacy.md). Every instance runs one; the lease lets one at a time work.
type forgetJob struct {
	db     *sqlstore.DB
	store  *dialog.RedisStore
	now    func() time.Time
	logger *slog.Logger
	holder string // this instance's name on the lease
}

// newForgetJob builds the job for one instance.
func newForgetJob(db *sqlstore.DB, store *dialog.RedisStore, now func() time.Time, logger *slog.Logger) *forgetJob {
	return &forgetJob{db: db, store: store, now: now, logger: logger, holder: rand.Text()}
}

// runOnce does the due forgets if no other instance is doing them, and
// reports whether this instance took the job. The log holds counts only.
func (j *forgetJob) runOnce(ctx context.Context) bool {
	took, err := j.db.TakeJob(ctx, sqlstore.JobDialogForget, j.holder, forgetLease)
	if err != nil {
		j.logger.Warn("dialog forget job not taken", "err", err)
		return false
	}
	if !took {
		return false
	}
	run, err := j.store.RetryForgets(ctx, j.db, forgetBatch, forgetRetry)
	if err != nil {
		j.logger.Warn("dialog forgets put off", "done", run.Done, "failed", run.Failed, "err", err)
	} else if run.Done > 0 {
		j.logger.Info("dialog forgets done", "done", run.Done)
	}
	// Due again at once: the next tick of any instance may take it.
	if err := j.db.FinishJob(ctx, sqlstore.JobDialogForget, j.holder, j.now()); err != nil {
		j.logger.Warn("dialog forget job not released", "err", err)
	}
	return true
}

// run works at start and then every forgetPoll until ctx ends.
func (j *forgetJob) run(ctx context.Context) {
	j.runOnce(ctx)
	onEveryTick(ctx, forgetPoll, func() { j.runOnce(ctx) })
}
