package wechatsim

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
)

// Lifetimes the platform enforces on its clock.
const (
	// TokenLifetime is how long an access_token lives (expires_in 7200).
	TokenLifetime = 7200 * time.Second
	// TokenGrace is how long a replaced access_token keeps working after a
	// new one is fetched, so instances can switch over.
	TokenGrace = 5 * time.Minute
	// MediaLifetime is how long temporary media can be downloaded.
	MediaLifetime = 72 * time.Hour
)

// Kinds of SentMessage.
const (
	KindCustom   = "custom"
	KindTemplate = "template"
)

// PlatformConfig configures a Platform.
type PlatformConfig struct {
	// AppID and AppSecret are the credentials the token endpoints accept.
	AppID, AppSecret string
	// Now is the base of the platform clock, which times tokens, media and
	// customer-service windows; nil means time.Now. Advance and SetNow move
	// the platform clock by an offset added to it.
	Now func() time.Time
}

// Platform simulates the WeChat API server (api.weixin.qq.com) that the bot
// calls: tokens, customer-service and template messages, media and menus.
// It records everything the bot sends, keeps each consumer's
// customer-service window (see ObserveMessage) and can be told to fail (see
// FailNext). It is safe for concurrent use.
type Platform struct {
	appID, secret string
	base          func() time.Time
	offset        atomic.Int64 // nanoseconds added to base by Advance and SetNow

	mu        sync.Mutex
	tokens    map[string]*issuedToken
	latest    map[string]string // lineage ("token" or "stable") → newest token
	media     map[string]storedMedia
	sent      []SentMessage
	menu      []MenuButton
	users     map[string]*userState
	nextMsgID int64
	faults    []*Fault
	down      bool
	calls     map[string]int // endpoint → API requests received
}

// issuedToken is one access_token the platform handed out.
type issuedToken struct {
	expires    time.Time
	superseded bool // replaced by a newer token of its lineage
	revoked    bool // expired early by ExpireTokens or a Fault
}

// storedMedia is one piece of temporary media.
type storedMedia struct {
	contentType string
	data        []byte
	added       time.Time
}

// SentMessage is one message the bot pushed through the API.
type SentMessage struct {
	// Seq numbers the messages the platform accepted, from 1, in order.
	Seq int
	// Kind is KindCustom or KindTemplate.
	Kind string
	// ToUser is the recipient's openid.
	ToUser string
	// MsgType is a customer-service message's msgtype (text, image, …).
	MsgType string
	// Content is the text of a text message (or of a msgmenu's head,
	// options and tail, one a line).
	Content string
	// MediaID is the media of an image, voice or video message.
	MediaID string
	// TemplateID is a template message's template.
	TemplateID string
	// URL is a template message's link.
	URL string
	// Data holds a template message's values by key.
	Data map[string]string
	// Fields holds the same values in the order they were sent.
	Fields []TemplateField
	// MsgID is the msgid returned for a template message.
	MsgID int64
	// At is the platform time it was accepted.
	At time.Time
	// Payload is the JSON body as received.
	Payload json.RawMessage
}

// TemplateField is one key and value of a template message's data.
type TemplateField struct {
	// Key is the data key, such as character_string1 or thing2.
	Key string `json:"key"`
	// Value is the text shown.
	Value string `json:"value"`
}

// MenuButton is one button of the custom menu.
type MenuButton struct {
	// Type is click, view, … (empty for a button holding sub-buttons).
	Type string `json:"type,omitempty"`
	// Name is the label.
	Name string `json:"name"`
	// Key is the EventKey of a click button.
	Key string `json:"key,omitempty"`
	// URL is the target of a view button.
	URL string `json:"url,omitempty"`
	// SubButtons are the items of a top-level button.
	SubButtons []MenuButton `json:"sub_button,omitempty"`
}

// NewPlatform returns an empty platform for one account.
func NewPlatform(cfg PlatformConfig) *Platform {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Platform{
		appID: cfg.AppID, secret: cfg.AppSecret, base: now,
		tokens: map[string]*issuedToken{}, latest: map[string]string{},
		media: map[string]storedMedia{}, users: map[string]*userState{},
		calls: map[string]int{}, nextMsgID: 2000000000,
	}
}

