package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// TestForgetJobDeletesFiledStateOnceAtATime: a filed forget is done by the
// instance holding the job, and not by one that finds it held.
func TestForgetJobDeletesFiledStateOnceAtATime(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenMigrated(t, sqlstore.Open, testenv.SQLitePath(t))
	_, rdb := testenv.NewMiniredis(t)
	store := dialog.NewRedisStore(rdb, dialog.RedisStoreOptions{})
	if _, dup, err := store.Commit(ctx, "oFiled", "m1", 0, dialog.State{Stage: dialog.StageAmount}, "好的"); err != nil || dup {
		t.Fatalf("commit: %v, %v", dup, err)
	}
	if _, err := db.FileDialogForget(ctx, "oFiled", 0); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if took, err := db.TakeJob(ctx, sqlstore.JobDialogForget, "other", time.Hour); err != nil || !took {
		t.Fatalf("other instance takes the job: %v, %v", took, err)
	}
	job := newForgetJob(db, store, time.Now, logger)
	if job.runOnce(ctx) {
		t.Fatal("ran while another instance held the job")
	}
	if st, _, _, _ := store.Load(ctx, "oFiled", "m2"); st.Version == 0 {
		t.Fatal("state deleted by an instance without the job")
	}
	if err := db.FinishJob(ctx, sqlstore.JobDialogForget, "other", time.Now()); err != nil {
		t.Fatal(err)
	}
	if !job.runOnce(ctx) {
		t.Fatal("the free job was not taken")
	}
	if st, saved, dup, err := store.Load(ctx, "oFiled", "m1"); err != nil || st.Version != 0 || dup || saved != "" {
		t.Fatalf("after the job: state %+v, saved %q, %v", st, saved, err)
	}
	if due, err := db.DueDialogForgets(ctx, 10); err != nil || len(due) != 0 {
		t.Fatalf("forgets left: %+v, %v", due, err)
	}
	if !job.runOnce(ctx) {
		t.Fatal("the job is not due again at once")
	}
}
