package dialog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// lossyStore loses the next lose Commits: the turn's effects ran but neither the
// state nor the reply was saved, as when Redis fails or the instance dies before
// answering. WeChat then retries the same message.
type lossyStore struct {
	Store
	lose int
}

func (s *lossyStore) Commit(ctx context.Context, openID, msgKey string, prev int64, next State, reply string) (string, bool, error) {
	if s.lose > 0 {
		s.lose--
		return "", false, errors.New("connection reset")
	}
	return s.Store.Commit(ctx, openID, msgKey, prev, next, reply)
}

// say sends one message and fails the test on error.
func say(t *testing.T, e *Engine, openID, key string, in Input) string {
	t.Helper()
	reply, err := e.Handle(context.Background(), openID, key, in)
	if err != nil {
		t.Fatalf("%s %q: %v", key, in.Text, err)
	}
	return reply
}

// wantIn fails the test unless reply contains each of want.
func wantIn(t *testing.T, what, reply string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(reply, w) {
			t.Errorf("%s: reply lacks %q:\n%s", what, w, reply)
		}
	}
}

func TestEngineForwardsToTheOpenCase(t *testing.T) {
	e, cases := newTestEngine(t)
	c := cases.add("oA", "某某电器商城", storage.StatusMediating)
	cases.add("oB", "别人的商家", storage.StatusMediating)
	reply := say(t, e, "oA", "msg-1", text("商家今天又来电话了"))
	wantIn(t, "forward", reply, "已转给调解员", c.Number)
	want := []storage.NewEvent{{CaseID: c.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer,
		Body: "商家今天又来电话了", DedupeKey: "msg-1"}}
	if !equalEvents(cases.added, want) {
		t.Errorf("events %+v\nwant %+v", cases.added, want)
	}
}

// TestEngineRetriedMessageAddsOneEvent retries a message whose first attempt put
// it on the timeline but did not commit: the DedupeKey keeps it to one event.
func TestEngineRetriedMessageAddsOneEvent(t *testing.T) {
	e, cases := newTestEngine(t)
	cases.add("oA", "某某电器商城", storage.StatusMediating)
	e.Store = &lossyStore{Store: e.Store, lose: 1}
	if _, err := e.Handle(context.Background(), "oA", "msg-7", text("发票在这里")); err == nil {
		t.Fatal("the lost commit must fail the turn")
	}
	first := say(t, e, "oA", "msg-7", text("发票在这里"))
	again := say(t, e, "oA", "msg-7", text("发票在这里"))
	wantIn(t, "retry", first, "已转给调解员")
	if again != first || len(cases.added) != 1 || len(cases.events) != 1 {
		t.Errorf("retries: %q then %q, %d events; want the same reply and one event", first, again, len(cases.events))
	}
}

func TestEngineAsksWhichCase(t *testing.T) {
	e, cases := newTestEngine(t)
	older := cases.add("oA", "甲商店", storage.StatusMediating)
	newer := cases.add("oA", "乙商城", storage.StatusSubmitted)
	cases.add("oA", "丙公司", storage.StatusResolved) // has an outcome: not offered
	question := say(t, e, "oA", "m1", text("商家答应退款了"))
	wantIn(t, "question", question, "1. "+newer.Number+"（乙商城）\n2. "+older.Number+"（甲商店）")
	if strings.Contains(question, "丙公司") || len(cases.added) != 0 {
		t.Fatalf("question %q, %d events", question, len(cases.added))
	}
	kept := say(t, e, "oA", "m2", imageIn("p1"))
	wantIn(t, "second message", kept, "共2条")
	reply := say(t, e, "oA", "m3", text("2"))
	wantIn(t, "answer", reply, "2条消息已转给调解员", older.Number)
	// Each message is de-duplicated by its own key, not the pick's.
	want := []storage.NewEvent{
		{CaseID: older.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer, Body: "商家答应退款了", DedupeKey: "m1"},
		{CaseID: older.ID, Kind: storage.EventEvidence, Actor: storage.ActorConsumer, DedupeKey: "m2",
			Evidence: []storage.NewEvidence{{Kind: "image", MediaID: "p1", PicURL: "http://mmbiz.example/p1"}}},
	}
	if !equalEvents(cases.added, want) {
		t.Errorf("events %+v\nwant %+v", cases.added, want)
	}
	// Back to idle: the next message asks again.
	wantIn(t, "after", say(t, e, "oA", "m4", text("谢谢")), "要转给哪一件")
}

