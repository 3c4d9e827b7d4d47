package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/credential"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/internal/testenv"
)

// wxRedisBackends runs test on miniredis and, when COMPLAINTBOT_TEST_REDIS_URL
// is set, on a real Redis (CONVENTIONS 7).
func wxRedisBackends(t *testing.T, test func(t *testing.T, rdb redis.UniversalClient, prefix string)) {
	t.Run("miniredis", func(t *testing.T) { test(t, testenv.NewRedis(t), "") })
	t.Run("redis", func(t *testing.T) {
		rdb, prefix := testenv.NewRealRedis(t)
		test(t, rdb, prefix+":wx:")
	})
}

func TestTokenSharedByTwoInstances(t *testing.T) {
	for _, stable := range []bool{false, true} {
		t.Run(fmt.Sprintf("stable=%v", stable), func(t *testing.T) {
			wxRedisBackends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
				f := newWXFixtureOn(t, rdb, prefix)
				a, b := f.client(stable), f.client(stable)
				to := f.follower("oShared")
				for i, c := range []*APIClient{a, b, a, b} {
					if err := c.SendText(t.Context(), to, fmt.Sprint("message ", i)); err != nil {
						t.Fatal(err)
					}
				}
				if n := f.spy.TokenFetches(); n != 1 {
					t.Fatalf("%d token fetches for two instances, want 1", n)
				}
				if len(f.platform.SentTo("oShared")) != 4 {
					t.Fatalf("sent %d messages, want 4", len(f.platform.SentTo("oShared")))
				}
			})
		})
	}
}

func TestTokenFetchedOnceUnderConcurrency(t *testing.T) {
	wxRedisBackends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		f := newWXFixtureOn(t, rdb, prefix)
		instances := []*APIClient{f.client(false), f.client(false), f.client(false)}
		const perInstance = 20
		var wg sync.WaitGroup
		errs := make(chan error, len(instances)*perInstance)
		for n, c := range instances {
			for i := range perInstance {
				// One consumer each: WeChat allows only a few messages per window.
				to := f.follower(fmt.Sprintf("oBusy-%d-%d", n, i))
				wg.Go(func() { errs <- c.SendText(t.Context(), to, "hi") })
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := f.spy.TokenFetches(); n != 1 {
			t.Fatalf("%d token fetches by %d goroutines on 3 instances, want 1", n, len(instances)*perInstance)
		}
		if n := len(f.platform.Sent()); n != len(instances)*perInstance {
			t.Fatalf("%d messages recorded", n)
		}
	})
}

func TestTokenExpiredIsRefreshed(t *testing.T) {
	for _, stable := range []bool{false, true} {
		t.Run(fmt.Sprintf("stable=%v", stable), func(t *testing.T) {
			f := newWXFixture(t)
			c := f.client(stable)
			f.follower("oLate")
			if err := c.SendText(t.Context(), "oLate", "before"); err != nil {
				t.Fatal(err)
			}
			// Redis still holds the token; WeChat's clock says it has expired.
			f.clock.Advance(wechatsim.TokenLifetime + time.Minute)
			if err := c.SendText(t.Context(), "oLate", "after"); err != nil {
				t.Fatalf("after expiry: %v", err)
			}
			if n := f.spy.TokenFetches(); n != 2 {
				t.Fatalf("%d token fetches, want 2", n)
			}
			if n := f.spy.Hits("/cgi-bin/message/custom/send"); n != 3 {
				t.Fatalf("%d sends, want 3 (ok, 42001, retried ok)", n)
			}
			logs := f.logs.String()
			if !strings.Contains(logs, "errcode=42001") {
				t.Errorf("the refresh is not logged:\n%s", logs)
			}
			f.assertNoSecrets(t, "logs", logs)
		})
	}
}

