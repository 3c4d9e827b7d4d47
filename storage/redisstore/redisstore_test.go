package redisstore

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// env is one Redis server the tests run on.
type env struct {
	rdb    redis.UniversalClient
	prefix string               // "" (the default) on miniredis, random on a real server
	mini   *miniredis.Miniredis // nil on a real server
}

// forEachRedis runs the same test on miniredis and, when configured, a real Redis
// (COMPLAINTBOT_TEST_REDIS_URL; skipped unless COMPLAINTBOT_TEST_REQUIRE=1).
func forEachRedis(t *testing.T, test func(t *testing.T, e *env)) {
	t.Run("miniredis", func(t *testing.T) {
		m, rdb := testenv.NewMiniredis(t)
		test(t, &env{rdb: rdb, mini: m})
	})
	t.Run("real", func(t *testing.T) {
		rdb, prefix := testenv.NewRealRedis(t)
		test(t, &env{rdb: rdb, prefix: prefix})
	})
}

// clock is the stores' clock, a testenv.Clock that also moves miniredis.
type clock struct{ *testenv.Clock }

func newClock() *clock {
	return &clock{testenv.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))}
}

// advance moves the clock and, on miniredis, the server's TTLs with it.
func (c *clock) advance(e *env, d time.Duration) {
	c.Advance(d)
	if e.mini != nil {
		e.mini.FastForward(d)
	}
}

func (e *env) sessions(c *clock) *Sessions {
	return NewSessions(e.rdb, SessionOptions{Prefix: e.prefix, Now: c.Now})
}

func mustCreate(t *testing.T, s *Sessions, staffID int64) *storage.Session {
	t.Helper()
	se, err := s.CreateSession(t.Context(), staffID)
	if err != nil {
		t.Fatalf("CreateSession(%d): %v", staffID, err)
	}
	return se
}

func alive(t *testing.T, s *Sessions, id string) bool {
	t.Helper()
	_, err := s.FindSession(t.Context(), id)
	if err != nil && storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("FindSession: %v", err)
	}
	return err == nil
}

func TestSessionRoundTrip(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		c := newClock()
		s := e.sessions(c)
		a, b := mustCreate(t, s, 7), mustCreate(t, s, 7)
		if len(a.ID) != 43 || a.ID == b.ID || a.CSRFToken == b.CSRFToken || a.ID == a.CSRFToken {
			t.Fatalf("ids and tokens must be fresh 32-byte base64url values: %+v %+v", a, b)
		}
		c.advance(e, time.Minute)
		got, err := s.FindSession(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != a.ID || got.StaffID != 7 || got.CSRFToken != a.CSRFToken ||
			!got.CreatedAt.Equal(a.CreatedAt) || !got.LastSeenAt.Equal(a.CreatedAt) {
			t.Fatalf("found %+v, created %+v", got, a)
		}
		again, _ := s.FindSession(t.Context(), a.ID)
		if !again.LastSeenAt.Equal(c.Now()) {
			t.Errorf("LastSeenAt after use = %v, want %v", again.LastSeenAt, c.Now())
		}
	})
}

func TestUnknownAndMalformedSessionsAreNotFound(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		s := e.sessions(newClock())
		for _, id := range []string{"", "nope", randomToken(), strings.Repeat("A", 43), "../../etc"} {
			if _, err := s.FindSession(t.Context(), id); storage.ErrorCode(err) != storage.ENOTFOUND {
				t.Errorf("FindSession(%q) = %v, want not found", id, err)
			}
		}
	})
}

func TestSessionIdleExpiry(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		c := newClock()
		s := e.sessions(c)
		used, idle := mustCreate(t, s, 1), mustCreate(t, s, 1)
		for range 3 { // 60 minutes in all, but never 30 without a request
			c.advance(e, 20*time.Minute)
			if !alive(t, s, used.ID) {
				t.Fatalf("a session used every 20 minutes expired at %v", c.Now())
			}
		}
		if alive(t, s, idle.ID) {
			t.Fatal("a session unused for an hour is still alive")
		}
		c.advance(e, 30*time.Minute)
		if alive(t, s, used.ID) {
			t.Fatal("a session unused for 30 minutes is still alive")
		}
	})
}

