package wechatsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxAPIBody bounds the JSON bodies the API endpoints read.
const maxAPIBody = 1 << 20

// errMessages are WeChat's errmsg texts for the codes the platform returns.
var errMessages = map[int]string{
	-1:    "system error",
	0:     "ok",
	40001: "invalid credential, access_token is invalid or not latest",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40007: "invalid media_id",
	40008: "invalid message type",
	40013: "invalid appid",
	40016: "invalid button size",
	40017: "invalid button type",
	40018: "invalid button name size",
	40019: "invalid button key size",
	40020: "invalid button url size",
	40023: "invalid sub button size",
	40037: "invalid template_id",
	40125: "invalid appsecret",
	41001: "access_token missing",
	41002: "appid missing",
	41004: "appsecret missing",
	42001: "access_token expired",
	43001: "require GET method",
	43002: "require POST method",
	43004: "require subscribe",
	44004: "empty content",
	45009: "reach max api daily quota limit",
	45011: "api minute-quota reach limit  mustslower  retry next minute",
	45015: "response out of time limit or subscription is canceled",
	45047: "out of response count limit",
	47001: "data format error",
	47003: "argument invalid!",
}

// Handler serves the API at its root, as api.weixin.qq.com does: point the
// bot's WeChat library at it (util.SetURIModifier) to use the simulator.
// Every call passes through SetDown and the faults queued by FailNext.
func (p *Platform) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/token", p.method(http.MethodGet, p.handleToken))
	mux.HandleFunc("/cgi-bin/stable_token", p.method(http.MethodPost, p.handleStableToken))
	mux.HandleFunc("/cgi-bin/message/custom/send", p.method(http.MethodPost, p.authed(p.handleCustomSend)))
	mux.HandleFunc("/cgi-bin/message/template/send", p.method(http.MethodPost, p.authed(p.handleTemplateSend)))
	mux.HandleFunc("/cgi-bin/media/get", p.method(http.MethodGet, p.authed(p.handleMediaGet)))
	mux.HandleFunc("/cgi-bin/menu/create", p.method(http.MethodPost, p.authed(p.handleMenuCreate)))
	return p.faulty(mux)
}

// writeResult writes WeChat's JSON result. Errors carry a request id in
// errmsg, as WeChat's do, so callers branch on errcode, not on the text.
func writeResult(w http.ResponseWriter, code int, extra map[string]any) {
	msg, ok := errMessages[code]
	if !ok {
		msg = "simulated error"
	}
	body := map[string]any{"errcode": code, "errmsg": msg}
	if code != 0 {
		body["errmsg"] = fmt.Sprintf("%s rid: %s", msg, randomID(8))
	}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, body)
}

// writeJSON writes v with the content type WeChat uses.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// method answers WeChat's 43001/43002 when the HTTP method is wrong.
func (p *Platform) method(want string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != want {
			code := 43002
			if want == http.MethodGet {
				code = 43001
			}
			writeResult(w, code, nil)
			return
		}
		h(w, r)
	}
}

// authed checks the access_token query parameter before h runs.
func (p *Platform) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if code := p.checkToken(r.URL.Query().Get("access_token")); code != 0 {
			writeResult(w, code, nil)
			return
		}
		h(w, r)
	}
}

// checkCredentials returns the error code for a token request, 0 if good.
func (p *Platform) checkCredentials(grantType, appID, secret string) int {
	switch {
	case grantType != "client_credential":
		return 40002
	case appID == "":
		return 41002
	case appID != p.appID:
		return 40013
	case secret == "":
		return 41004
	case secret != p.secret:
		return 40125
	}
	return 0
}

// handleToken serves GET /cgi-bin/token: every call issues a new token.
func (p *Platform) handleToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if code := p.checkCredentials(q.Get("grant_type"), q.Get("appid"), q.Get("secret")); code != 0 {
		writeResult(w, code, nil)
		return
	}
	tok, ttl := p.issueToken("token")
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": int(ttl / time.Second)})
}

