package main

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// replyHist is the server's own histogram of callback handling time
// (complaintbot_wechat_reply_seconds, summed over outcomes), by bucket bound.
type replyHist map[string]float64

const replyBucket = "complaintbot_wechat_reply_seconds_bucket{"

// scrapeReplies reads the histogram from the server's metrics URL; nil when
// there is no URL or it cannot be read.
func scrapeReplies(url string) replyHist {
	if url == "" {
		return nil
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(url)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	h := replyHist{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, replyBucket) {
			continue
		}
		_, rest, _ := strings.Cut(line, `le="`)
		le, val, _ := strings.Cut(rest, `"} `)
		n, _ := strconv.ParseFloat(strings.TrimSpace(val), 64)
		h[le] += n
	}
	return h
}

// serverView is the server's count of callbacks handled since before, and of
// those over 1 s and over 4.5 s, by its own clock: beside the client's view it
// tells the webhook's delay from the generator's and the network's.
func serverView(before, after replyHist) string {
	if before == nil || after == nil {
		return ""
	}
	d := func(le string) float64 { return after[le] - before[le] }
	all := d("+Inf")
	return fmt.Sprintf("server's own clock: handled %.0f, over 1s %.0f, over 4.5s %.0f",
		all, all-d("1"), all-d("4.5"))
}
