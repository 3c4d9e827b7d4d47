package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
)

// The intake scenario (-scenario intake) measures filing: -filers consumers at
// once each walk a full intake through the webhook, every answer sent as soon
// as the previous one is answered, and start a new one (as a new consumer) when
// it is filed, for -duration after -warmup. It reports completed cases per
// second and the latency of every message, and of the filing message (确认)
// alone, from writing the request to reading the answer's header. Each filer has
// its own connection (filerConn), so the generator takes little of the cores.
var intakeOpts struct {
	scenario string
	filers   int
	warmup   time.Duration
}

func init() {
	flag.StringVar(&intakeOpts.scenario, "scenario", "mix",
		`"mix": admission control at a multiple of capacity; "intake": full intakes by -filers consumers at once`)
	flag.IntVar(&intakeOpts.filers, "filers", 32, "intake scenario: consumers in an intake at once")
	flag.DurationVar(&intakeOpts.warmup, "warmup", 3*time.Second, "intake scenario: time before measuring")
}

// intakeStep is one answer of the intake and a piece of the reply that shows
// the dialog took it and moved on.
type intakeStep struct {
	text func(n int) string // n numbers the intake, to vary the merchant
	want string
}

func fixed(s string) func(int) string { return func(int) string { return s } }

// caseNumber finds the number in the filing's answer.
var caseNumber = regexp.MustCompile(`[A-Z]{1,8}-\d{4}-\d{6,}`)

// intakeSteps are the answers of the mix: a category number, a
// merchant (200 names, so the mass detector groups some), an address, 昨天, an
// amount, a description, a demand, 跳过 (no photos), a name, a mobile, then 确认
// files the case; its answer holds the case number.
var intakeSteps = []intakeStep{
	{fixed("我要投诉"), "同意"},
	{fixed("同意"), "（1/10）"},
	{fixed("1"), "（2/10）"},
	{func(n int) string { return fmt.Sprintf("襄阳第%d电器商店", n%200) }, "（3/10）"},
	{fixed("湖北省襄阳市樊城区人民路1号"), "（4/10）"},
	{fixed("昨天"), "（5/10）"},
	{fixed("3999.5元"), "（6/10）"},
	{fixed("购买的冰箱不制冷，商家拒绝退货，已经协商三次没有结果。"), "（7/10）"},
	{fixed("1"), "（8/10）"},
	{fixed("跳过"), "（9/10）"},
	{fixed("张三"), "（10/10）"},
	{fixed("13812345678"), "确认"},
	{fixed("确认"), ""}, // checked against caseNumber
}

// intakeStats collects the measured part of the run.
type intakeStats struct {
	mu       sync.Mutex
	measure  bool
	all, fin []time.Duration
	cases    int
	failures map[string]int // by step and the answer's first words
}

func (s *intakeStats) note(step int, took time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.measure {
		return
	}
	s.all = append(s.all, took)
	if step == len(intakeSteps)-1 {
		s.fin = append(s.fin, took)
		s.cases++
	}
}

func (s *intakeStats) fail(step int, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[fmt.Sprintf("step %d: %s", step+1, firstRunes(why, 24))]++
}

func (s *intakeStats) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.measure = true
}

// runIntake runs the intake scenario and prints its table.
func runIntake(ctx context.Context, o options) error {
	c := newClient(o)
	mode := map[bool]string{true: "safe", false: "plain"}[c.Safe]
	run := fmt.Sprintf("oIB%x", time.Now().UnixNano()&0xffffffff)
	fmt.Printf("intake: mode=%s url=%s, %d consumers at once, %d messages per case, %v after %v warm-up\n",
		mode, o.url, intakeOpts.filers, len(intakeSteps), o.duration, intakeOpts.warmup)
	stats := &intakeStats{failures: map[string]int{}}
	ctx, cancel := context.WithTimeout(ctx, intakeOpts.warmup+o.duration)
	defer cancel()
	time.AfterFunc(intakeOpts.warmup, stats.start)
	var cpu *cpuMeter
	time.AfterFunc(intakeOpts.warmup, func() { cpu = startCPU(o.pid) })
	var wg sync.WaitGroup
	for f := range intakeOpts.filers {
		wg.Go(func() {
			conn := &filerConn{c: c, timeout: o.timeout}
			defer conn.drop()
			for n := 0; ctx.Err() == nil; n++ {
				openID := fmt.Sprintf("%s-%02d-%06d", run, f, n)
				walkIntake(ctx, conn, o, stats, openID, n*intakeOpts.filers+f)
			}
		})
	}
	<-ctx.Done()
	usage := cpu.String() // the measured phase's, before the last turns finish
	wg.Wait()
	printIntake(stats, o.duration, usage)
	return nil
}

// walkIntake sends one consumer's intake, step by step, until it is filed, a
// reply is not the one expected, or ctx ends.
func walkIntake(ctx context.Context, conn *filerConn, o options, stats *intakeStats, openID string, n int) {
	for i, step := range intakeSteps {
		if ctx.Err() != nil {
			return
		}
		req, err := conn.c.BuildRequest(context.Background(), wechatsim.Message{FromUserName: openID,
			MsgType: wechatsim.MsgText, Content: step.text(n)})
		if err != nil {
			stats.fail(i, err.Error())
			return
		}
		out, took, text := conn.send(req, o.busy)
		ok := out == answered && strings.Contains(text, step.want)
		if step.want == "" {
			ok = out == answered && caseNumber.MatchString(text)
		}
		if !ok {
			stats.fail(i, fmt.Sprintf("%s %s", [...]string{"answered", "busy", "late", "failed", "timeout"}[out], text))
			return
		}
		stats.note(i, took)
	}
}

// printIntake prints the measured phase's table.
func printIntake(s *intakeStats, d time.Duration, usage string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Printf("completed cases: %d in %v = %.1f cases/s; CPU: %s\n", s.cases, d, float64(s.cases)/d.Seconds(), usage)
	fmt.Println("| messages | count | per s | p50 ms | p99 ms | max ms |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, row := range []struct {
		name string
		lats []time.Duration
	}{{"every message", s.all}, {"filing (确认)", s.fin}} {
		fmt.Printf("| %s | %d | %.0f | %s | %s | %s |\n", row.name, len(row.lats),
			float64(len(row.lats))/d.Seconds(), quantileMS(row.lats, 0.50), quantileMS(row.lats, 0.99), quantileMS(row.lats, 1))
	}
	if len(s.failures) > 0 {
		fmt.Println("intakes that went wrong (step: answer):")
		for _, k := range slices.Sorted(maps.Keys(s.failures)) {
			fmt.Printf("  %d× %s\n", s.failures[k], k)
		}
	}
}

// quantileMS is the q quantile of lats in milliseconds, "-" for none.
func quantileMS(lats []time.Duration, q float64) string {
	if len(lats) == 0 {
		return "-"
	}
	s := slices.Clone(lats)
	slices.Sort(s)
	return fmt.Sprintf("%.1f", float64(s[min(len(s)-1, int(q*float64(len(s))))])/float64(time.Millisecond))
}
