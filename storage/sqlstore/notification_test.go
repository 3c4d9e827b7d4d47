package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// advance moves db's stopped clock forward by d. Not for use while goroutines call
// the DB.
func advance(db *DB, d time.Duration) {
	setClock(db, db.Now().Add(d))
}

// enqueue adds a dialog reply (about no case) for openID with text, or fails the test.
func enqueue(t *testing.T, db *DB, openID, text string) *storage.Notification {
	t.Helper()
	n, err := db.EnqueueNotification(context.Background(), storage.NewNotification{
		OpenID: openID, Kind: storage.NoticeDialogReply, Text: text,
	})
	if err != nil {
		t.Fatalf("enqueue %s: %v", text, err)
	}
	return n
}

// claim claims up to 10 notifications with a one-hour lease, or fails the test.
func claim(t *testing.T, db *DB) []*storage.Notification {
	t.Helper()
	got, err := db.ClaimNotifications(context.Background(), 10, time.Hour)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return got
}

// texts returns the Text of each notification, in order.
func texts(ns []*storage.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Text)
	}
	return out
}

// wantClaim claims and fails the test unless exactly the notifications with the
// texts want come back, in that order.
func wantClaim(t *testing.T, db *DB, want ...string) []*storage.Notification {
	t.Helper()
	got := claim(t, db)
	if !slices.Equal(texts(got), want) {
		t.Fatalf("claimed %v, want %v", texts(got), want)
	}
	return got
}

func TestEnqueueNotification(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		n := enqueue(t, db, "oA", "稍后回复")
		now := time.Date(2026, 3, 15, 2, 0, 0, 0, time.UTC)
		want := storage.Notification{
			ID: n.ID, OpenID: "oA", Kind: storage.NoticeDialogReply, Text: "稍后回复",
			State: storage.NotificationPending, NextAttemptAt: now, CreatedAt: now,
		}
		if *n != want {
			t.Fatalf("enqueued\n%+v\nwant\n%+v", *n, want)
		}
		found, err := db.FindNotifications(ctx, storage.NotificationFilter{})
		if err != nil || len(found) != 1 || *found[0] != want {
			t.Fatalf("FindNotifications = %v, %v; want the enqueued row", found, err)
		}
		_, err = db.EnqueueNotification(ctx, storage.NewNotification{Kind: storage.NoticeAck})
		wantCode(t, err, storage.EINVALID)
		_, err = db.EnqueueNotification(ctx, storage.NewNotification{
			CaseID: 999, OpenID: "oA", Kind: storage.NoticeAck,
		})
		wantCode(t, err, storage.ENOTFOUND)
		c := mustCreate(t, db, newCase("k"))
		_, err = db.EnqueueNotification(ctx, storage.NewNotification{
			CaseID: c.ID, OpenID: "oStranger", Kind: storage.NoticeAck,
		})
		wantCode(t, err, storage.EINVALID)
		about, err := db.EnqueueNotification(ctx, storage.NewNotification{
			CaseID: c.ID, OpenID: c.OpenID, Kind: storage.NoticeAck,
		})
		if err != nil || about.CaseID != c.ID {
			t.Fatalf("notice about the case = %+v, %v", about, err)
		}
	})
}