func TestEngineWithoutCasesShowsTheMenu(t *testing.T) {
	e, cases := newTestEngine(t)
	cases.add("oB", "别人的", storage.StatusMediating)
	wantIn(t, "text", say(t, e, "oA", "m1", text("你好")), "投诉 —— 开始投诉", "查询 —— 查看投诉进度")
	wantIn(t, "photo", say(t, e, "oA", "m2", imageIn("p1")), "照片没有保存")
	if len(cases.added) != 0 {
		t.Errorf("%d events added without an open case", len(cases.added))
	}
}

// TestEngineWritingToAFinishedCase writes when the consumer's only case is
// finished: they are told so, and how to go on (a new complaint, the hotline).
func TestEngineWritingToAFinishedCase(t *testing.T) {
	e, cases := newTestEngine(t)
	c := cases.add("oA", "甲商店", storage.StatusClosed)
	cases.add("oB", "别人的", storage.StatusMediating)
	closed := "您的投诉 " + c.Number + " 已经处理结束（已办结），发送的内容不会再转给调解员。如有新的问题，请回复 我要投诉 重新投诉，或致电 12315。"
	wantIn(t, "text", say(t, e, "oA", "m1", text("退款还没到账")), closed)
	wantIn(t, "photo", say(t, e, "oA", "m2", imageIn("p1")), closed)
	wantIn(t, "补充", say(t, e, "oA", "m3", text("补充 "+c.Number)), "不能再补充材料。如有新的问题，请回复 我要投诉 重新投诉，或致电 12315。")
	if len(cases.added) != 0 {
		t.Errorf("%d events added to a finished case", len(cases.added))
	}
}

