package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"

	"github.com/complaintbot/complaintbot/internal/redisbase"
)

// DefaultWeChatKeyPrefix starts the Redis keys of the WeChat API client (the
// access token, its refresh lock, and whatever the library stores through
// RedisCache) when no prefix is configured.
const DefaultWeChatKeyPrefix = redisbase.DefaultWeChatPrefix

// redisCacheTimeout bounds each Redis command of RedisCache. The library's
// Cache interface carries no context, so without a bound a stalled Redis
// would hang the library's caller for good.
const redisCacheTimeout = 2 * time.Second

// RedisCache is the WeChat library's cache.Cache on go-redis v9, shared by all
// instances. It replaces the library's memory cache, which races under load
// and would give every instance its own access token, each one invalidating
// the others'. Values are stored as strings, and Get returns a string, as the
// library expects. It is safe for concurrent use.
type RedisCache struct {
	rdb     redis.UniversalClient
	keys    redisbase.WeChatKeys
	timeout time.Duration // per command; redisCacheTimeout but in tests
}

// The library type-asserts ContextCache to pass its callers' contexts on.
var _ cache.ContextCache = (*RedisCache)(nil)

// NewRedisCache returns a cache on rdb whose keys start with prefix; an empty
// prefix means DefaultWeChatKeyPrefix. Build rdb with ContextTimeoutEnabled:
// true, or go-redis ignores the per-command bound while it waits on a socket.
func NewRedisCache(rdb redis.UniversalClient, prefix string) *RedisCache {
	return &RedisCache{rdb: rdb, keys: redisbase.NewWeChatKeys(prefix), timeout: redisCacheTimeout}
}

// Get returns the string stored under key, or nil when it is missing or
// Redis cannot be reached: the library then fetches the value anew.
func (c *RedisCache) Get(key string) interface{} {
	return c.GetContext(context.Background(), key)
}

// GetContext is Get bounded by ctx as well.
func (c *RedisCache) GetContext(ctx context.Context, key string) interface{} {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	val, err := c.rdb.Get(ctx, c.keys.Cache(key)).Result()
	if err != nil {
		return nil // the interface has no error: a miss is the safe answer
	}
	return val
}

// Set stores val under key for timeout; zero means no expiry. A negative
// timeout stores nothing and removes the old value: the library computes
// timeouts as expires_in minus a margin, which goes negative for short-lived
// values, and go-redis would otherwise store them forever.
func (c *RedisCache) Set(key string, val interface{}, timeout time.Duration) error {
	return c.SetContext(context.Background(), key, val, timeout)
}

// SetContext is Set bounded by ctx as well.
func (c *RedisCache) SetContext(ctx context.Context, key string, val interface{}, timeout time.Duration) error {
	s, err := cacheString(val)
	if err != nil {
		return fmt.Errorf("wechat cache set %q: %w", key, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if timeout < 0 {
		return c.rdb.Del(ctx, c.keys.Cache(key)).Err()
	}
	return c.rdb.Set(ctx, c.keys.Cache(key), s, timeout).Err()
}

// IsExist reports whether key holds a value; false when Redis cannot be reached.
func (c *RedisCache) IsExist(key string) bool {
	return c.IsExistContext(context.Background(), key)
}

// IsExistContext is IsExist bounded by ctx as well.
func (c *RedisCache) IsExistContext(ctx context.Context, key string) bool {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	n, err := c.rdb.Exists(ctx, c.keys.Cache(key)).Result()
	return err == nil && n > 0
}

// Delete removes key; a missing key is not an error.
func (c *RedisCache) Delete(key string) error {
	return c.DeleteContext(context.Background(), key)
}

// DeleteContext is Delete bounded by ctx as well.
func (c *RedisCache) DeleteContext(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	return c.rdb.Del(ctx, c.keys.Cache(key)).Err()
}

// cacheString converts what the library stores (tokens and tickets, all
// strings) to the string Get gives back. Other types are refused rather than
// stored in a form Get could not return faithfully.
func cacheString(val interface{}) (string, error) {
	switch v := val.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case fmt.Stringer:
		return v.String(), nil
	}
	return "", fmt.Errorf("unsupported value type %T", val)
}
