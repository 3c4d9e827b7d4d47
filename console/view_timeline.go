package console

import (
	"regexp"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// Sides of the timeline: the consumer's messages on one side, staff replies on
// the other, internal notes apart, status changes as centred lines.
const (
	sideConsumer = "consumer"
	sideStaff    = "staff"
	sideNote     = "note"
	sideStatus   = "status"
)

// timelineItem is one entry of the case's chat thread, for the page and for the
// polling endpoint (hence the JSON names).
type timelineItem struct {
	EventID  int64          `json:"id"`
	Kind     string         `json:"kind"`
	Side     string         `json:"side"`
	Author   string         `json:"author"`
	Body     string         `json:"body"`
	At       string         `json:"at"`
	Delivery *deliveryView  `json:"delivery,omitempty"`
	Evidence []evidenceView `json:"evidence,omitempty"`
}

// deliveryView is how far a notice to the consumer got: 已送达, 已通知 (a reply of
// which only a template notice got through), 待发送, 重试中, 已取消关注 (held until
// the consumer follows again) or 未送达. Title
// carries how it went or the last error, stripped of anything personal.
type deliveryView struct {
	Label string `json:"label"`
	Class string `json:"class"`
	Title string `json:"title,omitempty"`
}

// evidenceView is one photo or voice message of the consumer.
type evidenceView struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"`
	URL   string `json:"url,omitempty"` // empty until downloaded
	State string `json:"state"`
}

// timelineInput is what a timeline is built from.
type timelineInput struct {
	events   []*storage.Event
	evidence []*storage.Evidence
	notices  []*storage.Notification
	staff    *staffDirectory
}

// buildTimeline turns the case's events into chat entries, with the evidence
// sent with each consumer message and the delivery state of each notice.
func buildTimeline(in timelineInput) []timelineItem {
	deliveries := matchDeliveries(in.events, in.notices)
	photos := evidenceByTime(in.evidence)
	items := make([]timelineItem, 0, len(in.events))
	for _, e := range in.events {
		item := timelineItem{
			EventID: e.ID, Kind: string(e.Kind), Side: eventSide(e.Kind),
			Author: in.staff.actorName(e.Actor), Body: e.Body, At: chinaDateTime(e.CreatedAt),
		}
		if n := deliveries[e.ID]; n != nil {
			item.Delivery = newDeliveryView(n)
		}
		if item.Side == sideConsumer {
			item.Evidence = photos[e.CreatedAt.UnixMicro()]
			delete(photos, e.CreatedAt.UnixMicro()) // one event takes them
		}
		items = append(items, item)
	}
	return items
}

// eventSide places an event kind in the thread.
func eventSide(k storage.EventKind) string {
	switch k {
	case storage.EventSubmitted, storage.EventConsumerMessage, storage.EventEvidence:
		return sideConsumer
	case storage.EventStaffReply:
		return sideStaff
	case storage.EventNote:
		return sideNote
	}
	return sideStatus
}

// evidenceByTime groups evidence by the time it was stored: the store writes an
// event and its evidence in one transaction with one timestamp.
func evidenceByTime(list []*storage.Evidence) map[int64][]evidenceView {
	out := map[int64][]evidenceView{}
	for _, ev := range list {
		k := ev.CreatedAt.UnixMicro()
		out[k] = append(out[k], newEvidenceView(ev))
	}
	return out
}

// newEvidenceView describes ev; only downloaded evidence gets a URL.
func newEvidenceView(ev *storage.Evidence) evidenceView {
	v := evidenceView{ID: ev.ID, Kind: ev.Kind}
	switch ev.DownloadState {
	case storage.DownloadDone:
		v.URL, v.State = "/console/evidence/"+strconv.FormatInt(ev.ID, 10), "已保存"
	case storage.DownloadFailed:
		v.State = "下载失败"
	default:
		v.State = "下载中"
	}
	return v
}

