package wechatsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
)

const testSecret = "s3cr3t"

// api is a platform behind a test server, with its clock.
type api struct {
	t     *testing.T
	p     *Platform
	srv   *httptest.Server
	clock *testenv.Clock
}

func newAPI(t *testing.T) *api {
	clock := newClock()
	p := NewPlatform(PlatformConfig{AppID: testAppID, AppSecret: testSecret, Now: clock.Now})
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	return &api{t: t, p: p, srv: srv, clock: clock}
}

// call does one request and decodes the JSON answer.
func (a *api) call(method, path string, body any) map[string]any {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		if s, ok := body.(string); ok {
			b = []byte(s)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.srv.URL+path, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		a.t.Fatalf("%s %s: not JSON: %v", method, path, err)
	}
	return out
}

func errcode(res map[string]any) int {
	c, _ := res["errcode"].(float64)
	return int(c)
}

func (a *api) token() string {
	a.t.Helper()
	res := a.call("GET", "/cgi-bin/token?grant_type=client_credential&appid="+testAppID+"&secret="+testSecret, nil)
	tok, _ := res["access_token"].(string)
	if tok == "" || res["expires_in"] != float64(7200) {
		a.t.Fatalf("token answer %v", res)
	}
	return tok
}

// hello opens openid's customer-service window, as a message from them does.
func (a *api) hello(openids ...string) {
	for _, id := range openids {
		a.p.ObserveMessage(Message{FromUserName: id, MsgType: MsgText, Content: "你好"})
	}
}

func (a *api) sendText(tok, openid, text string) map[string]any {
	return a.call("POST", "/cgi-bin/message/custom/send?access_token="+url.QueryEscape(tok),
		map[string]any{"touser": openid, "msgtype": "text", "text": map[string]string{"content": text}})
}

func TestTokenCredentials(t *testing.T) {
	a := newAPI(t)
	cases := map[string]int{
		"grant_type=client_credential&appid=" + testAppID + "&secret=wrong": 40125,
		"grant_type=client_credential&appid=wxother&secret=" + testSecret:   40013,
		"grant_type=password&appid=" + testAppID + "&secret=" + testSecret:  40002,
		"grant_type=client_credential&appid=" + testAppID:                   41004,
	}
	for q, want := range cases {
		res := a.call("GET", "/cgi-bin/token?"+q, nil)
		if errcode(res) != want || res["access_token"] != nil {
			t.Errorf("%s: %v, want errcode %d", q, res, want)
		}
	}
	if res := a.call("POST", "/cgi-bin/token", nil); errcode(res) != 43001 {
		t.Errorf("POST token: %v", res)
	}
}

func TestTokenExpiryAndReplacement(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	tok := a.token()
	if res := a.sendText(tok, testOpenID, "您的投诉已受理"); errcode(res) != 0 || res["errmsg"] != "ok" {
		t.Fatalf("send: %v", res)
	}
	if res := a.sendText("forged", testOpenID, "x"); errcode(res) != 40001 {
		t.Errorf("forged token: %v", res)
	}
	if res := a.sendText("", testOpenID, "x"); errcode(res) != 41001 {
		t.Errorf("missing token: %v", res)
	}
	a.clock.Advance(TokenLifetime + time.Second)
	if res := a.sendText(tok, testOpenID, "x"); errcode(res) != 42001 {
		t.Errorf("expired token: %v", res)
	}

	// A new token leaves the old one working for the grace period only.
	old := a.token()
	a.clock.Advance(time.Minute)
	fresh := a.token()
	if errcode(a.sendText(old, testOpenID, "x")) != 0 || errcode(a.sendText(fresh, testOpenID, "x")) != 0 {
		t.Fatal("old or new token refused during the grace period")
	}
	a.clock.Advance(TokenGrace)
	if res := a.sendText(old, testOpenID, "x"); errcode(res) != 40001 {
		t.Errorf("replaced token after grace: %v", res)
	}
	if errcode(a.sendText(fresh, testOpenID, "x")) != 0 {
		t.Error("new token refused")
	}
}

