package wechatsim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// sim is the /sim page wired to a fake bot and a platform.
type sim struct {
	t   *testing.T
	bot *fakeBot
	p   *Platform
	srv *httptest.Server
}

func newSim(t *testing.T) *sim {
	bot, hook := newFakeBot(t, true)
	clock := newClock()
	p := NewPlatform(PlatformConfig{AppID: testAppID, AppSecret: testSecret, Now: clock.Now})
	c := newTestClient(hook, true, clock)
	srv := httptest.NewServer(NewPage(PageConfig{Client: c, Platform: p, BasePath: "/sim"}))
	t.Cleanup(srv.Close)
	return &sim{t: t, bot: bot, p: p, srv: srv}
}

func (s *sim) post(path, contentType string, body io.Reader) (*http.Response, map[string]any) {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Sim", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func (s *sim) send(payload map[string]any) (*http.Response, map[string]any) {
	b, _ := json.Marshal(payload)
	return s.post("/sim/api/send", "application/json", bytes.NewReader(b))
}

func (s *sim) upload(openid string, data []byte) (*http.Response, map[string]any) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("openid", openid)
	fw, _ := mw.CreateFormFile("photo", "receipt.png")
	_, _ = fw.Write(data)
	_ = mw.Close()
	return s.post("/sim/api/photo", mw.FormDataContentType(), &buf)
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestPageServesChatWithoutInlineScript(t *testing.T) {
	s := newSim(t)
	for _, path := range []string{"/sim", "/sim/"} {
		resp, body := get(t, s.srv.URL+path)
		html := string(body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"<title>微信模拟器</title>", "我要投诉", "查询进度", "帮助", "关注", "发送位置", "语音",
			`data-key="COMPLAIN"`, `data-key="QUERY"`, `data-key="HELP"`, `data-base="/sim"`, `src="/sim/static/app.js"`} {
			if !strings.Contains(html, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		for _, tag := range regexp.MustCompile(`(?s)<script[^>]*>.*?</script>`).FindAllString(html, -1) {
			if !regexp.MustCompile(`^<script[^>]*\ssrc="[^"]+"[^>]*></script>$`).MatchString(tag) {
				t.Errorf("inline script: %s", tag)
			}
		}
		if regexp.MustCompile(`(?i)\son[a-z]+=|style=|javascript:`).MatchString(html) {
			t.Error("page has inline handlers or styles")
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
	}
	for path, ct := range map[string]string{"/sim/static/app.js": "javascript", "/sim/static/app.css": "text/css"} {
		resp, body := get(t, s.srv.URL+path)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), ct) || len(body) == 0 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	_, js := get(t, s.srv.URL+"/sim/static/app.js")
	if strings.Contains(string(js), "innerHTML") || strings.Contains(string(js), "insertAdjacentHTML") {
		t.Error("app.js writes HTML")
	}
}

func TestPageSendRelaysToWebhook(t *testing.T) {
	s := newSim(t)
	resp, out := s.send(map[string]any{"openid": testOpenID, "type": "text", "content": "商家不退款"})
	if resp.StatusCode != 200 || out["ok"] != true || out["msgType"] != "text" || out["content"] != "收到：商家不退款" {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	s.bot.reply = func(m Message) string { return "" }
	_, out = s.send(map[string]any{"openid": testOpenID, "type": "event", "event": "CLICK", "key": "COMPLAIN"})
	if out["ok"] != true || out["success"] != true {
		t.Fatalf("click: %v", out)
	}
	_, out = s.send(map[string]any{"openid": testOpenID, "type": "voice", "content": "我要退货"})
	_, _ = s.send(map[string]any{"openid": testOpenID, "type": "location", "lat": 23.1, "lng": 113.3, "label": "天河路"})
	got := s.bot.received()
	if len(got) != 4 || got[1].Msg.Event != EventClick || got[1].Msg.EventKey != "COMPLAIN" ||
		got[2].Msg.MsgType != MsgVoice || got[2].Msg.Recognition != "我要退货" || got[3].Msg.Label != "天河路" {
		t.Fatalf("bot got %+v", got)
	}
	if _, ok := s.p.LastInbound(testOpenID); !ok {
		t.Error("inbound not observed by the platform")
	}
	s.bot.raw = func(Message, url.Values) (int, string) { return 500, "down" }
	resp, out = s.send(map[string]any{"openid": testOpenID, "type": "text", "content": "在吗"})
	if resp.StatusCode != http.StatusBadGateway || out["ok"] != false || out["relayed"] != true {
		t.Fatalf("broken webhook: %d %v", resp.StatusCode, out)
	}
}

func TestPageSendRefusesBadInput(t *testing.T) {
	s := newSim(t)
	bad := []map[string]any{
		{"openid": "<script>", "type": "text", "content": "x"},
		{"openid": testOpenID, "type": "text", "content": "  "},
		{"openid": testOpenID, "type": "text", "content": strings.Repeat("字", 2001)},
		{"openid": testOpenID, "type": "fax"},
		{"openid": testOpenID, "type": "event", "event": "scan"},
	}
	for _, b := range bad {
		if resp, out := s.send(b); resp.StatusCode != 400 || out["error"] == "" {
			t.Errorf("%v: %d %v", b, resp.StatusCode, out)
		}
	}
	req, _ := http.NewRequest("POST", s.srv.URL+"/sim/api/send", strings.NewReader(`{"openid":"o1","type":"text","content":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without X-Sim: %d", resp.StatusCode)
	}
	if len(s.bot.received()) != 0 {
		t.Error("a refused request reached the webhook")
	}
}

// tinyPNG is a 1×1 PNG.
var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func TestPagePhotoUpload(t *testing.T) {
	s := newSim(t)
	resp, out := s.upload(testOpenID, tinyPNG)
	if resp.StatusCode != 200 || out["ok"] != true {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	m := s.bot.received()[0].Msg
	if m.MsgType != MsgImage || m.MediaID == "" || out["sentMediaId"] != m.MediaID ||
		!strings.HasPrefix(m.PicURL, "http://") || !strings.HasSuffix(m.PicURL, "/sim/media/"+m.MediaID) {
		t.Fatalf("image message %+v, answer %v", m, out)
	}
	r, body := get(t, m.PicURL)
	if r.StatusCode != 200 || !bytes.Equal(body, tinyPNG) || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("media: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if ct, data, ok := s.p.Media(m.MediaID); !ok || ct != "image/png" || !bytes.Equal(data, tinyPNG) {
		t.Fatal("platform does not hold the photo for media/get")
	}
	if r, _ := get(t, s.srv.URL+"/sim/media/unknown"); r.StatusCode != 404 {
		t.Errorf("unknown media: %d", r.StatusCode)
	}
}

func TestPagePhotoLimits(t *testing.T) {
	s := newSim(t)
	big := append(append([]byte(nil), tinyPNG...), make([]byte, MaxPhotoBytes)...)
	if resp, out := s.upload(testOpenID, big); resp.StatusCode != http.StatusRequestEntityTooLarge || out["error"] == "" {
		t.Errorf("oversized: %d %v", resp.StatusCode, out)
	}
	if resp, _ := s.upload(testOpenID, []byte("<html><script>alert(1)</script></html>")); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("HTML as photo: %d", resp.StatusCode)
	}
	if resp, _ := s.upload("bad openid!", tinyPNG); resp.StatusCode != 400 {
		t.Errorf("bad openid: %d", resp.StatusCode)
	}
	if len(s.bot.received()) != 0 {
		t.Error("a refused upload reached the webhook")
	}
}

func TestPagePushedPolling(t *testing.T) {
	s := newSim(t)
	a := &api{t: t, p: s.p, srv: httptest.NewServer(s.p.Handler())}
	defer a.srv.Close()
	tok := a.token()
	a.hello(testOpenID, "oOther")
	a.sendText(tok, testOpenID, "调解员：请补充发票照片")
	a.sendText(tok, "oOther", "别人的")
	a.call("POST", "/cgi-bin/message/template/send?access_token="+tok,
		`{"touser":"`+testOpenID+`","template_id":"T","data":{"character_string1":{"value":"TS-2026-000123"}}}`)

	var out struct {
		Messages []pushedMessage
		Last     int
	}
	_, body := get(t, s.srv.URL+"/sim/api/pushed?openid="+testOpenID+"&after=0")
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 2 || out.Messages[0].Content != "调解员：请补充发票照片" || out.Messages[1].Kind != KindTemplate ||
		out.Messages[1].Fields[0].Value != "TS-2026-000123" || out.Last != 3 ||
		!strings.Contains(string(body), `"fields":[{"key":"character_string1","label":"编号","value":"TS-2026-000123"}]`) {
		t.Fatalf("pushed %s", body)
	}
	_, body = get(t, s.srv.URL+"/sim/api/pushed?openid="+testOpenID+"&after=3")
	if err := json.Unmarshal(body, &out); err != nil || len(out.Messages) != 0 || out.Last != 3 {
		t.Fatalf("after 3: %s", body)
	}
}

func TestPageShowsTheInstalledMenu(t *testing.T) {
	s := newSim(t)
	get := func() []menuButton {
		resp, err := http.Get(s.srv.URL + "/sim/api/menu")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out []menuButton
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := get(); len(got) != 0 {
		t.Fatalf("no menu installed yet, got %+v", got)
	}
	apiSrv := httptest.NewServer(s.p.Handler())
	defer apiSrv.Close()
	a := &api{t: t, p: s.p, srv: apiSrv}
	menu := `{"button":[{"type":"click","name":"我要投诉","key":"COMPLAIN"},` +
		`{"name":"服务","sub_button":[{"type":"click","name":"查询进度","key":"QUERY"},{"type":"view","name":"官网","url":"https://example.org"}]}]}`
	if res := a.call("POST", "/cgi-bin/menu/create?access_token="+a.token(), menu); errcode(res) != 0 {
		t.Fatalf("create: %v", res)
	}
	got := get()
	if len(got) != 2 || got[0] != (menuButton{"我要投诉", "COMPLAIN"}) || got[1] != (menuButton{"查询进度", "QUERY"}) {
		t.Fatalf("menu shown: %+v", got)
	}
}
