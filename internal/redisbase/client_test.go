package redisbase_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/internal/redisbase"
)

// redisURLs are the forms of redis.url, with the topology each names ("" for a
// URL both the configuration check and ParseURL must refuse).
var redisURLs = []struct {
	url  string
	want redisbase.Topology
}{
	{"redis://127.0.0.1:6379/0", redisbase.Single},
	{"rediss://user:pw@redis.example:6380/1", redisbase.Single},
	{"redis://:pw@redis:6379", redisbase.Single},
	{"redis+cluster://10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000", redisbase.Cluster},
	{"rediss+cluster://user:pw@node1.example:7000", redisbase.Cluster},
	{"redis+cluster://10.0.0.1:7000/0", redisbase.Cluster},
	{"redis+sentinel://10.0.0.1:26379/2?master_name=cb&addr=10.0.0.2:26379&password=pw", redisbase.Sentinel},
	{"rediss+sentinel://s:pw@sentinel.example:26379?master_name=cb", redisbase.Sentinel},

	{"http://redis:6379", ""},
	{"localhost:6379", ""},
	{"redis:///0", ""},
	{"redis://redis:6379/db", ""},
	{"redis://redis:6379?addr=r2:6379", ""},             // seeds without saying cluster
	{"redis+cluster://10.0.0.1:7000/3", ""},             // a cluster has only db 0
	{"redis+cluster://10.0.0.1:7000?addr=10.0.0.2", ""}, // an addr without its port
	{"redis+sentinel://10.0.0.1:26379/0", ""},           // no master_name
	{"redis+sentinel://10.0.0.1:26379/x?master_name=cb", ""},
}

// TestParseURLForms checks each form's topology, and that configs.Validate
// accepts exactly what ParseURL does, so an operator's mistake is reported by
// the configuration check, with the key's name, before anything connects.
func TestParseURLForms(t *testing.T) {
	for _, tc := range redisURLs {
		e, err := redisbase.ParseURL(tc.url)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("ParseURL(%q) accepted it as %s", tc.url, e.Topology)
		case tc.want != "" && err != nil:
			t.Errorf("ParseURL(%q): %v", tc.url, err)
		case tc.want != "" && e.Topology != tc.want:
			t.Errorf("ParseURL(%q) = %s, want %s", tc.url, e.Topology, tc.want)
		}
		c := configs.Default()
		c.Redis.URL = tc.url
		verr := c.Validate()
		if (verr == nil) != (tc.want != "") {
			t.Errorf("Validate with redis.url %q: %v; ParseURL: %v", tc.url, verr, err)
		}
		if verr != nil && !strings.Contains(verr.Error(), "redis.url:") {
			t.Errorf("Validate with redis.url %q does not name the key: %v", tc.url, verr)
		}
	}
}

// TestNewClientKinds checks that each topology gets go-redis's client for it,
// with the service's settings over the URL's, and the URL's other parameters kept.
func TestNewClientKinds(t *testing.T) {
	settings := redisbase.ClientSettings{ReadTimeout: 700 * time.Millisecond, MaxRetries: 1, ContextTimeoutEnabled: true}
	t.Run("single", func(t *testing.T) {
		rdb, topo, err := redisbase.NewClient("redis://:pw@127.0.0.1:1/3?pool_size=7&read_timeout=9s", settings)
		if err != nil || topo != redisbase.Single {
			t.Fatalf("%s %v", topo, err)
		}
		defer rdb.Close()
		c, ok := rdb.(*redis.Client)
		if !ok {
			t.Fatalf("got %T", rdb)
		}
		o := c.Options()
		if o.DB != 3 || o.Password != "pw" || o.PoolSize != 7 || o.ReadTimeout != 700*time.Millisecond ||
			o.MaxRetries != 1 || !o.ContextTimeoutEnabled {
			t.Fatalf("options: db %d pool %d read %v retries %d ctx %v", o.DB, o.PoolSize, o.ReadTimeout, o.MaxRetries, o.ContextTimeoutEnabled)
		}
	})
	t.Run("cluster", func(t *testing.T) {
		rdb, topo, err := redisbase.NewClient("redis+cluster://127.0.0.1:1?addr=127.0.0.1:2&pool_size=5", settings)
		if err != nil || topo != redisbase.Cluster {
			t.Fatalf("%s %v", topo, err)
		}
		defer rdb.Close()
		c, ok := rdb.(*redis.ClusterClient)
		if !ok {
			t.Fatalf("got %T", rdb)
		}
		o := c.Options()
		if strings.Join(o.Addrs, ",") != "127.0.0.1:1,127.0.0.1:2" || o.PoolSize != 5 ||
			o.ReadTimeout != 700*time.Millisecond || !o.ContextTimeoutEnabled {
			t.Fatalf("options: addrs %v pool %d read %v", o.Addrs, o.PoolSize, o.ReadTimeout)
		}
	})
	t.Run("sentinel", func(t *testing.T) {
		e, err := redisbase.ParseURL("redis+sentinel://127.0.0.1:1/2?master_name=cb&password=pw")
		if err != nil || e.Topology != redisbase.Sentinel {
			t.Fatalf("%s %v", e.Topology, err)
		}
		if _, ok := e.SingleOptions(); ok {
			t.Fatal("a Sentinel URL gave single-node options")
		}
		rdb := e.NewClient(settings)
		defer rdb.Close()
		if _, ok := rdb.(*redis.Client); !ok {
			t.Fatalf("got %T", rdb)
		}
	})
}

// TestParseURLNeverEchoesPasswords: go-redis quotes bad parameters in its
// errors; a password must not reach a log that way.
func TestParseURLNeverEchoesPasswords(t *testing.T) {
	for _, raw := range []string{
		"redis+sentinel://u:SENTINELPW@h:26379?master_name=cb&password=MASTERPW&pool_size=MASTERPW",
		"redis://u:NODEPW@h:6379?dial_timeout=NODEPW",
		"redis+cluster://u:NODEPW@h:7000?read_only=NODEPW",
	} {
		_, err := redisbase.ParseURL(raw)
		if err == nil {
			t.Fatalf("ParseURL accepted a bad parameter in %q", raw)
		}
		for _, secret := range []string{"SENTINELPW", "MASTERPW", "NODEPW"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error echoes %s: %v", secret, err)
			}
		}
	}
}
