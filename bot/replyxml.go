package bot

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
)

// The passive replies are written by hand, byte for byte what encoding/xml
// makes of the library's message.Text and message.ResponseEncryptedXMLMsg
// (TestReplyXMLIsWhatTheLibraryTypesMarshalTo holds them to it): Marshal walks
// both structs by reflection on every reply, a twentieth of a safe-mode turn.

// appendTextReply appends the passive text reply to sender from account.
func appendTextReply(b []byte, sender, account string, createTime int64, content string) []byte {
	b = append(b, "<xml><ToUserName>"...)
	b = appendCDATA(b, sender)
	b = append(b, "</ToUserName><FromUserName>"...)
	b = appendCDATA(b, account)
	b = append(b, "</FromUserName><CreateTime>"...)
	b = strconv.AppendInt(b, createTime, 10)
	b = append(b, "</CreateTime><MsgType>text</MsgType><Content>"...)
	b = appendCDATA(b, content)
	return append(b, "</Content></xml>"...)
}

// appendSealedReply appends the safe-mode envelope of an encrypted reply.
func appendSealedReply(b []byte, encrypted, msgSignature string, timestamp int64, nonce string) []byte {
	b = append(b, "<xml><Encrypt>"...)
	b = appendEscaped(b, encrypted)
	b = append(b, "</Encrypt><MsgSignature>"...)
	b = appendEscaped(b, msgSignature)
	b = append(b, "</MsgSignature><TimeStamp>"...)
	b = strconv.AppendInt(b, timestamp, 10)
	b = append(b, "</TimeStamp><Nonce>"...)
	b = appendEscaped(b, nonce) // the nonce is the callback URL's: anything
	return append(b, "</Nonce></xml>"...)
}

// appendEscaped appends s as encoding/xml writes a string field. Base64 and hex,
// what the envelope holds, need no escaping and are appended as they are.
func appendEscaped(b []byte, s string) []byte {
	if !needsEscape(s) {
		return append(b, s...)
	}
	buf := bytes.NewBuffer(b)
	_ = xml.EscapeText(buf, []byte(s)) // a bytes.Buffer never fails
	return buf.Bytes()
}

// needsEscape reports whether s holds anything but printable ASCII that XML
// text takes as it is.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&' || c == '\'' || c == '"' {
			return true
		}
	}
	return false
}

// appendCDATA appends s as encoding/xml writes a ",cdata" field: nothing when
// empty, else one CDATA section, split wherever s holds "]]>".
func appendCDATA(b []byte, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, "<![CDATA["...)
	for {
		before, after, ok := strings.Cut(s, "]]>")
		if !ok {
			break
		}
		b = append(b, before...)
		b = append(b, "]]]]><![CDATA[>"...)
		s = after
	}
	b = append(b, s...)
	return append(b, "]]>"...)
}
