// Package testenv holds helpers for tests only, and is never imported by the
// binary (cmd/complaintbot's TestBinaryHasNoTestCode checks): databases and Redis
// servers, real or in-process; the rule for a server or browser that is missing;
// the Chromium lookup; a fake clock; and a fault-injecting TCP proxy.
//
// Real servers come from the environment (CONVENTIONS.md, rule 7): unset, the
// tests that need them skip; with COMPLAINTBOT_TEST_REQUIRE=1, as in CI, they fail.
// It imports only the standard library, database drivers, go-redis, miniredis and
// internal/redisbase (to build a client from any redis.url form),
// so every package's tests, the storage packages' own included, can use it.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
)

// Environment variables read by the helpers.
const (
	// EnvPostgresURL is a URL of a PostgreSQL server and database where tests may
	// create and drop schemas, e.g.
	// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
	EnvPostgresURL = "COMPLAINTBOT_TEST_POSTGRES_URL"

	// EnvPostgresPerDatabase set to "1" gives each test a database of its own
	// instead of a schema: for EnvPostgresURL pointing at PgBouncer, which refuses
	// the search_path start-up parameter a schema needs, so the tests reach their
	// database by name (PgBouncer's "*" entry passes any name on).
	EnvPostgresPerDatabase = "COMPLAINTBOT_TEST_POSTGRES_PER_DATABASE"

	// EnvRedisURL names a Redis for tests, e.g. redis://127.0.0.1:6379/0, in any
	// form redis.url takes (a cluster's or Sentinel's too). The server is shared:
	// tests write under a random key prefix and flush nothing.
	EnvRedisURL = "COMPLAINTBOT_TEST_REDIS_URL"

	// EnvRequire set to "1" (as in CI) turns a missing test server or browser into
	// a failure instead of a skip.
	EnvRequire = "COMPLAINTBOT_TEST_REQUIRE"
)

// Required reports whether EnvRequire is "1": whether missing servers fail tests.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// SkipOrFail stops the test for want of something it needs, described by format
// and args: it skips the test, or fails it when EnvRequire is "1", so that CI
// never passes by skipping what it was meant to run.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	why := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s and %s=1", why, EnvRequire)
	}
	t.Skip(why)
}

// randomHex returns n random bytes in hex, for names that must not collide with
// those of other test runs on a shared server.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
