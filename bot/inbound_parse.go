package bot

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// parseInbound parses a callback's message. WeChat's messages are flat: <xml>,
// then elements holding one CDATA section or plain text, then </xml>. Such a
// body is read here directly; encoding/xml's tokenizer and reflection cost more
// than the rest of a help turn's parsing and checks together. Anything else —
// a declaration, comments, attributes, entities, nested or empty elements, mixed
// content, a carriage return, a value that does not parse — goes to
// xml.Unmarshal, so the result is always encoding/xml's
// (TestParseInboundIsEncodingXML compares the two on generated bodies).
func parseInbound(body []byte, m *inbound) error {
	if parseFlatInbound(body, m) {
		return nil
	}
	*m = inbound{}
	return xml.Unmarshal(body, m)
}

// parseFlatInbound fills m from a flat body and reports whether it could.
func parseFlatInbound(body []byte, m *inbound) bool {
	if !plainXMLChars(body) {
		return false
	}
	rest, ok := bytes.CutPrefix(bytes.TrimLeft(body, " \t\n"), []byte("<xml>"))
	if !ok {
		return false
	}
	for {
		rest = bytes.TrimLeft(rest, " \t\n")
		if after, ok := bytes.CutPrefix(rest, []byte("</xml>")); ok {
			m.XMLName = xml.Name{Local: "xml"}
			return len(bytes.TrimLeft(after, " \t\n")) == 0
		}
		name, value, after, ok := flatElement(rest)
		if !ok || !m.set(name, value) {
			return false
		}
		rest = after
	}
}

// plainXMLChars reports whether b is valid UTF-8 of characters XML allows,
// without carriage returns (encoding/xml turns them into line feeds) or NULs.
func plainXMLChars(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError || r > 0xD7FF && r < 0xE000 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += n
	}
	return true
}

// flatElement reads <Name>value</Name> at the start of b, the value one CDATA
// section or text without markup or entities.
func flatElement(b []byte) (name string, value []byte, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != '<' {
		return "", nil, nil, false
	}
	end := 1
	for end < len(b) && isNameByte(b[end], end == 1) {
		end++
	}
	if end == 1 || end >= len(b) || b[end] != '>' {
		return "", nil, nil, false
	}
	name, b = string(b[1:end]), b[end+1:]
	if cdata, ok := bytes.CutPrefix(b, []byte("<![CDATA[")); ok {
		i := bytes.Index(cdata, []byte("]]>"))
		if i < 0 {
			return "", nil, nil, false
		}
		value, b = cdata[:i], cdata[i+3:]
	} else {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			return "", nil, nil, false
		}
		value, b = b[:i], b[i:]
		if bytes.ContainsAny(value, "&") || bytes.Contains(value, []byte("]]>")) {
			return "", nil, nil, false
		}
	}
	closing := "</" + name + ">"
	if !bytes.HasPrefix(b, []byte(closing)) {
		return "", nil, nil, false
	}
	return name, value, b[len(closing):], true
}

// isNameByte reports whether c may stand in an element name of WeChat's: ASCII
// letters, digits after the first, and underscores. A colon (a namespace
// prefix) is not taken.
func isNameByte(c byte, first bool) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || !first && c >= '0' && c <= '9'
}

// set stores value in the field the element name names, as encoding/xml would;
// unknown elements are ignored. false means the value does not parse.
func (m *inbound) set(name string, value []byte) bool {
	var err error
	switch name {
	case "ToUserName":
		m.ToUserName = message.CDATA(value)
	case "FromUserName":
		m.FromUserName = message.CDATA(value)
	case "CreateTime":
		m.CreateTime, err = parseXMLInt(value)
	case "MsgType":
		m.MsgType = message.MsgType(value)
	case "MsgId":
		m.MsgID, err = parseXMLInt(value)
	case "Content":
		m.Content = string(value)
	case "Recognition":
		m.Recognition = string(value)
	case "PicUrl":
		m.PicURL = string(value)
	case "MediaId":
		m.MediaID = string(value)
	case "Location_X":
		m.LocationX, err = parseXMLFloat(value)
	case "Location_Y":
		m.LocationY, err = parseXMLFloat(value)
	case "Label":
		m.Label = string(value)
	case "Event":
		m.Event = message.EventType(value)
	case "EventKey":
		m.EventKey = string(value)
	}
	return err == nil
}

// parseXMLInt and parseXMLFloat read a number as encoding/xml does: an empty
// element is zero, anything else is parsed trimmed.
func parseXMLInt(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

func parseXMLFloat(b []byte) (float64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	return strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
}
