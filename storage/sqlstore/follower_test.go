package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// heldOf returns the Held flag of openID's notifications, oldest first.
func heldOf(t *testing.T, db *DB, openID string) []bool {
	t.Helper()
	found, err := db.FindNotifications(context.Background(), storage.NotificationFilter{OpenID: &openID})
	if err != nil {
		t.Fatal(err)
	}
	var out []bool
	for _, n := range found {
		out = append(out, n.Held)
	}
	return out
}

func TestUnfollowedConsumersNoticesAreHeldInOrder(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for _, text := range []string{"A1", "B1", "A2"} {
			enqueue(t, db, "o"+text[:1], text)
		}
		at := db.Now()
		if err := db.SetFollowing(ctx, "oA", false, at); err != nil {
			t.Fatal(err)
		}
		b1 := wantClaim(t, db, "B1")[0] // A's are held, B's go on
		if err := db.MarkNotificationSent(ctx, b1.ID, b1.LeaseToken, storage.ViaCustom); err != nil {
			t.Fatal(err)
		}
		if got := heldOf(t, db, "oA"); len(got) != 2 || !got[0] || !got[1] {
			t.Fatalf("A's notices held = %v, want both held", got)
		}
		if got := heldOf(t, db, "oB"); len(got) != 1 || got[0] {
			t.Fatalf("B's sent notice held = %v, want not held", got)
		}

		// Older news (an event that arrived late) does not undo the unfollow.
		if err := db.SetFollowing(ctx, "oA", true, at.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		wantClaim(t, db)

		// Following again releases them, oldest first.
		if err := db.SetFollowing(ctx, "oA", true, at.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		a1 := wantClaim(t, db, "A1")[0]
		if err := db.MarkNotificationSent(ctx, a1.ID, a1.LeaseToken, storage.ViaCustom); err != nil {
			t.Fatal(err)
		}
		wantClaim(t, db, "A2")
		if got := heldOf(t, db, "oA"); got[0] || got[1] {
			t.Fatalf("held after following again = %v", got)
		}
		wantCode(t, db.SetFollowing(ctx, "", false, at), storage.EINVALID)
	})
}
