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
	buf := bytes.NewBuffer(b)
	buf.WriteString("<xml><Encrypt>")
	_ = xml.EscapeText(buf, []byte(encrypted)) // a bytes.Buffer never fails
	buf.WriteString("</Encrypt><MsgSignature>")
	_ = xml.EscapeText(buf, []byte(msgSignature))
	buf.WriteString("</MsgSignature><TimeStamp>")
	buf.WriteString(strconv.FormatInt(timestamp, 10))
	buf.WriteString("</TimeStamp><Nonce>")
	_ = xml.EscapeText(buf, []byte(nonce)) // the nonce is the callback URL's, anything
	buf.WriteString("</Nonce></xml>")
	return buf.Bytes()
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
