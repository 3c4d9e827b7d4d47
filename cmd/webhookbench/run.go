package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
)

//go:embed bench.lua
var benchLua []byte

// The account both servers are configured with; none of it is a secret.
const (
	token   = "benchtoken1"
	appID   = "wxbench000000001"
	aesKey  = "YmVuY2gta2V5LWZvci1jb21wbGFpbnRib3QwMDAwMDA" // 43 characters
	account = "gh_bench00000001"
)

// proc is a server the benchmark started.
type proc struct {
	cmd  *exec.Cmd
	name string
}

func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// start runs a server with its output in dir/<name>.log and waits for ready.
func start(o options, name, ready string, cmd *exec.Cmd) (*proc, error) {
	log, err := os.Create(filepath.Join(o.dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{cmd: cmd, name: name}
	for range 100 {
		if r, err := http.Get(ready); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(100 * time.Millisecond) // polling a child process for readiness, not test synchronisation
	}
	p.stop()
	return nil, fmt.Errorf("%s did not become ready; see %s", name, log.Name())
}

func startBot(o options, mode string) (*proc, error) {
	key := ""
	if mode == "safe" {
		key = aesKey
	}
	cmd := exec.Command(o.bot)
	cmd.Env = append(os.Environ(),
		"COMPLAINTBOT_HTTP_ADDR="+o.botAddr, "COMPLAINTBOT_METRICS_ADDR="+o.metricsAddr,
		"COMPLAINTBOT_WECHAT_APP_ID="+appID, "COMPLAINTBOT_WECHAT_APP_SECRET=benchsecret",
		"COMPLAINTBOT_WECHAT_TOKEN="+token, "COMPLAINTBOT_WECHAT_AES_KEY="+key,
		"COMPLAINTBOT_WECHAT_API_BASE=http://127.0.0.1:9", // closed: pushes fail, which this does not need
		"PPROF_ADDR="+o.pprofAddr)
	return start(o, "complaintbot-"+mode, "http://"+o.botAddr+"/readyz", cmd)
}

func startEcho(o options, mode string) (*proc, error) {
	args := []string{"-addr", o.echoAddr, "-token", token, "-appid", appID}
	if mode == "safe" {
		args = append(args, "-aeskey", aesKey)
	}
	return start(o, "wxecho-"+mode, "http://"+o.echoAddr+"/readyz", exec.Command(o.echo, args...))
}

// phase is one wrk run's outcome.
type phase struct {
	mode, server  string
	work          workload
	round         int
	requests      int
	seconds       float64
	p50, p99      time.Duration
	max           time.Duration
	errors        int
	ok, busy      int
	other, bad    int
	wrapped       int
	sample        string
	serverReplies map[string]float64 // complaintbot's own reply counts (kind → count) in the phase
	sent          map[int]int
	cpu           time.Duration // the server process's CPU time during the phase
}

// cpuPerRequest is the server's CPU time per answered request: unlike req/s it
// does not depend much on what else the machine runs.
func (p *phase) cpuPerRequest() time.Duration {
	if p.requests == 0 {
		return 0
	}
	return p.cpu / time.Duration(p.requests)
}

func (p *phase) rate() float64 { return float64(p.requests) / p.seconds }

// runWrk drives url with the request files in dir for d.
func runWrk(o options, url, dir string, d time.Duration, extra ...string) (*phase, error) {
	script := filepath.Join(o.dir, "bench.lua")
	if err := os.WriteFile(script, benchLua, 0o644); err != nil {
		return nil, err
	}
	t := strconv.Itoa(o.threads)
	cmd := exec.Command(o.wrk, "-t", t, "-c", t, "-d", fmt.Sprintf("%ds", int(d.Seconds())), "--timeout", "10s",
		"-s", script, url, "--", dir)
	cmd.Args = append(cmd.Args, extra...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("wrk: %w: %s%s", err, errOut.String(), out.String())
	}
	return parseWrk(out.String())
}

// parseWrk reads the RESULT, SENT and SAMPLE lines bench.lua prints.
func parseWrk(out string) (*phase, error) {
	p := &phase{sent: map[int]int{}}
	found := false
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "SENT "):
			var t, n int
			fmt.Sscanf(line, "SENT %d %d", &t, &n)
			p.sent[t] = n
		case strings.HasPrefix(line, "SAMPLE "):
			p.sample = strings.TrimPrefix(line, "SAMPLE ")
		case strings.HasPrefix(line, "RESULT "):
			found = true
			kv := map[string]int64{}
			for _, f := range strings.Fields(line)[1:] {
				k, v, _ := strings.Cut(f, "=")
				kv[k], _ = strconv.ParseInt(v, 10, 64)
			}
			p.requests, p.seconds = int(kv["requests"]), float64(kv["duration_us"])/1e6
			p.p50, p.p99 = time.Duration(kv["p50_us"])*time.Microsecond, time.Duration(kv["p99_us"])*time.Microsecond
			p.max = time.Duration(kv["max_us"]) * time.Microsecond
			p.errors, p.ok, p.busy = int(kv["errors"]), int(kv["ok"]), int(kv["busy"])
			p.other, p.bad, p.wrapped = int(kv["other"]), int(kv["bad"]), int(kv["wrapped"])
		}
	}
	if !found {
		return nil, fmt.Errorf("wrk printed no RESULT line:\n%s", out)
	}
	return p, nil
}