// matchDeliveries finds the notice of each staff reply and status change: by
// EventID where the store recorded it, otherwise the notices of a kind are
// matched in order to the events of that kind (the consumer's own moves, a
// withdrawal, get no notice).
func matchDeliveries(events []*storage.Event, notices []*storage.Notification) map[int64]*storage.Notification {
	out := map[int64]*storage.Notification{}
	queues := map[storage.NotificationKind][]*storage.Notification{}
	for _, n := range notices {
		if n.EventID != 0 {
			out[n.EventID] = n
		} else {
			queues[n.Kind] = append(queues[n.Kind], n)
		}
	}
	for _, e := range events {
		kind, ok := noticeKindOf(e)
		if !ok || out[e.ID] != nil || len(queues[kind]) == 0 {
			continue
		}
		out[e.ID], queues[kind] = queues[kind][0], queues[kind][1:]
	}
	return out
}

// noticeKindOf is the kind of notice an event sends the consumer, if any.
func noticeKindOf(e *storage.Event) (storage.NotificationKind, bool) {
	switch {
	case e.Kind == storage.EventStaffReply:
		return storage.NoticeStaffReply, true
	case e.Kind == storage.EventStatusChange && e.Actor != storage.ActorConsumer:
		return storage.NoticeStatusChange, true
	}
	return "", false
}

// newDeliveryView labels a notification's state: how it was delivered, or the
// last error of a failing one. A staff reply that went out as a template message
// is not 已送达: the template carries the case number and status, not the reply
// (see onlyNotified). Claiming a row counts an attempt, so a first attempt under
// way (attempts 1, no error) is still pending, not retrying.
func newDeliveryView(n *storage.Notification) *deliveryView {
	switch {
	case n.State == storage.NotificationSent && onlyNotified(n):
		return &deliveryView{Label: "已通知（模板消息，回复内容未送达）", Class: "notified",
			Title: "消费者超过 48 小时未发消息，只能用模板消息告知案件有新进展；回复内容需等消费者再次发消息后重发，或电话告知。"}
	case n.State == storage.NotificationSent && n.Via == storage.ViaTemplate:
		return &deliveryView{Label: "已送达", Class: "sent", Title: "模板消息"}
	case n.State == storage.NotificationSent:
		return &deliveryView{Label: "已送达", Class: "sent", Title: "客服消息"}
	case n.State == storage.NotificationDead:
		return &deliveryView{Label: "未送达", Class: "dead", Title: safeError(n.LastError)}
	case n.Held:
		return &deliveryView{Label: "已取消关注", Class: "held",
			Title: "消费者已取消关注公众号，通知暂不发送；消费者重新关注后按顺序发出。"}
	case n.LastError != "" || n.Attempts > 1:
		return &deliveryView{Label: "重试中", Class: "retrying", Title: safeError(n.LastError)}
	}
	return &deliveryView{Label: "待发送", Class: "pending"}
}

// Patterns of personal or secret data a delivery error might quote.
var (
	secretParam = regexp.MustCompile(`(?i)(access_token|openid|touser)=[^&\s"]*`)
	openIDLike  = regexp.MustCompile(`\bo[A-Za-z0-9_-]{26,}\b`)
	longDigits  = regexp.MustCompile(`\d{7,}`)
)

// maxErrorRunes keeps a delivery error short enough for a tooltip.
const maxErrorRunes = 120

// safeError strips tokens, openids and long digit runs (phone numbers) from a
// delivery error before it is shown.
func safeError(s string) string {
	s = secretParam.ReplaceAllString(s, "$1=…")
	s = openIDLike.ReplaceAllString(s, "o…")
	s = longDigits.ReplaceAllStringFunc(s, storage.MaskPhone)
	if r := []rune(s); len(r) > maxErrorRunes {
		s = string(r[:maxErrorRunes-1]) + "…"
	}
	return s
}

// chinaDateTime formats t as staff read it, like the "datetime" template func.
func chinaDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format("2006-01-02 15:04")
}
