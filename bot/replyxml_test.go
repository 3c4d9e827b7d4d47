package bot

import (
	"encoding/xml"
	"math/rand/v2"
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// replyXMLSamples are strings that exercise the writer: empty, Chinese, the
// CDATA terminator (alone, repeated, at either end), markup, quotes, line
// breaks, control characters and invalid UTF-8.
var replyXMLSamples = []string{
	"", "帮助", "a]]>b", "]]>", "]]>]]>", "x]]", "]]>x]]>", "<b>&amp;'\"</b>",
	"line\nbreak\r\ttab", "\x00\x01\x1f", "\xff\xfe", "oAbc-123_XYZ", "1234567890",
	"（5/10）请输入购买日期", "0123456789abcdef0123456789abcdef01234567",
}

// randomReplyString draws a short string from characters that matter to XML.
func randomReplyString(r *rand.Rand) string {
	parts := []string{"]", "]]>", ">", "<", "&", "'", "\"", "\n", "\r", "\t", "\x00", "\xff", "中", "a", "CDATA[", " "}
	n := r.IntN(12)
	s := ""
	for range n {
		s += parts[r.IntN(len(parts))]
	}
	return s
}

// TestReplyXMLIsWhatTheLibraryTypesMarshalTo: the hand-written replies are
// byte for byte what encoding/xml makes of message.Text and
// message.ResponseEncryptedXMLMsg, for the samples and random strings.
func TestReplyXMLIsWhatTheLibraryTypesMarshalTo(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	strs := append([]string(nil), replyXMLSamples...)
	for range 2000 {
		strs = append(strs, randomReplyString(r))
	}
	for i, s := range strs {
		other := strs[(i*7+3)%len(strs)]
		ts := int64(r.Uint32())
		text := message.NewText(s)
		text.SetToUserName(message.CDATA(other))
		text.SetFromUserName(message.CDATA(s))
		text.SetMsgType(message.MsgTypeText)
		text.SetCreateTime(ts)
		want, err := xml.Marshal(text)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendTextReply(nil, other, s, ts, s); string(got) != string(want) {
			t.Fatalf("text reply of %q:\n got %s\nwant %s", s, got, want)
		}
		want, err = xml.Marshal(message.ResponseEncryptedXMLMsg{EncryptedMsg: s, MsgSignature: other, Timestamp: ts, Nonce: s + other})
		if err != nil {
			t.Fatal(err)
		}
		if got := appendSealedReply([]byte("kept"), s, other, ts, s+other); string(got) != "kept"+string(want) {
			t.Fatalf("sealed reply of %q:\n got %s\nwant kept%s", s, got, want)
		}
	}
}

// TestReplySealerIsTheLibrarysEncryption: with the same random bytes the
// sealer's ciphertext is util.EncryptMsg's, for replies of every length around
// the padding's block, and an invalid key leaves sealing to the library.
func TestReplySealerIsTheLibrarysEncryption(t *testing.T) {
	s := newReplySealer(testAppID, testAESKey)
	if s == nil {
		t.Fatal("no sealer for the test key")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 100 {
		random := make([]byte, 16)
		raw := make([]byte, n*7)
		for i := range random {
			random[i] = byte(r.UintN(256))
		}
		for i := range raw {
			raw[i] = byte(r.UintN(256))
		}
		want, err := util.EncryptMsg(random, raw, testAppID, testAESKey)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.seal(random, raw); got != string(want) {
			t.Fatalf("%d bytes: sealed %q, library %q", len(raw), got, want)
		}
	}
	for _, key := range []string{"", "short", testAESKey[:42] + "!"} {
		if newReplySealer(testAppID, key) != nil {
			t.Errorf("a sealer for the invalid key %q", key)
		}
	}
}