func TestClaimNotificationsPerConsumerOrder(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for _, text := range []string{"A1", "B1", "A2", "A3", "B2"} {
			enqueue(t, db, "o"+text[:1], text)
		}
		got := wantClaim(t, db, "A1", "B1")
		a1, b1 := got[0], got[1]
		if a1.Attempts != 1 || a1.LeaseToken == "" || !a1.LeaseUntil.Equal(db.Now().Add(time.Hour)) {
			t.Fatalf("claimed A1 = %+v, want attempt 1 leased for an hour", a1)
		}
		wantClaim(t, db) // A1 and B1 are leased; A2 and B2 wait behind them

		// A retried A1 holds A2 back until it is due again; B moves on.
		next := db.Now().Add(10 * time.Minute)
		if err := db.RetryNotification(ctx, a1.ID, a1.LeaseToken, "45015 out of window", next); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkNotificationSent(ctx, b1.ID, b1.LeaseToken, storage.ViaCustom); err != nil {
			t.Fatal(err)
		}
		wantClaim(t, db, "B2")
		advance(db, 10*time.Minute)
		a1 = wantClaim(t, db, "A1")[0]
		if a1.Attempts != 2 || a1.LastError != "45015 out of window" {
			t.Fatalf("A1 again = %+v, want attempt 2 with the last error", a1)
		}

		// A sent A1 makes A2 claimable; a dead A2 makes A3 claimable.
		if err := db.MarkNotificationSent(ctx, a1.ID, a1.LeaseToken, storage.ViaTemplate); err != nil {
			t.Fatal(err)
		}
		a2 := wantClaim(t, db, "A2")[0]
		if err := db.KillNotification(ctx, a2.ID, a2.LeaseToken, "43004 unsubscribed"); err != nil {
			t.Fatal(err)
		}
		wantClaim(t, db, "A3")

		oA := "oA"
		found, err := db.FindNotifications(ctx, storage.NotificationFilter{OpenID: &oA})
		if err != nil {
			t.Fatal(err)
		}
		sent, dead, leased := found[0], found[1], found[2]
		if sent.State != storage.NotificationSent || sent.Via != storage.ViaTemplate ||
			!sent.SentAt.Equal(db.Now()) || sent.LeaseToken != "" || !sent.LeaseUntil.IsZero() {
			t.Errorf("A1 = %+v, want sent by template now, no lease", sent)
		}
		if dead.State != storage.NotificationDead || dead.LastError != "43004 unsubscribed" || !dead.SentAt.IsZero() {
			t.Errorf("A2 = %+v, want dead with its error", dead)
		}
		if leased.State != storage.NotificationPending || leased.LeaseToken == "" {
			t.Errorf("A3 = %+v, want pending under a lease", leased)
		}
	})
}

func TestClaimNotificationsExpiredLease(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		enqueue(t, db, "oA", "A1")
		first, err := db.ClaimNotifications(ctx, 10, time.Minute)
		if err != nil || len(first) != 1 {
			t.Fatalf("first claim = %v, %v", first, err)
		}
		advance(db, 30*time.Second)
		wantClaim(t, db) // the lease is still live
		advance(db, time.Minute)
		again := wantClaim(t, db, "A1")[0] // the first worker died
		if again.Attempts != 2 || again.LeaseToken == first[0].LeaseToken {
			t.Fatalf("reclaimed %+v, want attempt 2 with a new token", again)
		}
		old, id := first[0].LeaseToken, again.ID
		wantCode(t, db.MarkNotificationSent(ctx, id, old, storage.ViaCustom), storage.ECONFLICT)
		wantCode(t, db.RetryNotification(ctx, id, old, "x", db.Now()), storage.ECONFLICT)
		wantCode(t, db.KillNotification(ctx, id, old, "x"), storage.ECONFLICT)
		wantCode(t, db.MarkNotificationSent(ctx, id, "", storage.ViaCustom), storage.ECONFLICT)
		wantCode(t, db.MarkNotificationSent(ctx, id, again.LeaseToken, "sms"), storage.EINVALID)
		if err := db.MarkNotificationSent(ctx, id, again.LeaseToken, storage.ViaCustom); err != nil {
			t.Fatal(err)
		}
		// Finished rows hold no lease: the token is spent.
		wantCode(t, db.KillNotification(ctx, id, again.LeaseToken, "x"), storage.ECONFLICT)
		wantCode(t, db.MarkNotificationSent(ctx, id+1, again.LeaseToken, storage.ViaCustom), storage.ECONFLICT)
	})
}

func TestClaimNotificationsRefusesBadArguments(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		_, err := db.ClaimNotifications(context.Background(), 0, time.Minute)
		wantCode(t, err, storage.EINVALID)
		_, err = db.ClaimNotifications(context.Background(), 10, 0)
		wantCode(t, err, storage.EINVALID)
	})
}

