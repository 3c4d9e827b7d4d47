package wechatsim

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestClientPlainTextRoundTrip(t *testing.T) {
	bot, srv := newFakeBot(t, false)
	clock := newClock()
	c := newTestClient(srv, false, clock)
	r, err := c.Text(context.Background(), testOpenID, "我要投诉 <商家>")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 200 || r.MsgType != "text" || r.Content != "收到：我要投诉 <商家>" || r.Success {
		t.Fatalf("reply %+v", r)
	}
	got := bot.received()
	if len(got) != 1 {
		t.Fatalf("bot got %d requests", len(got))
	}
	q, m := got[0].Query, got[0].Msg
	if q.Get("openid") != testOpenID || q.Get("timestamp") != strconv.FormatInt(clock.Now().Unix(), 10) ||
		q.Get("nonce") == "" || q.Has("encrypt_type") || q.Has("msg_signature") {
		t.Fatalf("query %v", q)
	}
	if m.ToUserName != testAccount || m.FromUserName != testOpenID || m.MsgType != MsgText ||
		m.Content != "我要投诉 <商家>" || m.CreateTime != clock.Now().Unix() || m.MsgID == 0 || m.MsgID != r.Sent.MsgID {
		t.Fatalf("message %+v", m)
	}
}

func TestClientSafeModeRoundTrip(t *testing.T) {
	bot, srv := newFakeBot(t, true)
	c := newTestClient(srv, true, newClock())
	r, err := c.Text(context.Background(), testOpenID, "手机号13800138000")
	if err != nil {
		t.Fatal(err)
	}
	if r.Content != "收到：手机号13800138000" || !strings.Contains(string(r.Body), "<Encrypt>") {
		t.Fatalf("reply %+v", r)
	}
	got := bot.received()[0]
	if got.Query.Get("encrypt_type") != "aes" || got.Query.Get("msg_signature") == "" {
		t.Fatalf("query %v", got.Query)
	}
	if strings.Contains(string(got.Body), "13800138000") || strings.Contains(string(got.Body), "<Content>") {
		t.Fatalf("safe-mode body leaks plaintext: %s", got.Body)
	}
	if got.Msg.Content != "手机号13800138000" {
		t.Fatalf("decrypted %+v", got.Msg)
	}
}

