package console

import "github.com/complaintbot/complaintbot/storage"

// Delivery states shown on timeline entries that told the consumer something.
const (
	apiDeliveryPending  = "pending"  // not tried yet (or a try is under way)
	apiDeliveryRetrying = "retrying" // a try failed; another is scheduled
	apiDeliverySent     = "sent"     // the consumer got the message
	// apiDeliveryNotified: a staff reply outside WeChat's 48-hour window went out
	// as a template message, which carries the case number and status only: the
	// consumer was told there is news, not the reply's words.
	apiDeliveryNotified = "notified"
	apiDeliveryDead     = "dead" // given up; the error is kept on the outbox row
	// apiDeliveryHeld: the consumer unfollowed the account; the notice waits
	// until they follow again.
	apiDeliveryHeld = "held"
)

// apiMaxNotifications bounds the outbox rows read for one case's timeline.
const apiMaxNotifications = 10000

// apiDeliveryState says how far a notification got.
func apiDeliveryState(n *storage.Notification) string {
	switch {
	case n.State == storage.NotificationSent && onlyNotified(n):
		return apiDeliveryNotified
	case n.State == storage.NotificationSent:
		return apiDeliverySent
	case n.State == storage.NotificationDead:
		return apiDeliveryDead
	case n.Held:
		return apiDeliveryHeld
	case n.LastError != "" || n.Attempts > 1:
		return apiDeliveryRetrying
	}
	return apiDeliveryPending
}

// apiEventDeliveries maps the ids of the staff replies and status changes among
// events to the delivery state of the notice each sent. A notice names its event
// through Notification.EventID; a status notice written without one is matched to
// the status change made in the same transaction, which has the same creation time.
// Events that sent nothing (a note, the consumer's own withdrawal) are absent.
func apiEventDeliveries(events []*storage.Event, notes []*storage.Notification) map[int64]string {
	byEvent := map[int64]*storage.Notification{}
	var unlinked []*storage.Notification // status notices without an event id
	for _, n := range notes {
		switch {
		case n.Kind != storage.NoticeStaffReply && n.Kind != storage.NoticeStatusChange:
		case n.EventID != 0:
			byEvent[n.EventID] = n
		case n.Kind == storage.NoticeStatusChange:
			unlinked = append(unlinked, n)
		}
	}
	out := map[int64]string{}
	for _, e := range events {
		n := byEvent[e.ID]
		if n == nil && apiSendsStatusNotice(e) {
			n, unlinked = apiTakeSameTime(unlinked, e)
		}
		if n != nil {
			out[e.ID] = apiDeliveryState(n)
		}
	}
	return out
}

// apiTakeSameTime removes and returns the first notice created at the event's time,
// or nil.
func apiTakeSameTime(notes []*storage.Notification, e *storage.Event) (*storage.Notification, []*storage.Notification) {
	for i, n := range notes {
		if n.CreatedAt.Equal(e.CreatedAt) {
			return n, append(notes[:i:i], notes[i+1:]...)
		}
	}
	return nil, notes
}

// apiSendsStatusNotice reports whether a timeline entry is a status change the
// consumer was told about.
func apiSendsStatusNotice(e *storage.Event) bool {
	return e.Kind == storage.EventStatusChange && e.Actor != storage.ActorConsumer
}

// onlyNotified reports whether a sent notice told the consumer less than its
// event: a staff reply sent as a template message, whose fields hold the case
// number, the status and a summary, never the reply. (A status change's template
// carries the new status, which is the news.)
func onlyNotified(n *storage.Notification) bool {
	return n.Kind == storage.NoticeStaffReply && n.Via == storage.ViaTemplate
}
