package wechatsim

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"
)

// The official WXBizMsgCrypt sample vector.
const (
	vecToken     = "spamtest"
	vecKey       = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	vecAppID     = "wx2c2769f8efd9abc2"
	vecTimestamp = "1409735669"
	vecNonce     = "1320562132"
	vecMsgSig    = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
	vecEncrypt   = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)

func TestSignatureOfficialVector(t *testing.T) {
	if got := Signature(vecToken, vecTimestamp, vecNonce, vecEncrypt); got != vecMsgSig {
		t.Fatalf("msg_signature = %s, want %s", got, vecMsgSig)
	}
	// Order of the arguments must not matter: WeChat sorts them.
	if Signature(vecNonce, vecToken, vecEncrypt, vecTimestamp) != vecMsgSig {
		t.Fatal("signature depends on argument order")
	}
	if Signature(vecToken, vecTimestamp, "1320562133", vecEncrypt) == vecMsgSig {
		t.Fatal("a different nonce gave the same signature")
	}
}

func TestDecryptOfficialVector(t *testing.T) {
	plain, err := Decrypt(vecKey, vecAppID, vecEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := xml.Unmarshal(plain, &m); err != nil {
		t.Fatalf("decrypted text is not XML: %v\n%s", err, plain)
	}
	if m.MsgType != MsgText || m.Content != "abcdteT" || m.MsgID != 6054768590064713728 {
		t.Fatalf("decrypted %+v", m)
	}
}

func TestEncryptReproducesOfficialVector(t *testing.T) {
	random, plain, err := decryptParts(vecKey, vecAppID, vecEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	got, err := encryptWithRandom(vecKey, vecAppID, random, plain)
	if err != nil {
		t.Fatal(err)
	}
	if got != vecEncrypt {
		t.Fatalf("re-encryption differs from the official ciphertext:\n got %s\nwant %s", got, vecEncrypt)
	}
}

func TestEncryptRoundTripAndPadding(t *testing.T) {
	for n := 0; n <= 70; n++ {
		msg := []byte(strings.Repeat("投", n/3) + strings.Repeat("x", n%3))
		enc, err := Encrypt(vecKey, vecAppID, msg)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(enc)
		if len(raw)%32 != 0 {
			t.Fatalf("len %d: ciphertext of %d bytes is not padded to 32", len(msg), len(raw))
		}
		got, err := Decrypt(vecKey, vecAppID, enc)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("len %d: round trip gave %q, %v", len(msg), got, err)
		}
	}
	a, _ := Encrypt(vecKey, vecAppID, []byte("same"))
	b, _ := Encrypt(vecKey, vecAppID, []byte("same"))
	if a == b {
		t.Fatal("two encryptions of one message are identical: random prefix missing")
	}
}

func TestDecryptRefusesBadInput(t *testing.T) {
	raw, _ := base64.StdEncoding.DecodeString(vecEncrypt)
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)-1] ^= 0x55
	cases := []struct {
		name, key, appID, enc string
		want                  error
	}{
		{"wrong appid", vecKey, "wx0000000000000000", vecEncrypt, ErrAppIDMismatch},
		{"tampered last block", vecKey, vecAppID, base64.StdEncoding.EncodeToString(flipped), ErrBadCiphertext},
		{"truncated", vecKey, vecAppID, base64.StdEncoding.EncodeToString(raw[:len(raw)-5]), ErrBadCiphertext},
		{"not base64", vecKey, vecAppID, "%%%", ErrBadCiphertext},
		{"empty", vecKey, vecAppID, "", ErrBadCiphertext},
		{"short key", vecKey[:42], vecAppID, vecEncrypt, ErrBadKey},
		{"other key", strings.Repeat("A", 43), vecAppID, vecEncrypt, ErrBadCiphertext},
	}
	for _, c := range cases {
		_, err := Decrypt(c.key, c.appID, c.enc)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

// The bot uses silenceper's util; the simulator must interoperate with it
// both ways while sharing none of its code.
func TestCryptoInteroperatesWithBotLibrary(t *testing.T) {
	msg := []byte("<xml><Content><![CDATA[我要投诉]]></Content></xml>")
	enc, err := Encrypt(vecKey, vecAppID, msg)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := util.DecryptMsg(vecAppID, enc, vecKey)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("library could not open the simulator's message: %q, %v", got, err)
	}
	libEnc, err := util.EncryptMsg([]byte("0123456789abcdef"), msg, vecAppID, vecKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err = Decrypt(vecKey, vecAppID, string(libEnc))
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("simulator could not open the library's message: %q, %v", got, err)
	}
	if util.Signature(vecToken, vecTimestamp, vecNonce, vecEncrypt) != Signature(vecToken, vecTimestamp, vecNonce, vecEncrypt) {
		t.Fatal("signatures disagree")
	}
}
