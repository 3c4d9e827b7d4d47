package wechatsim

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// pushText sends a text customer-service message and returns its errcode.
func (a *api) pushText(tok, openid, text string) int {
	a.t.Helper()
	return errcode(a.sendText(tok, openid, text))
}

// pushTemplate sends a case-status template message and returns its errcode.
func (a *api) pushTemplate(tok, openid string) int {
	a.t.Helper()
	return errcode(a.call("POST", "/cgi-bin/message/template/send?access_token="+tok,
		`{"touser":"`+openid+`","template_id":"TPL_STATUS","data":{"character_string1":{"value":"TS-2026-000123"},`+
			`"phrase2":{"value":"调解中"},"time3":{"value":"2026-03-15 09:30"}}}`))
}

// event observes an event from openid at the platform's time.
func (a *api) event(openid, event, key string) {
	a.p.ObserveMessage(Message{FromUserName: openid, MsgType: MsgEvent, Event: event, EventKey: key,
		CreateTime: a.p.Now().Unix()})
}

// pushUntilRefused pushes until the platform refuses and returns how many
// were accepted and the refusal's code.
func (a *api) pushUntilRefused(tok, openid string) (accepted, code int) {
	a.t.Helper()
	for accepted < 50 {
		if code = a.pushText(tok, openid, "进度更新"); code != 0 {
			return accepted, code
		}
		accepted++
	}
	a.t.Fatal("the platform never refused")
	return 0, 0
}

func TestWindowNeverSpoken(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	res := a.sendText(tok, testOpenID, "您好")
	if errcode(res) != 45015 || !strings.HasPrefix(res["errmsg"].(string), "response out of time limit or subscription is canceled") {
		t.Fatalf("push to a stranger: %v", res)
	}
	if len(a.p.Sent()) != 0 {
		t.Fatal("a refused message was recorded")
	}
	if w := a.p.Window(testOpenID); w.Left != 0 || !w.Following || !w.Until.IsZero() {
		t.Fatalf("window of a stranger %+v", w)
	}
}

func TestWindowMessageQuota(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	a.hello(testOpenID)
	if w := a.p.Window(testOpenID); w.Left != MessageQuota || !w.Until.Equal(a.p.Now().Add(MessageWindow)) {
		t.Fatalf("window after a message %+v", w)
	}
	n, code := a.pushUntilRefused(tok, testOpenID)
	if n != 5 || code != 45047 {
		t.Fatalf("accepted %d, then %d; want 5 then 45047", n, code)
	}
	res := a.sendText(tok, testOpenID, "第七条")
	if !strings.HasPrefix(res["errmsg"].(string), "out of response count limit") {
		t.Fatalf("errmsg %v", res)
	}
	if sent := a.p.SentTo(testOpenID); len(sent) != 5 || sent[4].Seq != 5 {
		t.Fatalf("recorded %d", len(sent))
	}
	if w := a.p.Window(testOpenID); w.Left != 0 || !w.Until.IsZero() {
		t.Fatalf("spent window %+v", w)
	}
	// The quota is per consumer.
	a.hello("oOther")
	if a.pushText(tok, "oOther", "x") != 0 {
		t.Fatal("another consumer's window was spent")
	}
}

func TestWindowExpiresAt48Hours(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	a.p.Advance(MessageWindow - time.Second)
	tok := a.token() // the first token expired on the way
	if code := a.pushText(tok, testOpenID, "还在窗口内"); code != 0 {
		t.Fatalf("one second before 48 h: %d", code)
	}
	a.p.Advance(time.Second)
	if code := a.pushText(tok, testOpenID, "48 小时整"); code != 45015 {
		t.Fatalf("at 48 h: %d, want 45015", code)
	}
	// A spent window that then runs out answers 45015, not 45047.
	a.hello(testOpenID)
	a.pushUntilRefused(tok, testOpenID)
	a.p.SetNow(a.p.Now().Add(MessageWindow))
	tok = a.token()
	if code := a.pushText(tok, testOpenID, "x"); code != 45015 {
		t.Fatalf("spent and expired: %d, want 45015", code)
	}
}