func TestStableToken(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	body := map[string]any{"grant_type": "client_credential", "appid": testAppID, "secret": testSecret}
	first := a.call("POST", "/cgi-bin/stable_token", body)
	a.clock.Advance(time.Hour)
	second := a.call("POST", "/cgi-bin/stable_token", body)
	if first["access_token"] == nil || first["access_token"] != second["access_token"] || second["expires_in"] != float64(3600) {
		t.Fatalf("stable token changed or wrong ttl: %v then %v", first, second)
	}
	body["force_refresh"] = true
	forced := a.call("POST", "/cgi-bin/stable_token", body)
	if forced["access_token"] == first["access_token"] {
		t.Fatal("force_refresh returned the same token")
	}
	// The stable token lineage does not invalidate ordinary tokens.
	tok := a.token()
	a.call("POST", "/cgi-bin/stable_token", body)
	a.clock.Advance(TokenGrace + time.Second)
	if errcode(a.sendText(tok, testOpenID, "x")) != 0 {
		t.Fatal("a stable-token refresh invalidated an ordinary token")
	}
	body["secret"] = "wrong"
	if res := a.call("POST", "/cgi-bin/stable_token", body); errcode(res) != 40125 {
		t.Errorf("wrong secret: %v", res)
	}
	if res := a.call("POST", "/cgi-bin/stable_token", "{not json"); errcode(res) != 47001 {
		t.Errorf("bad JSON: %v", res)
	}
}

func TestCustomSendRecordsAndValidates(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID, "oOther")
	tok := a.token()
	a.sendText(tok, testOpenID, "您的投诉编号 TS-2026-000123")
	a.sendText(tok, "oOther", "别人的")
	img := a.call("POST", "/cgi-bin/message/custom/send?access_token="+tok,
		map[string]any{"touser": testOpenID, "msgtype": "image", "image": map[string]string{"media_id": "MID"}})
	if errcode(img) != 0 {
		t.Fatalf("image: %v", img)
	}
	sent := a.p.SentTo(testOpenID)
	if len(sent) != 2 || sent[0].Content != "您的投诉编号 TS-2026-000123" || sent[0].Kind != KindCustom ||
		sent[0].MsgType != "text" || sent[1].MediaID != "MID" || sent[0].Seq != 1 || sent[1].Seq != 3 ||
		!sent[0].At.Equal(a.clock.Now()) || !strings.Contains(string(sent[0].Payload), "touser") {
		t.Fatalf("sent %+v", sent)
	}
	if len(a.p.Sent()) != 3 {
		t.Fatalf("all sent %d", len(a.p.Sent()))
	}
	bad := map[int]any{
		40003: map[string]any{"msgtype": "text", "text": map[string]string{"content": "x"}},
		40008: map[string]any{"touser": testOpenID, "msgtype": "fax"},
		44004: map[string]any{"touser": testOpenID, "msgtype": "text", "text": map[string]string{"content": ""}},
		47001: "[1,2",
	}
	for want, body := range bad {
		res := a.call("POST", "/cgi-bin/message/custom/send?access_token="+tok, body)
		if errcode(res) != want || !strings.Contains(res["errmsg"].(string), "rid:") {
			t.Errorf("want %d, got %v", want, res)
		}
	}
	if len(a.p.Sent()) != 3 {
		t.Fatal("a refused message was recorded")
	}
}

func TestTemplateSend(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	path := "/cgi-bin/message/template/send?access_token=" + tok
	res := a.call("POST", path, `{"touser":"`+testOpenID+`","template_id":"TPL1","url":"https://example.org/c/1",`+
		`"data":{"character_string1":{"value":"TS-2026-000123"},"phrase2":{"value":"调解中"},"thing3":{"value":"商家已同意退款"}}}`)
	if errcode(res) != 0 || res["msgid"] == nil {
		t.Fatalf("template: %v", res)
	}
	s := a.p.SentTo(testOpenID)[0]
	if s.Kind != KindTemplate || s.TemplateID != "TPL1" || s.Data["phrase2"] != "调解中" || len(s.Fields) != 3 ||
		s.Fields[0].Key != "character_string1" || s.Fields[2].Value != "商家已同意退款" || float64(s.MsgID) != res["msgid"] {
		t.Fatalf("recorded %+v", s)
	}
	bad := map[string]int{
		`{"touser":"o1","data":{}}`: 40037,
		`{"touser":"o1","template_id":"T","data":{"character_string1":{"value":"投诉-2026-1"}}}`:            47003,
		`{"touser":"o1","template_id":"T","data":{"thing1":{"value":"` + strings.Repeat("长", 21) + `"}}}`: 47003,
		`{"touser":"o1","template_id":"T","data":{"phrase1":{"value":"调解进行中了"}}}`:                         47003,
		`{"touser":"o1","template_id":"T","data":[1]}`:                                                    47001,
	}
	for body, want := range bad {
		if res := a.call("POST", path, body); errcode(res) != want {
			t.Errorf("%s: %v, want %d", body, res, want)
		}
	}
}

