package dialog

import (
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// testEngineNow is newTestEngine's clock.
var testEngineNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// closeAt seeds a case of openID closed at the given time, as the store would
// leave it: its last change and its last status change are the closing.
func closeAt(m *memoryCases, openID, merchant string, at time.Time) *storage.Case {
	c := m.add(openID, merchant, storage.StatusClosed)
	c.UpdatedAt = at
	m.event(c.ID, storage.EventStatusChange, "调解成功 → 已办结", at)
	return c
}

// TestEngineAsksForADueRatingOnce writes after a case closed two days ago: the
// consumer is told the case is finished and asked for the rating, once, and the
// existing flow records it.
func TestEngineAsksForADueRatingOnce(t *testing.T) {
	e, cases := newTestEngine(t)
	c := closeAt(cases, "oA", "甲商店", testEngineNow.Add(-48*time.Hour))
	first := say(t, e, "oA", "m1", text("退款已经收到了"))
	wantIn(t, "first message", first, "您的投诉 "+c.Number+" 已经处理结束（已办结）", "或致电 12315",
		"您的投诉 "+c.Number+"（甲商店）已办结，请您评价我们的处理：回复 满意、基本满意 或 不满意")
	if strings.Index(first, "已经处理结束") > strings.Index(first, "请您评价") {
		t.Errorf("the question must come last, where the consumer answers it:\n%s", first)
	}
	wantIn(t, "rate", say(t, e, "oA", "m2", text("满意")), "感谢您对投诉 "+c.Number+" 的评价（满意）")
	wantIn(t, "skip comment", say(t, e, "oA", "m3", text("跳过")), "感谢您的评价")
	if r := cases.ratings[c.ID]; r == nil || r.Rating != storage.RatingSatisfied {
		t.Fatalf("rating %+v", r)
	}
	if again := say(t, e, "oA", "m4", text("谢谢")); strings.Contains(again, "请您评价") {
		t.Errorf("asked again after rating:\n%s", again)
	}
}

// TestEngineRatingQuestionIgnored writes something else in answer to the rating
// question: the message goes to the open case and the question does not come
// back, with this message or the next.
func TestEngineRatingQuestionIgnored(t *testing.T) {
	e, cases := newTestEngine(t)
	c := closeAt(cases, "oA", "甲商店", testEngineNow.Add(-time.Hour))
	open := cases.add("oA", "乙商城", storage.StatusMediating)
	wantIn(t, "first", say(t, e, "oA", "m1", text("商家又来电话了")), "已转给调解员", open.Number, "请您评价我们的处理")
	for i, msg := range []string{"他说明天退款", "好的"} {
		reply := say(t, e, "oA", "n"+string(rune('1'+i)), text(msg))
		wantIn(t, msg, reply, "已转给调解员", open.Number)
		if strings.Contains(reply, "请您评价") {
			t.Errorf("%q: asked again:\n%s", msg, reply)
		}
	}
	if len(cases.added) != 3 || cases.added[2].Body != "好的" || cases.ratings[c.ID] != nil {
		t.Errorf("events %+v, ratings %v", cases.added, cases.ratings)
	}
	// 满意 still rates the case through the usual words.
	wantIn(t, "explicit", say(t, e, "oA", "m9", text("评价 "+c.Number+" 基本满意")), "评价（基本满意）")
}

// TestEngineRatingNotAsked covers the cases never asked about: closed longer ago
// than the window (configurable), rated already, and declined.
func TestEngineRatingNotAsked(t *testing.T) {
	e, cases := newTestEngine(t)
	closeAt(cases, "oOld", "甲商店", testEngineNow.Add(-8*24*time.Hour))
	rated := closeAt(cases, "oRated", "乙商城", testEngineNow.Add(-time.Hour))
	cases.ratings = map[int64]*storage.Rating{rated.ID: {CaseID: rated.ID, Rating: storage.RatingMostly}}
	for _, who := range []string{"oOld", "oRated"} {
		if reply := say(t, e, who, "m1", text("你好")); strings.Contains(reply, "请您评价") || !strings.Contains(reply, "已经处理结束") {
			t.Errorf("%s: %s", who, reply)
		}
	}
	e.RatingWindow = 10 * 24 * time.Hour
	wantIn(t, "a longer window", say(t, e, "oOld", "m2", text("你好")), "请您评价")

	declining := closeAt(cases, "oNo", "丙公司", testEngineNow.Add(-time.Hour))
	wantIn(t, "asked", say(t, e, "oNo", "m1", text("你好")), "请您评价")
	wantIn(t, "declined", say(t, e, "oNo", "m2", text("跳过")), "评价 "+declining.Number+" 满意")
	if reply := say(t, e, "oNo", "m3", text("你好")); strings.Contains(reply, "请您评价") {
		t.Errorf("asked again after declining:\n%s", reply)
	}
}
