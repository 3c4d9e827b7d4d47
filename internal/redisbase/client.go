package redisbase

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Topology is the shape of the Redis deployment a URL names.
type Topology string

// The topologies redis.url can name, by its scheme.
const (
	// Single is one server (or a proxy that looks like one): redis://, rediss://.
	Single Topology = "single"
	// Cluster is a Redis Cluster, reached through any of its nodes:
	// redis+cluster://, rediss+cluster://.
	Cluster Topology = "cluster"
	// Sentinel is a master found through Redis Sentinel, which follows it across
	// a failover: redis+sentinel://, rediss+sentinel://.
	Sentinel Topology = "sentinel"
)

// schemes maps each accepted URL scheme to its topology and the plain scheme
// ("redis" or "rediss") go-redis's parsers take; the suffix is ours, so the
// URL says by itself what it points at and a typo cannot silently connect a
// cluster as a single node.
var schemes = map[string]struct {
	topology Topology
	plain    string
}{
	"redis":           {Single, "redis"},
	"rediss":          {Single, "rediss"},
	"redis+cluster":   {Cluster, "redis"},
	"rediss+cluster":  {Cluster, "rediss"},
	"redis+sentinel":  {Sentinel, "redis"},
	"rediss+sentinel": {Sentinel, "rediss"},
}

// ClientSettings are the client settings the service decides itself, whatever
// the URL says. A zero field leaves the URL's value or go-redis's default.
type ClientSettings struct {
	DialTimeout, ReadTimeout, WriteTimeout, PoolTimeout time.Duration
	// MaxRetries is go-redis's MaxRetries; 0 leaves it, -1 turns retries off.
	MaxRetries int
	// ContextTimeoutEnabled makes socket reads honour the context's deadline.
	ContextTimeoutEnabled bool
}

// Endpoint is a parsed redis.url: exactly one of the option structs is set,
// the one its Topology needs.
type Endpoint struct {
	Topology Topology
	single   *redis.Options
	cluster  *redis.ClusterOptions
	failover *redis.FailoverOptions
}

// ParseURL parses a redis.url in one of these forms (query parameters are
// go-redis's: dial_timeout, pool_size, …):
//
//	redis://[user:password@]host:port[/db]          one server; rediss:// for TLS
//	redis+cluster://[user:password@]host:port[?addr=host:port&addr=…]
//	                                                a Redis Cluster: the seed nodes; no db
//	redis+sentinel://[sentinel-user:sentinel-password@]host:port[/db]?master_name=NAME[&addr=host:port…][&password=…]
//	                                                the master NAME as Sentinel reports it
//
// Errors never quote the URL, which may hold a password.
func ParseURL(raw string) (Endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, errors.New("redis url: not a valid URL")
	}
	scheme, ok := schemes[strings.ToLower(u.Scheme)]
	if !ok {
		return Endpoint{}, fmt.Errorf("redis url: unsupported scheme %q (use redis://, rediss://, redis+cluster:// or redis+sentinel://)", u.Scheme)
	}
	if u.Hostname() == "" {
		return Endpoint{}, errors.New("redis url: must include a host")
	}
	u.Scheme = scheme.plain
	e := Endpoint{Topology: scheme.topology}
	switch scheme.topology {
	case Cluster:
		if db := strings.Trim(u.Path, "/"); db != "" && db != "0" {
			return Endpoint{}, errors.New("redis url: a Redis Cluster has only database 0; remove the path")
		}
		u.Path = ""
		e.cluster, err = redis.ParseClusterURL(u.String())
	case Sentinel:
		e.failover, err = redis.ParseFailoverURL(u.String())
		if err == nil && e.failover.MasterName == "" {
			err = errors.New("needs master_name=<the master's name in Sentinel>")
		}
	default:
		e.single, err = redis.ParseURL(u.String())
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("redis url: %s", redactedError(err, raw))
	}
	return e, nil
}

// redactedError is err's text with the URL's password, if go-redis quoted it,
// replaced: query parameters such as password= can show up in its messages.
func redactedError(err error, raw string) string {
	msg := err.Error()
	u, perr := url.Parse(raw)
	if perr != nil {
		return msg
	}
	secrets := []string{u.Query().Get("password")}
	if p, ok := u.User.Password(); ok {
		secrets = append(secrets, p)
	}
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return msg
}

// NewClient returns a client for e with s applied: a *redis.Client, a
// *redis.ClusterClient or a failover *redis.Client, all behind go-redis's
// UniversalClient, so the stores need not know which.
func (e Endpoint) NewClient(s ClientSettings) redis.UniversalClient {
	switch e.Topology {
	case Cluster:
		o := *e.cluster
		s.apply(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.ContextTimeoutEnabled)
		return redis.NewClusterClient(&o)
	case Sentinel:
		o := *e.failover
		s.apply(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.ContextTimeoutEnabled)
		return redis.NewFailoverClient(&o)
	default:
		o := *e.single
		s.apply(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.ContextTimeoutEnabled)
		return redis.NewClient(&o)
	}
}

// apply overwrites the fields s sets.
func (s ClientSettings) apply(dial, read, write, pool *time.Duration, retries *int, ctxTimeout *bool) {
	for _, f := range []struct {
		dst *time.Duration
		v   time.Duration
	}{{dial, s.DialTimeout}, {read, s.ReadTimeout}, {write, s.WriteTimeout}, {pool, s.PoolTimeout}} {
		if f.v != 0 {
			*f.dst = f.v
		}
	}
	if s.MaxRetries != 0 {
		*retries = s.MaxRetries
	}
	if s.ContextTimeoutEnabled {
		*ctxTimeout = true
	}
}

// NewClient parses raw (ParseURL) and returns its client with s applied.
func NewClient(raw string, s ClientSettings) (redis.UniversalClient, Topology, error) {
	e, err := ParseURL(raw)
	if err != nil {
		return nil, "", err
	}
	return e.NewClient(s), e.Topology, nil
}

// SingleOptions returns a copy of a single server's options, and false for a
// cluster or a Sentinel URL, whose clients find their nodes for themselves.
func (e Endpoint) SingleOptions() (*redis.Options, bool) {
	if e.Topology != Single {
		return nil, false
	}
	o := *e.single
	return &o, true
}