func TestRetryNotificationKeepsLongErrorsShort(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		enqueue(t, db, "oA", "A1")
		n := wantClaim(t, db, "A1")[0]
		long := strings.Repeat("错", 5000)
		if err := db.RetryNotification(ctx, n.ID, n.LeaseToken, long, db.Now()); err != nil {
			t.Fatal(err)
		}
		n = wantClaim(t, db, "A1")[0]
		if got := len([]rune(n.LastError)); got != maxLastError {
			t.Fatalf("stored %d characters of the error, want %d", got, maxLastError)
		}
	})
}

func TestClaimNotificationsConcurrent(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		// Two pools on one database, as two instances would have, on the real clock.
		dbs := []*DB{testenv.OpenMigrated(t, Open, target), testenv.Open(t, Open, target)}
		want := map[int64]bool{}
		for i := range 50 {
			want[enqueue(t, dbs[0], fmt.Sprint("consumer-", i), "hi").ID] = true
		}
		claimed := claimConcurrently(t, dbs, 4)
		seen := map[int64]int{}
		for _, id := range claimed {
			seen[id]++
			if seen[id] > 1 {
				t.Fatalf("notification %d claimed twice", id)
			}
		}
		for id := range want {
			if seen[id] == 0 {
				t.Fatalf("notification %d was never claimed (%d of %d were)", id, len(seen), len(want))
			}
		}
	})
}

// claimConcurrently runs workers goroutines, spread over dbs, that each claim 3 rows at
// a time until a claim comes back empty, and returns every id claimed.
func claimConcurrently(t *testing.T, dbs []*DB, workers int) []int64 {
	t.Helper()
	for _, db := range dbs {
		warmPool(t, db, workers)
	}
	var (
		mu      sync.Mutex
		claimed []int64
		wg      sync.WaitGroup
		start   = make(chan struct{})
		errs    = make([]error, workers)
	)
	for w := range workers {
		db := dbs[w%len(dbs)]
		wg.Go(func() {
			<-start
			for {
				got, err := db.ClaimNotifications(context.Background(), 3, time.Hour)
				if err != nil || len(got) == 0 {
					errs[w] = err
					return
				}
				mu.Lock()
				for _, n := range got {
					claimed = append(claimed, n.ID)
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", w, err)
		}
	}
	return claimed
}

func TestMarkNotificationsSentInOneBatch(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		enqueue(t, db, "oA", "A1")
		enqueue(t, db, "oB", "B1")
		enqueue(t, db, "oC", "C1")
		got := claim(t, db)
		if len(got) != 3 {
			t.Fatalf("claimed %v", texts(got))
		}
		marks := []storage.SentMark{
			{ID: got[0].ID, LeaseToken: got[0].LeaseToken, Via: storage.ViaCustom},
			{ID: got[1].ID, LeaseToken: "not-the-token", Via: storage.ViaCustom},
			{ID: got[2].ID, LeaseToken: got[2].LeaseToken, Via: storage.ViaTemplate},
		}
		lost, err := db.MarkNotificationsSent(ctx, marks)
		if err != nil || len(lost) != 1 || lost[0] != got[1].ID {
			t.Fatalf("lost %v, %v: want only the row with the wrong token", lost, err)
		}
		sent := storage.NotificationSent
		rows, err := db.FindNotifications(ctx, storage.NotificationFilter{State: &sent})
		if err != nil || len(rows) != 2 || rows[1].Via != storage.ViaTemplate || rows[0].SentAt.IsZero() {
			t.Fatalf("sent rows %+v, %v", rows, err)
		}
		if _, err := db.MarkNotificationsSent(ctx, []storage.SentMark{{ID: got[1].ID, LeaseToken: got[1].LeaseToken, Via: "sms"}}); storage.ErrorCode(err) != storage.EINVALID {
			t.Fatalf("unknown channel: %v", err)
		}
	})
}
