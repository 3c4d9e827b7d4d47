package wechatsim

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultAccount is the ToUserName used when Client.Account is empty.
const DefaultAccount = "gh_wechatsim0001"

// maxReplyBytes bounds how much of a webhook reply is read.
const maxReplyBytes = 1 << 20

// defaultHTTP waits 5 seconds, as WeChat does before it gives up on a reply
// and retries.
var defaultHTTP = &http.Client{Timeout: 5 * time.Second}

// Client posts inbound messages to the bot's webhook the way the WeChat
// server does and checks the passive reply. It is safe for concurrent use
// once its fields are set.
type Client struct {
	// WebhookURL is the bot's callback URL, without query.
	WebhookURL string
	// Token is the callback token shared with the bot.
	Token string
	// AppID is the account's appid, sealed into encrypted messages.
	AppID string
	// EncodingAESKey is the 43-character key used in safe mode.
	EncodingAESKey string
	// Safe selects safe mode (encrypt_type=aes): bodies are encrypted and
	// replies must be encrypted and carry a valid MsgSignature.
	Safe bool
	// Account is the account's original id (gh_…), sent as ToUserName;
	// empty means DefaultAccount.
	Account string
	// HTTP sends the requests; nil means a client with WeChat's 5 s timeout.
	HTTP *http.Client
	// Now is the clock for CreateTime and timestamp; nil means time.Now.
	Now func() time.Time
	// Platform, if set, is told of each message Send sends (see
	// Platform.ObserveMessage: it opens the customer-service window and
	// keeps the following state) and stores the media of voice messages.
	// Without it the platform refuses customer-service messages to the
	// consumer with 45015, as WeChat does to someone who never wrote.
	Platform *Platform
}

// Reply is the webhook's answer to one inbound message.
type Reply struct {
	// Status is the HTTP status code.
	Status int
	// Body is the raw HTTP body as received.
	Body []byte
	// MsgType is the passive reply's type (text, image, …); empty on Success.
	MsgType string
	// Content is the text of a text reply.
	Content string
	// MediaID is the media of an image, voice or video reply.
	MediaID string
	// Success is true when the bot answered "success" or an empty body,
	// meaning it has nothing to say now.
	Success bool
	// XML is the reply's plaintext XML, decrypted in safe mode.
	XML []byte
	// Sent is the message as sent, with MsgID and CreateTime filled in;
	// sending it again simulates WeChat's retry.
	Sent Message
}

// StatusError reports a webhook answer other than 200 OK, which WeChat
// treats as a failure and retries.
type StatusError struct {
	// Status is the HTTP status code.
	Status int
	// Body is the start of the response body.
	Body string
}

// Error describes the failure.
func (e *StatusError) Error() string {
	return fmt.Sprintf("wechatsim: webhook answered HTTP %d: %.200s", e.Status, e.Body)
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) account() string {
	if c.Account != "" {
		return c.Account
	}
	return DefaultAccount
}

// Fill returns m with what WeChat adds filled in: ToUserName, CreateTime
// from the clock, and a fresh MsgID for non-event messages. Fields already
// set are kept, so a filled message can be sent again as a retry.
func (c *Client) Fill(m Message) Message {
	if m.ToUserName == "" {
		m.ToUserName = c.account()
	}
	if m.CreateTime == 0 {
		m.CreateTime = c.now().Unix()
	}
	if m.MsgType == MsgEvent {
		m.MsgID = 0
	} else if m.MsgID == 0 {
		m.MsgID = NewMsgID()
	}
	return m
}

// Send fills m (see Fill), posts it to the webhook and checks the reply. An
// HTTP status other than 200 returns the Reply together with a *StatusError;
// a reply WeChat would refuse (bad MsgSignature, undecryptable, malformed,
// addressed to someone else) is an error.
func (c *Client) Send(ctx context.Context, m Message) (*Reply, error) {
	m = c.Fill(m)
	if c.Platform != nil {
		c.Platform.ObserveMessage(m)
	}
	req, err := c.BuildRequest(ctx, m)
	if err != nil {
		return nil, err
	}
	r, err := c.Do(req)
	if r != nil {
		r.Sent = m
	}
	return r, err
}