// replyCounts reads complaintbot's reply counter by kind from its metrics.
func replyCounts(o options) map[string]float64 {
	out := map[string]float64{}
	r, err := http.Get("http://" + o.metricsAddr + "/metrics")
	if err != nil {
		return out
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	for _, line := range strings.Split(string(body), "\n") {
		rest, ok := strings.CutPrefix(line, `complaintbot_wechat_replies_total{kind="`)
		if !ok {
			continue
		}
		kind, val, _ := strings.Cut(rest, `"} `)
		out[kind], _ = strconv.ParseFloat(strings.TrimSpace(val), 64)
	}
	return out
}

func diff(before, after map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// run measures every mode and returns the report, complete or as far as it got.
func run(ctx context.Context, o options) (*report, error) {
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return nil, err
	}
	rep := &report{started: time.Now(), load: loadAvg(), o: o}
	defer func() { rep.loadEnd = loadAvg() }()
	for _, mode := range o.modes {
		if err := runMode(ctx, o, mode, rep); err != nil {
			rep.loadEnd = loadAvg()
			return rep, fmt.Errorf("%s mode: %w", mode, err)
		}
	}
	rep.loadEnd = loadAvg()
	rep.took = time.Since(rep.started)
	return rep, nil
}

func runMode(ctx context.Context, o options, mode string, rep *report) error {
	echo, err := startEcho(o, mode)
	if err != nil {
		return err
	}
	defer echo.stop()
	bot, err := startBot(o, mode)
	if err != nil {
		return err
	}
	defer bot.stop()
	client := &wechatsim.Client{WebhookURL: "http://" + o.botAddr + "/wechat", Token: token, AppID: appID, EncodingAESKey: aesKey, Safe: mode == "safe", Account: account}
	prefix := fmt.Sprintf("oWB%x%s", time.Now().Unix()&0xffffff, mode[:1])
	gens := map[workload]*generator{
		workHelp: newGenerator(client, prefix, o.consumers, o.threads),
		workMix:  newGenerator(client, prefix, o.consumers, o.threads),
	}
	botURL, echoURL := "http://"+o.botAddr, "http://"+o.echoAddr
	if err := warmUp(ctx, o, gens[workMix], botURL); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	for round := 1; round <= o.rounds; round++ {
		for _, w := range []workload{workHelp, workMix} {
			e, err := echoPhase(ctx, o, gens[w], w, echoURL, echo.cmd.Process.Pid)
			if err != nil {
				return fmt.Errorf("echo %s: %w", w, err)
			}
			e.mode, e.server, e.work, e.round = mode, "echo", w, round
			rep.phases = append(rep.phases, e)
			profile := o.profile != "" && o.pprofAddr != "" && w == workMix && round == 1
			b, err := botPhase(ctx, o, mode, gens[w], w, botURL, o.duration, e.rate()*1.5, round, profile, bot.cmd.Process.Pid)
			if err != nil {
				return fmt.Errorf("complaintbot %s: %w", w, err)
			}
			rep.phases = append(rep.phases, b)
		}
	}
	return nil
}

// warmUp opens the connections and sends each free-text consumer of the mix its
// first message, unmeasured: a consumer with no case is looked up in the
// database once, and then known in Redis to have none. (Intake and help
// consumers need no warming: their messages never look cases up.) Each wrk
// thread stops at the end of its file.
func warmUp(ctx context.Context, o options, g *generator, url string) error {
	dir := filepath.Join(o.dir, "requests")
	defer os.RemoveAll(dir)
	plan := g.planFree()
	if err := g.write(ctx, dir, workMix, plan, false); err != nil {
		return err
	}
	// A slow database may need more than one pass; each pass starts the files
	// over, and the consumers already warm answer their repeat from Redis.
	for pass := 1; ; pass++ {
		p, err := runWrk(o, url+"/wechat", dir, o.warm, "once")
		if err != nil {
			return err
		}
		short := 0
		for t, steps := range plan {
			if p.sent[t] < len(steps) {
				short++
			}
		}
		if short == 0 {
			return nil
		}
		if pass == 3 {
			fmt.Fprintf(os.Stderr, "webhookbench: after %d warm-up passes of %v, %d threads had not reached all their free-text consumers; their first messages look cases up in the measured phases\n", pass, o.warm, short)
			return nil
		}
	}
}

// echoPhase measures the echo on requests of workload w; the echo keeps no
// state, so its files may start over and the consumers' positions stay.
func echoPhase(ctx context.Context, o options, g *generator, w workload, url string, pid int) (*phase, error) {
	dir := filepath.Join(o.dir, "requests")
	defer os.RemoveAll(dir)
	if err := g.write(ctx, dir, w, g.plan(500), true); err != nil {
		return nil, err
	}
	cpu := procCPU(pid)
	p, err := runWrk(o, url+"/wechat", dir, o.duration)
	if err != nil {
		return nil, err
	}
	p.cpu = procCPU(pid) - cpu
	return p, nil
}

// botPhase measures complaintbot with enough fresh requests for rate per second
// (its files must not start over: a repeated MsgId is a duplicate), and moves
// the consumers on by what was sent.
func botPhase(ctx context.Context, o options, mode string, g *generator, w workload, url string,
	d time.Duration, rate float64, round int, profile bool, pid int) (*phase, error) {
	dir := filepath.Join(o.dir, "requests")
	defer os.RemoveAll(dir)
	perThread := int(rate*d.Seconds())/o.threads + 100
	plan := g.plan(perThread)
	if err := g.write(ctx, dir, w, plan, false); err != nil {
		return nil, err
	}
	var prof chan error
	if profile {
		prof = make(chan error, 1)
		go func() { prof <- saveProfile(o, mode, d-2*time.Second) }()
	}
	before, cpu := replyCounts(o), procCPU(pid)
	p, err := runWrk(o, url+"/wechat", dir, d)
	if err != nil {
		return nil, err
	}
	p.cpu = procCPU(pid) - cpu
	p.serverReplies = diff(before, replyCounts(o))
	g.advance(plan, p.sent)
	p.mode, p.server, p.work, p.round = mode, "complaintbot", w, round
	if prof != nil {
		if err := <-prof; err != nil {
			fmt.Fprintln(os.Stderr, "webhookbench: profile:", err)
		}
	}
	return p, nil
}

// saveProfile fetches a CPU profile of complaintbot for d.
func saveProfile(o options, mode string, d time.Duration) error {
	time.Sleep(time.Second) // skip the phase's first second (connections opening)
	r, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", o.pprofAddr, int(d.Seconds())))
	if err != nil {
		return err
	}
	defer r.Body.Close()
	f, err := os.Create(o.profile + "-" + mode + ".pprof")
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, r.Body)
	return err
}

// procCPU is the user and system CPU time process pid has used (Linux).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}

// loadAvg is the machine's 1-minute load average, to say what else ran.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
