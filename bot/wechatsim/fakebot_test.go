package wechatsim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
)

const (
	testToken   = "testtoken"
	testAppID   = "wx1234567890abcdef"
	testKey     = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	testAccount = "gh_complaints01"
	testOpenID  = "oTestUser0000000000000000001"
)

// received is one request the fake bot accepted.
type received struct {
	Query url.Values
	Body  []byte // as posted
	Plain []byte // message XML, decrypted in safe mode
	Msg   Message
}

// fakeBot is a webhook written against the protocol, independent of the
// Client: it verifies what WeChat's requests must carry and answers with
// reply(msg), a text reply, or "success" when reply returns "".
type fakeBot struct {
	t     *testing.T
	safe  bool
	reply func(Message) string
	// raw, when set, is written as the whole response instead.
	raw func(Message, url.Values) (int, string)

	mu  sync.Mutex
	got []received
}

func newFakeBot(t *testing.T, safe bool) (*fakeBot, *httptest.Server) {
	b := &fakeBot{t: t, safe: safe, reply: func(m Message) string { return "收到：" + m.Content }}
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return b, srv
}

func (b *fakeBot) received() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.got...)
}

func (b *fakeBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("signature") != Signature(testToken, q.Get("timestamp"), q.Get("nonce")) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodGet {
		_, _ = io.WriteString(w, q.Get("echostr"))
		return
	}
	body, _ := io.ReadAll(r.Body)
	plain, ok := b.open(q, body)
	if !ok {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	var m Message
	if err := xml.Unmarshal(plain, &m); err != nil {
		http.Error(w, "bad xml", http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	b.got = append(b.got, received{Query: q, Body: body, Plain: plain, Msg: m})
	b.mu.Unlock()
	if b.raw != nil {
		status, text := b.raw(m, q)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, text)
		return
	}
	content := b.reply(m)
	if content == "" {
		_, _ = io.WriteString(w, "success")
		return
	}
	_, _ = w.Write(b.seal(textReply(m, content), q))
}

// open checks safe-mode fields and decrypts; plain mode returns body.
func (b *fakeBot) open(q url.Values, body []byte) ([]byte, bool) {
	if !b.safe {
		return body, q.Get("encrypt_type") == ""
	}
	var env struct {
		ToUserName string `xml:"ToUserName"`
		Encrypt    string `xml:"Encrypt"`
	}
	if q.Get("encrypt_type") != "aes" || xml.Unmarshal(body, &env) != nil {
		return nil, false
	}
	if q.Get("msg_signature") != Signature(testToken, q.Get("timestamp"), q.Get("nonce"), env.Encrypt) {
		return nil, false
	}
	plain, err := Decrypt(testKey, testAppID, env.Encrypt)
	return plain, err == nil
}

// seal encrypts and signs a reply in safe mode, echoing timestamp and nonce
// as the bot's library does.
func (b *fakeBot) seal(plain []byte, q url.Values) []byte {
	if !b.safe {
		return plain
	}
	enc, err := Encrypt(testKey, testAppID, plain)
	if err != nil {
		b.t.Error(err)
	}
	return encryptedEnvelope(enc, Signature(testToken, q.Get("timestamp"), q.Get("nonce"), enc), q.Get("timestamp"), q.Get("nonce"))
}

func encryptedEnvelope(enc, sig, ts, nonce string) []byte {
	return []byte(fmt.Sprintf("<xml><Encrypt><![CDATA[%s]]></Encrypt><MsgSignature><![CDATA[%s]]></MsgSignature>"+
		"<TimeStamp>%s</TimeStamp><Nonce><![CDATA[%s]]></Nonce></xml>", enc, sig, ts, nonce))
}

// textReply is a passive text reply to m.
func textReply(m Message, content string) []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	cdata(&b, "ToUserName", m.FromUserName)
	cdata(&b, "FromUserName", m.ToUserName)
	number(&b, "CreateTime", strconv.FormatInt(time.Now().Unix(), 10))
	cdata(&b, "MsgType", "text")
	cdata(&b, "Content", content)
	b.WriteString("</xml>")
	return b.Bytes()
}

// newClock returns a movable clock for tests.
func newClock() *testenv.Clock {
	return testenv.NewClock(time.Date(2026, 3, 15, 9, 30, 0, 0, time.FixedZone("CST", 8*3600)))
}

func newTestClient(srv *httptest.Server, safe bool, clock *testenv.Clock) *Client {
	return &Client{WebhookURL: srv.URL + "/wechat", Token: testToken, AppID: testAppID,
		EncodingAESKey: testKey, Safe: safe, Account: testAccount, Now: clock.Now}
}
