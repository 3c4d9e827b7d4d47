package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

func TestDialogForgetsAreDueAfterTheirDelayAndRetried(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		start := time.Date(2026, 3, 15, 10, 0, 0, 0, cst)
		setClock(db, start)
		wantCode(t, func() error { _, err := db.FileDialogForget(ctx, "", time.Minute); return err }(), storage.EINVALID)
		a, err := db.FileDialogForget(ctx, "oForgetA", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.FileDialogForget(ctx, "oForgetB", 2*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if due, err := db.DueDialogForgets(ctx, 10); err != nil || len(due) != 0 {
			t.Fatalf("due before the delay (the filing turn has not committed): %+v, %v", due, err)
		}
		setClock(db, start.Add(90*time.Second))
		due, err := db.DueDialogForgets(ctx, 10)
		if err != nil || len(due) != 1 || due[0].ID != a || due[0].OpenID != "oForgetA" || due[0].Tries != 0 {
			t.Fatalf("due after a's delay: %+v, %v", due, err)
		}
		if err := db.DialogForgetFailed(ctx, a, time.Minute); err != nil {
			t.Fatal(err)
		}
		setClock(db, start.Add(150*time.Second))
		due, err = db.DueDialogForgets(ctx, 10)
		if err != nil || len(due) != 2 || due[0].ID != b || due[1].ID != a || due[1].Tries != 1 {
			t.Fatalf("due after a's retry delay: %+v, %v", due, err)
		}
		if due, err := db.DueDialogForgets(ctx, 1); err != nil || len(due) != 1 {
			t.Fatalf("limit 1: %+v, %v", due, err)
		}
		for _, id := range []int64{a, b, a} { // a twice: done twice is no error
			if err := db.DialogForgetDone(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if due, err := db.DueDialogForgets(ctx, 10); err != nil || len(due) != 0 {
			t.Fatalf("due after done: %+v, %v", due, err)
		}
		wantCode(t, db.DialogForgetFailed(ctx, a, time.Minute), storage.ENOTFOUND)
		if took, err := db.TakeJob(ctx, JobDialogForget, "a", time.Minute); err != nil || !took {
			t.Fatalf("the forget job's lease row: %v, %v", took, err)
		}
	})
}
