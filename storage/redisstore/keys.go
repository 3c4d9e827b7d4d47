package redisstore

import "strings"

// Redis key layout. The prefix defaults to "cb", shared with the dialog store; the
// "console" segment keeps the two apart.
//
//	<prefix>:console:{sessions}:<sha256 of id>   hash: staff, csrf, created, seen
//	<prefix>:console:{sessions}:staff:<staffID>  set: the session hashes of one person
//	<prefix>:console:throttle:{<key>}            string: failures in the current window
//	<prefix>:console:rate:<name>:{<key>}         string: uses of a rate limit in its window
//
// All session keys share one hash tag, "{sessions}", so the scripts that touch a
// session and its owner's set together run on one Redis Cluster slot. That puts
// every session on one node, which is fine: a desk has tens of staff, not millions.
// Session keys hold a hash of the session id, not the id itself, so a Redis dump or
// MONITOR output does not hand out working cookies.
//
// A throttle or rate key is alone in its script, so its own key is its tag.

// defaultPrefix is the key prefix when the options leave it empty.
const defaultPrefix = "cb"

// tagEscaper percent-escapes the characters that would end or restart a hash tag
// ("%" too, so that two different inputs never map to one key).
var tagEscaper = strings.NewReplacer("%", "%25", "{", "%7B", "}", "%7D")

// keys builds the keys of one store; prefix is already escaped.
type keys struct {
	prefix string
}

// newKeys escapes prefix: a brace in a configured prefix would move the hash tag.
func newKeys(prefix string) keys {
	if prefix == "" {
		prefix = defaultPrefix
	}
	return keys{prefix: tagEscaper.Replace(prefix) + ":console"}
}

// session is the hash of one session, by the hex SHA-256 of its id.
func (k keys) session(idHash string) string {
	return k.prefix + ":{sessions}:" + idHash
}

// staffSessions is the set of one staff member's session hashes.
func (k keys) staffSessions(staffID string) string {
	return k.prefix + ":{sessions}:staff:" + staffID
}

// throttle counts the failures of one throttle key ("user:alice", "ip:10.0.0.1").
func (k keys) throttle(key string) string {
	return k.prefix + ":throttle:{" + tagEscaper.Replace(key) + "}"
}

// rate counts the uses of the rate limit name by one key ("staff:7").
func (k keys) rate(name, key string) string {
	return k.prefix + ":rate:" + tagEscaper.Replace(name) + ":{" + tagEscaper.Replace(key) + "}"
}