// Text sends a text message from openid.
func (c *Client) Text(ctx context.Context, openid, content string) (*Reply, error) {
	return c.Send(ctx, Message{FromUserName: openid, MsgType: MsgText, Content: content})
}

// Image sends an image message from openid; mediaID should name media the
// Platform holds (see Platform.AddMedia) so the bot can download it.
func (c *Client) Image(ctx context.Context, openid, mediaID, picURL string) (*Reply, error) {
	return c.Send(ctx, Message{FromUserName: openid, MsgType: MsgImage, MediaID: mediaID, PicURL: picURL})
}

// amrHeader is the magic of an AMR file; the voice media stored for a
// simulated voice message is just this header.
var amrHeader = []byte("#!AMR\n")

// Voice sends a voice message from openid whose speech recognition is
// recognition. With a Platform set its media is stored there.
func (c *Client) Voice(ctx context.Context, openid, recognition string) (*Reply, error) {
	mediaID := randomID(64)
	if c.Platform != nil {
		mediaID = c.Platform.AddMedia("audio/amr", amrHeader)
	}
	return c.Send(ctx, Message{FromUserName: openid, MsgType: MsgVoice, MediaID: mediaID,
		Format: "amr", Recognition: recognition})
}

// Location sends a location message from openid at latitude lat and
// longitude lng.
func (c *Client) Location(ctx context.Context, openid string, lat, lng float64, label string) (*Reply, error) {
	return c.Send(ctx, Message{FromUserName: openid, MsgType: MsgLocation,
		LocationX: lat, LocationY: lng, Scale: 15, Label: label})
}

// Event sends an event (EventSubscribe, EventClick with its key, …) from
// openid.
func (c *Client) Event(ctx context.Context, openid, event, key string) (*Reply, error) {
	return c.Send(ctx, Message{FromUserName: openid, MsgType: MsgEvent, Event: event, EventKey: key})
}

// VerifyURL performs WeChat's URL check: a signed GET carrying echostr. It
// returns the body and an error unless the webhook echoed echostr with 200.
func (c *Client) VerifyURL(ctx context.Context, echostr string) (string, error) {
	ts, nonce := strconv.FormatInt(c.now().Unix(), 10), newNonce()
	q := query{{"signature", Signature(c.Token, ts, nonce)}, {"timestamp", ts},
		{"nonce", nonce}, {"echostr", echostr}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.WebhookURL+"?"+q.encode(), nil)
	if err != nil {
		return "", err
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), &StatusError{Status: resp.StatusCode, Body: string(body)}
	}
	if string(body) != echostr {
		return string(body), fmt.Errorf("wechatsim: URL check echoed %.100q, want %q", body, echostr)
	}
	return string(body), nil
}

// Do sends a request made by BuildRequest (perhaps tampered with) and checks
// the reply as Send does. Reply.Sent is left empty, and the Platform is not
// told of the message (call Platform.ObserveMessage for that).
func (c *Client) Do(req *http.Request) (*Reply, error) {
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return nil, err
	}
	return c.ReadReply(resp.StatusCode, body, req.URL.Query().Get("openid"))
}

// ReadReply checks an answer to a callback from openid, received by other
// means than Do (a load generator's own connection), as Do does.
func (c *Client) ReadReply(status int, body []byte, openid string) (*Reply, error) {
	r := &Reply{Status: status, Body: body}
	if status != http.StatusOK {
		return r, &StatusError{Status: status, Body: string(body)}
	}
	return r, c.parseReply(r, openid)
}