func TestEngineSupplement(t *testing.T) {
	e, cases := newTestEngine(t)
	a := cases.add("oA", "甲商店", storage.StatusMediating)
	b := cases.add("oA", "乙商城", storage.StatusAccepted)
	wantIn(t, "start", say(t, e, "oA", "m1", text("补充 "+strings.ToLower(a.Number))), "转给投诉 "+a.Number)
	wantIn(t, "photo 1", say(t, e, "oA", "m2", imageIn("p1")), "已转给调解员", a.Number, "回复 完成")
	wantIn(t, "photo 2", say(t, e, "oA", "m3", imageIn("p2")), "已转给调解员")
	wantIn(t, "text", say(t, e, "oA", "m4", text("这是聊天记录")), "已转给调解员")
	wantIn(t, "done", say(t, e, "oA", "m5", text("完成")), "补充完毕")
	if len(cases.added) != 3 {
		t.Fatalf("%d events, want 3: %+v", len(cases.added), cases.added)
	}
	for i, ev := range cases.added {
		if ev.CaseID != a.ID || ev.DedupeKey != []string{"m2", "m3", "m4"}[i] {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
	if ev := cases.added[1]; ev.Kind != storage.EventEvidence || len(ev.Evidence) != 1 || ev.Evidence[0].MediaID != "p2" {
		t.Errorf("photo event: %+v", ev)
	}
	// After 完成 a message is no longer the supplement's: with two open cases, ask.
	wantIn(t, "after", say(t, e, "oA", "m6", text("还有一件事")), b.Number, a.Number, "要转给哪一件")
}

func TestEngineWithdraw(t *testing.T) {
	e, cases := newTestEngine(t)
	c := cases.add("oA", "甲商店", storage.StatusMediating)
	wantIn(t, "ask", say(t, e, "oA", "m1", text("撤回 "+c.Number)), "确认撤回投诉 "+c.Number+" 吗")
	wantIn(t, "cancel", say(t, e, "oA", "m2", text("取消")), "没有撤回")
	if c.Status != storage.StatusMediating {
		t.Fatalf("cancelled withdrawal changed the status to %s", c.Status)
	}
	say(t, e, "oA", "m3", text("撤回 "+c.Number))
	wantIn(t, "confirm", say(t, e, "oA", "m4", text("确认撤回")), "已撤回，调解已终止")
	if c.Status != storage.StatusWithdrawn {
		t.Fatalf("status %s, want withdrawn", c.Status)
	}
	if ev := cases.events[len(cases.events)-1]; ev.Kind != storage.EventStatusChange || ev.Actor != storage.ActorConsumer {
		t.Errorf("last event %+v, want the consumer's status change", ev)
	}
	wantIn(t, "final", say(t, e, "oA", "m5", text("撤回 "+c.Number)), "已经有处理结果（已撤回），不能再撤回")
}

// TestEngineWithdrawTooLate confirms a withdrawal after staff resolved the case: the
// store refuses and the consumer is told so; it is not an error.
func TestEngineWithdrawTooLate(t *testing.T) {
	e, cases := newTestEngine(t)
	c := cases.add("oA", "甲商店", storage.StatusMediating)
	say(t, e, "oA", "m1", text("撤回 "+c.Number))
	c.Status = storage.StatusResolved
	wantIn(t, "confirm", say(t, e, "oA", "m2", text("确认撤回")), "现在已不能撤回")
	if c.Status != storage.StatusResolved {
		t.Errorf("status %s", c.Status)
	}
}

// TestEngineNeverReachesAnotherConsumersCase types another consumer's number into
// every command: each reads exactly like a number that does not exist, and nothing
// changes.
func TestEngineNeverReachesAnotherConsumersCase(t *testing.T) {
	e, cases := newTestEngine(t)
	theirs := cases.add("oOwner", "别人的商家", storage.StatusClosed)
	mine := cases.add("oMe", "我的商家", storage.StatusMediating)
	missing := storage.FormatCaseNumber("TS", 2026, 999)
	for i, cmd := range []string{"补充 %s", "撤回 %s", "评价 %s 满意", "查询 %s", "%s"} {
		got := say(t, e, "oMe", "a"+string(rune('0'+i)), text(strings.Replace(cmd, "%s", theirs.Number, 1)))
		none := say(t, e, "oMe", "b"+string(rune('0'+i)), text(strings.Replace(cmd, "%s", missing, 1)))
		if strings.ReplaceAll(got, theirs.Number, missing) != none || strings.Contains(got, "别人的商家") {
			t.Errorf("%q: another consumer's case reads differently from a missing one:\n%s\n%s", cmd, got, none)
		}
	}
	if len(cases.added) != 0 || theirs.Status != storage.StatusClosed || len(cases.ratings) != 0 || mine.Status != storage.StatusMediating {
		t.Errorf("something changed: %d events, ratings %v, status %s", len(cases.added), cases.ratings, theirs.Status)
	}
}

func TestEngineRating(t *testing.T) {
	e, cases := newTestEngine(t)
	c := cases.add("oA", "甲商店", storage.StatusClosed)
	wantIn(t, "rate", say(t, e, "oA", "m1", text("基本满意")), "感谢您对投诉 "+c.Number+" 的评价（基本满意）", "回复 跳过")
	wantIn(t, "comment", say(t, e, "oA", "m2", text("处理得有点慢")), "已收到您的意见")
	if r := cases.ratings[c.ID]; r == nil || r.Rating != storage.RatingMostly || r.Comment != "处理得有点慢" {
		t.Fatalf("rating %+v", r)
	}
	// Once: nothing is left to rate, and the number form says it was rated.
	wantIn(t, "again", say(t, e, "oA", "m3", text("不满意")), "没有待评价的投诉")
	wantIn(t, "again by number", say(t, e, "oA", "m4", text("评价 "+c.Number+" 不满意")), "已经评价过了")
	if r := cases.ratings[c.ID]; r.Rating != storage.RatingMostly || r.Comment != "处理得有点慢" {
		t.Errorf("rating changed: %+v", r)
	}
}

func TestEngineRatingSkipAndNothingToRate(t *testing.T) {
	e, cases := newTestEngine(t)
	wantIn(t, "nothing", say(t, e, "oA", "m1", text("满意")), "没有待评价的投诉")
	c := cases.add("oA", "甲商店", storage.StatusClosed)
	say(t, e, "oA", "m2", text("满意"))
	wantIn(t, "skip", say(t, e, "oA", "m3", text("跳过")), "感谢您的评价")
	if r := cases.ratings[c.ID]; r == nil || r.Rating != storage.RatingSatisfied || r.Comment != "" {
		t.Errorf("rating %+v", r)
	}
}

// TestEngineStoreRefusals checks the refusals a race can cause: a case rated or
// commented on meanwhile is said so, ends the stage and is not an error.
func TestEngineStoreRefusals(t *testing.T) {
	e, cases := newTestEngine(t)
	c := cases.add("oA", "甲商店", storage.StatusClosed)
	ref := refOf(c)
	if err := cases.RateCase(context.Background(), storage.Rating{CaseID: c.ID, Rating: storage.RatingSatisfied}); err != nil {
		t.Fatal(err)
	}
	o, err := e.runEffect(context.Background(), "oA", "k", RateCase{Case: ref, Rating: storage.RatingDissatisfied})
	if err != nil || !o.endStage || !strings.Contains(o.text, "已经评价过了") {
		t.Errorf("rate twice: %+v, %v", o, err)
	}
	_ = cases.CommentOnRating(context.Background(), c.ID, "第一次")
	o, err = e.runEffect(context.Background(), "oA", "k", CommentOnRating{Case: ref, Comment: "第二次"})
	if err != nil || !o.endStage || !strings.Contains(o.text, "已经记录过了") || cases.ratings[c.ID].Comment != "第一次" {
		t.Errorf("comment twice: %+v, %v", o, err)
	}
	// Through the dialog: the comment stage ends and the next text is a message.
	e2, cases2 := newTestEngine(t)
	c2 := cases2.add("oA", "甲商店", storage.StatusClosed)
	say(t, e2, "oA", "m1", text("满意"))
	cases2.ratings[c2.ID].Comment = "别处写的"
	wantIn(t, "comment refused", say(t, e2, "oA", "m2", text("很好")), "已经记录过了")
}

// TestEngineIntakeIssuesNoCaseStoreCall checks the hot path: a whole intake costs no
// database call but the final CreateCase.
func TestEngineIntakeIssuesNoCaseStoreCall(t *testing.T) {
	e, cases := newTestEngine(t)
	cases.add("oA", "甲商店", storage.StatusMediating) // an open case must not matter
	n := walkToSummary(t, e, "oA")
	say(t, e, "oA", "h1", text("上一步"))
	say(t, e, "oA", "h2", text("13712345678"))
	say(t, e, "oA", "h3", imageIn("p9"))
	say(t, e, "oA", "h4", text("修改 2"))
	say(t, e, "oA", "h5", text("另一家商店"))
	if got := cases.callCount(); got != 0 {
		t.Fatalf("%d case-store calls during %d intake messages, want 0", got, n+5)
	}
	wantIn(t, "confirm", say(t, e, "oA", "h6", text("确认")), "投诉已提交成功")
	if got := cases.callCount(); got != 1 {
		t.Errorf("%d case-store calls after confirming, want 1 (CreateCase)", got)
	}
}

// TestEngineDatabaseDownKeepsTheMessage checks that a database failure while
// loading facts fails the turn (the caller answers busy) and loses nothing: the
// retried message is asked about and forwarded once.
func TestEngineDatabaseDownKeepsTheMessage(t *testing.T) {
	e, cases := newTestEngine(t)
	cases.add("oA", "甲商店", storage.StatusMediating)
	cases.add("oA", "乙商城", storage.StatusMediating)
	cases.setDown(true)
	if _, err := e.Handle(context.Background(), "oA", "m1", text("第一条")); storage.ErrorCode(err) != storage.EUNAVAILABLE {
		t.Fatalf("with the database down: %v", err)
	}
	cases.setDown(false)
	wantIn(t, "retry", say(t, e, "oA", "m1", text("第一条")), "要转给哪一件")
	wantIn(t, "choice", say(t, e, "oA", "m2", text("1")), "已转给调解员")
	if len(cases.added) != 1 || cases.added[0].Body != "第一条" {
		t.Errorf("events %+v", cases.added)
	}
}

// equalEvents compares the fields the dialog sets.
func equalEvents(got, want []storage.NewEvent) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.CaseID != w.CaseID || g.Kind != w.Kind || g.Actor != w.Actor || g.Body != w.Body ||
			g.DedupeKey != w.DedupeKey || len(g.Evidence) != len(w.Evidence) || g.Notify != nil {
			return false
		}
		for j := range g.Evidence {
			if g.Evidence[j] != w.Evidence[j] {
				return false
			}
		}
	}
	return true
}

