package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// enqueueTexts queues a dialog reply per text for openID, who has just written.
func (f *pushFixture) enqueueTexts(t testing.TB, openID string, texts ...string) {
	t.Helper()
	f.platform.ObserveInbound(openID, f.platform.Now())
	for _, text := range texts {
		if _, err := f.db.EnqueueNotification(context.Background(), storage.NewNotification{
			OpenID: openID, Kind: storage.NoticeDialogReply, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
}

// wantContents fails unless openID received exactly the texts, in order.
func (f *pushFixture) wantContents(t testing.TB, openID string, texts ...string) {
	t.Helper()
	got := f.waitSent(t, openID, len(texts))
	var contents []string
	for _, m := range got {
		contents = append(contents, m.Content)
	}
	if strings.Join(contents, "|") != strings.Join(texts, "|") {
		t.Fatalf("%s received %q, want %q once each, in order", openID, contents, texts)
	}
}

// stallableRedis is a client on the real test Redis through a pausable proxy, and
// a key prefix that is cleaned up when the test ends. Its pool is small and its
// timeouts short, so a stall fails calls quickly both ways a busy service sees:
// a read that times out, and "redis: connection pool timeout" for the calls
// queued behind the stuck connections (the error of the issue).
func stallableRedis(t *testing.T) (*testenv.Proxy, redis.UniversalClient, string) {
	_, prefix := testenv.NewRealRedis(t) // skips (or fails) without a real Redis
	opt := testenv.RealRedisNode(t)
	proxy := testenv.StartProxy(t, opt.Addr)
	opt.Addr = proxy.Addr()
	opt.ContextTimeoutEnabled = true
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = time.Second, 500*time.Millisecond, 500*time.Millisecond
	opt.PoolSize, opt.PoolTimeout = 2, 50*time.Millisecond
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	return proxy, rdb, prefix + ":"
}

// A Redis stall makes every send fail before it reaches WeChat (the access
// token lives in Redis). No notice may die of it, and each consumer's notices
// must all arrive, in order, once Redis is back.
func TestPushWaitsOutARedisStall(t *testing.T) {
	proxy, rdb, prefix := stallableRedis(t)
	f := newPushFixtureOn(t, rdb, prefix)
	users := []string{"oStallA", "oStallB", "oStallC", "oStallD", "oStallE"}
	for _, u := range users {
		f.enqueueTexts(t, u, u+"-1", u+"-2", u+"-3")
	}
	proxy.Pause()
	runPusher(t, f.pusher(2))
	waitFor(t, "each consumer's first notice failed twice", func() bool { return f.outcomes("retry") >= 2*len(users) })
	dead := storage.NotificationDead
	if rows := f.rows(t, "", &dead); len(rows) != 0 {
		t.Fatalf("%d notices died of a Redis stall: %s", len(rows), rows[0].LastError)
	}
	for _, r := range f.rows(t, users[0], nil)[1:] {
		if r.Attempts != 0 {
			t.Fatalf("a later notice was tried while an earlier one waited: %+v", r)
		}
	}
	proxy.Resume()
	for _, u := range users {
		f.wantContents(t, u, u+"-1", u+"-2", u+"-3")
	}
	if rows := f.rows(t, "", &dead); len(rows) != 0 {
		t.Fatalf("%d notices dead after the stall", len(rows))
	}
}

// Each delivery is recorded as soon as its send returns: while one send of a
// batch hangs, the others are already marked sent, so an instance dying now would
// have only the hung one sent again.
func TestPushRecordsEachDeliveryAsSoonAsItsSendReturns(t *testing.T) {
	f := newPushFixture(t)
	for i := range 4 {
		f.enqueueTexts(t, fmt.Sprintf("oBatch%d", i), "您的投诉已收到")
	}
	if _, err := f.api.tokensForTest(); err != nil { // so the hang hits a send, not the token
		t.Fatal(err)
	}
	release := make(chan struct{})
	f.platform.FailNext(wechatsim.Fault{Endpoint: "message/custom/send", Until: release})
	done := make(chan error, 1)
	go func() {
		_, err := f.pusher(1).DrainOnce(context.Background())
		done <- err
	}()
	sent := storage.NotificationSent
	waitFor(t, "three of the batch's four deliveries are recorded", func() bool {
		return len(f.rows(t, "", &sent)) == 3
	})
	// The instance dies now: once the lease runs out, only the hung notice is
	// claimed (and sent) again.
	f.clock.Advance(DefaultPushLease + time.Second)
	again, err := f.db.ClaimNotifications(context.Background(), 16, DefaultPushLease)
	if err != nil || len(again) != 1 {
		t.Fatalf("claimed again after the crash: %d rows, %v; want only the hung one", len(again), err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// tokensForTest fetches the access token, so the first API call a test makes
// afterwards is the one it means.
func (c *APIClient) tokensForTest() (string, error) {
	return c.tokens.Token(context.Background())
}

// followEvent sends a subscribe or unsubscribe event as WeChat would: the
// platform sees it, and the webhook's follow tracker records it.
func (f *pushFixture) followEvent(t testing.TB, tracker *FollowTracker, openID, event string) {
	t.Helper()
	at := f.clock.Now().Unix()
	f.platform.ObserveMessage(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: event,
		FromUserName: openID, CreateTime: at})
	kind := map[string]dialog.InputKind{wechatsim.EventSubscribe: dialog.InputSubscribe,
		wechatsim.EventUnsubscribe: dialog.InputUnsubscribe}[event]
	key := "e" + strconv.FormatInt(at, 10) + ":" + event + ":"
	if _, err := tracker.Handle(context.Background(), openID, key, dialog.Input{Kind: kind}); err != nil {
		t.Fatal(err)
	}
}

// allHeld reports whether openID has n pending rows and all are held, none of
// them under a send.
func (f *pushFixture) allHeld(t testing.TB, openID string, n int) bool {
	pending := storage.NotificationPending
	rows := f.rows(t, openID, &pending)
	for _, r := range rows {
		if !r.Held || r.LeaseToken != "" {
			return false
		}
	}
	return len(rows) == n
}

// A consumer who unfollows has their notices held, neither sent nor killed, and
// they go out in order after a new subscribe. One consumer's unsubscribe event
// reaches the webhook; the other's is lost, and WeChat's 43004 tells the pusher.
func TestPushHoldsNoticesOfAConsumerWhoUnfollowedUntilTheyFollowAgain(t *testing.T) {
	f := newPushFixture(t)
	tracker := TrackFollows(&fakeTurns{}, f.db, nil)
	f.enqueueTexts(t, "oEvent", "第一条")
	f.enqueueTexts(t, "oLost", "第一条")
	runPusher(t, f.pusher(2))
	f.wantContents(t, "oEvent", "第一条")
	f.wantContents(t, "oLost", "第一条")

	f.followEvent(t, tracker, "oEvent", wechatsim.EventUnsubscribe)
	f.platform.ObserveMessage(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: wechatsim.EventUnsubscribe,
		FromUserName: "oLost", CreateTime: f.clock.Now().Unix()}) // the webhook never hears of it
	for _, u := range []string{"oEvent", "oLost"} {
		for _, text := range []string{"第二条", "第三条"} {
			if _, err := f.db.EnqueueNotification(context.Background(), storage.NewNotification{
				OpenID: u, Kind: storage.NoticeDialogReply, Text: text}); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitFor(t, "both consumers' notices are held", func() bool {
		return f.allHeld(t, "oEvent", 2) && f.allHeld(t, "oLost", 2)
	})
	if first := f.rows(t, "oLost", nil)[1]; !strings.Contains(first.LastError, "43004") {
		t.Fatalf("held notice %+v: want WeChat's 43004 as its last error", first)
	}
	dead := storage.NotificationDead
	if rows := f.rows(t, "", &dead); len(rows) != 0 {
		t.Fatalf("a notice to a consumer who unfollowed died: %s", rows[0].LastError)
	}

	f.clock.Advance(time.Second) // the subscribe comes after the unfollow was recorded
	f.followEvent(t, tracker, "oEvent", wechatsim.EventSubscribe)
	f.followEvent(t, tracker, "oLost", wechatsim.EventSubscribe)
	f.wantContents(t, "oEvent", "第一条", "第二条", "第三条")
	f.wantContents(t, "oLost", "第一条", "第二条", "第三条")
}

// An attempt cap used to kill notices that were merely waiting for WeChat; now
// only age does.
func TestPushKeepsRetryingPastTheOldAttemptCap(t *testing.T) {
	f := newPushFixture(t)
	f.enqueueTexts(t, "oQuota", "配额恢复后送达")
	f.platform.FailNext(wechatsim.Fault{Endpoint: "message/custom/send", ErrCode: 45009, Times: 14})
	runPusher(t, f.pusher(1))
	f.wantContents(t, "oQuota", "配额恢复后送达")
	if rows := f.rows(t, "oQuota", nil); rows[0].Attempts != 15 || rows[0].State != storage.NotificationSent {
		t.Fatalf("row %+v: want sent at the 15th attempt", rows[0])
	}
}

func TestPushGivesUpAfterMaxAge(t *testing.T) {
	f := newPushFixture(t)
	f.enqueueTexts(t, "oOld", "太久了", "下一条")
	f.platform.FailNext(wechatsim.Fault{Endpoint: "message/custom/send", ErrCode: 45009, Times: 1000})
	p := f.pusher(1)
	p.cfg.MaxAge = time.Hour
	runPusher(t, p)
	waitFor(t, "a failed attempt", func() bool { return f.outcomes("retry") >= 1 })
	f.clock.Advance(2 * time.Hour)
	dead := storage.NotificationDead
	waitFor(t, "the old notice dies", func() bool { return len(f.rows(t, "oOld", &dead)) >= 1 })
	row := f.rows(t, "oOld", &dead)[0]
	if row.Text != "太久了" || !strings.Contains(row.LastError, "45009") || !strings.Contains(row.LastError, "max age") {
		t.Fatalf("dead row %+v: want the first notice, its error and the reason", row)
	}
}

// Only an answer that can never succeed kills a notice at once; the consumer's
// next notice then goes out.
func TestPushKillsWhatWeChatCanNeverAccept(t *testing.T) {
	f := newPushFixture(t)
	f.enqueueTexts(t, "oBad", "发不出去", "下一条")
	f.platform.FailNext(wechatsim.Fault{Endpoint: "message/custom/send", ErrCode: 40003})
	runPusher(t, f.pusher(1))
	f.wantContents(t, "oBad", "下一条")
	if row := f.rows(t, "oBad", nil)[0]; row.State != storage.NotificationDead || row.Attempts != 1 || !strings.Contains(row.LastError, "40003") {
		t.Fatalf("row %+v: want dead after one attempt with 40003", row)
	}
}

func TestPushClassifiesWeChatAnswers(t *testing.T) {
	for code, want := range map[int]string{
		40003: "dead", 40037: "dead", 47003: "dead", 44004: "dead",
		43004: "held", 45009: "retry", 45011: "retry", -1: "retry", 40013: "retry", 48001: "retry", 99999: "retry",
	} {
		err := fmt.Errorf("template fallback: %w", &APIError{Code: code, Op: opTemplateSend})
		got := "retry"
		if IsPermanent(err) {
			got = "dead"
		} else if IsUnfollowed(err) {
			got = "held"
		}
		if got != want {
			t.Errorf("errcode %d: %s, want %s", code, got, want)
		}
	}
	if IsPermanent(fmt.Errorf("wechat token: read cache: %w", redis.ErrPoolTimeout)) {
		t.Error("a Redis pool timeout counts as permanent")
	}
}

// Outside the 48-hour window the rating question must survive in the template.
func TestPushAsksForTheRatingInTheTemplate(t *testing.T) {
	f := newPushFixture(t)
	c := f.fileCase(t, "oRate")
	f.platform.Advance(49 * time.Hour)
	if _, err := f.db.EnqueueNotification(context.Background(), storage.NewNotification{CaseID: c.ID, OpenID: "oRate",
		Kind: storage.NoticeRatingRequest, CaseNumber: c.Number, StatusLabel: "已办结", Summary: "某某超市"}); err != nil {
		t.Fatal(err)
	}
	runPusher(t, f.pusher(1))
	got := f.waitSent(t, "oRate", 1)
	thing := got[0].Data["thing4"]
	if got[0].Kind != wechatsim.KindTemplate || !strings.Contains(thing, "满意/基本满意/不满意") || len([]rune(thing)) > 20 {
		t.Fatalf("rating request outside the window: %+v", got[0])
	}
}