func TestClientSafeModeRefusesBadReplies(t *testing.T) {
	bot, srv := newFakeBot(t, true)
	c := newTestClient(srv, true, newClock())
	enc, _ := Encrypt(testKey, testAppID, []byte("<xml><MsgType>text</MsgType></xml>"))
	emptyEnc, _ := Encrypt(testKey, testAppID, nil)
	otherApp, _ := Encrypt(testKey, "wxOtherApp", textReply(Message{FromUserName: testOpenID, ToUserName: testAccount}, "hi"))
	cases := map[string]func(Message, url.Values) string{
		"bad MsgSignature": func(_ Message, q url.Values) string {
			return string(encryptedEnvelope(enc, strings.Repeat("0", 40), q.Get("timestamp"), q.Get("nonce")))
		},
		"plaintext reply": func(m Message, _ url.Values) string { return string(textReply(m, "明文")) },
		"encrypted empty message": func(_ Message, q url.Values) string {
			ts, n := q.Get("timestamp"), q.Get("nonce")
			return string(encryptedEnvelope(emptyEnc, Signature(testToken, ts, n, emptyEnc), ts, n))
		},
		"other appid": func(_ Message, q url.Values) string {
			ts, n := q.Get("timestamp"), q.Get("nonce")
			return string(encryptedEnvelope(otherApp, Signature(testToken, ts, n, otherApp), ts, n))
		},
	}
	for name, body := range cases {
		bot.raw = func(m Message, q url.Values) (int, string) { return 200, body(m, q) }
		if _, err := c.Text(context.Background(), testOpenID, "hi"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestClientSuccessAndEmptyReplies(t *testing.T) {
	for _, safe := range []bool{false, true} {
		bot, srv := newFakeBot(t, safe)
		c := newTestClient(srv, safe, newClock())
		for _, body := range []string{"success", "", " success\n"} {
			bot.raw = func(Message, url.Values) (int, string) { return 200, body }
			r, err := c.Text(context.Background(), testOpenID, "hi")
			if err != nil || !r.Success || r.MsgType != "" {
				t.Errorf("safe=%v body %q: %+v, %v", safe, body, r, err)
			}
		}
	}
}

func TestClientRefusesMisaddressedReply(t *testing.T) {
	bot, srv := newFakeBot(t, false)
	c := newTestClient(srv, false, newClock())
	bot.raw = func(m Message, _ url.Values) (int, string) {
		m.FromUserName = "oSomebodyElse"
		return 200, string(textReply(m, "给别人的"))
	}
	if _, err := c.Text(context.Background(), testOpenID, "hi"); err == nil || !strings.Contains(err.Error(), "ToUserName") {
		t.Fatalf("err = %v", err)
	}
	bot.raw = func(Message, url.Values) (int, string) { return 200, "<xml><MsgType>text" }
	if _, err := c.Text(context.Background(), testOpenID, "hi"); err == nil {
		t.Fatal("malformed XML accepted")
	}
}

func TestClientStatusError(t *testing.T) {
	bot, srv := newFakeBot(t, false)
	c := newTestClient(srv, false, newClock())
	bot.raw = func(Message, url.Values) (int, string) { return 500, "boom" }
	r, err := c.Text(context.Background(), testOpenID, "hi")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 500 || r == nil || r.Status != 500 {
		t.Fatalf("reply %+v, err %v", r, err)
	}
}

func TestClientEvents(t *testing.T) {
	bot, srv := newFakeBot(t, false)
	bot.reply = func(m Message) string { return m.Event + "/" + m.EventKey }
	c := newTestClient(srv, false, newClock())
	ctx := context.Background()
	for _, ev := range []struct{ event, key string }{{EventClick, "COMPLAIN"}, {EventSubscribe, ""}, {EventView, "https://example.org/"}} {
		r, err := c.Event(ctx, testOpenID, ev.event, ev.key)
		if err != nil || r.Content != ev.event+"/"+ev.key || r.Sent.MsgID != 0 {
			t.Fatalf("%s: %+v, %v", ev.event, r, err)
		}
	}
	for _, g := range bot.received() {
		if g.Msg.MsgType != MsgEvent || strings.Contains(string(g.Plain), "<MsgId>") {
			t.Fatalf("event carries a MsgId or wrong type: %s", g.Plain)
		}
	}
	if k := bot.received()[0].Msg; k.Event != EventClick || k.EventKey != "COMPLAIN" {
		t.Fatalf("click %+v", k)
	}
}

func TestMessageXMLForEveryType(t *testing.T) {
	msgs := []Message{
		{MsgType: MsgImage, PicURL: "http://x/p.jpg", MediaID: "m1"},
		{MsgType: MsgVoice, MediaID: "m2", Format: "amr", Recognition: "我想退款"},
		{MsgType: MsgVideo, MediaID: "m3", ThumbMediaID: "t3"},
		{MsgType: MsgShortVideo, MediaID: "m4", ThumbMediaID: "t4"},
		{MsgType: MsgLocation, LocationX: 23.134521, LocationY: 113.358803, Scale: 15, Label: "天河路208号"},
		{MsgType: MsgLink, Title: "订单", Description: "描述", URL: "https://example.org/o/1"},
		{MsgType: MsgText, Content: "a]]>b<c>&d"},
		{MsgType: MsgEvent, Event: EventUnsubscribe},
	}
	for _, m := range msgs {
		m.ToUserName, m.FromUserName, m.CreateTime, m.MsgID = testAccount, testOpenID, 1700000000, 42
		if m.MsgType == MsgEvent {
			m.MsgID = 0
		}
		var back Message
		if err := xml.Unmarshal(m.XML(), &back); err != nil {
			t.Fatalf("%s: %v\n%s", m.MsgType, err, m.XML())
		}
		if back != m {
			t.Errorf("%s round trip:\n got %+v\nwant %+v", m.MsgType, back, m)
		}
	}
	loc := string(Message{MsgType: MsgLocation, LocationX: 23.134521}.XML())
	if !strings.Contains(loc, "<Location_X>23.134521</Location_X>") {
		t.Errorf("location XML %s", loc)
	}
}

func TestMsgIDsUniqueAndRetriesRepeatThem(t *testing.T) {
	bot, srv := newFakeBot(t, false)
	c := newTestClient(srv, false, newClock())
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 500; j++ {
				id := NewMsgID()
				mu.Lock()
				if seen[id] || id <= 0 {
					t.Errorf("id %d repeated or not positive", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r1, err := c.Text(context.Background(), testOpenID, "一")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), r1.Sent); err != nil {
		t.Fatal(err)
	}
	r3, _ := c.Text(context.Background(), testOpenID, "一")
	got := bot.received()
	if got[0].Msg.MsgID != got[1].Msg.MsgID || got[0].Msg.CreateTime != got[1].Msg.CreateTime {
		t.Fatal("a retry did not repeat MsgId and CreateTime")
	}
	if r3.Sent.MsgID == r1.Sent.MsgID {
		t.Fatal("a new message reused the MsgId")
	}
}

func TestBuildRequestTampering(t *testing.T) {
	for _, safe := range []bool{false, true} {
		bot, srv := newFakeBot(t, safe)
		clock := newClock()
		c := newTestClient(srv, safe, clock)
		ctx := context.Background()
		m := Message{FromUserName: testOpenID, MsgType: MsgText, Content: "hi"}
		bad := map[string]RequestOption{"signature": WithQuery("signature", "bad"), "no timestamp": WithoutQuery("timestamp")}
		if safe { // in plain mode a swapped body goes unnoticed, as on WeChat
			bad["body"] = WithBody([]byte("<xml><Encrypt>x</Encrypt></xml>"))
		}
		for name, opt := range bad {
			req, err := c.BuildRequest(ctx, m, opt)
			if err != nil {
				t.Fatal(err)
			}
			var se *StatusError
			if _, err := c.Do(req); !errors.As(err, &se) || se.Status < 400 {
				t.Errorf("safe=%v: tampered %s: err %v, want a refusal", safe, name, err)
			}
		}
		stale := clock.Now().Add(-time.Hour)
		req, _ := c.BuildRequest(ctx, m, WithTimestamp(stale), WithNonce("42"))
		if _, err := c.Do(req); err != nil {
			t.Fatalf("safe=%v: correctly signed stale request refused by the fake: %v", safe, err)
		}
		last := bot.received()[len(bot.received())-1]
		if last.Query.Get("timestamp") != strconv.FormatInt(stale.Unix(), 10) || last.Query.Get("nonce") != "42" {
			t.Errorf("query %v", last.Query)
		}
		req, _ = c.BuildRequest(ctx, m, WithPlainXML([]byte("<xml><MsgType>text")))
		if r, err := c.Do(req); err == nil || r.Status != http.StatusBadRequest {
			t.Errorf("safe=%v: malformed XML: %+v, %v", safe, r, err)
		}
	}
}

func TestVerifyURL(t *testing.T) {
	_, srv := newFakeBot(t, false)
	c := newTestClient(srv, false, newClock())
	got, err := c.VerifyURL(context.Background(), "shr5ch")
	if err != nil || got != "shr5ch" {
		t.Fatalf("echo %q, %v", got, err)
	}
	c.Token = "wrong"
	if _, err := c.VerifyURL(context.Background(), "shr5ch"); err == nil {
		t.Fatal("wrong token verified")
	}
}

func TestClientReportsToPlatform(t *testing.T) {
	bot, srv := newFakeBot(t, false)
	clock := newClock()
	p := NewPlatform(PlatformConfig{AppID: testAppID, AppSecret: "s", Now: clock.Now})
	c := newTestClient(srv, false, clock)
	c.Platform = p
	if _, err := c.Voice(context.Background(), testOpenID, "我要退款"); err != nil {
		t.Fatal(err)
	}
	at, ok := p.LastInbound(testOpenID)
	if !ok || !at.Equal(time.Unix(clock.Now().Unix(), 0)) {
		t.Fatalf("last inbound %v %v", at, ok)
	}
	v := bot.received()[0].Msg
	if v.MsgType != MsgVoice || v.Recognition != "我要退款" || v.Format != "amr" {
		t.Fatalf("voice %+v", v)
	}
	if _, _, ok := p.Media(v.MediaID); !ok {
		t.Fatal("voice media not stored on the platform")
	}
	if _, err := c.Location(context.Background(), testOpenID, 31.2, 121.5, "南京东路"); err != nil {
		t.Fatal(err)
	}
	if l := bot.received()[1].Msg; l.LocationX != 31.2 || l.LocationY != 121.5 || l.Label != "南京东路" {
		t.Fatalf("location %+v", l)
	}
}