// TestEngineQueryShowsTheLatestStaffReply checks that 查询 carries the mediator's
// words, which a template message sent outside the 48-hour window cannot: the
// list shows the start of each case's latest reply, the detail shows it whole, and
// neither shows internal notes or another consumer's replies.
func TestEngineQueryShowsTheLatestStaffReply(t *testing.T) {
	e, cases := newTestEngine(t)
	open := cases.add("oA", "甲商店", storage.StatusMediating)
	closed := cases.add("oA", "乙商城", storage.StatusClosed)
	quiet := cases.add("oA", "丙公司", storage.StatusSubmitted)
	theirs := cases.add("oB", "别人的商家", storage.StatusMediating)
	at := time.Date(2026, 11, 26, 2, 5, 0, 0, time.UTC) // 10:05 in China
	cases.event(open.ID, storage.EventStaffReply, "旧的回复", at.Add(-48*time.Hour))
	cases.event(open.ID, storage.EventConsumerMessage, "好的", at.Add(-time.Hour))
	cases.event(open.ID, storage.EventStaffReply, "请提供购物小票\n和保修卡照片。", at)
	cases.event(open.ID, storage.EventNote, "内部备注：商家态度差", at.Add(time.Hour))
	cases.event(closed.ID, storage.EventStaffReply, "商家已退款，调解结束。", at.Add(-72*time.Hour))
	cases.event(theirs.ID, storage.EventStaffReply, "别人的回复", at)

	list := say(t, e, "oA", "q1", text("查询"))
	wantIn(t, "list", list, "调解员最新回复（11-26 10:05）：请提供购物小票 和保修卡照片。",
		"调解员最新回复（11-23 10:05）：商家已退款，调解结束。", quiet.Number+"｜待受理")
	if n := strings.Count(list, "调解员最新回复"); n != 2 {
		t.Errorf("list shows %d replies, want 2 (none for %s):\n%s", n, quiet.Number, list)
	}
	for _, no := range []string{"旧的回复", "内部备注", "别人的回复", "别人的商家"} {
		if strings.Contains(list, no) {
			t.Errorf("list shows %q:\n%s", no, list)
		}
	}

	detail := say(t, e, "oA", "q2", text("查询 "+open.Number))
	wantIn(t, "open detail", detail, "甲商店", "调解员最新回复（11-26 10:05）：\n请提供购物小票\n和保修卡照片。",
		"直接发送文字、语音或照片", "补充 "+open.Number)
	if strings.Contains(detail, "内部备注") || strings.Contains(detail, "旧的回复") {
		t.Errorf("open detail:\n%s", detail)
	}
	final := say(t, e, "oA", "q3", text("查询 "+closed.Number))
	wantIn(t, "closed detail", final, "商家已退款，调解结束。")
	if strings.Contains(final, "直接发送") {
		t.Errorf("a final case's detail says to answer it:\n%s", final)
	}
	if none := say(t, e, "oA", "q4", text("查询 "+quiet.Number)); strings.Contains(none, "调解员") {
		t.Errorf("a case without a reply shows one:\n%s", none)
	}
	other := say(t, e, "oA", "q5", text("查询 "+theirs.Number))
	if strings.Contains(other, "别人的回复") || !strings.Contains(other, "没有找到") {
		t.Errorf("another consumer's case:\n%s", other)
	}
	if len(cases.added) != 0 {
		t.Errorf("a query added %d events", len(cases.added))
	}
}

