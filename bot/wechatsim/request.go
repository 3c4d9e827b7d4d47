package wechatsim

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// RequestOption changes how BuildRequest builds a webhook request, so tests
// can craft the bad requests an attacker or a broken proxy would send.
type RequestOption func(*requestParts)

// requestParts is what BuildRequest assembles before and after signing.
type requestParts struct {
	timestamp *time.Time
	nonce     string
	plain     []byte
	body      []byte
	overrides [][2]string
	removals  []string
}

// WithTimestamp signs the request with t instead of the clock, e.g. a stale
// time to test the bot's replay check.
func WithTimestamp(t time.Time) RequestOption {
	return func(p *requestParts) { p.timestamp = &t }
}

// WithNonce signs the request with nonce instead of a random one.
func WithNonce(nonce string) RequestOption {
	return func(p *requestParts) { p.nonce = nonce }
}

// WithPlainXML replaces the message XML before it is encrypted and signed,
// so the request is correctly signed but carries malformed content.
func WithPlainXML(xml []byte) RequestOption {
	return func(p *requestParts) { p.plain = xml }
}

// WithBody replaces the HTTP body after signing, so msg_signature no longer
// matches in safe mode (or the body is simply tampered with in plain mode).
func WithBody(body []byte) RequestOption {
	return func(p *requestParts) { p.body = body }
}

// WithQuery sets URL parameter key to value after signing, e.g.
// WithQuery("signature", "bad").
func WithQuery(key, value string) RequestOption {
	return func(p *requestParts) { p.overrides = append(p.overrides, [2]string{key, value}) }
}

// WithoutQuery removes URL parameter key after signing.
func WithoutQuery(key string) RequestOption {
	return func(p *requestParts) { p.removals = append(p.removals, key) }
}

// BuildRequest fills m (see Fill) and returns the signed POST that WeChat
// would send for it, changed by opts. Send it with Do.
func (c *Client) BuildRequest(ctx context.Context, m Message, opts ...RequestOption) (*http.Request, error) {
	m = c.Fill(m)
	p := requestParts{nonce: newNonce(), plain: m.XML()}
	for _, o := range opts {
		o(&p)
	}
	at := c.now()
	if p.timestamp != nil {
		at = *p.timestamp
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	q := query{{"signature", Signature(c.Token, ts, p.nonce)}, {"timestamp", ts},
		{"nonce", p.nonce}, {"openid", m.FromUserName}}
	body := p.plain
	if c.Safe {
		enc, err := Encrypt(c.EncodingAESKey, c.AppID, p.plain)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		b.WriteString("<xml>")
		cdata(&b, "ToUserName", m.ToUserName)
		cdata(&b, "Encrypt", enc)
		b.WriteString("</xml>")
		body = b.Bytes()
		q = append(q, [2]string{"encrypt_type", "aes"},
			[2]string{"msg_signature", Signature(c.Token, ts, p.nonce, enc)})
	}
	if p.body != nil {
		body = p.body
	}
	q = p.apply(q)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.WebhookURL+"?"+q.encode(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "Mozilla/4.0")
	return req, nil
}

// apply returns q with the overrides and removals of p applied.
func (p *requestParts) apply(q query) query {
	for _, kv := range p.overrides {
		found := false
		for i := range q {
			if q[i][0] == kv[0] {
				q[i][1], found = kv[1], true
			}
		}
		if !found {
			q = append(q, kv)
		}
	}
	for _, key := range p.removals {
		out := q[:0]
		for _, kv := range q {
			if kv[0] != key {
				out = append(out, kv)
			}
		}
		q = out
	}
	return q
}

// urlEscape escapes a query key or value.
func urlEscape(s string) string {
	return url.QueryEscape(s)
}
