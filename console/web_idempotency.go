package console

import (
	"crypto/rand"
	"encoding/base64"
	"regexp"

	"github.com/complaintbot/complaintbot/storage"
)

// Staff replies and notes are idempotent when they carry a key: the case page's
// reply and note forms carry a random one, made afresh for each rendering (hidden
// field "idem"), and an API client may send one in the Idempotency-Key header. A
// second post with the key — a double click, a retry after a timeout — stores
// nothing and sends the consumer nothing more: the store keeps one event per case
// and dedupe key (storage.NewEvent.DedupeKey).

// Where the key comes from.
const (
	idemField  = "idem"
	idemHeader = "Idempotency-Key"
)

// validIdemKey is what a key may be: 1 to 64 letters, digits, "-" or "_" (a UUID,
// a ULID, base64url).
var validIdemKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// newIdemKey returns a fresh key for a form: 128 random bits in base64url.
func newIdemKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// dedupeKey is the storage dedupe key of a reply or note sent with key: prefixed
// with what it is and who sent it, so that a key never makes one kind of entry
// stand for the other, nor one person's message swallow another's. It is "" when
// there is no key; EINVALID when the key is malformed.
func dedupeKey(kind storage.EventKind, actor, key string) (string, error) {
	if key == "" {
		return "", nil
	}
	if !validIdemKey.MatchString(key) {
		return "", storage.Errorf(storage.EINVALID, "幂等键（Idempotency-Key）应为 1–64 个字母、数字、- 或 _。")
	}
	what := "note"
	if kind == storage.EventStaffReply {
		what = "reply"
	}
	return what + ":" + actor + ":" + key, nil
}

// checkReplay refuses a key that was already used for other words: the earlier
// entry stands, and the words sent now were not stored or sent, which the caller
// must learn rather than believe they went out.
func checkReplay(stored *storage.Event, body string) error {
	if stored.Body != body {
		return storage.Errorf(storage.ECONFLICT, "这个幂等键已用于另一条内容，本次内容未保存、未发送。请刷新页面（或换一个 Idempotency-Key）后重试。")
	}
	return nil
}
