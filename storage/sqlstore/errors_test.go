package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/lib/pq"
)

func TestWrapErrCodes(t *testing.T) {
	notFound := storage.Errorf(storage.ENOTFOUND, "case not found")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"storage error kept", fmt.Errorf("select: %w", notFound), storage.ENOTFOUND},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), storage.EUNAVAILABLE},
		{"bad connection", driver.ErrBadConn, storage.EUNAVAILABLE},
		{"server starting up", &pq.Error{Code: "57P03"}, storage.EUNAVAILABLE},
		{"connection failure", &pq.Error{Code: "08006"}, storage.EUNAVAILABLE},
		{"too many connections", &pq.Error{Code: "53300"}, storage.EUNAVAILABLE},
		{"unique violation", &pq.Error{Code: "23505"}, storage.ECONFLICT},
		{"check violation", &pq.Error{Code: "23514"}, storage.EINVALID},
		{"syntax error", &pq.Error{Code: "42601"}, storage.EINTERNAL},
		{"cancelled by the caller", context.Canceled, storage.EINTERNAL},
		{"anything else", errors.New("boom"), storage.EINTERNAL},
	}
	for _, tt := range tests {
		err := wrapErr("test", tt.err)
		if got := storage.ErrorCode(err); got != tt.want {
			t.Errorf("%s: code %q, want %q (err: %v)", tt.name, got, tt.want, err)
		}
		if tt.err != nil && !errors.Is(err, tt.err) {
			t.Errorf("%s: %v does not wrap the cause", tt.name, err)
		}
	}
}
