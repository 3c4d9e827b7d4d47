package main

import (
	"context"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/storage"
)

// heldNotices returns the case's pending notices if all of them are held.
func heldNotices(t *testing.T, m *Main, c *storage.Case) []*storage.Notification {
	pending := storage.NotificationPending
	rows, err := m.DB.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID, State: &pending})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !r.Held {
			return nil
		}
	}
	return rows
}

// The unsubscribe event reaches the real webhook; the staff's moves then wait,
// visibly held, and go out in order after the consumer follows again.
func TestEndToEndNoticesWaitForAConsumerWhoUnfollowed(t *testing.T) {
	m := runMain(t)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("unfollow")}
	c := fileCase(t, m, p)
	before := len(pushedTo(m, p.openID))
	p.send(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: wechatsim.EventUnsubscribe})
	move(t, m, c, storage.StatusAccepted, storage.StatusMediating)
	eventually(t, "both status notices held", func() bool { return len(heldNotices(t, m, c)) == 2 })
	for _, n := range heldNotices(t, m, c) {
		if n.Attempts != 0 { // the webhook recorded the event; no send had to learn it from a 43004
			t.Fatalf("held notice %+v was tried", n)
		}
	}

	p.send(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: wechatsim.EventSubscribe})
	eventually(t, "the held notices", func() bool { return len(pushedTo(m, p.openID)) >= before+2 })
	got := pushedTo(m, p.openID)[before:]
	if len(got) != 2 || !strings.Contains(got[0].Content, "已受理") || !strings.Contains(got[1].Content, "调解中") {
		t.Fatalf("after following again: %+v, want 已受理 then 调解中", got)
	}
}
