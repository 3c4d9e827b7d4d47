package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// report is every phase of a run.
type report struct {
	o             options
	started       time.Time
	took          time.Duration
	load, loadEnd string
	phases        []*phase
}

// print writes the summary table (means over the rounds) and every phase.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nwebhookbench %s: %d connections, %d consumers per workload, %v phases, %d rounds; load average %s at start, %s at end; took %v\n",
		r.started.UTC().Format("2006-01-02 15:04 UTC"), r.o.threads, r.o.consumers, r.o.duration, r.o.rounds, r.load, r.loadEnd, r.took.Round(time.Second))
	fmt.Fprintln(w, "\n| mode | turn | echo req/s | echo p99 | complaintbot req/s | complaintbot p99 | ratio | CPU per request, echo / complaintbot |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, mode := range r.o.modes {
		for _, wl := range []workload{workHelp, workMix} {
			e, b := r.mean(mode, "echo", wl), r.mean(mode, "complaintbot", wl)
			if e == nil || b == nil {
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %.0f%% | %s / %s |\n", mode, wl, num(e.rate()), ms(e.p99),
				num(b.rate()), ms(b.p99), 100*b.rate()/e.rate(), us(e.cpuPerRequest()), us(b.cpuPerRequest()))
		}
	}
	fmt.Fprintln(w, "\nEvery phase (ok: the expected reply; busy: the busy reply; other: another reply; bad: not 200; server: complaintbot's own count of its replies):")
	for _, p := range r.phases {
		fmt.Fprintf(w, "  %-5s %-4s round %d %-12s %8s req/s  p50 %7s  p99 %7s  max %7s  CPU %s/req  ok %d busy %d other %d bad %d errors %d%s%s\n",
			p.mode, p.work, p.round, p.server, num(p.rate()), ms(p.p50), ms(p.p99), ms(p.max), us(p.cpuPerRequest()),
			p.ok, p.busy, p.other, p.bad, p.errors, wrapped(p), serverCounts(p))
		if p.sample != "" {
			fmt.Fprintf(w, "        first other reply: %s\n", p.sample)
		}
	}
}

// mean averages the rounds of one server, mode and workload: req/s as the
// total over the total time, p99 as the mean of the rounds' p99.
func (r *report) mean(mode, server string, wl workload) *phase {
	out := &phase{}
	var n int
	for _, p := range r.phases {
		if p.mode == mode && p.server == server && p.work == wl {
			out.requests += p.requests
			out.seconds += p.seconds
			out.p99 += p.p99
			out.cpu += p.cpu
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out.p99 /= time.Duration(n)
	return out
}

func wrapped(p *phase) string {
	if p.wrapped == 0 || p.server == "echo" {
		return ""
	}
	return fmt.Sprintf("  WRAPPED %d (requests repeated: duplicates)", p.wrapped)
}

func serverCounts(p *phase) string {
	if len(p.serverReplies) == 0 {
		return ""
	}
	var kinds []string
	for k, v := range p.serverReplies {
		kinds = append(kinds, fmt.Sprintf("%s %.0f", k, v))
	}
	sort.Strings(kinds)
	return "  server: " + strings.Join(kinds, ", ")
}

func num(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	if len(s) > 3 {
		s = s[:len(s)-3] + "," + s[len(s)-3:]
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }
