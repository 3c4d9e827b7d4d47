package bot

import (
	"context"
	"testing"

	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// heldNotice enqueues a notice for openID and reports whether it is held.
func heldNotice(t *testing.T, db *sqlstore.DB, openID string) bool {
	t.Helper()
	ctx := context.Background()
	if _, err := db.EnqueueNotification(ctx, storage.NewNotification{OpenID: openID, Kind: storage.NoticeDialogReply, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.FindNotifications(ctx, storage.NotificationFilter{OpenID: &openID})
	if err != nil {
		t.Fatal(err)
	}
	return rows[len(rows)-1].Held
}

func TestFollowTrackerRecordsEventsByWeChatsTimeAndPassesThemOn(t *testing.T) {
	db := testenv.SQLite(t, sqlstore.Open)
	turns := &fakeTurns{answer: func(dialog.Input) (string, error) { return "欢迎关注", nil }}
	tracker := TrackFollows(turns, db, nil)
	handle := func(key string, kind dialog.InputKind) string {
		reply, err := tracker.Handle(context.Background(), "oF", key, dialog.Input{Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return reply
	}
	handle("e1800000000:unsubscribe:", dialog.InputUnsubscribe)
	if !heldNotice(t, db, "oF") {
		t.Fatal("an unsubscribe did not hold the consumer's notices")
	}
	if reply := handle("e1800000060:subscribe:", dialog.InputSubscribe); reply != "欢迎关注" || heldNotice(t, db, "oF") {
		t.Fatalf("after a subscribe: reply %q, notices still held", reply)
	}
	// An unsubscribe from before the subscribe, arriving late (a retry), changes nothing.
	handle("e1800000030:unsubscribe:", dialog.InputUnsubscribe)
	if heldNotice(t, db, "oF") {
		t.Fatal("a late, older unsubscribe undid a newer subscribe")
	}
	if n := len(turns.Calls()); n != 3 {
		t.Fatalf("%d turns reached the dialog, want all 3", n)
	}
}