// TestEngineQueryFailsWhenTheTimelineIsDown checks that a timeline read failing
// fails the turn (the caller answers busy) rather than hiding a reply.
func TestEngineQueryFailsWhenTheTimelineIsDown(t *testing.T) {
	e, cases := newTestEngine(t)
	c := cases.add("oA", "甲商店", storage.StatusMediating)
	cases.eventsDown = true
	for _, q := range []string{"查询", "查询 " + c.Number} {
		if _, err := e.Handle(context.Background(), "oA", q, text(q)); storage.ErrorCode(err) != storage.EUNAVAILABLE {
			t.Errorf("%s with the timeline down: %v", q, err)
		}
	}
}

// TestEngineHeldMessagesAddedOnceAfterALostCommit picks a case, loses the commit
// (the consumer is told the desk is busy) and picks again with a new message: the
// held messages reach the timeline once, each under its own key.
func TestEngineHeldMessagesAddedOnceAfterALostCommit(t *testing.T) {
	e, cases := newTestEngine(t)
	older := cases.add("oA", "甲商店", storage.StatusMediating)
	cases.add("oA", "乙商城", storage.StatusSubmitted)
	say(t, e, "oA", "m1", text("商家答应退款了"))
	say(t, e, "oA", "m2", imageIn("p1"))
	store := e.Store
	e.Store = &lossyStore{Store: store, lose: 1}
	if _, err := e.Handle(context.Background(), "oA", "m3", text("2")); err == nil {
		t.Fatal("the lost commit must fail the turn")
	}
	wantIn(t, "second pick", say(t, e, "oA", "m4", text("2")), "2条消息已转给调解员", older.Number)
	want := []storage.NewEvent{
		{CaseID: older.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer, Body: "商家答应退款了", DedupeKey: "m1"},
		{CaseID: older.ID, Kind: storage.EventEvidence, Actor: storage.ActorConsumer, DedupeKey: "m2",
			Evidence: []storage.NewEvidence{{Kind: "image", MediaID: "p1", PicURL: "http://mmbiz.example/p1"}}},
	}
	if !equalEvents(cases.added, want) {
		t.Errorf("events %+v\nwant %+v", cases.added, want)
	}
}

