package console

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// A report page shows three charts, each an image with its own request. Each
// used to compute the whole report again, so a page view cost four reports.
// Now the page keeps the report it drew here under a random token, which its
// chart links carry (&v=…); a chart request with a known token draws from that
// same report, so the charts also match the page's tables exactly. A chart
// without a token, or whose token has expired or belongs to another period or
// unit, computes its report afresh. The scope check runs before the cache is
// read, and the key holds the unit, so a token cannot show another unit's
// figures.

// reportCacheTTL is how long a page's report serves its charts; reportCacheSize
// bounds the reports kept (the oldest goes first).
const (
	reportCacheTTL  = 2 * time.Minute
	reportCacheSize = 32
)

// reportCache holds the reports pages drew recently. The zero value is ready.
type reportCache struct {
	mu      sync.Mutex
	entries []reportCacheEntry
}

// reportCacheEntry is one report with what it was computed for.
type reportCacheEntry struct {
	token, key string
	at         time.Time
	rep        *storage.Report
}

// reportCacheKey names a report: the period and the unit.
func reportCacheKey(from, to time.Time, u *reportUnit) string {
	return from.Format(time.RFC3339) + "|" + to.Format(time.RFC3339) + "|" + strconv.FormatInt(u.unit.ID, 10)
}

// put keeps rep and returns its token.
func (c *reportCache) put(key string, rep *storage.Report) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= reportCacheSize {
		c.entries = c.entries[1:]
	}
	c.entries = append(c.entries, reportCacheEntry{token: token, key: key, at: time.Now(), rep: rep})
	return token
}

// get returns the report kept under token for key, if still fresh.
func (c *reportCache) get(token, key string) *storage.Report {
	if token == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if e.token == token && e.key == key && time.Since(e.at) < reportCacheTTL {
			return e.rep
		}
	}
	return nil
}
