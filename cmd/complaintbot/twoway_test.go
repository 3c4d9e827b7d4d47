package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/storage"
)

// jpegBytes is enough of a JPEG for content sniffing.
var jpegBytes = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, make([]byte, 512)...)

// eventually polls cond for up to 10 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pushedTo returns the texts pushed to a consumer so far.
func pushedTo(m *Main, openID string) []wechatsim.SentMessage {
	return m.Platform.SentTo(openID)
}

func waitPushed(t *testing.T, m *Main, openID string, n int, want string) wechatsim.SentMessage {
	t.Helper()
	eventually(t, "push: "+want, func() bool { return len(pushedTo(m, openID)) >= n })
	got := pushedTo(m, openID)[n-1]
	if !strings.Contains(got.Content, want) {
		t.Fatalf("push %d should contain %q: %+v", n, want, got)
	}
	return got
}

func fileCase(t *testing.T, m *Main, p consumer) *storage.Case {
	t.Helper()
	media := m.Platform.AddMedia("image/jpeg", jpegBytes)
	number := fileComplaint(t, p, media)
	c, err := m.DB.FindCaseByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// 调解成功 is an outcome's status: closing with an agreement (结案) reaches it.
func move(t *testing.T, m *Main, c *storage.Case, to ...storage.Status) {
	t.Helper()
	ctx := context.Background()
	for _, s := range to {
		var err error
		if s == storage.StatusResolved {
			_, err = m.DB.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeAgreement, Actor: "staff:7"})
		} else {
			_, err = m.DB.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: s, Actor: "staff:7"})
		}
		if err != nil {
			t.Fatalf("move to %s: %v", s, err)
		}
	}
}

func TestEndToEndEvidenceIsDownloadedAndHashed(t *testing.T) {
	m := runMain(t)
	c := fileCase(t, m, consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("ev")})
	sum := sha256.Sum256(jpegBytes)
	eventually(t, "evidence download", func() bool {
		ev, err := m.DB.ListEvidence(context.Background(), c.ID)
		return err == nil && len(ev) == 1 && ev[0].DownloadState == storage.DownloadDone
	})
	ev, _ := m.DB.ListEvidence(context.Background(), c.ID)
	if ev[0].SHA256 != hex.EncodeToString(sum[:]) || ev[0].ContentType != "image/jpeg" || ev[0].Size != int64(len(jpegBytes)) {
		t.Fatalf("evidence record %+v", ev[0])
	}
	data, err := m.DB.GetBlob(context.Background(), ev[0].BlobKey)
	if err != nil || string(data) != string(jpegBytes) {
		t.Fatalf("stored bytes differ: %v", err)
	}
}

func TestEndToEndConversationOnACase(t *testing.T) {
	m := runMain(t)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("talk")}
	c := fileCase(t, m, p)

	move(t, m, c, storage.StatusAccepted)
	waitPushed(t, m, p.openID, 1, "已受理")

	if _, err := m.DB.AddEvent(context.Background(), storage.NewEvent{CaseID: c.ID, Kind: storage.EventStaffReply, Actor: "staff:7",
		Body: "请提供购买小票的照片。", Notify: &storage.NewNotification{Kind: storage.NoticeStaffReply, Text: "请提供购买小票的照片。"}}); err != nil {
		t.Fatal(err)
	}
	waitPushed(t, m, p.openID, 2, "请提供购买小票的照片")

	answer := p.send(wechatsim.Message{MsgType: wechatsim.MsgText, Content: "小票找到了，马上拍照发给您"})
	if !strings.Contains(answer.Content, "已转给调解员") {
		t.Fatalf("a message after filing should go to the case: %q", answer.Content)
	}
	if retry := p.send(answer.Sent); retry.Content != answer.Content {
		t.Fatalf("retry got %q", retry.Content)
	}
	events, err := m.DB.ListEvents(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Kind == storage.EventConsumerMessage && strings.Contains(e.Body, "小票找到了") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the consumer's message is on the timeline %d times, want once (WeChat retried it)", n)
	}

	stranger := consumer{t: t, c: p.c, openID: uniqueOpenID("stranger")}
	if r := stranger.say("撤回 " + c.Number); strings.Contains(r, "确认撤回") {
		t.Fatalf("another consumer was offered to withdraw the case: %q", r)
	}

	p.expect("撤回 "+c.Number, "确认撤回")
	p.expect("确认撤回", "已撤回")
	got, _ := m.DB.FindCaseByNumber(context.Background(), c.Number)
	if got.Status != storage.StatusWithdrawn {
		t.Fatalf("status %s after withdrawal", got.Status)
	}
	// A notice is enqueued in the transaction that moves the case, which committed
	// before the reply above; so the outbox holds every notice of the case by now.
	notices, err := m.DB.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(notices) != 2 {
		kinds := make([]string, len(notices))
		for i, n := range notices {
			kinds[i] = string(n.Kind) + " " + n.StatusLabel
		}
		t.Fatalf("the consumer's own withdrawal must not be pushed back to them: notices %v, want only the two before it", kinds)
	}
}

func TestEndToEndRatingAfterClosing(t *testing.T) {
	m := runMain(t)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("rate")}
	c := fileCase(t, m, p)
	move(t, m, c, storage.StatusAccepted, storage.StatusMediating, storage.StatusResolved, storage.StatusClosed)
	eventually(t, "rating request", func() bool {
		for _, s := range pushedTo(m, p.openID) {
			if strings.Contains(s.Content, "满意") && strings.Contains(s.Content, c.Number) {
				return true
			}
		}
		return false
	})
	p.expect("满意", c.Number)
	p.expect("调解员很耐心，谢谢", "感谢")
	r, err := m.DB.FindRating(context.Background(), c.ID)
	if err != nil || r.Rating != storage.RatingSatisfied || r.Comment != "调解员很耐心，谢谢" {
		t.Fatalf("rating %+v, %v", r, err)
	}
	if reply := p.say("不满意"); strings.Contains(reply, "感谢您对投诉") {
		t.Fatalf("a case is rated once: %q", reply)
	}
	if r, _ := m.DB.FindRating(context.Background(), c.ID); r.Rating != storage.RatingSatisfied {
		t.Fatalf("the second rating overwrote the first: %+v", r)
	}
}

func TestEndToEndTemplateOutsideTheWindow(t *testing.T) {
	m := runMain(t)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("tmpl")}
	c := fileCase(t, m, p)
	m.Platform.Advance(49 * time.Hour)
	move(t, m, c, storage.StatusAccepted)
	eventually(t, "template message", func() bool { return len(pushedTo(m, p.openID)) == 1 })
	got := pushedTo(m, p.openID)[0]
	if got.Kind != wechatsim.KindTemplate || got.TemplateID != "TMPL_E2E" ||
		got.Data["character_string1"] != c.Number || got.Data["phrase2"] != "已受理" {
		t.Fatalf("template message %+v", got)
	}
}