// TestEngineChooseCaseKeepsNumbersNotInTheList holds an amount typed while the
// consumer picks a case, rather than refusing it as a bad choice.
func TestEngineChooseCaseKeepsNumbersNotInTheList(t *testing.T) {
	e, cases := newTestEngine(t)
	older := cases.add("oA", "甲商店", storage.StatusMediating)
	cases.add("oA", "乙商城", storage.StatusSubmitted)
	say(t, e, "oA", "m1", text("商家说只能退"))
	wantIn(t, "amount", say(t, e, "oA", "m2", text("500")), "共2条")
	wantIn(t, "pick", say(t, e, "oA", "m3", text("2")), "2条消息已转给调解员", older.Number)
	if len(cases.added) != 2 || cases.added[1].Body != "500" || cases.added[1].DedupeKey != "m2" {
		t.Errorf("events %+v", cases.added)
	}
}

// TestEngineWithdrawQuestionForwardsOtherText answers the withdrawal question
// with news for the mediator: the case is kept and the news reaches it.
func TestEngineWithdrawQuestionForwardsOtherText(t *testing.T) {
	e, cases := newTestEngine(t)
	c := cases.add("oA", "甲商店", storage.StatusMediating)
	say(t, e, "oA", "m1", text("撤回 "+c.Number))
	news := "等等，商家刚刚打电话说愿意全额退款"
	wantIn(t, "news", say(t, e, "oA", "m2", text(news)), "没有撤回", "已转给调解员", c.Number)
	if c.Status != storage.StatusMediating || len(cases.added) != 1 || cases.added[0].Body != news || cases.added[0].DedupeKey != "m2" {
		t.Errorf("status %s, events %+v", c.Status, cases.added)
	}
}

// TestEngineBareRatingWords checks that 满意 alone rates only a consumer with no
// open case: during 补充 and when an open case exists it is a message for it, and
// 评价 <number> 满意 still rates.
func TestEngineBareRatingWords(t *testing.T) {
	e, cases := newTestEngine(t)
	closed := cases.add("oA", "甲商店", storage.StatusClosed)
	open := cases.add("oA", "乙商城", storage.StatusMediating)
	say(t, e, "oA", "m1", text("补充 "+open.Number))
	wantIn(t, "during 补充", say(t, e, "oA", "m2", text("满意")), "已转给调解员", open.Number, "回复 完成")
	say(t, e, "oA", "m3", text("完成"))
	wantIn(t, "idle with an open case", say(t, e, "oA", "m4", text("基本满意")),
		"已转给调解员", open.Number, "评价 "+closed.Number+" 基本满意")
	if len(cases.ratings) != 0 || len(cases.added) != 2 || cases.added[0].Body != "满意" || cases.added[1].Body != "基本满意" {
		t.Fatalf("ratings %v, events %+v", cases.ratings, cases.added)
	}
	wantIn(t, "explicit", say(t, e, "oA", "m5", text("评价 "+closed.Number+" 满意")), "感谢您对投诉 "+closed.Number+" 的评价（满意）")
	if r := cases.ratings[closed.ID]; r == nil || r.Rating != storage.RatingSatisfied {
		t.Errorf("rating %+v", r)
	}
}

