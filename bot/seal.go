package bot

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
)

// replySealer encrypts passive replies exactly as the library's util.EncryptMsg
// does (TestReplySealerIsTheLibrarysEncryption), with the EncodingAESKey decoded
// and its AES cipher made once, not on every reply.
type replySealer struct {
	block cipher.Block
	iv    []byte
	appID string
}

// newReplySealer returns nil when encodingAESKey is not a valid key; replyXML
// then leaves the reply to the library, which reports why.
func newReplySealer(appID, encodingAESKey string) *replySealer {
	if len(encodingAESKey) != 43 {
		return nil
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil
	}
	return &replySealer{block: block, iv: key[:16], appID: appID}
}

// seal returns the base64 ciphertext of raw: 16 random bytes, raw's length
// (4 bytes, big-endian), raw, the AppID, PKCS#7-padded to 32 bytes, encrypted
// with AES-CBC under the key with its first 16 bytes as IV.
func (s *replySealer) seal(random, raw []byte) string {
	const blockSize = 32 // WeChat pads to 32 bytes, not AES's 16
	contentLen := 20 + len(raw) + len(s.appID)
	pad := blockSize - contentLen%blockSize
	plain := make([]byte, 0, contentLen+pad)
	plain = append(plain, random[:16]...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(raw)))
	plain = append(plain, raw...)
	plain = append(plain, s.appID...)
	for range pad {
		plain = append(plain, byte(pad))
	}
	cipher.NewCBCEncrypter(s.block, s.iv).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain)
}