// handleStableToken serves POST /cgi-bin/stable_token: the same token until
// it expires, unless force_refresh asks for a new one.
func (p *Platform) handleStableToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if _, ok := decodeBody(w, r, &req); !ok {
		return
	}
	if code := p.checkCredentials(req.GrantType, req.AppID, req.Secret); code != 0 {
		writeResult(w, code, nil)
		return
	}
	tok, ttl := p.stableToken(req.ForceRefresh)
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": int(ttl / time.Second)})
}

// decodeBody reads a JSON body into v and returns it raw, answering 47001
// when it cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) (json.RawMessage, bool) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err == nil {
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		writeResult(w, 47001, nil)
		return nil, false
	}
	return raw, true
}

// customPayload is the body of a customer-service message.
type customPayload struct {
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	Text    *struct {
		Content string `json:"content"`
	} `json:"text"`
	Image   *mediaPayload `json:"image"`
	Voice   *mediaPayload `json:"voice"`
	Video   *mediaPayload `json:"video"`
	MsgMenu *struct {
		HeadContent string `json:"head_content"`
		List        []struct {
			ID      string `json:"id"`
			Content string `json:"content"`
		} `json:"list"`
		TailContent string `json:"tail_content"`
	} `json:"msgmenu"`
}

// mediaPayload names media in a customer-service message.
type mediaPayload struct {
	MediaID string `json:"media_id"`
}

// customTypes are the msgtypes of customer-service messages.
var customTypes = map[string]bool{"text": true, "image": true, "voice": true, "video": true,
	"music": true, "news": true, "mpnews": true, "mpnewsarticle": true, "msgmenu": true,
	"wxcard": true, "miniprogrampage": true}

// handleCustomSend serves POST /cgi-bin/message/custom/send: a valid
// message is recorded if the recipient's customer-service window allows it
// (see ObserveMessage), else refused with 45015 or 45047.
func (p *Platform) handleCustomSend(w http.ResponseWriter, r *http.Request) {
	var c customPayload
	raw, ok := decodeBody(w, r, &c)
	if !ok {
		return
	}
	m, code := customMessage(c)
	if code != 0 {
		writeResult(w, code, nil)
		return
	}
	m.Payload = raw
	writeResult(w, p.deliverCustom(m), nil)
}

// customMessage validates a customer-service message and converts it.
func customMessage(c customPayload) (SentMessage, int) {
	m := SentMessage{Kind: KindCustom, ToUser: c.ToUser, MsgType: c.MsgType}
	switch {
	case c.ToUser == "":
		return m, 40003
	case !customTypes[c.MsgType]:
		return m, 40008
	}
	switch c.MsgType {
	case "text":
		if c.Text == nil || c.Text.Content == "" {
			return m, 44004
		}
		m.Content = c.Text.Content
	case "image", "voice", "video":
		ref := map[string]*mediaPayload{"image": c.Image, "voice": c.Voice, "video": c.Video}[c.MsgType]
		if ref == nil || ref.MediaID == "" {
			return m, 40007
		}
		m.MediaID = ref.MediaID
	case "msgmenu":
		if c.MsgMenu == nil {
			return m, 47001
		}
		lines := []string{c.MsgMenu.HeadContent}
		for _, item := range c.MsgMenu.List {
			lines = append(lines, item.Content)
		}
		m.Content = strings.Join(append(lines, c.MsgMenu.TailContent), "\n")
	}
	return m, 0
}