func TestPeekSessionDoesNotExtend(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		c := newClock()
		s := e.sessions(c)
		polled := mustCreate(t, s, 1)
		// Peeked at every five minutes: checked, never extended.
		for range 5 {
			c.advance(e, 5*time.Minute)
			got, err := s.PeekSession(t.Context(), polled.ID)
			if err != nil {
				t.Fatalf("PeekSession after %v: %v", c.Now().Sub(polled.CreatedAt), err)
			}
			if got.ID != polled.ID || got.StaffID != 1 || got.CSRFToken != polled.CSRFToken ||
				!got.LastSeenAt.Equal(polled.CreatedAt) {
				t.Fatalf("peeked %+v, want %+v untouched", got, polled)
			}
		}
		c.advance(e, 5*time.Minute)
		if _, err := s.PeekSession(t.Context(), polled.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
			t.Fatalf("PeekSession after 30 minutes of peeks only = %v, want not found", err)
		}
		if alive(t, s, polled.ID) {
			t.Fatal("a session only peeked at for 30 minutes is still alive")
		}
		if e.mini != nil && e.mini.Exists(s.keys.Session(hashID(polled.ID))) {
			t.Fatal("the expired session's key is still in Redis")
		}

		// A real use resets the idle timer; peeks after it do not.
		fresh := mustCreate(t, s, 2)
		c.advance(e, 25*time.Minute)
		if !alive(t, s, fresh.ID) { // a real use
			t.Fatal("session expired before its idle time")
		}
		for range 5 { // 25 more minutes of peeks: alive, 25 since the use
			c.advance(e, 5*time.Minute)
			if _, err := s.PeekSession(t.Context(), fresh.ID); err != nil {
				t.Fatalf("PeekSession %v after a use: %v", c.Now().Sub(fresh.CreatedAt), err)
			}
		}
		c.advance(e, 6*time.Minute)
		if _, err := s.PeekSession(t.Context(), fresh.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
			t.Fatalf("PeekSession 31 minutes after the last use = %v, want not found", err)
		}
	})
}

// On miniredis the key itself must vanish with Redis's own clock: the TTL, not
// only the script's check, enforces the idle expiry.
func TestSessionIdleExpiryByRedisTTL(t *testing.T) {
	m, rdb := testenv.NewMiniredis(t)
	s := NewSessions(rdb, SessionOptions{})
	se := mustCreate(t, s, 1)
	m.FastForward(29 * time.Minute)
	if !m.Exists(s.keys.Session(hashID(se.ID))) {
		t.Fatal("session key gone before the idle expiry")
	}
	m.FastForward(2 * time.Minute)
	if m.Exists(s.keys.Session(hashID(se.ID))) {
		t.Fatal("session key still in Redis after the idle expiry")
	}
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		c := newClock()
		s := e.sessions(c)
		se := mustCreate(t, s, 1)
		for c.Now().Sub(se.CreatedAt) < 11*time.Hour+50*time.Minute {
			c.advance(e, 10*time.Minute)
			if !alive(t, s, se.ID) {
				t.Fatalf("session in use expired after %v", c.Now().Sub(se.CreatedAt))
			}
		}
		ttl := e.rdb.PTTL(t.Context(), s.keys.Session(hashID(se.ID))).Val()
		if ttl <= 0 || ttl > 10*time.Minute {
			t.Errorf("TTL 10 minutes before the absolute expiry = %v; the idle extension must not pass it", ttl)
		}
		c.advance(e, 10*time.Minute)
		if alive(t, s, se.ID) {
			t.Fatal("session alive 12 hours after sign-in")
		}
	})
}

func TestDeleteSession(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		s := e.sessions(newClock())
		out, other := mustCreate(t, s, 3), mustCreate(t, s, 3)
		if err := s.DeleteSession(t.Context(), out.ID); err != nil {
			t.Fatal(err)
		}
		if alive(t, s, out.ID) || !alive(t, s, other.ID) {
			t.Fatal("logout must end that session and only that one")
		}
		if err := s.DeleteSession(t.Context(), "junk"); err != nil {
			t.Fatalf("deleting a junk id: %v", err)
		}
	})
}

func TestDeleteStaffSessions(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		s := e.sessions(newClock())
		a1, a2, b := mustCreate(t, s, 10), mustCreate(t, s, 10), mustCreate(t, s, 11)
		if err := s.DeleteStaffSessions(t.Context(), 10); err != nil {
			t.Fatal(err)
		}
		if alive(t, s, a1.ID) || alive(t, s, a2.ID) {
			t.Fatal("a staff member's sessions survived DeleteStaffSessions")
		}
		if !alive(t, s, b.ID) {
			t.Fatal("another staff member's session was ended")
		}
		if !alive(t, s, mustCreate(t, s, 10).ID) {
			t.Fatal("signing in again after DeleteStaffSessions must work")
		}
	})
}

func TestStaffSetIsPrunedAtSignIn(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		s := e.sessions(newClock())
		for range 5 {
			se := mustCreate(t, s, 4)
			_ = s.DeleteSession(t.Context(), se.ID)
		}
		live := mustCreate(t, s, 4)
		members := e.rdb.SMembers(t.Context(), s.keys.StaffSessions("4")).Val()
		if len(members) != 1 || members[0] != hashID(live.ID) {
			t.Fatalf("staff set = %v, want only the live session", members)
		}
	})
}

