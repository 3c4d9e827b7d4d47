// Package redisstore keeps the console's short-lived security state in Redis, so
// that every instance of the app sees the same thing: signed-in sessions
// (storage.SessionStore) and failed sign-in counters (storage.LoginThrottle). It
// follows the dialog store's rules: redis.UniversalClient injected, keys built in
// one place (package internal/redisbase, which documents the layout) and
// hash-tagged for Redis Cluster, and a Lua script wherever a change must be atomic
// across instances.
package redisstore

// owner names this package in its errors: a failed call reads "redisstore: <op>
// failed" (EUNAVAILABLE when Redis gave no answer or a "try later" one, so the
// console shows "系统繁忙"), data it did not write "redisstore: unexpected redis
// data: …".
const owner = "redisstore"
