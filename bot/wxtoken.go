package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/credential"

	"github.com/complaintbot/complaintbot/internal/redisbase"
)

// Why not the library's credential.NewDefaultAccessToken or
// NewStableAccessToken on a RedisCache: they fetch through util.HTTPGet with
// the global client and the hard-coded host, lock per process only and never
// react to a refused token. With several instances, each one whose cache
// misses at the same moment would fetch its own token; every /cgi-bin/token
// fetch replaces the previous token after a short grace, so the instances
// would keep invalidating each other and burn the daily fetch quota. The
// RedisTokenSource below takes a Redis lock (SET NX with a TTL) so that one
// instance fetches while the others wait and re-read, and drops a refused
// token only if no one has replaced it yet.

// DefaultTokenLockTTL is how long one instance may hold the refresh lock. It
// outlives a fetch (bounded to two thirds of it), so a second instance never
// fetches while the first still might succeed, and is short enough that a
// crashed holder delays the others only briefly.
const DefaultTokenLockTTL = 15 * time.Second

// tokenExpiryMargin is how long before WeChat's expiry a cached token is
// dropped, so no call goes out with a token about to expire.
const tokenExpiryMargin = 5 * time.Minute

// Polling of an instance waiting for another one's fetch.
const (
	tokenPollMin = 20 * time.Millisecond
	tokenPollMax = 250 * time.Millisecond
)

// tokenRedisTimeout bounds the Redis writes done after a fetch and on
// unlock, which must happen even if the caller's context has ended.
const tokenRedisTimeout = 2 * time.Second

// RedisTokenOptions configures a RedisTokenSource. The zero value is usable.
type RedisTokenOptions struct {
	// Prefix starts the keys; empty means DefaultWeChatKeyPrefix. Give a
	// RedisCache the same prefix to let the library share the token.
	Prefix string
	// LockTTL is how long one instance may hold the refresh lock; zero or
	// negative means DefaultTokenLockTTL.
	LockTTL time.Duration
	// Log receives a line per fetch; nil discards.
	Log *slog.Logger
}

// RedisTokenSource is the TokenSource shared by every instance through Redis.
// The token is kept where the library's own token handle keeps it
// (<prefix>gowechat_officialaccount__access_token_<appid>), so a library
// component built on a RedisCache with the same prefix reuses this token
// instead of fetching one that would replace it. It is safe for concurrent use.
type RedisTokenSource struct {
	rdb     redis.UniversalClient
	fetch   fetchTokenFunc
	key     string // the token
	lockKey string // held by the instance that fetches
	lockTTL time.Duration
	sem     chan struct{} // one goroutine per process competes for the lock
	log     *slog.Logger
}

// fetchTokenFunc asks WeChat for a token and how long it lives.
type fetchTokenFunc func(ctx context.Context) (token string, expiresIn time.Duration, err error)

var _ TokenSource = (*RedisTokenSource)(nil)

// NewRedisTokenSource returns the token source of the account in cfg, which
// fetches from cfg.APIBase with cfg.HTTP (the stable endpoint if
// cfg.UseStableToken) and shares the token through rdb.
func NewRedisTokenSource(rdb redis.UniversalClient, cfg APIConfig, opts RedisTokenOptions) *RedisTokenSource {
	f := tokenFetcher{wx: newWXHTTP(cfg), appID: cfg.AppID, secret: cfg.AppSecret, stable: cfg.UseStableToken}
	return newRedisTokenSource(rdb, tokenCacheKey(cfg.AppID, cfg.UseStableToken), f.fetch, opts)
}

// newRedisTokenSource builds a source on any fetch function; key is the
// token's key without the prefix.
func newRedisTokenSource(rdb redis.UniversalClient, key string, fetch fetchTokenFunc, opts RedisTokenOptions) *RedisTokenSource {
	keys := redisbase.NewWeChatKeys(opts.Prefix)
	if opts.LockTTL <= 0 {
		opts.LockTTL = DefaultTokenLockTTL
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &RedisTokenSource{
		rdb: rdb, fetch: fetch,
		key: keys.Cache(key), lockKey: keys.TokenLock(key),
		lockTTL: opts.LockTTL, sem: make(chan struct{}, 1), log: opts.Log,
	}
}

// tokenCacheKey is the key the library's DefaultAccessToken or
// StableAccessToken uses for appID.
func tokenCacheKey(appID string, stable bool) string {
	if stable {
		return fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyOfficialAccountPrefix, appID)
	}
	return fmt.Sprintf("%s_access_token_%s", credential.CacheKeyOfficialAccountPrefix, appID)
}

// Token returns the shared token, fetching it if Redis holds none. When Redis
// cannot be reached it fails rather than fetching alone: a token fetched per
// call would replace the one every other instance is using.
func (s *RedisTokenSource) Token(ctx context.Context) (string, error) {
	if tok, err := s.cached(ctx); tok != "" || err != nil {
		return tok, err
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("wechat token: %w", ctx.Err())
	}
	defer func() { <-s.sem }()
	return s.refresh(ctx)
}

// cached returns the token in Redis, or "" if there is none.
func (s *RedisTokenSource) cached(ctx context.Context) (string, error) {
	tok, err := s.rdb.Get(ctx, s.key).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("wechat token: read cache: %w", err)
	}
	return tok, nil
}

