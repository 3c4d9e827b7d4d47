package redisbase

import (
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/storage"
)

// MapError gives a Redis failure its storage code, with the message "<op> failed",
// while keeping the cause in the chain (errors.Is(err, context.DeadlineExceeded)
// still works). Anything that did not get an answer, or got a "try later" answer
// (Transient), is EUNAVAILABLE (the console shows "系统繁忙"); any other error
// reply from the server is a bug or a misconfiguration, EINTERNAL.
func MapError(op string, err error) error {
	code := storage.EUNAVAILABLE
	var rerr redis.Error
	if errors.As(err, &rerr) && !Transient(err) {
		code = storage.EINTERNAL
	}
	return fmt.Errorf("%w: %w", storage.Errorf(code, "%s failed", op), err)
}

// Transient reports server replies that mean "not now" rather than "never".
func Transient(err error) bool {
	return redis.IsLoadingError(err) || redis.IsReadOnlyError(err) ||
		redis.IsClusterDownError(err) || redis.IsTryAgainError(err) ||
		redis.IsMasterDownError(err) || redis.IsMaxClientsError(err) ||
		redis.IsOOMError(err)
}

// Corruptf reports stored data or a script reply that owner (the package, as in
// "dialog") did not write: an EINTERNAL error whose message reads
// "<owner>: unexpected redis data: <message>".
func Corruptf(owner, format string, args ...any) error {
	return storage.Errorf(storage.EINTERNAL, "%s: unexpected redis data: %s", owner, fmt.Sprintf(format, args...))
}

// Millis is d in milliseconds for PEXPIRE, PX and script arguments, at least 1
// because Redis refuses 0.
func Millis(d time.Duration) int64 {
	return max(d.Milliseconds(), 1)
}