func TestSessionKeysAreTaggedAndHoldNoIDs(t *testing.T) {
	m, rdb := testenv.NewMiniredis(t)
	s := NewSessions(rdb, SessionOptions{Prefix: "x{y}"})
	se := mustCreate(t, s, 5)
	for _, k := range m.Keys() {
		if strings.Contains(k, se.ID) || strings.Contains(k, se.CSRFToken) {
			t.Errorf("key %q holds the session id or token", k)
		}
		if !strings.HasPrefix(k, "x%7By%7D:console:{sessions}:") {
			t.Errorf("key %q does not carry the {sessions} hash tag after the escaped prefix", k)
		}
	}
}

func (e *env) throttle(opts ThrottleOptions) *LoginThrottle {
	opts.Prefix = e.prefix
	return NewLoginThrottle(e.rdb, opts)
}

func allowed(t *testing.T, th *LoginThrottle, key string) (bool, time.Duration) {
	t.Helper()
	ok, wait, err := th.LoginAllowed(t.Context(), key)
	if err != nil {
		t.Fatalf("LoginAllowed(%s): %v", key, err)
	}
	return ok, wait
}

// fail reserves n attempts for key that are never released: n failures.
func fail(t *testing.T, th *LoginThrottle, key string, n int) {
	t.Helper()
	for i := range n {
		ok, _, err := th.ReserveLogin(t.Context(), key)
		if err != nil || !ok {
			t.Fatalf("ReserveLogin(%s) #%d = %v, %v; want reserved", key, i+1, ok, err)
		}
	}
}

func TestThrottleLimitsPerKind(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		th := e.throttle(ThrottleOptions{})
		limits := map[string]int{"userip:10.0.0.1/alice": 5, "ip:10.0.0.1": 30, "user:alice": 50, "other:x": DefaultMaxFailures}
		for key, limit := range limits {
			fail(t, th, key, limit-1)
			if ok, _ := allowed(t, th, key); !ok {
				t.Fatalf("%s refused after %d failures, limit %d", key, limit-1, limit)
			}
			fail(t, th, key, 1)
			ok, wait := allowed(t, th, key)
			if ok || wait <= 14*time.Minute || wait > DefaultWindow {
				t.Fatalf("%s after %d failures: allowed %v, wait %v", key, limit, ok, wait)
			}
		}
		if ok, _ := allowed(t, th, "userip:10.0.0.1/bob"); !ok {
			t.Fatal("another account is throttled too")
		}
	})
}

func TestThrottleCustomLimitsAndSuccess(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		th := e.throttle(ThrottleOptions{Limits: map[string]int{"user": 2}, MaxFailures: 3})
		fail(t, th, "user:carol", 2)
		if ok, _ := allowed(t, th, "user:carol"); ok {
			t.Fatal("custom limit of 2 not applied")
		}
		fail(t, th, "ip:1.2.3.4", 2)
		if ok, _ := allowed(t, th, "ip:1.2.3.4"); !ok {
			t.Fatal("a kind without a limit must use MaxFailures (3)")
		}
		if err := th.LoginSucceeded(t.Context(), "user:carol"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := allowed(t, th, "user:carol"); !ok {
			t.Fatal("LoginSucceeded must forget the failures")
		}
	})
}

func TestThrottleWindowExpires(t *testing.T) {
	m, rdb := testenv.NewMiniredis(t)
	th := NewLoginThrottle(rdb, ThrottleOptions{})
	fail(t, th, "userip:10.0.0.3/dan", 4)
	m.FastForward(10 * time.Minute)
	fail(t, th, "userip:10.0.0.3/dan", 1) // later attempts do not extend the window
	if ok, _, err := th.ReserveLogin(t.Context(), "userip:10.0.0.3/dan"); ok || err != nil {
		t.Fatalf("6th attempt: reserved %v, %v; want refused", ok, err)
	}
	m.FastForward(5*time.Minute + time.Second)
	if ok, _ := allowed(t, th, "userip:10.0.0.3/dan"); !ok {
		t.Fatal("still throttled after the window")
	}
}