// errTokenWait wraps DeadlineExceeded so IsRetryable says yes: the lock holder
// is slow or gone, and the next attempt takes over its expired lock.
var errTokenWait = fmt.Errorf("wechat token: gave up waiting for another instance's fetch: %w", context.DeadlineExceeded)

// refresh loops until the token is in Redis or this instance holds the lock
// and fetches it. A waiter gives up after two lock lifetimes, by which time a
// crashed holder's lock has expired and been taken over.
func (s *RedisTokenSource) refresh(ctx context.Context) (string, error) {
	giveUp := time.Now().Add(2 * s.lockTTL)
	for delay := tokenPollMin; ; delay = min(2*delay, tokenPollMax) {
		if tok, err := s.cached(ctx); tok != "" || err != nil {
			return tok, err
		}
		owner := newLockOwner()
		ok, err := s.rdb.SetNX(ctx, s.lockKey, owner, s.lockTTL).Result()
		if err != nil {
			return "", fmt.Errorf("wechat token: take refresh lock: %w", err)
		}
		if ok {
			return s.fetchLocked(ctx, owner)
		}
		if time.Now().After(giveUp) {
			return "", errTokenWait
		}
		if err := sleepContext(ctx, delay); err != nil {
			return "", fmt.Errorf("wechat token: %w", err)
		}
	}
}

// fetchLocked fetches and stores the token while holding the lock.
func (s *RedisTokenSource) fetchLocked(ctx context.Context, owner string) (string, error) {
	defer s.unlock(owner)
	// The previous holder may have stored a token between our read and our lock.
	if tok, err := s.cached(ctx); tok != "" || err != nil {
		return tok, err
	}
	fetchCtx, cancel := context.WithTimeout(ctx, s.lockTTL*2/3)
	defer cancel()
	tok, expiresIn, err := s.fetch(fetchCtx)
	if err != nil {
		return "", err
	}
	// Store even if the caller has gone: the fetch has already replaced the
	// old token, and the other instances need the new one.
	setCtx, cancelSet := context.WithTimeout(context.WithoutCancel(ctx), tokenRedisTimeout)
	defer cancelSet()
	if err := s.rdb.Set(setCtx, s.key, tok, tokenCacheTTL(expiresIn)).Err(); err != nil {
		s.log.Warn("wechat access token fetched but not shared", "err", err)
	} else {
		s.log.Info("wechat access token fetched", "expires_in", expiresIn)
	}
	return tok, nil
}

// compareAndDelete deletes a key only while it holds the expected value, so a
// late Invalidate cannot drop a newer token and a slow lock holder cannot
// release a lock that expired and was taken by another instance.
//
// KEYS[1] -> the token key or the lock key
// ARGV[1] -> the refused token, or the lock owner's random id
// Returns 1 if the key was deleted, 0 if it held another value or none.
var compareAndDelete = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0
`)

// unlock releases the lock if this instance still holds it. A failure is
// harmless: the lock expires by itself.
func (s *RedisTokenSource) unlock(owner string) {
	ctx, cancel := context.WithTimeout(context.Background(), tokenRedisTimeout)
	defer cancel()
	_ = compareAndDelete.Run(ctx, s.rdb, []string{s.lockKey}, owner).Err()
}

// Invalidate drops token from Redis if it is still the shared one. When
// another instance has already replaced it, the newer token is kept. A Redis
// failure is logged only: the next call then fails on the same token and
// tries again.
func (s *RedisTokenSource) Invalidate(ctx context.Context, token string) {
	if token == "" {
		return
	}
	if err := compareAndDelete.Run(ctx, s.rdb, []string{s.key}, token).Err(); err != nil {
		s.log.Warn("wechat access token not invalidated", "err", err)
	}
}

// tokenCacheTTL is how long a token that WeChat says lives expiresIn is kept:
// tokenExpiryMargin less, but at least half its life (the stable endpoint
// may hand out a token with little time left) and at least a second.
func tokenCacheTTL(expiresIn time.Duration) time.Duration {
	ttl := max(expiresIn-tokenExpiryMargin, expiresIn/2)
	return max(ttl, time.Second)
}

// newLockOwner returns a random id that marks this holder of the lock.
func newLockOwner() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// sleepContext waits d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tokenFetcher asks WeChat for a token with our own HTTP client and base URL.
type tokenFetcher struct {
	wx     wxHTTP
	appID  string
	secret string
	stable bool
}

// tokenAnswer is the answer of both token endpoints.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// fetch gets a token. The stable endpoint is asked without force_refresh:
// it already hands out a new token once the old one has expired, while
// forcing would cut short the token that other deployments on the account
// share, and is limited to a few calls a day.
func (f tokenFetcher) fetch(ctx context.Context) (string, time.Duration, error) {
	var out tokenAnswer
	op := opToken
	var err error
	if f.stable {
		op = opStableToken
		body := map[string]any{"grant_type": "client_credential", "appid": f.appID, "secret": f.secret, "force_refresh": false}
		err = f.wx.postJSON(ctx, op, f.wx.base+"/cgi-bin/stable_token", "", body, &out)
	} else {
		q := url.Values{"grant_type": {"client_credential"}, "appid": {f.appID}, "secret": {f.secret}}
		err = f.wx.getJSON(ctx, op, f.wx.endpoint("/cgi-bin/token", q), "", &out)
	}
	if err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" {
		return "", 0, fmt.Errorf("wechat %s: the answer holds no access_token", op)
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}
