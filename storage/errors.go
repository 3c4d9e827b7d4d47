// Package storage is the domain of complaintbot: complaint cases, their timeline and
// evidence, the rules for moving a case between statuses, and the interfaces through
// which the rest of the program stores them. It imports the standard library only.
package storage

import (
	"errors"
	"fmt"
)

// Error codes. The edges map them: the console to HTTP statuses, the bot to a polite
// Chinese sentence. Code inside storage returns them; it never logs.
const (
	ECONFLICT    = "conflict"    // the action conflicts with the current state
	EFORBIDDEN   = "forbidden"   // the caller may not do this
	EINTERNAL    = "internal"    // something broke; the message is for operators
	EINVALID     = "invalid"     // the input is wrong; the message says how
	ENOTFOUND    = "not_found"   // no such entity (or not visible to the caller)
	EUNAVAILABLE = "unavailable" // a backing service cannot be reached right now
)

// Error is a domain error with a machine-readable code and a human-readable message.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("storage error: code=%s message=%s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a generic
// message for other errors (whose text may hold details not meant for users).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