func TestTokenReplacedByAnotherFetchIsRetriedOnce(t *testing.T) {
	f := newWXFixture(t)
	ours := f.client(false)
	f.follower("oReplaced")
	if err := ours.SendText(t.Context(), "oReplaced", "first"); err != nil {
		t.Fatal(err)
	}
	// A deployment that does not share our Redis fetches its own token: ours
	// is replaced and stops working once the grace period is over.
	other, _ := (&wxFixture{rdb: testenv.NewRedis(t), log: f.log}).instance(f.config(false))
	if err := other.SendText(t.Context(), "oReplaced", "from elsewhere"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(wechatsim.TokenGrace + time.Minute)
	sendsBefore := f.spy.Hits("/cgi-bin/message/custom/send")
	if err := ours.SendText(t.Context(), "oReplaced", "second"); err != nil {
		t.Fatalf("after the token was replaced: %v", err)
	}
	if n := f.spy.Hits("/cgi-bin/message/custom/send") - sendsBefore; n != 2 {
		t.Fatalf("%d sends, want 2 (40001, then retried once)", n)
	}
	if !strings.Contains(f.logs.String(), "errcode=40001") {
		t.Errorf("the refresh is not logged:\n%s", f.logs.String())
	}
	f.assertNoSecrets(t, "logs", f.logs.String())
}

func TestTokenWrongSecretIsAClearError(t *testing.T) {
	for _, stable := range []bool{false, true} {
		t.Run(fmt.Sprintf("stable=%v", stable), func(t *testing.T) {
			f := newWXFixture(t)
			cfg := f.config(stable)
			cfg.AppSecret = "wrong-secret-0a1b2c3d4e5f"
			c, _ := f.instance(cfg)
			err := c.SendText(t.Context(), "oNobody", "hi")
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != 40125 || !strings.HasSuffix(ae.Op, "token") {
				t.Fatalf("wrong secret: %v", err)
			}
			if IsRetryable(err) || IsTokenError(err) {
				t.Fatalf("a wrong secret will not fix itself: %v", err)
			}
			if strings.Contains(err.Error(), cfg.AppSecret) {
				t.Fatalf("the error holds the secret: %v", err)
			}
			if n := f.spy.Hits("/cgi-bin/message/custom/send"); n != 0 {
				t.Fatalf("%d sends without a token", n)
			}
		})
	}
}

func TestTokenFetchTransportErrorHoldsNoSecret(t *testing.T) {
	f := newWXFixture(t)
	c := f.client(false)
	f.server.Close()
	err := c.SendText(t.Context(), "oNobody", "hi")
	if err == nil || !IsRetryable(err) {
		t.Fatalf("platform down: %v", err)
	}
	if strings.Contains(err.Error(), wxTestSecret) || !strings.Contains(err.Error(), "secret=REDACTED") {
		t.Fatalf("error %q: want the URL with the secret redacted", err)
	}
}

func TestTokenInvalidateKeepsANewerToken(t *testing.T) {
	rdb := testenv.NewRedis(t)
	var n atomic.Int64
	src := newRedisTokenSource(rdb, "tok", func(context.Context) (string, time.Duration, error) {
		return fmt.Sprint("token-", n.Add(1)), 2 * time.Hour, nil
	}, RedisTokenOptions{})
	ctx := t.Context()
	first, _ := src.Token(ctx)
	src.Invalidate(ctx, first)
	second, _ := src.Token(ctx)
	if first != "token-1" || second != "token-2" {
		t.Fatalf("tokens %q then %q", first, second)
	}
	// A late Invalidate of the first token, from an instance that used it
	// before the refresh, must not throw the fresh one away.
	src.Invalidate(ctx, first)
	if got, _ := src.Token(ctx); got != second || n.Load() != 2 {
		t.Fatalf("after a stale Invalidate: %q, %d fetches", got, n.Load())
	}
	if ttl := rdb.TTL(ctx, DefaultWeChatKeyPrefix+"tok").Val(); ttl <= time.Hour || ttl > 2*time.Hour-tokenExpiryMargin {
		t.Fatalf("token cached for %v", ttl)
	}
}

func TestTokenWaitsForTheInstanceHoldingTheLock(t *testing.T) {
	m, rdb := testenv.NewMiniredis(t)
	lockKey := DefaultWeChatKeyPrefix + "tok:lock"
	waiting := make(chan struct{}, 1)
	rdb.AddHook(lockTakenHook{lockKey: lockKey, waiting: waiting})
	var fetches atomic.Int64
	src := newRedisTokenSource(rdb, "tok", func(context.Context) (string, time.Duration, error) {
		fetches.Add(1)
		return "fetched-here", time.Hour, nil
	}, RedisTokenOptions{})
	ctx := t.Context()

	// Another instance is fetching: we wait and take its token, which appears
	// only once we have found the lock taken.
	rdb.Set(ctx, lockKey, "other-instance", DefaultTokenLockTTL)
	got := tokenAsync(ctx, src)
	awaitSignal(t, waiting, "the source found the lock taken")
	rdb.Set(ctx, DefaultWeChatKeyPrefix+"tok", "fetched-there", time.Hour)
	if r := awaitToken(t, got); r.tok != "fetched-there" || r.err != nil || fetches.Load() != 0 {
		t.Fatalf("Token = %q, %v after %d fetches; want the other instance's token", r.tok, r.err, fetches.Load())
	}

	// The instance holding the lock died: once the lock expires we fetch.
	rdb.Del(ctx, DefaultWeChatKeyPrefix+"tok")
	rdb.Set(ctx, lockKey, "dead-instance", DefaultTokenLockTTL)
	select {
	case <-waiting: // left over from the first wait
	default:
	}
	got = tokenAsync(ctx, src)
	awaitSignal(t, waiting, "the source found the dead instance's lock")
	m.FastForward(DefaultTokenLockTTL)
	if r := awaitToken(t, got); r.tok != "fetched-here" || r.err != nil || fetches.Load() != 1 {
		t.Fatalf("Token = %q, %v after %d fetches; want our own after the lock expired", r.tok, r.err, fetches.Load())
	}
	if rdb.Exists(ctx, lockKey).Val() != 0 {
		t.Fatal("the lock was not released")
	}
}

// lockTakenHook reports on waiting each attempt to take the refresh lock that
// found it held, so a test acts once a token source is really waiting.
type lockTakenHook struct {
	lockKey string
	waiting chan struct{}
}

func (h lockTakenHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h lockTakenHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (h lockTakenHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		args := cmd.Args()
		if taken, ok := cmd.(*redis.BoolCmd); ok && len(args) > 1 && args[1] == h.lockKey && err == nil && !taken.Val() {
			select {
			case h.waiting <- struct{}{}:
			default:
			}
		}
		return err
	}
}

type tokenResult struct {
	tok string
	err error
}

// tokenAsync asks src for the token on another goroutine.
func tokenAsync(ctx context.Context, src *RedisTokenSource) <-chan tokenResult {
	got := make(chan tokenResult, 1)
	go func() {
		tok, err := src.Token(ctx)
		got <- tokenResult{tok, err}
	}()
	return got
}

func awaitToken(t *testing.T, got <-chan tokenResult) tokenResult {
	t.Helper()
	select {
	case r := <-got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("Token did not return")
		return tokenResult{}
	}
}

func awaitSignal(t *testing.T, signal <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-signal:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting until %s", what)
	}
}

