package wechatsim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// padBlock is the PKCS#7 block size WXBizMsgCrypt pads to: 32 bytes, not the
// 16 of AES itself.
const padBlock = 32

// Errors returned by [Decrypt]. They are wrapped, so test with errors.Is.
var (
	// ErrBadKey means the EncodingAESKey is not 43 characters of base64
	// decoding to 32 bytes.
	ErrBadKey = errors.New("wechatsim: invalid EncodingAESKey")
	// ErrBadCiphertext means the Encrypt value is not base64, not a whole
	// number of blocks, or decrypts to bad padding or a bad length.
	ErrBadCiphertext = errors.New("wechatsim: invalid ciphertext")
	// ErrAppIDMismatch means the message decrypted but was sealed for
	// another appid.
	ErrAppIDMismatch = errors.New("wechatsim: appid mismatch")
)

// Signature returns WeChat's signature of the given strings: the hex SHA-1 of
// their concatenation after sorting them. With token, timestamp and nonce it
// is the URL's signature; with the Encrypt value as extra it is msg_signature.
func Signature(token, timestamp, nonce string, extra ...string) string {
	parts := append([]string{token, timestamp, nonce}, extra...)
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// signatureEqual compares two hex signatures in constant time.
func signatureEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// aesKey decodes an EncodingAESKey into the 32-byte AES key.
func aesKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("%w: length %d, want 43", ErrBadKey, len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%w: not base64 of 32 bytes", ErrBadKey)
	}
	return key, nil
}

// Encrypt seals msg for appID as WXBizMsgCrypt does and returns the base64
// value of the Encrypt element: AES-256-CBC with IV = key[:16] over 16 random
// bytes, the 4-byte big-endian length of msg, msg and appID, PKCS#7-padded to
// a multiple of 32 bytes.
func Encrypt(encodingAESKey, appID string, msg []byte) (string, error) {
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	return encryptWithRandom(encodingAESKey, appID, random, msg)
}

// encryptWithRandom is Encrypt with the 16 leading bytes given, so tests can
// compare against fixed vectors.
func encryptWithRandom(encodingAESKey, appID string, random, msg []byte) (string, error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	buf.Write(random[:16])
	_ = binary.Write(&buf, binary.BigEndian, uint32(len(msg)))
	buf.Write(msg)
	buf.WriteString(appID)
	pad := padBlock - buf.Len()%padBlock
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))

	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	out := make([]byte, buf.Len())
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, buf.Bytes())
	return base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt opens the base64 Encrypt value sealed by [Encrypt] (or by WeChat,
// or by the bot), checks the padding and that it was sealed for appID, and
// returns the message.
func Decrypt(encodingAESKey, appID, encrypted string) ([]byte, error) {
	_, msg, err := decryptParts(encodingAESKey, appID, encrypted)
	return msg, err
}

// decryptParts is Decrypt that also returns the 16 random leading bytes.
func decryptParts(encodingAESKey, appID, encrypted string) (random, msg []byte, err error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return nil, nil, err
	}
	ct, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: not base64", ErrBadCiphertext)
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, nil, fmt.Errorf("%w: length %d is not a whole number of blocks", ErrBadCiphertext, len(ct))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, err
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(pt, ct)
	pt, err = unpad(pt)
	if err != nil {
		return nil, nil, err
	}
	if len(pt) < 20 {
		return nil, nil, fmt.Errorf("%w: plaintext too short", ErrBadCiphertext)
	}
	n := binary.BigEndian.Uint32(pt[16:20])
	if uint64(n) > uint64(len(pt)-20) {
		return nil, nil, fmt.Errorf("%w: message length %d exceeds plaintext", ErrBadCiphertext, n)
	}
	msg, gotApp := pt[20:20+n], pt[20+n:]
	if string(gotApp) != appID {
		return nil, nil, fmt.Errorf("%w: sealed for %q", ErrAppIDMismatch, gotApp)
	}
	return pt[:16], msg, nil
}

// unpad strips PKCS#7 padding of 1 to 32 bytes and checks every pad byte.
func unpad(pt []byte) ([]byte, error) {
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > padBlock || pad > len(pt) {
		return nil, fmt.Errorf("%w: bad padding", ErrBadCiphertext)
	}
	for _, b := range pt[len(pt)-pad:] {
		if int(b) != pad {
			return nil, fmt.Errorf("%w: bad padding", ErrBadCiphertext)
		}
	}
	return pt[:len(pt)-pad], nil
}
