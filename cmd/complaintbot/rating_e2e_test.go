package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/storage"
)

// TestEndToEndRatingAskedWhenTheConsumerNextWrites closes a case outside WeChat's
// 48-hour window, so the rating request goes out as a template card that cannot
// ask; the consumer's next message is answered with the rating question, and
// their answer is recorded.
func TestEndToEndRatingAskedWhenTheConsumerNextWrites(t *testing.T) {
	m := runMain(t)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("rate-late")}
	c := fileCase(t, m, p)
	m.Platform.Advance(49 * time.Hour)
	move(t, m, c, storage.StatusAccepted, storage.StatusMediating, storage.StatusResolved, storage.StatusClosed)
	// Four status notices, then the rating request: all template cards.
	eventually(t, "the rating request", func() bool { return len(pushedTo(m, p.openID)) >= 5 })
	if last := pushedTo(m, p.openID)[4]; last.Kind != wechatsim.KindTemplate {
		t.Fatalf("the rating request went out as %+v, want a template card", last)
	}
	reply := p.say("你好，退款已经收到了")
	for _, want := range []string{"已经处理结束（已办结）", "请您评价我们的处理", c.Number} {
		if !strings.Contains(reply, want) {
			t.Fatalf("reply lacks %q:\n%s", want, reply)
		}
	}
	p.expect("基本满意", "感谢您对投诉 "+c.Number+" 的评价（基本满意）")
	p.expect("跳过", "感谢您的评价")
	r, err := m.DB.FindRating(context.Background(), c.ID)
	if err != nil || r.Rating != storage.RatingMostly {
		t.Fatalf("rating %+v, %v", r, err)
	}
}