func TestTokenFailsWithoutRedisInsteadOfFetchingAlone(t *testing.T) {
	m, rdb := testenv.NewMiniredis(t)
	f := newWXFixtureOn(t, rdb, "")
	c := f.client(false)
	m.Close()
	if err := c.SendText(t.Context(), "oNoRedis", "hi"); err == nil {
		t.Fatal("sent without Redis")
	}
	if n := f.spy.TokenFetches(); n != 0 {
		t.Fatalf("%d token fetches without Redis; each would replace the shared token", n)
	}
}

func TestTokenIsSharedWithTheLibraryHandle(t *testing.T) {
	f := newWXFixture(t)
	_, src := f.instance(f.config(false))
	ours, err := src.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// A library component built on the same cache must reuse the token: had it
	// missed, it would call the real WeChat host and fail here.
	lib := credential.NewDefaultAccessToken(wxTestAppID, wxTestSecret, credential.CacheKeyOfficialAccountPrefix, NewRedisCache(f.rdb, ""))
	// A cache hit takes a millisecond; the bound only keeps a miss (a call to the
	// real WeChat host) from hanging the test, so it can be generous.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got, err := lib.GetAccessTokenContext(ctx)
	if err != nil || got != ours {
		t.Fatalf("library handle got %v, %v; want our token", got != "", err)
	}
}

func TestTokenCacheTTL(t *testing.T) {
	for _, tc := range []struct{ in, want time.Duration }{
		{7200 * time.Second, 7200*time.Second - tokenExpiryMargin},
		{6 * time.Minute, 3 * time.Minute},
		{0, time.Second},
	} {
		if got := tokenCacheTTL(tc.in); got != tc.want {
			t.Errorf("tokenCacheTTL(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestTokenBadAPIBaseIsNotRetryable(t *testing.T) {
	cfg := APIConfig{AppID: wxTestAppID, AppSecret: wxTestSecret, APIBase: "http://[::1"}
	c := NewAPIClient(cfg, NewRedisTokenSource(testenv.NewRedis(t), cfg, RedisTokenOptions{}), nil)
	err := c.SendText(t.Context(), "oNobody", "hi")
	if err == nil || IsRetryable(err) || strings.Contains(err.Error(), wxTestSecret) {
		t.Fatalf("a malformed APIBase: %v (retryable %v)", err, IsRetryable(err))
	}
}