// Now returns the platform clock: PlatformConfig.Now (or time.Now) moved by
// Advance and SetNow.
func (p *Platform) Now() time.Time {
	return p.now()
}

// now is the platform clock.
func (p *Platform) now() time.Time {
	return p.base().Add(time.Duration(p.offset.Load()))
}

// Advance moves the platform clock forward by d (backward if d < 0), so
// tests can expire tokens, media and customer-service windows without
// waiting. The clock keeps running from there if its base does.
func (p *Platform) Advance(d time.Duration) {
	p.offset.Add(int64(d))
}

// SetNow sets the platform clock to t. The clock keeps running from t if its
// base does.
func (p *Platform) SetNow(t time.Time) {
	p.offset.Store(int64(t.Sub(p.base())))
}

// AddMedia stores temporary media, as a consumer's upload does, and returns
// its media_id. It can be downloaded for MediaLifetime.
func (p *Platform) AddMedia(contentType string, data []byte) (mediaID string) {
	id := randomID(64)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.media[id] = storedMedia{contentType: contentType, data: append([]byte(nil), data...), added: p.now()}
	return id
}

// Media returns stored media that has not expired. The caller must not
// modify data.
func (p *Platform) Media(mediaID string) (contentType string, data []byte, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.media[mediaID]
	if !ok || !p.now().Before(m.added.Add(MediaLifetime)) {
		return "", nil, false
	}
	return m.contentType, m.data, true
}

// Sent returns every message the bot pushed, in order. The messages share
// their Data, Fields and Payload with the platform: treat them as read-only.
func (p *Platform) Sent() []SentMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]SentMessage(nil), p.sent...)
}

// SentTo returns the messages pushed to openid, in order.
func (p *Platform) SentTo(openid string) []SentMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []SentMessage
	for _, m := range p.sent {
		if m.ToUser == openid {
			out = append(out, m)
		}
	}
	return out
}

// Menu returns the menu last created, or nil.
func (p *Platform) Menu() []MenuButton {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]MenuButton(nil), p.menu...)
}

// recordLocked appends m to the sent list, numbering it. The caller holds
// p.mu.
func (p *Platform) recordLocked(m SentMessage) SentMessage {
	m.Seq = len(p.sent) + 1
	m.At = p.now()
	if m.Kind == KindTemplate {
		p.nextMsgID++
		m.MsgID = p.nextMsgID
	}
	p.sent = append(p.sent, m)
	return m
}

// issueToken returns a new token of lineage, limiting the one it replaces
// to TokenGrace.
func (p *Platform) issueToken(lineage string) (string, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issueLocked(lineage)
}

// issueLocked is issueToken with p.mu held.
func (p *Platform) issueLocked(lineage string) (string, time.Duration) {
	now := p.now()
	if old, ok := p.tokens[p.latest[lineage]]; ok {
		old.superseded = true
		if grace := now.Add(TokenGrace); grace.Before(old.expires) {
			old.expires = grace
		}
	}
	tok := randomID(136)
	p.tokens[tok] = &issuedToken{expires: now.Add(TokenLifetime)}
	p.latest[lineage] = tok
	return tok, TokenLifetime
}

// stableToken returns the current stable token while it lives, or a new one.
func (p *Platform) stableToken(force bool) (string, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.tokens[p.latest["stable"]]; ok && !force && !t.revoked {
		if left := t.expires.Sub(p.now()); left > 0 {
			return p.latest["stable"], left
		}
	}
	return p.issueLocked("stable")
}

// checkToken returns WeChat's error code for an access_token, 0 if valid.
func (p *Platform) checkToken(tok string) int {
	if tok == "" {
		return 41001
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.tokens[tok]
	switch {
	case !ok:
		return 40001
	case t.revoked:
		return 42001
	case p.now().Before(t.expires):
		return 0
	case t.superseded:
		return 40001
	default:
		return 42001
	}
}

// ExpireTokens expires every access_token issued so far: each answers 42001
// (access_token expired) on its next use, and the token endpoints hand out
// new ones, as after WeChat revokes tokens or the secret is reset.
func (p *Platform) ExpireTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.tokens {
		t.revoked = true
	}
}

// expireToken expires one access_token, if the platform issued it.
func (p *Platform) expireToken(tok string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.tokens[tok]; ok {
		t.revoked = true
	}
}