// handleTemplateSend serves POST /cgi-bin/message/template/send. Template
// messages ignore the customer-service window but need a following
// recipient (43004 after an unsubscribe).
func (p *Platform) handleTemplateSend(w http.ResponseWriter, r *http.Request) {
	var t struct {
		ToUser     string          `json:"touser"`
		TemplateID string          `json:"template_id"`
		URL        string          `json:"url"`
		Data       json.RawMessage `json:"data"`
	}
	raw, ok := decodeBody(w, r, &t)
	if !ok {
		return
	}
	if t.ToUser == "" {
		writeResult(w, 40003, nil)
		return
	}
	if t.TemplateID == "" {
		writeResult(w, 40037, nil)
		return
	}
	fields, err := orderedFields(t.Data)
	if err != nil {
		writeResult(w, 47001, nil)
		return
	}
	if bad := checkFields(fields); bad != "" {
		writeResult(w, 47003, map[string]any{"errmsg": "argument invalid! data." + bad + ".value invalid rid: " + randomID(8)})
		return
	}
	m := SentMessage{Kind: KindTemplate, ToUser: t.ToUser, MsgType: "template", TemplateID: t.TemplateID,
		URL: t.URL, Fields: fields, Data: map[string]string{}, Payload: raw}
	for _, f := range fields {
		m.Data[f.Key] = f.Value
	}
	m, code := p.deliverTemplate(m)
	if code != 0 {
		writeResult(w, code, nil)
		return
	}
	writeResult(w, 0, map[string]any{"msgid": m.MsgID})
}

// orderedFields decodes a template's data object keeping the key order.
func orderedFields(raw json.RawMessage) ([]TemplateField, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("data is not an object")
	}
	var out []TemplateField
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var item struct {
			Value string `json:"value"`
		}
		if err := dec.Decode(&item); err != nil {
			return nil, err
		}
		out = append(out, TemplateField{Key: key.(string), Value: item.Value})
	}
	return out, nil
}

// checkFields applies the limits of category-template keywords (thing ≤ 20
// characters, character_string ≤ 32 ASCII characters, phrase ≤ 5
// characters) and returns the first key that breaks them.
func checkFields(fields []TemplateField) string {
	for _, f := range fields {
		kind := strings.TrimRight(f.Key, "0123456789")
		n := utf8.RuneCountInString(f.Value)
		switch {
		case kind == "thing" && n > 20,
			kind == "phrase" && n > 5,
			kind == "character_string" && (len(f.Value) > 32 || !isPrintableASCII(f.Value)):
			return f.Key
		}
	}
	return ""
}

// isPrintableASCII reports whether s holds only printable ASCII.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// handleMediaGet serves GET /cgi-bin/media/get: the bytes, or 40007.
func (p *Platform) handleMediaGet(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("media_id")
	ct, data, ok := p.Media(id)
	if !ok {
		writeResult(w, 40007, nil)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+mediaExt(ct)+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// mediaExt returns the file extension WeChat uses for a content type.
func mediaExt(ct string) string {
	switch ct {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "audio/amr":
		return ".amr"
	}
	return ""
}

// handleMenuCreate serves POST /cgi-bin/menu/create.
func (p *Platform) handleMenuCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Button []MenuButton `json:"button"`
	}
	if _, ok := decodeBody(w, r, &body); !ok {
		return
	}
	if code := checkMenu(body.Button); code != 0 {
		writeResult(w, code, nil)
		return
	}
	p.mu.Lock()
	p.menu = body.Button
	p.mu.Unlock()
	writeResult(w, 0, nil)
}

// checkMenu applies WeChat's menu limits: 1–3 buttons, up to 5 sub-items,
// named, click buttons with a key, view buttons with a URL.
func checkMenu(buttons []MenuButton) int {
	if len(buttons) == 0 || len(buttons) > 3 {
		return 40016
	}
	for _, b := range buttons {
		if len(b.SubButtons) > 5 {
			return 40023
		}
		if code := checkButton(b, len(b.SubButtons) > 0); code != 0 {
			return code
		}
		for _, s := range b.SubButtons {
			if code := checkButton(s, false); code != 0 {
				return code
			}
		}
	}
	return 0
}

// checkButton checks one button; a parent needs only a name.
func checkButton(b MenuButton, parent bool) int {
	switch {
	case b.Name == "" || len(b.Name) > 60:
		return 40018
	case parent:
		return 0
	case b.Type == "click" && (b.Key == "" || len(b.Key) > 128):
		return 40019
	case b.Type == "view" && (b.URL == "" || len(b.URL) > 1024):
		return 40020
	case b.Type == "":
		return 40017
	}
	return 0
}
