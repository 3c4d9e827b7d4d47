package wechatsim

import (
	"strconv"
	"time"
)

// The customer-service windows WeChat grants. A consumer's message opens a
// message window; a menu click, a subscription or a QR-code scan opens an
// event window.
const (
	// MessageWindow is how long after a consumer's message (text, image,
	// voice, video, location, link) the account may send customer-service
	// messages to them.
	MessageWindow = 48 * time.Hour
	// MessageQuota is how many it may send in a message window.
	MessageQuota = 5
	// EventWindow is how long after a menu click, subscription or scan the
	// account may send customer-service messages.
	EventWindow = time.Minute
	// EventQuota is how many it may send in an event window.
	EventQuota = 3
)

// EventScan is the event of a follower scanning a parametric QR code.
const EventScan = "SCAN"

// window is one customer-service allowance.
type window struct {
	until time.Time // the allowance ends at until
	left  int       // messages still allowed
}

// open reports whether the window still runs at now.
func (w window) open(now time.Time) bool {
	return now.Before(w.until)
}

// userState is what the platform knows of one consumer.
type userState struct {
	lastInbound time.Time
	lastKey     string // identifies the latest inbound, so a retry opens nothing
	unfollowed  bool   // unsubscribed and not back since
	message     window // opened by the latest message
	event       window // opened by the latest click, subscription or scan
}

// user returns the state of openid, creating it. The caller holds p.mu.
func (p *Platform) user(openid string) *userState {
	u, ok := p.users[openid]
	if !ok {
		u = &userState{}
		p.users[openid] = u
	}
	return u
}

// opensEventWindow lists the events after which WeChat allows
// customer-service messages: menu clicks (including the scan-code menu
// buttons), subscriptions and scans. VIEW and other events open nothing.
var opensEventWindow = map[string]bool{EventSubscribe: true, EventClick: true, EventScan: true,
	"scancode_push": true, "scancode_waitmsg": true}

// ObserveMessage records that the consumer m.FromUserName sent m, as WeChat
// sees every message before it reaches the bot; the Client calls it for
// every message it sends when its Platform field is set. The window opens
// at the platform clock (Now), not at m.CreateTime, so moving the
// platform's clock needs no matching client clock.
//
//   - A message (text, image, voice, video, shortvideo, location, link)
//     opens a fresh message window: MessageQuota customer-service messages
//     within MessageWindow.
//   - A click (CLICK, scancode_push, scancode_waitmsg), subscribe or SCAN
//     event opens a fresh event window: EventQuota within EventWindow.
//   - Unsubscribe closes both windows, and customer-service and template
//     messages to the consumer answer 43004 (require subscribe) until they
//     come back. Any other inbound marks the consumer as following.
//
// A retry (the same MsgId, or for events the same CreateTime, Event and
// EventKey as the consumer's latest inbound) opens nothing new. Messages
// without those fields (not filled by Client.Fill) each count as new.
func (p *Platform) ObserveMessage(m Message) {
	key := retryKey(m)
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.user(m.FromUserName)
	if key != "" && key == u.lastKey {
		return
	}
	u.lastKey = key
	now := p.now()
	switch {
	case m.MsgType == MsgEvent && m.Event == EventUnsubscribe:
		u.unfollowed = true
		u.message, u.event = window{}, window{}
		return
	case m.MsgType == MsgEvent && opensEventWindow[m.Event]:
		u.event = window{until: now.Add(EventWindow), left: EventQuota}
	case m.MsgType != MsgEvent:
		u.message = window{until: now.Add(MessageWindow), left: MessageQuota}
	}
	u.unfollowed = false
	u.lastInbound = now
}

// retryKey identifies an inbound message the way WeChat's retries repeat
// it, or is empty when m lacks the fields (an unfilled message).
func retryKey(m Message) string {
	switch {
	case m.MsgType == MsgEvent && m.CreateTime != 0:
		return "event/" + strconv.FormatInt(m.CreateTime, 10) + "/" + m.Event + "/" + m.EventKey
	case m.MsgType != MsgEvent && m.MsgID != 0:
		return "msg/" + strconv.FormatInt(m.MsgID, 10)
	}
	return ""
}

// ObserveInbound records that openid sent a message (not an event) at time
// at on the platform clock: it opens a fresh message window from at, unless
// a later message already opened one. ObserveMessage is the fuller form.
func (p *Platform) ObserveInbound(openid string, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.user(openid)
	if until := at.Add(MessageWindow); !until.Before(u.message.until) {
		u.message = window{until: until, left: MessageQuota}
	}
	u.unfollowed = false
	if at.After(u.lastInbound) {
		u.lastInbound = at
	}
}

// LastInbound returns when openid last sent a message or event (other than
// unsubscribe) on the platform clock, if ever.
func (p *Platform) LastInbound(openid string) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.users[openid]
	if !ok || u.lastInbound.IsZero() {
		return time.Time{}, false
	}
	return u.lastInbound, true
}

// Window is a consumer's customer-service allowance at one moment.
type Window struct {
	// Left is how many customer-service messages the platform would accept
	// now, over all open windows; 0 means the next one is refused.
	Left int
	// Until is when the last open window with messages left closes; zero
	// when Left is 0.
	Until time.Time
	// Following is false after the consumer unsubscribed (template messages
	// answer 43004). A consumer never seen counts as following.
	Following bool
}

// Window returns openid's customer-service allowance now.
func (p *Platform) Window(openid string) Window {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.users[openid]
	if !ok {
		return Window{Following: true}
	}
	w := Window{Following: !u.unfollowed}
	now := p.now()
	for _, win := range []window{u.message, u.event} {
		if win.open(now) && win.left > 0 {
			w.Left += win.left
			if win.until.After(w.Until) {
				w.Until = win.until
			}
		}
	}
	return w
}

// chargeLocked takes one customer-service message from openid's open
// windows and returns 0, or refuses it: 45015 when no window is open (never
// spoke, too long ago, or unsubscribed), 45047 when the open ones are used
// up. When both windows are open the one closing first is charged, so the
// consumer gets the more permissive allowance. The caller holds p.mu.
func (p *Platform) chargeLocked(openid string) int {
	u, ok := p.users[openid]
	if !ok {
		return 45015
	}
	now := p.now()
	var pick *window
	anyOpen := false
	for _, w := range []*window{&u.message, &u.event} {
		if !w.open(now) {
			continue
		}
		anyOpen = true
		if w.left > 0 && (pick == nil || w.until.Before(pick.until)) {
			pick = w
		}
	}
	switch {
	case pick != nil:
		pick.left--
		return 0
	case anyOpen:
		return 45047
	}
	return 45015
}

// deliverCustom records a customer-service message if openid follows the
// account (else 43004) and its window allows it, and returns WeChat's error
// code otherwise.
func (p *Platform) deliverCustom(m SentMessage) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u, ok := p.users[m.ToUser]; ok && u.unfollowed {
		return 43004
	}
	if code := p.chargeLocked(m.ToUser); code != 0 {
		return code
	}
	p.recordLocked(m)
	return 0
}

// deliverTemplate records a template message unless its recipient
// unsubscribed (43004). Template messages ignore the customer-service
// window.
func (p *Platform) deliverTemplate(m SentMessage) (SentMessage, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u, ok := p.users[m.ToUser]; ok && u.unfollowed {
		return m, 43004
	}
	return p.recordLocked(m), 0
}