func TestWindowNewMessageResets(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	a.hello(testOpenID)
	a.pushUntilRefused(tok, testOpenID)
	a.p.Advance(47 * time.Hour)
	tok = a.token()
	a.p.ObserveMessage(Message{FromUserName: testOpenID, MsgType: MsgImage, MediaID: "m", MsgID: NewMsgID()})
	if n, code := a.pushUntilRefused(tok, testOpenID); n != 5 || code != 45047 {
		t.Fatalf("after a new message: %d then %d", n, code)
	}
	// The fresh window runs 48 h from the new message, not the old one.
	a.p.Advance(2 * time.Hour)
	tok = a.token()
	a.p.ObserveMessage(Message{FromUserName: testOpenID, MsgType: MsgLocation, Label: "天河路", MsgID: NewMsgID()})
	a.p.Advance(47 * time.Hour)
	tok = a.token()
	if code := a.pushText(tok, testOpenID, "x"); code != 0 {
		t.Fatalf("47 h after the latest message: %d", code)
	}
}

func TestWindowRetryOpensNothing(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	m := Message{FromUserName: testOpenID, MsgType: MsgText, Content: "在吗", MsgID: NewMsgID(), CreateTime: 1}
	a.p.ObserveMessage(m)
	a.pushUntilRefused(tok, testOpenID)
	a.p.ObserveMessage(m) // WeChat's retry of the same message
	if code := a.pushText(tok, testOpenID, "x"); code != 45047 {
		t.Fatalf("a retry reset the quota: %d", code)
	}
	click := Message{FromUserName: testOpenID, MsgType: MsgEvent, Event: EventClick, EventKey: "QUERY", CreateTime: 99}
	a.p.ObserveMessage(click)
	a.p.ObserveMessage(click)
	if n, _ := a.pushUntilRefused(tok, testOpenID); n != EventQuota {
		t.Fatalf("a retried click gave %d", n)
	}
}

func TestWindowEvents(t *testing.T) {
	for _, ev := range []string{EventClick, EventSubscribe, EventScan, "scancode_push"} {
		a := newAPI(t)
		tok := a.token()
		a.event(testOpenID, ev, "COMPLAIN")
		if w := a.p.Window(testOpenID); w.Left != 3 || !w.Until.Equal(a.p.Now().Add(time.Minute)) {
			t.Fatalf("%s: window %+v", ev, w)
		}
		if n, code := a.pushUntilRefused(tok, testOpenID); n != 3 || code != 45047 {
			t.Fatalf("%s: accepted %d then %d, want 3 then 45047", ev, n, code)
		}
		a.p.Advance(EventWindow)
		if code := a.pushText(tok, testOpenID, "x"); code != 45015 {
			t.Fatalf("%s a minute later: %d", ev, code)
		}
	}
	a := newAPI(t)
	tok := a.token()
	a.event(testOpenID, EventClick, "HELP")
	a.pushText(tok, testOpenID, "x")
	a.p.Advance(59 * time.Second)
	if code := a.pushText(tok, testOpenID, "x"); code != 0 {
		t.Fatalf("59 s after a click: %d", code)
	}
	a.p.Advance(time.Second)
	if code := a.pushText(tok, testOpenID, "x"); code != 45015 {
		t.Fatalf("60 s after a click with quota left: %d", code)
	}
	a.event(testOpenID, EventView, "https://example.org")
	if code := a.pushText(tok, testOpenID, "x"); code != 45015 {
		t.Fatalf("a VIEW event opened a window: %d", code)
	}
}

