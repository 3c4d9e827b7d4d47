package wechatsim

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Upload and request limits of the /sim page.
const (
	// MaxPhotoBytes is the largest photo the page accepts.
	MaxPhotoBytes = 5 << 20
	// maxSendBody bounds the JSON body of api/send.
	maxSendBody = 64 << 10
	// maxTextRunes bounds a typed message.
	maxTextRunes = 2000
	// pageTimeout bounds one relay to the webhook: WeChat's 5 s plus margin.
	pageTimeout = 8 * time.Second
)

// pageCSP forbids inline script and style and any other origin.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// sampleLocation is what the 发送位置 button sends.
var sampleLocation = struct {
	Lat, Lng float64
	Label    string
}{23.134521, 113.358803, "广东省广州市天河区天河路208号"}

//go:embed static
var staticFiles embed.FS

// pageTemplate is the chat page, parsed once.
var pageTemplate = template.Must(template.ParseFS(staticFiles, "static/index.html"))

// openidPattern is what the page accepts as an openid.
var openidPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// photoTypes are the sniffed content types a photo may have.
var photoTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true}

// PageConfig configures the /sim page. Client and Platform are required.
type PageConfig struct {
	// Client relays the person's messages to the bot's webhook.
	Client *Client
	// Platform stores uploaded photos and holds the messages the bot pushed.
	Platform *Platform
	// BasePath is where the page is mounted; empty means "/sim".
	BasePath string
}

// page serves the /sim chat page and its JSON endpoints.
type page struct {
	client   *Client
	platform *Platform
	base     string
}

// NewPage returns the handler of the browser chat page where a person plays
// the consumer. It serves, under BasePath: the page itself, its static files,
// POST api/send, POST api/photo, GET api/pushed and GET media/{id}. POSTs
// must carry the X-Sim header, which a cross-site form cannot set.
func NewPage(cfg PageConfig) http.Handler {
	if cfg.Client == nil || cfg.Platform == nil {
		panic("wechatsim: NewPage needs a Client and a Platform")
	}
	base := strings.TrimRight(cfg.BasePath, "/")
	if base == "" {
		base = "/sim"
	}
	p := &page{client: cfg.Client, platform: cfg.Platform, base: base}
	static, _ := fs.Sub(staticFiles, "static")
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+base+"/{$}", p.handleIndex)
	mux.HandleFunc("GET "+base, p.handleIndex)
	mux.Handle("GET "+base+"/static/", http.StripPrefix(base+"/static/", http.FileServerFS(static)))
	mux.HandleFunc("POST "+base+"/api/send", p.handleSend)
	mux.HandleFunc("POST "+base+"/api/photo", p.handlePhoto)
	mux.HandleFunc("GET "+base+"/api/pushed", p.handlePushed)
	mux.HandleFunc("GET "+base+"/api/menu", p.handleMenu)
	mux.HandleFunc("GET "+base+"/media/{id}", p.handleMedia)
	return securityHeaders(mux)
}

// securityHeaders adds the headers every page response carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", pageCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if r.Method == http.MethodPost && r.Header.Get("X-Sim") == "" {
			http.Error(w, "missing X-Sim header", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// indexView is the data of the page template.
type indexView struct {
	Base    string
	OpenID  string
	Account string
}

// handleIndex renders the chat page with a fresh consumer openid.
func (p *page) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	v := indexView{Base: p.base, OpenID: "o" + randomID(27), Account: p.client.account()}
	_ = pageTemplate.Execute(w, v)
}

// sendRequest is the body of api/send.
type sendRequest struct {
	OpenID  string  `json:"openid"`
	Type    string  `json:"type"` // text, voice, location or event
	Content string  `json:"content"`
	Event   string  `json:"event"`
	Key     string  `json:"key"`
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	Label   string  `json:"label"`
}

// sendResponse is what api/send and api/photo return.
type sendResponse struct {
	OK bool `json:"ok"`
	// Relayed is true once the message went to the webhook; an error then
	// means the bot failed, not the person's input.
	Relayed bool   `json:"relayed"`
	Status  int    `json:"status,omitempty"`
	Success bool   `json:"success"`
	MsgType string `json:"msgType,omitempty"`
	Content string `json:"content,omitempty"`
	MediaID string `json:"mediaId,omitempty"`
	Error   string `json:"error,omitempty"`
	// MsgID is the id of the message sent, as a string for JavaScript.
	MsgID string `json:"msgId,omitempty"`
	// SentMediaID is the media of the image sent, for the consumer's bubble.
	SentMediaID string `json:"sentMediaId,omitempty"`
}

