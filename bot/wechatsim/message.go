package wechatsim

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"strings"
	"sync/atomic"
)

// Message types of inbound messages, the MsgType element.
const (
	MsgText       = "text"
	MsgImage      = "image"
	MsgVoice      = "voice"
	MsgVideo      = "video"
	MsgShortVideo = "shortvideo"
	MsgLocation   = "location"
	MsgLink       = "link"
	MsgEvent      = "event"
)

// Events of inbound event messages, the Event element.
const (
	EventSubscribe   = "subscribe"
	EventUnsubscribe = "unsubscribe"
	EventClick       = "CLICK"
	EventView        = "VIEW"
)

// Message is one inbound message as WeChat posts it to the webhook. Only the
// fields of its MsgType are written to the XML. The xml tags let tests
// decode what a webhook received with encoding/xml.
type Message struct {
	// ToUserName is the account's original id (gh_…); the Client fills it.
	ToUserName string `xml:"ToUserName"`
	// FromUserName is the consumer's openid.
	FromUserName string `xml:"FromUserName"`
	// CreateTime is Unix seconds; zero means the Client's clock.
	CreateTime int64 `xml:"CreateTime"`
	// MsgType is one of the Msg… constants.
	MsgType string `xml:"MsgType"`
	// Content is the text of a text message.
	Content string `xml:"Content"`
	// PicURL is the picture's URL in an image message.
	PicURL string `xml:"PicUrl"`
	// MediaID names the temporary media of an image, voice or video message.
	MediaID string `xml:"MediaId"`
	// Format is a voice message's codec, such as amr or speex.
	Format string `xml:"Format"`
	// Recognition is WeChat's speech-to-text of a voice message.
	Recognition string `xml:"Recognition"`
	// ThumbMediaID is the thumbnail of a video or short video.
	ThumbMediaID string `xml:"ThumbMediaId"`
	// LocationX is the latitude of a location message.
	LocationX float64 `xml:"Location_X"`
	// LocationY is the longitude of a location message.
	LocationY float64 `xml:"Location_Y"`
	// Scale is the map zoom of a location message.
	Scale int `xml:"Scale"`
	// Label is the place's name or address in a location message.
	Label string `xml:"Label"`
	// Title is a link message's title.
	Title string `xml:"Title"`
	// Description is a link message's description.
	Description string `xml:"Description"`
	// URL is a link message's target.
	URL string `xml:"Url"`
	// Event is one of the Event… constants in an event message.
	Event string `xml:"Event"`
	// EventKey is a CLICK event's key or a VIEW event's URL.
	EventKey string `xml:"EventKey"`
	// MsgID identifies a non-event message; WeChat repeats it on retries.
	// Zero means a fresh id; events never carry one.
	MsgID int64 `xml:"MsgId"`
}

// msgIDs hands out message ids. It starts at a random point so ids from
// several processes (a load generator and a test) do not collide in practice.
var msgIDs atomic.Int64

func init() {
	var b [8]byte
	_, _ = rand.Read(b[:])
	// Keep 62 bits so the counter never wraps into negative ids.
	msgIDs.Store(int64(binary.BigEndian.Uint64(b[:]) >> 2))
}

// NewMsgID returns a fresh, process-wide unique, positive 64-bit message id.
func NewMsgID() int64 {
	return msgIDs.Add(1)
}

// XML renders m as WeChat does: CDATA for strings, bare numbers, and only the
// elements of its MsgType.
func (m Message) XML() []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	cdata(&b, "ToUserName", m.ToUserName)
	cdata(&b, "FromUserName", m.FromUserName)
	number(&b, "CreateTime", strconv.FormatInt(m.CreateTime, 10))
	cdata(&b, "MsgType", m.MsgType)
	m.writeBody(&b)
	if m.MsgType != MsgEvent {
		number(&b, "MsgId", strconv.FormatInt(m.MsgID, 10))
	}
	b.WriteString("</xml>")
	return b.Bytes()
}

// writeBody writes the elements specific to m's type.
func (m Message) writeBody(b *bytes.Buffer) {
	switch m.MsgType {
	case MsgText:
		cdata(b, "Content", m.Content)
	case MsgImage:
		cdata(b, "PicUrl", m.PicURL)
		cdata(b, "MediaId", m.MediaID)
	case MsgVoice:
		cdata(b, "MediaId", m.MediaID)
		cdata(b, "Format", m.Format)
		cdata(b, "Recognition", m.Recognition)
	case MsgVideo, MsgShortVideo:
		cdata(b, "MediaId", m.MediaID)
		cdata(b, "ThumbMediaId", m.ThumbMediaID)
	case MsgLocation:
		number(b, "Location_X", strconv.FormatFloat(m.LocationX, 'f', 6, 64))
		number(b, "Location_Y", strconv.FormatFloat(m.LocationY, 'f', 6, 64))
		number(b, "Scale", strconv.Itoa(m.Scale))
		cdata(b, "Label", m.Label)
	case MsgLink:
		cdata(b, "Title", m.Title)
		cdata(b, "Description", m.Description)
		cdata(b, "Url", m.URL)
	case MsgEvent:
		cdata(b, "Event", m.Event)
		if m.Event != EventUnsubscribe {
			cdata(b, "EventKey", m.EventKey)
		}
	}
}

// cdata writes <name><![CDATA[value]]></name>, splitting any "]]>" inside
// value across two sections so the XML stays well formed.
func cdata(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + "><![CDATA[")
	b.WriteString(strings.ReplaceAll(value, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]></" + name + ">")
}

// number writes <name>value</name> for numeric elements.
func number(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + ">" + value + "</" + name + ">")
}
