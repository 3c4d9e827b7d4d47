// Package redisbase is complaintbot's one Redis foundation, as hibiken/asynq keeps
// its keys in one base package: every key of complaintbot's own layout is built
// here, and Redis failures become storage errors here, so the key layout and the
// error rules are read and changed in one place. The WeChat library's keys keep the
// library's names; they are listed here too, so this is the one list of every key.
// The client itself is built here too, from redis.url in any of its forms (one
// server, a Redis Cluster, a master behind Sentinel: ParseURL). It imports the
// standard library, go-redis and storage (for the error codes) only.
//
// # Key layout
//
// The prefix defaults to DefaultPrefix ("cb"); deployments and tests sharing one
// Redis set their own. Key strings are a stored format: existing deployments keep
// their keys, so a change here needs a migration.
//
// The dialog store (package dialog), one consumer per hash tag:
//
//	<prefix>:{<openid>}:state          hash: v = version (integer), s = State as JSON
//	<prefix>:{<openid>}:msg:<msgKey>   string: the reply given to that message
//	<prefix>:{<openid>}:msgs           sorted set: each saved reply's msgKey, scored by its expiry (Unix ms)
//
// Every key of a consumer carries the consumer's openid as a Redis Cluster hash tag
// ("{…}"), so all keys one script or pipeline touches hash to the same slot and the
// store works unchanged on a single node and on a cluster. The state key expires
// the state TTL after the last commit; a msg key the de-duplication TTL after it
// was written. The msgs index is written by the same script as each msg key;
// members whose reply expired are dropped at each write and the index expires
// with its newest reply. A consumer's erasure deletes all three (dialog's
// ForgetConsumer, which reads the msg keys from the index: no SCAN of the node).
//
// The console (package storage/redisstore), under a "console" segment that keeps
// it apart from the dialog store:
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
// MONITOR output does not hand out working cookies. A throttle or rate key is alone
// in its script, so its own key is its tag.
//
// The merchant portal (package portal) uses the same stores under PortalPrefix
// ("cb:portal"), so its keys are the console's with that prefix: a portal
// session's "staff" field holds a merchant account's id, never a staff id.
//
//	cb:portal:console:{sessions}:…      the portal's sessions, as above
//	cb:portal:console:throttle:{<key>}  the portal's sign-in throttle
//
// The webhook's plain-mode replay guard (package bot):
//
//	<prefix>:{sig:<signature>}   string: hex SHA-256 of the body; expires with the signature
//
// Its hash tag is the signature, not the openid: the openid is in the body, which
// is what an attacker changes.
//
// The WeChat API client's keys (package bot, wxcache.go and wxtoken.go; built by
// WeChatKeys) have their own prefix, "cb:wx:" by default, and the names the
// silenceper/wechat library gives them, so that the library's components and the
// bot share one access token:
//
//	cb:wx:gowechat_officialaccount__access_token_<appid>        string: the access token
//	cb:wx:gowechat_officialaccount__access_token_<appid>:lock   string: held by the instance refreshing it
//	cb:wx:<the library's key>                                   whatever else the library caches
//
// With the stable-token endpoint "_access_token_" reads "_stable_access_token_".
package redisbase

import "strings"

// DefaultPrefix is the key prefix when a store's options leave it empty.
const DefaultPrefix = "cb"

// PortalPrefix is the prefix of the merchant portal's sessions and throttles:
// the console's layout under "cb:portal" ("cb:portal:console:{sessions}:…",
// "cb:portal:console:throttle:{…}"), apart from the staff console's.
const PortalPrefix = DefaultPrefix + ":portal"

// tagEscaper percent-escapes the characters that would end or restart a hash tag.
// Redis takes the tag from the first "{" to the next "}", so an openid holding "}"
// would cut the tag short and one holding "{" could not be told apart from the
// layout. "%" is escaped too so the mapping stays one-to-one: two different inputs
// never share a key.
var tagEscaper = strings.NewReplacer("%", "%25", "{", "%7B", "}", "%7D")

// EscapeTag percent-escapes "%", "{" and "}" in s, so that s can sit inside a hash
// tag, or before one, without moving it.
func EscapeTag(s string) string {
	return tagEscaper.Replace(s)
}