// handleSend relays one message from the page to the webhook.
func (p *page) handleSend(w http.ResponseWriter, r *http.Request) {
	var req sendRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSendBody))
	if err := dec.Decode(&req); err != nil {
		pageError(w, http.StatusBadRequest, "请求格式错误")
		return
	}
	m, msg := req.message()
	if msg != "" {
		pageError(w, http.StatusBadRequest, msg)
		return
	}
	p.relay(w, r, m)
}

// message turns a page request into an inbound message, or explains why not.
func (req sendRequest) message() (Message, string) {
	m := Message{FromUserName: req.OpenID, MsgType: req.Type}
	if !openidPattern.MatchString(req.OpenID) {
		return m, "openid 只能包含字母、数字、- 和 _"
	}
	n := utf8.RuneCountInString(req.Content)
	switch req.Type {
	case MsgText, MsgVoice:
		if strings.TrimSpace(req.Content) == "" || n > maxTextRunes {
			return m, "消息不能为空，且不超过 2000 字"
		}
		m.Content = req.Content
		if req.Type == MsgVoice {
			m.Content, m.Recognition, m.Format, m.MediaID = "", req.Content, "amr", ""
		}
	case MsgLocation:
		m.LocationX, m.LocationY, m.Scale, m.Label = req.Lat, req.Lng, 15, req.Label
	case MsgEvent:
		switch req.Event {
		case EventSubscribe, EventUnsubscribe, EventClick, EventView:
		default:
			return m, "不支持的事件"
		}
		m.Event, m.EventKey = req.Event, req.Key
	default:
		return m, "不支持的消息类型"
	}
	return m, ""
}

// relay sends m through the Client and writes the decoded reply.
func (p *page) relay(w http.ResponseWriter, r *http.Request, m Message) {
	if m.MsgType == MsgVoice {
		m.MediaID = p.platform.AddMedia("audio/amr", amrHeader)
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	c := *p.client
	if c.Platform == nil {
		c.Platform = p.platform
	}
	reply, err := c.Send(ctx, m)
	resp := sendResponse{OK: err == nil, Relayed: true}
	if m.MsgType == MsgImage {
		resp.SentMediaID = m.MediaID
	}
	if reply != nil {
		resp.Status, resp.Success = reply.Status, reply.Success
		resp.MsgType, resp.Content, resp.MediaID = reply.MsgType, reply.Content, reply.MediaID
		if reply.Sent.MsgID != 0 {
			resp.MsgID = strconv.FormatInt(reply.Sent.MsgID, 10)
		}
	}
	status := http.StatusOK
	if err != nil {
		resp.Error, status = err.Error(), http.StatusBadGateway
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

// pageError writes a JSON error the page shows to the person.
func pageError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(sendResponse{Error: msg})
}

// handlePhoto stores an uploaded photo as temporary media and sends an image
// message naming it, as WeChat does when a consumer sends a picture.
func (p *page) handlePhoto(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxPhotoBytes+64<<10)
	openid, data, status, msg := readPhotoForm(r)
	if msg != "" {
		pageError(w, status, msg)
		return
	}
	ct := http.DetectContentType(data)
	if !photoTypes[ct] {
		pageError(w, http.StatusUnsupportedMediaType, "只能发送 JPEG、PNG 或 GIF 图片")
		return
	}
	id := p.platform.AddMedia(ct, data)
	p.relay(w, r, Message{FromUserName: openid, MsgType: MsgImage, MediaID: id,
		PicURL: absoluteURL(r, p.base+"/media/"+id)})
}

// readPhotoForm reads the openid and photo fields of a multipart upload,
// returning an HTTP status and a message for the person when it fails.
func readPhotoForm(r *http.Request) (openid string, data []byte, status int, msg string) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, http.StatusBadRequest, "请求格式错误"
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, uploadStatus(err), "上传失败或图片超过 5 MB"
		}
		switch part.FormName() {
		case "openid":
			b, _ := io.ReadAll(io.LimitReader(part, 128))
			openid = string(b)
		case "photo":
			if data, err = readLimited(part, MaxPhotoBytes); err != nil {
				return "", nil, uploadStatus(err), "上传失败或图片超过 5 MB"
			}
		}
	}
	switch {
	case !openidPattern.MatchString(openid):
		return "", nil, http.StatusBadRequest, "openid 只能包含字母、数字、- 和 _"
	case len(data) == 0:
		return "", nil, http.StatusBadRequest, "没有收到图片"
	}
	return openid, data, 0, ""
}