// Parallel attempts must not all pass a check made before any was counted: with
// a limit of 40, exactly 40 of 60 simultaneous attempts get through.
func TestThrottleReservesConcurrentAttemptsExactly(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		th := e.throttle(ThrottleOptions{Limits: map[string]int{"user": 40}})
		var wg sync.WaitGroup
		var mu sync.Mutex
		reserved, refused := 0, 0
		for range 60 {
			wg.Go(func() {
				ok, wait, err := th.ReserveLogin(context.Background(), "user:{eve}")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("ReserveLogin: %v", err)
				case ok:
					reserved++
				case wait <= 14*time.Minute || wait > DefaultWindow:
					t.Errorf("refused with wait %v", wait)
				default:
					refused++
				}
			})
		}
		wg.Wait()
		if reserved != 40 || refused != 20 {
			t.Fatalf("%d reserved, %d refused; want 40 and 20", reserved, refused)
		}
		k := th.keys.Throttle("user:{eve}")
		if n, _ := e.rdb.Get(t.Context(), k).Int(); n != 40 {
			t.Fatalf("counter = %d, want 40 (refused attempts are not counted)", n)
		}
		if ttl := e.rdb.PTTL(t.Context(), k).Val(); ttl <= 0 {
			t.Fatalf("counter has no expiry (%v): the account would stay locked", ttl)
		}
		if ok, _ := allowed(t, th, "user:{eve}"); ok {
			t.Fatal("40 attempts with a limit of 40 must be refused")
		}
		if strings.Count(k, "{") != 1 {
			t.Fatalf("key %q: braces in the throttle key must be escaped", k)
		}
	})
}

func TestThrottleReleaseGivesBackOneAttempt(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		th := e.throttle(ThrottleOptions{Limits: map[string]int{"ip": 2}})
		fail(t, th, "ip:10.0.0.2", 2)
		if ok, _ := allowed(t, th, "ip:10.0.0.2"); ok {
			t.Fatal("limit of 2 not applied")
		}
		k := th.keys.Throttle("ip:10.0.0.2")
		ttl := e.rdb.PTTL(t.Context(), k).Val()
		if err := th.ReleaseLogin(t.Context(), "ip:10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		if n, _ := e.rdb.Get(t.Context(), k).Int(); n != 1 {
			t.Fatalf("counter after a release = %d, want 1", n)
		}
		if got := e.rdb.PTTL(t.Context(), k).Val(); got <= 0 || got > ttl {
			t.Fatalf("TTL after a release = %v, want the window kept (%v)", got, ttl)
		}
		fail(t, th, "ip:10.0.0.2", 1)
		for range 3 { // never below zero
			if err := th.ReleaseLogin(t.Context(), "ip:10.0.0.2"); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := e.rdb.Exists(t.Context(), k).Result(); err != nil || n != 0 {
			t.Fatalf("counter still there after releasing every attempt (%d, %v)", n, err)
		}
		fail(t, th, "ip:10.0.0.2", 2)
	})
}

func TestThrottleCorruptCounter(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		th := e.throttle(ThrottleOptions{})
		if err := e.rdb.Set(t.Context(), th.keys.Throttle("user:zoe"), "x", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		if ok, _, err := th.ReserveLogin(t.Context(), "user:zoe"); ok || storage.ErrorCode(err) != storage.EINTERNAL {
			t.Fatalf("ReserveLogin on a corrupt counter = %v, %v; want refused, internal", ok, err)
		}
		if err := th.ReleaseLogin(t.Context(), "user:zoe"); storage.ErrorCode(err) != storage.EINTERNAL {
			t.Fatalf("ReleaseLogin on a corrupt counter = %v, want internal", err)
		}
	})
}

// A full counter that lost its TTL (restored from a dump, set by hand) must not
// lock the account out for good.
func TestThrottleFullCounterWithoutTTLExpires(t *testing.T) {
	m, rdb := testenv.NewMiniredis(t)
	th := NewLoginThrottle(rdb, ThrottleOptions{})
	if err := rdb.Set(t.Context(), th.keys.Throttle("user:ann"), "50", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if ok, wait, err := th.ReserveLogin(t.Context(), "user:ann"); ok || err != nil || wait != DefaultWindow {
		t.Fatalf("ReserveLogin = %v, %v, %v; want refused for the window", ok, wait, err)
	}
	m.FastForward(DefaultWindow + time.Second)
	fail(t, th, "user:ann", 1)
}

func TestRedisDownIsUnavailable(t *testing.T) {
	m, rdb := testenv.NewMiniredis(t)
	s := NewSessions(rdb, SessionOptions{})
	m.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if _, err := s.FindSession(ctx, randomToken()); storage.ErrorCode(err) != storage.EUNAVAILABLE {
		t.Fatalf("FindSession with Redis down = %v, want unavailable", err)
	}
	th := NewLoginThrottle(rdb, ThrottleOptions{})
	if _, _, err := th.LoginAllowed(ctx, "user:x"); storage.ErrorCode(err) != storage.EUNAVAILABLE {
		t.Fatalf("LoginAllowed with Redis down = %v, want unavailable", err)
	}
	if ok, _, err := th.ReserveLogin(ctx, "user:x"); ok || storage.ErrorCode(err) != storage.EUNAVAILABLE {
		t.Fatalf("ReserveLogin with Redis down = %v, %v; want refused, unavailable", ok, err)
	}
	if err := th.ReleaseLogin(ctx, "user:x"); storage.ErrorCode(err) != storage.EUNAVAILABLE {
		t.Fatalf("ReleaseLogin with Redis down = %v, want unavailable", err)
	}
}