// Keys builds every Redis key of one deployment. Build it with NewKeys; the zero
// value is not usable. It is a small value, safe to copy and to share.
type Keys struct {
	prefix string // already escaped
}

// NewKeys returns the key builder for prefix; empty means DefaultPrefix. The prefix
// is escaped for the same reason as openids: a brace in a configured prefix would
// move the hash tag away from the consumer.
func NewKeys(prefix string) Keys {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return Keys{prefix: EscapeTag(prefix)}
}

// user is the part shared by all keys of one consumer: "<prefix>:{<openid>}".
func (k Keys) user(openID string) string {
	return k.prefix + ":{" + EscapeTag(openID) + "}"
}

// State is the dialog hash holding a consumer's version and State JSON.
func (k Keys) State(openID string) string {
	return k.user(openID) + ":state"
}

// Msgs is the dialog sorted set indexing one consumer's saved replies: member
// msgKey, score the Unix millisecond its Msg key expires.
func (k Keys) Msgs(openID string) string {
	return k.user(openID) + ":msgs"
}

// Msg is the dialog string holding the reply saved for msgKey. msgKey needs no
// escaping: it comes after the tag, and Redis only looks at the first "{…}".
func (k Keys) Msg(openID, msgKey string) string {
	return k.user(openID) + ":msg:" + msgKey
}

// console is the part shared by all console keys: "<prefix>:console".
func (k Keys) console() string {
	return k.prefix + ":console"
}

// SessionPrefix is what every console session key starts with; a script appends a
// session's id hash to it to name that session's key.
func (k Keys) SessionPrefix() string {
	return k.console() + ":{sessions}:"
}

// Session is the console hash of one session, by the hex SHA-256 of its id.
func (k Keys) Session(idHash string) string {
	return k.SessionPrefix() + idHash
}

// StaffSessions is the console set of one staff member's session hashes.
func (k Keys) StaffSessions(staffID string) string {
	return k.SessionPrefix() + "staff:" + staffID
}

// Throttle counts the failed sign-ins of one throttle key ("user:alice",
// "ip:10.0.0.1").
func (k Keys) Throttle(key string) string {
	return k.console() + ":throttle:{" + EscapeTag(key) + "}"
}

// Rate counts the uses of the rate limit name by one key ("staff:7").
func (k Keys) Rate(name, key string) string {
	return k.console() + ":rate:" + EscapeTag(name) + ":{" + EscapeTag(key) + "}"
}

// ReplaySignature is the webhook's plain-mode replay-guard key of one signature.
// The signature is not escaped: the webhook has verified it, a hex SHA-1, before
// claiming it, and hex holds no brace or "%".
func (k Keys) ReplaySignature(signature string) string {
	return k.prefix + ":{sig:" + signature + "}"
}

// DefaultWeChatPrefix starts the WeChat API client's keys when none is configured.
const DefaultWeChatPrefix = DefaultPrefix + ":wx:"

// WeChatKeys builds the WeChat API client's keys: the library's own key names
// behind one prefix, which is used as given (it is part of the names the library
// shares with other deployments' tools, so it is not escaped).
type WeChatKeys struct {
	prefix string
}

// NewWeChatKeys returns the builder for prefix; empty means DefaultWeChatPrefix.
func NewWeChatKeys(prefix string) WeChatKeys {
	if prefix == "" {
		prefix = DefaultWeChatPrefix
	}
	return WeChatKeys{prefix: prefix}
}

// Cache is the key of the library's cache entry name (the access token among them).
func (k WeChatKeys) Cache(name string) string { return k.prefix + name }

// TokenLock is the lock held by the instance refreshing the token stored under
// the cache entry tokenName.
func (k WeChatKeys) TokenLock(tokenName string) string { return k.Cache(tokenName) + ":lock" }

// HashTag is the part of key Redis Cluster hashes, by Redis's own rule: the bytes
// between the first "{" and the next "}", if not empty. Keys that must meet in one
// script share it.
func HashTag(key string) string {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return ""
	}
	end := strings.IndexByte(key[open+1:], '}')
	if end <= 0 {
		return ""
	}
	return key[open+1 : open+1+end]
}
