package main

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// results collects the outcomes of the open-loop phase.
type results struct {
	mu      sync.Mutex
	counts  [timedOut + 1]int
	lats    []time.Duration
	kinds   map[string]int // answers and errors by their first words
	maxLag  time.Duration
	offered time.Duration
}

func newResults(n int) *results {
	return &results{lats: make([]time.Duration, 0, n), kinds: map[string]int{}}
}

func (r *results) add(out outcome, took time.Duration, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[out]++
	if text != "" {
		r.kinds[firstRunes(text, 16)]++
	}
	r.lats = append(r.lats, took)
}

// lag notes how late the generator sent a request: its own scheduling delay,
// which the latencies do not include.
func (r *results) lag(d time.Duration) {
	if d > r.maxLag {
		r.maxLag = d // only the sending goroutine calls lag
	}
}

func (r *results) print(deadline time.Duration) {
	slices.Sort(r.lats)
	sent := len(r.lats)
	over := sent - func() int { i, _ := slices.BinarySearch(r.lats, deadline+1); return i }()
	pct := func(p float64) time.Duration {
		if sent == 0 {
			return 0
		}
		return r.lats[min(sent-1, int(p*float64(sent)))]
	}
	fmt.Printf("sent %d in %v (%.0f/s achieved), generator max send lag %v\n", sent,
		r.offered.Round(time.Millisecond), float64(sent)/r.offered.Seconds(), r.maxLag.Round(time.Millisecond))
	fmt.Printf("longest wait for a pooled connection (included in latency): %v\n",
		time.Duration(poolWait.Load()).Round(time.Millisecond))
	fmt.Printf("answered %d  busy %d  success(late) %d  errors %d  timeouts %d\n",
		r.counts[answered], r.counts[busy], r.counts[late], r.counts[failed], r.counts[timedOut])
	fmt.Printf("latency to first byte: p50 %v  p99 %v  max %v  over %v: %d\n",
		pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond),
		pct(1).Round(time.Millisecond), deadline, over)
	texts := slices.Collect(maps.Keys(r.kinds))
	slices.SortFunc(texts, func(a, b string) int { return r.kinds[b] - r.kinds[a] })
	for _, text := range texts {
		fmt.Printf("  %6d × %q…\n", r.kinds[text], text)
	}
}

// firstRunes is the start of a reply or error, enough to tell the kinds apart.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
