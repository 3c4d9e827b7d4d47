// Command webhookbench measures complaintbot's webhook from outside against a
// bare silenceper/wechat echo server (cmd/wxecho) in the same run: it starts
// both built binaries, drives each with wrk (one connection per wrk thread, so
// one consumer's messages never overlap in flight) from requests it signs, and
// in safe mode encrypts, before each phase, alternating echo and complaintbot,
// and prints req/s, p99 and their ratio for the cheapest turn (帮助) and the
// mix, plain and safe, with the counts of each kind of reply.
//
// A dev tool, not part of the service; .ci/webhookbench builds and runs it:
//
//	webhookbench -bot ./complaintbot -echo ./wxecho [-modes plain,safe] [-duration 8s]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// options are the command-line flags.
type options struct {
	bot, echo, wrk, dir    string
	botAddr, echoAddr      string
	metricsAddr, pprofAddr string
	modes                  []string
	duration, warm         time.Duration
	rounds, consumers      int
	threads                int
	profile                string
}

func parseFlags() options {
	var o options
	var modes string
	flag.StringVar(&o.bot, "bot", "", "complaintbot binary (required); its database and Redis come from the environment")
	flag.StringVar(&o.echo, "echo", "", "wxecho binary (required)")
	flag.StringVar(&o.wrk, "wrk", "wrk", "wrk binary")
	flag.StringVar(&o.dir, "dir", os.TempDir()+"/cb-webhookbench", "work directory for request files and logs")
	flag.StringVar(&o.botAddr, "bot-addr", "127.0.0.1:18110", "complaintbot's listen address")
	flag.StringVar(&o.metricsAddr, "metrics-addr", "127.0.0.1:18111", "complaintbot's metrics listener, read for its reply counts")
	flag.StringVar(&o.echoAddr, "echo-addr", "127.0.0.1:18112", "wxecho's listen address")
	flag.StringVar(&modes, "modes", "plain,safe", "modes to measure")
	flag.DurationVar(&o.duration, "duration", 8*time.Second, "length of each measured phase")
	flag.DurationVar(&o.warm, "warm", 6*time.Second, "time for the unmeasured first message of each free-text consumer, before each mode's phases")
	flag.IntVar(&o.rounds, "rounds", 2, "rounds of echo, complaintbot per workload and mode")
	flag.IntVar(&o.consumers, "consumers", 10000, "consumers per workload and mode")
	flag.IntVar(&o.threads, "connections", 32, "connections (one wrk thread each)")
	flag.StringVar(&o.pprofAddr, "pprof-addr", "", "complaintbot's pprof listener (a binary built with -tags pprof), for -profile")
	flag.StringVar(&o.profile, "profile", "", "write a CPU profile of complaintbot during each mode's first mix phase to this file prefix")
	flag.Parse()
	o.modes = strings.Split(modes, ",")
	return o
}

func main() {
	o := parseFlags()
	if o.bot == "" || o.echo == "" {
		fmt.Fprintln(os.Stderr, "webhookbench: -bot and -echo are required")
		os.Exit(2)
	}
	rep, err := run(context.Background(), o)
	if rep != nil {
		rep.print(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhookbench:", err)
		os.Exit(1)
	}
}
