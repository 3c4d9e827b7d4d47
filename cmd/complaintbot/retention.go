package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// The retention job's rhythm: it runs once a day; a run that fails is tried
// again after an hour. The lease outlives any sane run; should a run take
// longer, a second instance may start one too, which only repeats work: each
// case is re-checked under its row lock.
const (
	retentionEvery = 24 * time.Hour
	retentionRetry = time.Hour
	retentionLease = time.Hour
)

// retentionPolicy is the configured retention per outcome class.
func retentionPolicy(cfg configs.Config) storage.RetentionPolicy {
	p := cfg.Privacy
	return storage.RetentionPolicy{RejectedMonths: p.RetentionRejectedMonths,
		WithdrawnMonths: p.RetentionWithdrawnMonths, MediatedMonths: p.RetentionMediatedMonths,
		ArbitrationMonths: p.RetentionArbitrationMonths, OtherMonths: p.RetentionOtherMonths}
}

// retentionJob anonymises expired cases once a day. Every instance runs one; the
// job_leases row lets one instance at a time run it.
type retentionJob struct {
	db     *sqlstore.DB
	blobs  storage.BlobRemover
	now    func() time.Time
	poll   time.Duration
	logger *slog.Logger
	holder string // this instance's name on the lease
}

// newRetentionJob builds the job for one instance.
func newRetentionJob(db *sqlstore.DB, blobs storage.BlobRemover, now func() time.Time,
	poll time.Duration, logger *slog.Logger) *retentionJob {
	return &retentionJob{db: db, blobs: blobs, now: now, poll: poll, logger: logger, holder: rand.Text()}
}

// runIfDue runs the job if it is due and no other instance runs it, and
// reports whether this instance ran it. Errors are logged; the run is retried
// after retentionRetry.
func (j *retentionJob) runIfDue(ctx context.Context) bool {
	took, err := j.db.TakeJob(ctx, sqlstore.JobRetention, j.holder, retentionLease)
	if err != nil {
		j.logger.Warn("retention job not taken", "err", err)
		return false
	}
	if !took {
		return false
	}
	next := j.now().Add(retentionEvery)
	run, err := j.db.RunRetention(ctx, j.blobs, false)
	if err != nil {
		j.logger.Error("retention run failed", "err", err)
		next = j.now().Add(retentionRetry)
	} else {
		j.logger.Info("retention run", "anonymised", len(run.Expired), "held", run.Held,
			"evidence_files_removed", run.BlobsRemoved)
	}
	if err := j.db.FinishJob(ctx, sqlstore.JobRetention, j.holder, next); err != nil {
		j.logger.Warn("retention job not released", "err", err)
	}
	return true
}

// run looks at start and then every poll until ctx ends.
func (j *retentionJob) run(ctx context.Context) {
	j.runIfDue(ctx)
	onEveryTick(ctx, j.poll, func() { j.runIfDue(ctx) })
}
