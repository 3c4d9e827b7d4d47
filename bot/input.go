package bot

import (
	"encoding/xml"
	"strconv"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/complaintbot/complaintbot/dialog"
)

// inbound is the part of a callback's message the webhook reads, with the
// library's element names and types. encoding/xml matches each element of the
// body against every field of the struct it fills, and the library's
// MixMessage has some sixty; parsing into this one costs a fraction of that.
// Like MixMessage it refuses a root that is not <xml> and a number that does
// not parse in a field it reads.
type inbound struct {
	XMLName      xml.Name          `xml:"xml"`
	ToUserName   message.CDATA     `xml:"ToUserName"`
	FromUserName message.CDATA     `xml:"FromUserName"`
	CreateTime   int64             `xml:"CreateTime"`
	MsgType      message.MsgType   `xml:"MsgType"`
	MsgID        int64             `xml:"MsgId"`
	Content      string            `xml:"Content"`
	Recognition  string            `xml:"Recognition"`
	PicURL       string            `xml:"PicUrl"`
	MediaID      string            `xml:"MediaId"`
	LocationX    float64           `xml:"Location_X"`
	LocationY    float64           `xml:"Location_Y"`
	Label        string            `xml:"Label"`
	Event        message.EventType `xml:"Event"`
	EventKey     string            `xml:"EventKey"`
}

// toInput maps a WeChat message to the dialog's input. ok is false for events the
// dialog has nothing to say to (menu VIEW links, location reports, template
// delivery receipts, …): the webhook answers those with "success".
func toInput(m *inbound) (in dialog.Input, ok bool) {
	switch m.MsgType {
	case message.MsgTypeText:
		return dialog.Input{Kind: dialog.InputText, Text: m.Content}, true
	case message.MsgTypeVoice:
		return dialog.Input{Kind: dialog.InputVoice, Text: m.Recognition, MediaID: m.MediaID}, true
	case message.MsgTypeImage:
		return dialog.Input{Kind: dialog.InputImage, MediaID: m.MediaID, PicURL: m.PicURL}, true
	case message.MsgTypeLocation:
		return dialog.Input{Kind: dialog.InputLocation, Label: m.Label, Lat: m.LocationX, Lng: m.LocationY}, true
	case message.MsgTypeEvent:
		return eventInput(m)
	}
	return dialog.Input{Kind: dialog.InputUnsupported}, true
}

func eventInput(m *inbound) (dialog.Input, bool) {
	switch m.Event {
	case message.EventSubscribe:
		return dialog.Input{Kind: dialog.InputSubscribe}, true
	case message.EventUnsubscribe:
		return dialog.Input{Kind: dialog.InputUnsubscribe}, true
	case message.EventClick:
		return dialog.Input{Kind: dialog.InputMenuClick, EventKey: m.EventKey}, true
	}
	return dialog.Input{}, false
}

// messageKey identifies a message across WeChat's retries. Messages carry a MsgId;
// events carry none, so sender, creation time, event and key stand in for it.
func messageKey(m *inbound) string {
	if m.MsgType != message.MsgTypeEvent && m.MsgID != 0 {
		return "m" + strconv.FormatInt(m.MsgID, 10)
	}
	return "e" + strconv.FormatInt(m.CreateTime, 10) + ":" + string(m.Event) + ":" + m.EventKey
}

// messageType is the label used in metrics: the WeChat type, or event:<name>.
func messageType(m *inbound) string {
	if m.MsgType == message.MsgTypeEvent {
		return "event:" + string(m.Event)
	}
	return string(m.MsgType)
}
