package bot

import (
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Pieces of generated callback bodies: WeChat's own shapes and what a flat
// reader could get wrong (declarations, attributes, entities, CDATA ends in
// text, nesting, empty elements, comments, carriage returns, bad numbers).
var (
	inboundPrefixes = []string{"", "", " ", "\n\t", `<?xml version="1.0" encoding="UTF-8"?>`, "\ufeff", "x", "<!-- c -->"}
	inboundRoots    = []string{"<xml>", "<xml>", "<xml>", "<xml >", "<XML>", `<xml a="1">`, "<x>"}
	inboundEnds     = []string{"</xml>", "</xml>", "</xml>", "</xml>\n", "</xml>junk", "</xml><xml>", "", "</XML>"}
	inboundNames    = []string{"ToUserName", "FromUserName", "CreateTime", "MsgType", "MsgId", "Content", "Recognition",
		"PicUrl", "MediaId", "Location_X", "Location_Y", "Label", "Event", "EventKey",
		"MsgID", "msgid", "Unknown", "Scale", "a:Content", "xml", "Content2", "_x"}
	inboundValues = []string{"", "hello", "帮助", "你好，我想问一下退款的事情", " 12 ", "12", "-3", "+7", "1.5", "1e3", "abc",
		"NaN", "9223372036854775808", "\t", " ", "a&amp;b", "a&lt;", "x]]>y", "a>b", "line\nbreak", "cr\rlf",
		"\x01", "\xff", "\uFFFE", "oUser_abc-123", "text", "event", "subscribe", "CLICK", "COMPLAIN"}
	inboundSeparators = []string{"", "", " ", "\n", "x", "<!---->"}
)

// randomInboundBody draws a body; a clean one keeps to WeChat's shape (the
// first two prefixes and separators, the first root and end, CDATA or text),
// so the flat reader is tried on many.
func randomInboundBody(r *rand.Rand, clean bool) string {
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	prefixes, roots, ends, separators := inboundPrefixes, inboundRoots, inboundEnds, inboundSeparators
	if clean {
		prefixes, roots, ends, separators = inboundPrefixes[:3], inboundRoots[:1], inboundEnds[:1], inboundSeparators[:3]
	}
	var b strings.Builder
	b.WriteString(pick(prefixes))
	b.WriteString(pick(roots))
	for range r.IntN(8) {
		b.WriteString(pick(separators))
		name, value := pick(inboundNames), pick(inboundValues)
		form := r.IntN(10)
		if clean {
			form = 6 + r.IntN(4) // CDATA or text
		}
		switch form {
		case 0:
			fmt.Fprintf(&b, "<%s/>", name)
		case 1:
			fmt.Fprintf(&b, "<%s><a>%s</a></%s>", name, value, name)
		case 2:
			fmt.Fprintf(&b, "<%s>%s<![CDATA[%s]]></%s>", name, value, value, name)
		case 3:
			fmt.Fprintf(&b, "<%s><![CDATA[%s]]></%s >", name, value, name)
		case 4, 5, 6:
			fmt.Fprintf(&b, "<%s><![CDATA[%s]]></%s>", name, value, name)
		default:
			fmt.Fprintf(&b, "<%s>%s</%s>", name, value, name)
		}
	}
	b.WriteString(pick(separators))
	b.WriteString(pick(ends))
	return b.String()
}

// TestParseInboundIsEncodingXML: on WeChat's own message and on generated
// bodies, parseInbound gives exactly what xml.Unmarshal gives (the same fields,
// an error when it errs), and the flat reader takes a body only when
// xml.Unmarshal reads it alike.
func TestParseInboundIsEncodingXML(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	bodies := []string{
		`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>` +
			`<CreateTime>1796565609</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[帮助]]></Content>` +
			`<MsgId>23456789012345678</MsgId></xml>`,
	}
	for i := range 20000 {
		bodies = append(bodies, randomInboundBody(r, i%2 == 0))
	}
	flat := 0
	for _, body := range bodies {
		var want inbound
		wantErr := xml.Unmarshal([]byte(body), &want)
		var fast inbound
		if parseFlatInbound([]byte(body), &fast) {
			flat++
			if wantErr != nil || fmt.Sprintf("%#v", fast) != fmt.Sprintf("%#v", want) {
				t.Fatalf("flat reader took %q as\n%#v\nencoding/xml: %#v, %v", body, fast, want, wantErr)
			}
		}
		var got inbound
		gotErr := parseInbound([]byte(body), &got)
		if (gotErr != nil) != (wantErr != nil) || wantErr == nil && fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
			t.Fatalf("parseInbound(%q) = %#v, %v; encoding/xml %#v, %v", body, got, gotErr, want, wantErr)
		}
	}
	if flat < len(bodies)/10 {
		t.Fatalf("the flat reader took only %d of %d bodies", flat, len(bodies))
	}
	t.Logf("flat reader took %d of %d bodies", flat, len(bodies))
}