// errTooLarge reports a part over its limit.
var errTooLarge = errors.New("wechatsim: upload too large")

// readLimited reads at most limit bytes of part, failing beyond.
func readLimited(part *multipart.Part, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge
	}
	return data, nil
}

// uploadStatus maps an upload error to 413 when it is about size.
func uploadStatus(err error) int {
	var mbe *http.MaxBytesError
	if errors.Is(err, errTooLarge) || errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// absoluteURL makes path absolute on the host the request came to, as a
// PicUrl is.
func absoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// handleMedia serves stored media to the page (the PicUrl of photos).
func (p *page) handleMedia(w http.ResponseWriter, r *http.Request) {
	ct, data, ok := p.platform.Media(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	if !photoTypes[ct] {
		w.Header().Set("Content-Disposition", "attachment")
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// pushedMessage is one pushed message as the page shows it. Only messages
// the platform accepted are listed: one it refused (45015, 45047, 43004)
// never reached the consumer and never shows.
type pushedMessage struct {
	Seq        int           `json:"seq"`
	Kind       string        `json:"kind"`
	MsgType    string        `json:"msgType"`
	Content    string        `json:"content,omitempty"`
	MediaID    string        `json:"mediaId,omitempty"`
	TemplateID string        `json:"templateId,omitempty"`
	URL        string        `json:"url,omitempty"`
	Fields     []pushedField `json:"fields,omitempty"`
	At         int64         `json:"at"`
}

// pushedField is one line of a template message card.
type pushedField struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// fieldLabels name the keyword kinds of category templates as the card
// shows them; the number after the kind is dropped (character_string1 →
// 编号).
var fieldLabels = map[string]string{
	"character_string": "编号", "phrase": "状态", "time": "时间", "date": "日期",
	"thing": "内容", "amount": "金额", "number": "数量", "name": "姓名",
	"phone_number": "电话", "car_number": "车牌", "letter": "字母", "symbol": "符号",
	"const": "说明", "keyword": "项目",
}

// fieldLabel returns the label of a template data key: first and remark
// (the opening and closing lines of classic templates) have none, unknown
// keys show as themselves.
func fieldLabel(key string) string {
	if key == "first" || key == "remark" {
		return ""
	}
	if l, ok := fieldLabels[strings.TrimRight(key, "0123456789")]; ok {
		return l
	}
	return key
}

// pushedFields labels a template message's fields for the card.
func pushedFields(fields []TemplateField) []pushedField {
	var out []pushedField
	for _, f := range fields {
		out = append(out, pushedField{Key: f.Key, Label: fieldLabel(f.Key), Value: f.Value})
	}
	return out
}

// handlePushed lists the messages pushed to openid after sequence number
// "after", for the page's polling.
// menuButton is one clickable menu entry as the page shows it.
type menuButton struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// handleMenu returns the menu the account installed through menu/create, its
// CLICK entries flattened (sub-menus included), so the page shows what a phone
// would. An account with no menu yet gets an empty list and the page keeps its
// built-in one.
func (p *page) handleMenu(w http.ResponseWriter, r *http.Request) {
	out := []menuButton{}
	var walk func([]MenuButton)
	walk = func(buttons []MenuButton) {
		for _, b := range buttons {
			if strings.EqualFold(b.Type, "click") {
				out = append(out, menuButton{Name: b.Name, Key: b.Key})
			}
			walk(b.SubButtons)
		}
	}
	walk(p.platform.Menu())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

func (p *page) handlePushed(w http.ResponseWriter, r *http.Request) {
	openid := r.URL.Query().Get("openid")
	after, _ := strconv.Atoi(r.URL.Query().Get("after"))
	out := struct {
		Messages []pushedMessage `json:"messages"`
		Last     int             `json:"last"`
	}{Messages: []pushedMessage{}, Last: after}
	for _, m := range p.platform.SentTo(openid) {
		if m.Seq <= after {
			continue
		}
		out.Messages = append(out.Messages, pushedMessage{Seq: m.Seq, Kind: m.Kind, MsgType: m.MsgType,
			Content: m.Content, MediaID: m.MediaID, TemplateID: m.TemplateID, URL: m.URL,
			Fields: pushedFields(m.Fields), At: m.At.Unix()})
		out.Last = m.Seq
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}
