// Package bot is everything that speaks WeChat: the webhook that verifies, decrypts,
// de-duplicates and answers the official account's callbacks, and (later) the API
// client and the push worker. It is built on github.com/silenceper/wechat/v2, used
// through its officialaccount packages only: the library's root package turns on
// debug logging of every decrypted message.
package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/sirupsen/logrus"
)

// SilenceLibraryLogs stops the WeChat library's logrus output. The library logs
// request bodies (complaint text, phone numbers) at debug level and signature
// failures at error level; we log what matters ourselves, without personal data.
func SilenceLibraryLogs() {
	logrus.SetOutput(io.Discard)
	logrus.SetLevel(logrus.PanicLevel)
}

// MaskOpenID returns a short, stable, non-reversible tag for an openid, so logs can
// correlate one consumer's messages without holding the openid itself.
func MaskOpenID(openID string) string {
	if openID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(openID))
	return "u" + hex.EncodeToString(sum[:5])
}
