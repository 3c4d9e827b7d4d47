// Package redisstore keeps the console's short-lived security state in Redis, so
// that every instance of the app sees the same thing: signed-in sessions
// (storage.SessionStore) and failed sign-in counters (storage.LoginThrottle). It
// follows the dialog store's rules: redis.UniversalClient injected, keys built in
// one file and hash-tagged for Redis Cluster, and a Lua script wherever a change
// must be atomic across instances.
package redisstore

import (
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/storage"
)

// redisError gives a Redis failure its storage code while keeping the cause in the
// chain. A missing answer or a "try later" answer is EUNAVAILABLE (the console
// shows "系统繁忙"); any other error reply is a bug or a misconfiguration.
func redisError(op string, err error) error {
	code := storage.EUNAVAILABLE
	var rerr redis.Error
	if errors.As(err, &rerr) && !redisTransient(err) {
		code = storage.EINTERNAL
	}
	return fmt.Errorf("%w: %w", storage.Errorf(code, "redisstore: %s failed", op), err)
}

// redisTransient reports server replies that mean "not now" rather than "never".
func redisTransient(err error) bool {
	return redis.IsLoadingError(err) || redis.IsReadOnlyError(err) ||
		redis.IsClusterDownError(err) || redis.IsTryAgainError(err) ||
		redis.IsMasterDownError(err) || redis.IsMaxClientsError(err) ||
		redis.IsOOMError(err)
}

// corrupt reports stored data or a script reply this package did not write.
func corrupt(format string, args ...any) error {
	return storage.Errorf(storage.EINTERNAL, "redisstore: unexpected redis data: "+format, args...)
}

// millis is d for PEXPIRE and script arguments, at least 1 because Redis refuses 0.
func millis(d time.Duration) int64 {
	return max(d.Milliseconds(), 1)
}
