package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
)

// mix assigns each consumer one kind of message, so the free-text and help
// senders never hold a draft while the intake senders keep one open.
type mix struct {
	run       string // unique per run: the consumers are new each time
	consumers int
	next      int
}

// kinds are the messages sent, with how many consumers in ten send each.
var kinds = []struct {
	text  string
	tenth int
}{
	{"帮助", 4}, // help: the command reply
	{"你好，我想问一下退款的事情", 4}, // free text without a draft: the fallback reply
	{"我要投诉", 2},          // starts (then resumes) an intake, a database/Redis write
}

func newMix(consumers int) *mix {
	return &mix{run: fmt.Sprintf("oLG%x", time.Now().UnixNano()&0xffffffff), consumers: max(consumers, 1)}
}

func (m *mix) String() string {
	s := ""
	for _, k := range kinds {
		s += fmt.Sprintf("%d0%% %q, ", k.tenth, k.text)
	}
	return s[:len(s)-2] + " (by consumer, round robin over consumers)"
}

// text is what consumer i sends.
func (m *mix) text(i int) string {
	slot := i % 10
	for _, k := range kinds {
		if slot < k.tenth {
			return k.text
		}
		slot -= k.tenth
	}
	return kinds[0].text
}

// build signs (and in safe mode encrypts) n messages now, each with a fresh
// MsgId and the current timestamp, so the timed phase spends no CPU on it.
func (m *mix) build(ctx context.Context, c *wechatsim.Client, n int) ([]*http.Request, error) {
	out := make([]*http.Request, n)
	for i := range out {
		who := m.next % m.consumers
		m.next++
		msg := wechatsim.Message{FromUserName: fmt.Sprintf("%s-%05d", m.run, who),
			MsgType: wechatsim.MsgText, Content: m.text(who)}
		req, err := c.BuildRequest(ctx, msg)
		if err != nil {
			return nil, err
		}
		out[i] = req
	}
	return out, nil
}
