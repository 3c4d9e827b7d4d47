package dialog

import "strings"

// Redis key layout. Every key of a consumer carries the consumer's openid as a Redis
// Cluster hash tag ("{…}"), so all keys one script or pipeline touches hash to the
// same slot and the store works unchanged on a single node and on a cluster:
//
//	<prefix>:{<openid>}:state          hash: v = version (integer), s = State as JSON
//	<prefix>:{<openid>}:msg:<msgKey>   string: the reply given to that message
//
// The state key expires StateTTL after the last Commit; a msg key DedupeTTL after it
// was written.

// defaultRedisPrefix is the key prefix when RedisStoreOptions.Prefix is empty.
const defaultRedisPrefix = "cb"

// tagEscaper percent-escapes the characters that would end or restart a hash tag.
// Redis takes the tag from the first "{" to the next "}", so an openid holding "}"
// would cut the tag short and one holding "{" could not be told apart from the
// layout. "%" is escaped too so the mapping stays one-to-one: two different openids
// never share a key.
var tagEscaper = strings.NewReplacer("%", "%25", "{", "%7B", "}", "%7D")

// redisKeys builds the keys of one store; prefix is already escaped.
type redisKeys struct {
	prefix string
}

// newRedisKeys escapes prefix for the same reason as openids: a brace in a
// configured prefix would move the hash tag away from the consumer.
func newRedisKeys(prefix string) redisKeys {
	if prefix == "" {
		prefix = defaultRedisPrefix
	}
	return redisKeys{prefix: tagEscaper.Replace(prefix)}
}

// user is the part shared by all keys of one consumer: "<prefix>:{<openid>}".
func (k redisKeys) user(openID string) string {
	return k.prefix + ":{" + tagEscaper.Replace(openID) + "}"
}

// state is the hash holding the consumer's version and State JSON.
func (k redisKeys) state(openID string) string {
	return k.user(openID) + ":state"
}

// msg is the string holding the reply saved for msgKey. msgKey needs no escaping:
// it comes after the tag, and Redis only looks at the first "{…}".
func (k redisKeys) msg(openID, msgKey string) string {
	return k.user(openID) + ":msg:" + msgKey
}

// redisLogID is the form of an openid that may appear in errors and logs: its first six
// characters, enough to find the consumer in an operator's search, too few to
// identify them elsewhere (CONVENTIONS 3).
func redisLogID(openID string) string {
	const keep = 6
	if r := []rune(openID); len(r) > keep {
		openID = string(r[:keep])
	}
	return openID + "…"
}