// TestEngineActionsRetriedAfterALostCommit repeats withdraw, rate and comment after
// their commit was lost: the store refuses the second time (ECONFLICT), but the
// case is as the consumer asked, so they are told it worked.
func TestEngineActionsRetriedAfterALostCommit(t *testing.T) {
	ctx := context.Background()
	t.Run("withdraw", func(t *testing.T) {
		e, cases := newTestEngine(t)
		c := cases.add("oA", "甲商店", storage.StatusMediating)
		say(t, e, "oA", "m1", text("撤回 "+c.Number))
		e.Store = &lossyStore{Store: e.Store, lose: 1}
		if _, err := e.Handle(ctx, "oA", "m2", text("确认撤回")); err == nil {
			t.Fatal("the lost commit must fail the turn")
		}
		reply := say(t, e, "oA", "m2", text("确认撤回"))
		wantIn(t, "retry", reply, "已撤回，调解已终止")
		if strings.Contains(reply, "不能撤回") || c.Status != storage.StatusWithdrawn {
			t.Errorf("retry: %q, status %s", reply, c.Status)
		}
	})
	t.Run("rate and comment", func(t *testing.T) {
		e, cases := newTestEngine(t)
		c := cases.add("oA", "甲商店", storage.StatusClosed)
		lossy := &lossyStore{Store: e.Store, lose: 1}
		e.Store = lossy
		if _, err := e.Handle(ctx, "oA", "m1", text("满意")); err == nil {
			t.Fatal("the lost commit must fail the turn")
		}
		reply := say(t, e, "oA", "m1", text("满意"))
		wantIn(t, "rate retried", reply, "感谢您对投诉 "+c.Number+" 的评价（满意）", "回复 跳过")
		lossy.lose = 1
		if _, err := e.Handle(ctx, "oA", "m2", text("调解员很耐心")); err == nil {
			t.Fatal("the lost commit must fail the turn")
		}
		reply = say(t, e, "oA", "m2", text("调解员很耐心"))
		wantIn(t, "comment retried", reply, "已收到您的意见")
		if r := cases.ratings[c.ID]; r == nil || r.Rating != storage.RatingSatisfied || r.Comment != "调解员很耐心" {
			t.Errorf("rating %+v", r)
		}
		// The stage ended: a further text is not a comment.
		if reply := say(t, e, "oA", "m3", text("再见")); strings.Contains(reply, "意见") {
			t.Errorf("after the comment: %q", reply)
		}
	})
	t.Run("rate by number", func(t *testing.T) {
		e, cases := newTestEngine(t)
		c := cases.add("oA", "甲商店", storage.StatusClosed)
		cases.add("oA", "乙商城", storage.StatusMediating)
		e.Store = &lossyStore{Store: e.Store, lose: 1}
		cmd := text("评价 " + c.Number + " 不满意")
		if _, err := e.Handle(ctx, "oA", "m1", cmd); err == nil {
			t.Fatal("the lost commit must fail the turn")
		}
		wantIn(t, "retry", say(t, e, "oA", "m1", cmd), "感谢您对投诉 "+c.Number+" 的评价（不满意）")
		wantIn(t, "comment", say(t, e, "oA", "m2", text("太慢了")), "已收到您的意见")
		if r := cases.ratings[c.ID]; r == nil || r.Rating != storage.RatingDissatisfied || r.Comment != "太慢了" {
			t.Errorf("rating %+v", r)
		}
	})
	t.Run("refused when different", func(t *testing.T) {
		e, cases := newTestEngine(t)
		c := cases.add("oA", "甲商店", storage.StatusClosed)
		ref := refOf(c)
		if err := cases.RateCase(ctx, storage.Rating{CaseID: c.ID, Rating: storage.RatingSatisfied}); err != nil {
			t.Fatal(err)
		}
		_ = cases.CommentOnRating(ctx, c.ID, "很好")
		o, err := e.runEffect(ctx, "oA", "k", RateCase{Case: ref, Rating: storage.RatingSatisfied})
		if err != nil || !o.endStage || !strings.Contains(o.text, "已经评价过了") {
			t.Errorf("the same rating, already commented: %+v, %v", o, err)
		}
		o, err = e.runEffect(ctx, "oA", "k", CommentOnRating{Case: ref, Comment: "很好"})
		if err != nil || o.endStage || !strings.Contains(o.text, "已收到您的意见") {
			t.Errorf("the same comment again: %+v, %v", o, err)
		}
		cases.setDown(true)
		if _, err := e.runEffect(ctx, "oA", "k", CommentOnRating{Case: ref, Comment: "很好"}); storage.ErrorCode(err) != storage.EUNAVAILABLE {
			t.Errorf("database down: %v", err)
		}
	})
}