func TestWindowMessageAndEventTogether(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	a.hello(testOpenID)
	for range 4 {
		a.pushText(tok, testOpenID, "x")
	}
	// A click does not cut the open 48-hour window down to one minute: the
	// click's quota is used first, then the message window's last one.
	a.event(testOpenID, EventClick, "QUERY")
	if w := a.p.Window(testOpenID); w.Left != 1+EventQuota || !w.Until.Equal(a.p.Now().Add(MessageWindow)) {
		t.Fatalf("window %+v", w)
	}
	if n, code := a.pushUntilRefused(tok, testOpenID); n != 4 || code != 45047 {
		t.Fatalf("accepted %d then %d", n, code)
	}
	// Pushes within the minute are charged to the click, so the message
	// window keeps its whole quota for later.
	a.hello(testOpenID)
	a.event(testOpenID, EventClick, "QUERY")
	for range EventQuota {
		if code := a.pushText(tok, testOpenID, "x"); code != 0 {
			t.Fatalf("push after a click: %d", code)
		}
	}
	a.p.Advance(2 * time.Minute)
	if n, _ := a.pushUntilRefused(tok, testOpenID); n != MessageQuota {
		t.Fatalf("after the click window closed: %d", n)
	}
}

func TestTemplateIgnoresWindowButNeedsFollower(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	// Never seen: counts as following, no window needed.
	if code := a.pushTemplate(tok, testOpenID); code != 0 {
		t.Fatalf("template to a consumer never seen: %d", code)
	}
	a.hello(testOpenID)
	a.pushUntilRefused(tok, testOpenID)
	if code := a.pushTemplate(tok, testOpenID); code != 0 {
		t.Fatalf("template after the quota is spent: %d", code)
	}
	a.p.Advance(72 * time.Hour)
	tok = a.token()
	if code := a.pushText(tok, testOpenID, "x"); code != 45015 {
		t.Fatalf("custom after 72 h: %d", code)
	}
	if code := a.pushTemplate(tok, testOpenID); code != 0 {
		t.Fatalf("template after 72 h: %d", code)
	}
	if n := len(a.p.SentTo(testOpenID)); n != 1+5+1+1 {
		t.Fatalf("recorded %d", n)
	}

	a.hello(testOpenID)
	a.event(testOpenID, EventUnsubscribe, "")
	if w := a.p.Window(testOpenID); w.Following || w.Left != 0 {
		t.Fatalf("window after unsubscribe %+v", w)
	}
	res := a.call("POST", "/cgi-bin/message/template/send?access_token="+tok,
		`{"touser":"`+testOpenID+`","template_id":"T","data":{"phrase1":{"value":"已办结"}}}`)
	if errcode(res) != 43004 || !strings.HasPrefix(res["errmsg"].(string), "require subscribe") {
		t.Fatalf("template to an unsubscribed consumer: %v", res)
	}
	if code := a.pushText(tok, testOpenID, "x"); code != 43004 {
		t.Fatalf("custom to an unsubscribed consumer: %d", code)
	}
	if n := len(a.p.SentTo(testOpenID)); n != 8 {
		t.Fatalf("refused messages recorded: %d", n)
	}
	a.p.Advance(time.Second)
	a.event(testOpenID, EventSubscribe, "")
	if a.pushTemplate(tok, testOpenID) != 0 || a.pushText(tok, testOpenID, "欢迎回来") != 0 {
		t.Fatal("a resubscribed consumer is still refused")
	}
}

func TestMovableClock(t *testing.T) {
	base := time.Date(2026, 3, 15, 9, 30, 0, 0, time.UTC)
	p := NewPlatform(PlatformConfig{AppID: testAppID, AppSecret: testSecret, Now: func() time.Time { return base }})
	p.Advance(90 * time.Minute)
	if !p.Now().Equal(base.Add(90 * time.Minute)) {
		t.Fatalf("advanced to %v", p.Now())
	}
	p.SetNow(base.Add(-time.Hour))
	if !p.Now().Equal(base.Add(-time.Hour)) {
		t.Fatalf("set to %v", p.Now())
	}
	id := p.AddMedia("image/png", []byte("png"))
	p.Advance(MediaLifetime - time.Second)
	if _, _, ok := p.Media(id); !ok {
		t.Fatal("media gone before 3 days")
	}
	p.Advance(time.Second)
	if _, _, ok := p.Media(id); ok {
		t.Fatal("media kept after 3 days")
	}
	p.ObserveMessage(Message{FromUserName: testOpenID, MsgType: MsgText})
	if at, ok := p.LastInbound(testOpenID); !ok || !at.Equal(p.Now()) {
		t.Fatalf("inbound stamped %v, platform at %v", at, p.Now())
	}

	// With time.Now as its base the clock keeps running from where it is set.
	live := NewPlatform(PlatformConfig{})
	week := time.Now().Add(7 * 24 * time.Hour)
	live.SetNow(week)
	if d := live.Now().Sub(week); d < 0 || d > time.Minute {
		t.Fatalf("live clock %v from the set time", d)
	}
}

