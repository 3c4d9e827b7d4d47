package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
)

// intake is what an intake consumer sends, in order, and what complaintbot's
// reply to each must contain: every answer up to the summary, then 取消 so the
// next 我要投诉 starts a fresh draft (filing is measured elsewhere).
var intake = []struct{ text, reply string }{
	{"我要投诉", "开始投诉前"},
	{"同意", "（1/10）"},
	{"1", "（2/10）"},
	{"某某电器商城", "（3/10）"},
	{"人民路1号", "（4/10）"},
	{"昨天", "（5/10）"},
	{"1999", "（6/10）"},
	{"电视机买回来三天就黑屏了，商家不肯换。", "（7/10）"},
	{"2", "（8/10）"},
	{"跳过", "（9/10）"},
	{"王五", "（10/10）"},
	{"13712345678", "投诉类别："},
	{"取消", "已取消本次投诉"},
}

// The other two kinds of the mix, and what complaintbot answers them.
const (
	freeText   = "你好，我想问一下退款的事情" // from a consumer with no draft: the menu
	freeReply  = "您好！请回复"
	helpText   = "帮助"
	helpReply  = "投诉服务使用说明"
	sealedMark = "<Encrypt>" // a safe-mode reply: only the server's counts tell busy from text
)

// consumerKind is what consumer c sends in the mix: five in ten go through
// intakes, three write free text with no draft, two ask for help.
func consumerKind(c int) string {
	switch c % 10 {
	case 0, 1, 2, 3, 4:
		return "intake"
	case 5, 6, 7:
		return "free"
	}
	return "help"
}

// workload is one kind of phase: "help" (every consumer sends 帮助: the
// cheapest turn) or "mix".
type workload string

const (
	workHelp workload = "help"
	workMix  workload = "mix"
)

// generator builds the signed (in safe mode encrypted) requests of each phase
// and remembers where each mix consumer is in its intake, so the next phase
// continues it. Consumer c is only ever sent by wrk thread c % threads.
type generator struct {
	client    *wechatsim.Client
	prefix    string // openid prefix, unique per run and mode
	consumers int
	threads   int
	pos       []int // mix consumer c has been sent pos[c] messages
	cursor    []int // the next of thread t's consumers, as an index into its list
}

func newGenerator(c *wechatsim.Client, prefix string, consumers, threads int) *generator {
	return &generator{client: c, prefix: prefix, consumers: consumers, threads: threads,
		pos: make([]int, consumers), cursor: make([]int, threads)}
}

// step is one message of a phase: consumer and its position.
type step struct{ consumer, pos int }

// plan lists, per thread, the next n messages of workload w: round robin over
// the thread's consumers, each at its next position.
func (g *generator) plan(n int) [][]step {
	out := make([][]step, g.threads)
	for t := range g.threads {
		mine := g.threadConsumers(t)
		extra := map[int]int{}
		for k := range n {
			c := mine[(g.cursor[t]+k)%len(mine)]
			out[t] = append(out[t], step{c, g.pos[c] + extra[c]})
			extra[c]++
		}
	}
	return out
}

// planFree lists, per thread, one message of each of its free-text consumers:
// the warm-up, after which each is known to have no case.
func (g *generator) planFree() [][]step {
	out := make([][]step, g.threads)
	for t := range g.threads {
		for _, c := range g.threadConsumers(t) {
			if consumerKind(c) == "free" {
				out[t] = append(out[t], step{c, 0})
			}
		}
	}
	return out
}

func (g *generator) threadConsumers(t int) []int {
	var mine []int
	for c := t; c < g.consumers; c += g.threads {
		mine = append(mine, c)
	}
	return mine
}

// advance records that thread t sent the first sent[t] messages of its plan.
func (g *generator) advance(plan [][]step, sent map[int]int) {
	for t, steps := range plan {
		k := min(sent[t], len(steps))
		for _, s := range steps[:k] {
			g.pos[s.consumer] = s.pos + 1
		}
		g.cursor[t] = (g.cursor[t] + k) % len(g.threadConsumers(t))
	}
}

// message is the text consumer c sends at position p in workload w, and the
// text complaintbot's plain reply must contain.
func message(w workload, c, p int) (text, reply string) {
	if w == workHelp {
		return helpText, helpReply
	}
	switch consumerKind(c) {
	case "intake":
		m := intake[p%len(intake)]
		return m.text, m.reply
	case "free":
		return freeText, freeReply
	}
	return helpText, helpReply
}

// write builds the plan's requests into dir, one file per thread. echo says
// the replies are an echo of the text; safe-mode replies are only checked to
// be sealed.
func (g *generator) write(ctx context.Context, dir string, w workload, plan [][]step, echo bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for t, steps := range plan {
		if err := g.writeThread(ctx, filepath.Join(dir, fmt.Sprintf("%d.txt", t)), w, steps, echo); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) writeThread(ctx context.Context, path string, w workload, steps []step, echo bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	tag := map[workload]string{workHelp: "h", workMix: "m"}[w]
	// wrk asks each thread for one request before its connection is up and
	// never sends it: the first line is a throwaway 帮助 from a consumer of its own.
	if err := g.writeLine(ctx, bw, g.prefix+"x", helpText, helpReply, echo); err != nil {
		return err
	}
	for _, s := range steps {
		text, reply := message(w, s.consumer, s.pos)
		if err := g.writeLine(ctx, bw, fmt.Sprintf("%s%s%05d", g.prefix, tag, s.consumer), text, reply, echo); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeLine writes one signed request of openID's text with the text its reply
// must contain.
func (g *generator) writeLine(ctx context.Context, bw *bufio.Writer, openID, text, reply string, echo bool) error {
	if echo {
		reply = text
	}
	if g.client.Safe {
		reply = sealedMark
	}
	req, err := g.client.BuildRequest(ctx, wechatsim.Message{FromUserName: openID, MsgType: wechatsim.MsgText, Content: text},
		wechatsim.WithNonce(nextNonce()))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return err
	}
	if strings.ContainsAny(string(body), "\t\n") {
		return fmt.Errorf("a request body holds a tab or newline; the wrk script reads one a line")
	}
	_, err = fmt.Fprintf(bw, "%s\t%s\t%s\n", req.URL.RequestURI(), body, reply)
	return err
}

// nonceSeq numbers the requests' nonces. A phase's requests are signed within a
// second or two, so most share a timestamp, and with random 32-bit nonces (as
// WeChat's) two of some 80,000 requests would share the signature about every
// other phase; the replay guard then rightly refuses the second body (403).
// Counting from a random start keeps every signature of a run distinct.
var nonceSeq = func() *atomic.Uint64 {
	var s atomic.Uint64
	s.Store(uint64(rand.Uint32()))
	return &s
}()

// nextNonce returns the next decimal nonce, unique within the run.
func nextNonce() string { return strconv.FormatUint(nonceSeq.Add(1), 10) }