func TestMediaGet(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	png := []byte("\x89PNG\r\n\x1a\nfake")
	id := a.p.AddMedia("image/png", png)
	resp, err := http.Get(a.srv.URL + "/cgi-bin/media/get?access_token=" + tok + "&media_id=" + id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, png) || resp.Header.Get("Content-Type") != "image/png" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), id+".png") {
		t.Fatalf("media: %q %v", got, resp.Header)
	}
	if res := a.call("GET", "/cgi-bin/media/get?access_token="+tok+"&media_id=nope", nil); errcode(res) != 40007 {
		t.Errorf("unknown media: %v", res)
	}
	if res := a.call("GET", "/cgi-bin/media/get?access_token=bad&media_id="+id, nil); errcode(res) != 40001 {
		t.Errorf("bad token: %v", res)
	}
	a.clock.Advance(MediaLifetime)
	tok = a.token()
	if res := a.call("GET", "/cgi-bin/media/get?access_token="+tok+"&media_id="+id, nil); errcode(res) != 40007 {
		t.Errorf("media after 3 days: %v", res)
	}
}

func TestMenuCreate(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	path := "/cgi-bin/menu/create?access_token=" + tok
	menu := `{"button":[{"type":"click","name":"我要投诉","key":"COMPLAIN"},` +
		`{"name":"服务","sub_button":[{"type":"click","name":"查询进度","key":"QUERY"},{"type":"view","name":"官网","url":"https://example.org"}]},` +
		`{"type":"click","name":"帮助","key":"HELP"}]}`
	if res := a.call("POST", path, menu); errcode(res) != 0 {
		t.Fatalf("create: %v", res)
	}
	m := a.p.Menu()
	if len(m) != 3 || m[0].Key != "COMPLAIN" || len(m[1].SubButtons) != 2 || m[1].SubButtons[1].URL != "https://example.org" {
		t.Fatalf("menu %+v", m)
	}
	four := `{"button":[{"type":"click","name":"a","key":"a"},{"type":"click","name":"b","key":"b"},{"type":"click","name":"c","key":"c"},{"type":"click","name":"d","key":"d"}]}`
	bad := map[string]int{
		four:            40016,
		`{"button":[]}`: 40016,
		`{"button":[{"type":"click","name":"a"}]}`: 40019,
		`{"button":[{"type":"view","name":"a"}]}`:  40020,
		`{"button":[{"type":"click","key":"a"}]}`:  40018,
	}
	for body, want := range bad {
		if res := a.call("POST", path, body); errcode(res) != want {
			t.Errorf("%s: %v, want %d", body, res, want)
		}
	}
	if len(a.p.Menu()) != 3 {
		t.Fatal("a refused menu replaced the good one")
	}
	if res := a.call("GET", path, nil); errcode(res) != 43002 {
		t.Errorf("GET menu/create: %v", res)
	}
}

func TestPlatformConcurrentUse(t *testing.T) {
	a := newAPI(t)
	tok := a.token()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			openid := testOpenID + strconv.Itoa(i)
			for j := 0; j < 20; j++ {
				a.p.ObserveInbound(openid, a.p.Now())
				a.sendText(tok, openid, "x")
				_ = a.p.SentTo(openid)
				_ = a.p.Window(openid)
				a.p.AddMedia("image/gif", []byte("GIF89a"))
			}
		}()
	}
	wg.Wait()
	sent := a.p.Sent()
	if len(sent) != 160 {
		t.Fatalf("recorded %d of 160", len(sent))
	}
	for i, s := range sent {
		if s.Seq != i+1 {
			t.Fatalf("seq %d at %d", s.Seq, i)
		}
	}
}