// parseReply fills r from its body, decrypting and verifying in safe mode.
func (c *Client) parseReply(r *Reply, openid string) error {
	trimmed := bytes.TrimSpace(r.Body)
	if len(trimmed) == 0 || string(trimmed) == "success" {
		r.Success = true
		return nil
	}
	plain := trimmed
	if c.Safe {
		var err error
		if plain, err = c.openReply(trimmed); err != nil {
			return err
		}
	}
	r.XML = plain
	return c.checkPassive(r, plain, openid)
}

// encryptedReply is the envelope of a safe-mode passive reply.
type encryptedReply struct {
	Encrypt      string `xml:"Encrypt"`
	MsgSignature string `xml:"MsgSignature"`
	TimeStamp    string `xml:"TimeStamp"`
	Nonce        string `xml:"Nonce"`
}

// openReply verifies a safe-mode reply's MsgSignature and decrypts it.
func (c *Client) openReply(body []byte) ([]byte, error) {
	var env encryptedReply
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("wechatsim: safe-mode reply is not XML: %w", err)
	}
	if env.Encrypt == "" {
		return nil, errors.New("wechatsim: safe-mode reply is not encrypted")
	}
	want := Signature(c.Token, env.TimeStamp, env.Nonce, env.Encrypt)
	if !signatureEqual(env.MsgSignature, want) {
		return nil, errors.New("wechatsim: reply MsgSignature does not verify")
	}
	plain, err := Decrypt(c.EncodingAESKey, c.AppID, env.Encrypt)
	if err != nil {
		return nil, fmt.Errorf("wechatsim: decrypt reply: %w", err)
	}
	if len(bytes.TrimSpace(plain)) == 0 {
		return nil, errors.New("wechatsim: encrypted reply holds an empty message (reply \"success\" instead)")
	}
	return plain, nil
}

// passiveReply is the plaintext XML of a passive reply.
type passiveReply struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	Image        mediaRef `xml:"Image"`
	Voice        mediaRef `xml:"Voice"`
	Video        mediaRef `xml:"Video"`
}

// mediaRef is the media element of an image, voice or video reply.
type mediaRef struct {
	MediaID string `xml:"MediaId"`
}

// replyTypes are the passive reply types WeChat accepts.
var replyTypes = map[string]bool{"text": true, "image": true, "voice": true, "video": true,
	"music": true, "news": true, "transfer_customer_service": true}

// checkPassive parses a passive reply and refuses what WeChat would not
// deliver to the consumer.
func (c *Client) checkPassive(r *Reply, plain []byte, openid string) error {
	var p passiveReply
	if err := xml.Unmarshal(plain, &p); err != nil {
		return fmt.Errorf("wechatsim: reply is not valid XML: %w", err)
	}
	if !replyTypes[p.MsgType] {
		return fmt.Errorf("wechatsim: reply has unsupported MsgType %q", p.MsgType)
	}
	if openid != "" && p.ToUserName != openid {
		return fmt.Errorf("wechatsim: reply ToUserName %q, want the sender %q", p.ToUserName, openid)
	}
	if p.FromUserName != c.account() {
		return fmt.Errorf("wechatsim: reply FromUserName %q, want the account %q", p.FromUserName, c.account())
	}
	if p.CreateTime == 0 {
		return errors.New("wechatsim: reply has no CreateTime")
	}
	r.MsgType, r.Content = p.MsgType, p.Content
	r.MediaID = p.Image.MediaID + p.Voice.MediaID + p.Video.MediaID
	return nil
}

// query is an ordered list of URL parameters, so the URL reads in WeChat's
// own order (signature, timestamp, nonce, openid, …).
type query [][2]string

func (q query) encode() string {
	parts := make([]string, len(q))
	for i, kv := range q {
		parts[i] = urlEscape(kv[0]) + "=" + urlEscape(kv[1])
	}
	return strings.Join(parts, "&")
}

// newNonce returns a decimal nonce like WeChat's.
func newNonce() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[:])), 10)
}

// idAlphabet is the alphabet of WeChat's media ids and tokens.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// randomID returns n random characters of idAlphabet.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[b[i]&63]
	}
	return string(b)
}
