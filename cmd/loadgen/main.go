// Command loadgen measures the webhook's admission control from outside: it
// posts signed (and in safe mode encrypted) WeChat callbacks to a running
// complaintbot over real HTTP from its own process, first in a closed loop to
// measure capacity, then open loop at a multiple of it, and reports how many
// callbacks were answered, shed busy, answered "success" (late) or failed, and
// the latency from sending to the first byte of the answer. WeChat gives up on
// a callback after 5 s; the webhook promises an answer within 4.5 s.
//
// A dev tool, not part of the service:
//
//	go run ./cmd/loadgen -url http://127.0.0.1:18080/wechat -token T [-aeskey K -appid A] -factor 3
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
)

// options are the command-line flags.
type options struct {
	url, token, aesKey, appID, account string
	metrics, cpuProfile                string
	busy                               string
	rate, factor                       float64
	duration, calib, timeout, deadline time.Duration
	workers, consumers, conns, pid     int
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:18080/wechat", "webhook URL, without query")
	flag.StringVar(&o.token, "token", "", "webhook Token (required)")
	flag.StringVar(&o.aesKey, "aeskey", "", "EncodingAESKey; set (with -appid) for safe mode")
	flag.StringVar(&o.appID, "appid", "", "AppID sealed into safe-mode messages")
	flag.StringVar(&o.account, "account", "", "ToUserName (gh_…); empty is the simulator's default")
	flag.StringVar(&o.busy, "busy", "系统繁忙，请稍后再试。", "prefix of the busy reply (catalogue key \"busy\")")
	flag.Float64Var(&o.rate, "rate", 0, "offered messages per second; 0 calibrates and offers factor × capacity")
	flag.Float64Var(&o.factor, "factor", 3, "offered load in multiples of the calibrated capacity")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of the open-loop phase")
	flag.DurationVar(&o.calib, "calib", 4*time.Second, "length of the closed-loop calibration (first second not counted)")
	flag.IntVar(&o.workers, "workers", 128, "closed-loop senders during calibration")
	flag.IntVar(&o.consumers, "consumers", 5000, "distinct consumers (openids) the messages come from")
	flag.IntVar(&o.conns, "conns", 1024, "most HTTP connections to the webhook (keep-alive)")
	flag.StringVar(&o.metrics, "metrics", "", "server's Prometheus URL, to report its own reply times per phase")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write the load generator's own CPU profile to this file")
	flag.IntVar(&o.pid, "pid", 0, "server process id, to report its CPU use per phase (Linux)")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Second, "HTTP client timeout")
	flag.DurationVar(&o.deadline, "deadline", 4500*time.Millisecond, "answers slower than this are counted as over")
	flag.Parse()
	return o
}

func main() {
	o := parseFlags()
	if o.token == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -token is required")
		os.Exit(2)
	}
	if (o.aesKey == "") != (o.appID == "") {
		fmt.Fprintln(os.Stderr, "loadgen: safe mode needs both -aeskey and -appid")
		os.Exit(2)
	}
	if o.cpuProfile != "" {
		stop, err := profileCPU(o.cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		defer stop()
	}
	scenario := run
	if intakeOpts.scenario == "intake" {
		scenario = runIntake
	}
	if err := scenario(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// profileCPU starts writing the load generator's own CPU profile to path, so
// that its share of the shared cores can be seen and kept small.
func profileCPU(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func newClient(o options) *wechatsim.Client {
	// Like WeChat's servers, keep a pool of connections; without a cap an open
	// loop dials a new one for every request in flight.
	tr := &http.Transport{MaxConnsPerHost: o.conns, MaxIdleConnsPerHost: o.conns, MaxIdleConns: o.conns}
	return &wechatsim.Client{WebhookURL: o.url, Token: o.token, AppID: o.appID, EncodingAESKey: o.aesKey,
		Safe: o.aesKey != "", Account: o.account, HTTP: &http.Client{Transport: tr, Timeout: o.timeout}}
}

func run(ctx context.Context, o options) error {
	c := newClient(o)
	mode := map[bool]string{true: "safe", false: "plain"}[c.Safe]
	m := newMix(o.consumers)
	fmt.Printf("mode=%s url=%s consumers=%d mix=%s\n", mode, o.url, o.consumers, m)
	rate := o.rate
	if rate <= 0 {
		reqs, err := m.build(ctx, c, int(o.calib.Seconds()*15000))
		if err != nil {
			return err
		}
		cpu := startCPU(o.pid)
		capacity := calibrate(c, o, reqs)
		fmt.Printf("calibration: %d closed-loop workers for %v: capacity %.0f answers/s (%s)\n", o.workers, o.calib, capacity, cpu)
		rate = o.factor * capacity
		time.Sleep(2 * time.Second) // let the calibration's stragglers and late turns finish
	}
	reqs, err := m.build(ctx, c, int(rate*o.duration.Seconds()))
	if err != nil {
		return err
	}
	fmt.Printf("offering %.0f msgs/s open loop for %v (%d requests, built before the phase)\n", rate, o.duration, len(reqs))
	cpu, hist := startCPU(o.pid), scrapeReplies(o.metrics)
	res := offer(c, o, reqs, rate)
	res.print(o.deadline)
	fmt.Printf("CPU during the phase: %s\n", cpu)
	if v := serverView(hist, scrapeReplies(o.metrics)); v != "" {
		fmt.Println(v)
	}
	return nil
}