func TestClientFeedsWindow(t *testing.T) {
	_, hook := newFakeBot(t, false)
	a := newAPI(t)
	c := newTestClient(hook, false, newClock())
	c.Now = func() time.Time { return time.Unix(1700000000, 0) } // far from the platform's clock
	c.Platform = a.p
	ctx := context.Background()
	tok := a.token()
	r, err := c.Text(ctx, testOpenID, "我要投诉")
	if err != nil {
		t.Fatal(err)
	}
	if w := a.p.Window(testOpenID); w.Left != MessageQuota {
		t.Fatalf("window after a client message %+v", w)
	}
	a.pushUntilRefused(tok, testOpenID)
	if _, err := c.Send(ctx, r.Sent); err != nil { // WeChat's retry of the same message
		t.Fatal(err)
	}
	if code := a.pushText(tok, testOpenID, "x"); code != 45047 {
		t.Fatalf("a retried message reset the quota: %d", code)
	}
	if _, err := c.Event(ctx, testOpenID, EventUnsubscribe, ""); err != nil {
		t.Fatal(err)
	}
	if a.pushTemplate(tok, testOpenID) != 43004 {
		t.Fatal("client's unsubscribe not seen")
	}
	if _, err := c.Event(ctx, testOpenID, EventSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.pushUntilRefused(tok, testOpenID); n != EventQuota {
		t.Fatalf("after the client's subscribe: %d", n)
	}
}

func TestPageFeedsWindowAndHidesRefusals(t *testing.T) {
	s := newSim(t)
	a := &api{t: t, p: s.p, srv: httptest.NewServer(s.p.Handler())}
	defer a.srv.Close()
	tok := a.token()
	if code := a.pushText(tok, testOpenID, "x"); code != 45015 {
		t.Fatalf("before the person wrote: %d", code)
	}
	if _, out := s.send(map[string]any{"openid": testOpenID, "type": "text", "content": "商家不退款"}); out["ok"] != true {
		t.Fatalf("send %v", out)
	}
	if w := s.p.Window(testOpenID); w.Left != MessageQuota {
		t.Fatalf("the page's message opened %+v", w)
	}
	if n, code := a.pushUntilRefused(tok, testOpenID); n != 5 || code != 45047 {
		t.Fatalf("accepted %d then %d", n, code)
	}
	s.p.Advance(MessageWindow)
	tok = a.token()
	a.pushText(tok, testOpenID, "窗口已关")
	a.pushTemplate(tok, testOpenID)

	_, body := get(t, s.srv.URL+"/sim/api/pushed?openid="+testOpenID+"&after=0")
	var out struct {
		Messages []pushedMessage
		Last     int
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 6 || out.Last != 6 || strings.Contains(string(body), "窗口已关") {
		t.Fatalf("pushed %s", body)
	}
	card := out.Messages[5]
	var lines []string
	for _, f := range card.Fields {
		lines = append(lines, f.Label+"："+f.Value)
	}
	if card.Kind != KindTemplate || card.TemplateID != "TPL_STATUS" ||
		strings.Join(lines, "\n") != "编号：TS-2026-000123\n状态：调解中\n时间：2026-03-15 09:30" {
		t.Fatalf("card %+v", card)
	}
	_, js := get(t, s.srv.URL+"/sim/static/app.js")
	if !strings.Contains(string(js), "f.label") {
		t.Error("app.js does not show field labels")
	}
}

func TestFieldLabel(t *testing.T) {
	for key, want := range map[string]string{"character_string1": "编号", "phrase12": "状态", "time3": "时间",
		"thing4": "内容", "amount5": "金额", "first": "", "remark": "", "keyword2": "项目", "custom": "custom"} {
		if got := fieldLabel(key); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
}
