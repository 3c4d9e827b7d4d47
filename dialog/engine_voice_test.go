package dialog

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestEngineFilesVoiceEvidence walks an intake with a spoken description, a photo
// and a recording at the photo question, and a spoken name: the case is filed with
// the two recordings and the photo as evidence, in the order sent, and the name's
// recording is not evidence.
func TestEngineFilesVoiceEvidence(t *testing.T) {
	e, cases := newTestEngine(t)
	inputs := []Input{
		menuIn(MenuComplain), text("同意"), text("1"), text("某某电器商城"), text("人民路1号"),
		text("2026-11-20"), text("1999"), spoken("电视机买回来三天就黑屏了，商家不肯换。", "v1"), text("2"),
		imageIn("p1"), spoken("这是我和店员的对话。", "v2"), text("完成"), spoken("王五。", "v3"),
	}
	for i, in := range inputs {
		say(t, e, "oA", fmt.Sprintf("m%d", i), in)
	}
	wantIn(t, "summary", say(t, e, "oA", "phone", text("13712345678")), "6. 事情经过：电视机买回来三天就黑屏了，商家不肯换", "8. 证据：1张照片，2条语音", "9. 姓名：王五")
	wantIn(t, "confirm", say(t, e, "oA", "confirm", text("确认")), "投诉已提交成功")
	if len(cases.created) != 1 {
		t.Fatalf("%d cases filed, want 1", len(cases.created))
	}
	want := []storage.NewEvidence{
		{Kind: "voice", MediaID: "v1"},
		{Kind: "image", MediaID: "p1", PicURL: "http://mmbiz.example/p1"},
		{Kind: "voice", MediaID: "v2"},
	}
	if got := cases.created[0].Evidence; !reflect.DeepEqual(got, want) {
		t.Errorf("evidence %+v\nwant %+v", got, want)
	}
}

// TestEngineVoiceOnTheCaseTimeline checks the events of voice messages after
// filing: the recognised text is the body and the recording is the event's
// evidence; a recording with no recognised text is an evidence event of its own.
func TestEngineVoiceOnTheCaseTimeline(t *testing.T) {
	e, cases := newTestEngine(t)
	c := cases.add("oA", "甲商店", storage.StatusMediating)
	wantIn(t, "forward", say(t, e, "oA", "m1", spoken("商家答应明天退款。", "v1")), "已转给调解员", c.Number)
	say(t, e, "oA", "m2", text("补充"))
	wantIn(t, "supplement", say(t, e, "oA", "m3", spoken("这是和商家的通话。", "v2")), "已转给调解员", "回复 完成")
	wantIn(t, "unrecognised", say(t, e, "oA", "m4", spoken("", "v3")), "已转给调解员")
	say(t, e, "oA", "m5", text("完成"))
	voice := func(id string) []storage.NewEvidence { return []storage.NewEvidence{{Kind: "voice", MediaID: id}} }
	want := []storage.NewEvent{
		{CaseID: c.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer, Body: "商家答应明天退款", DedupeKey: "m1", Evidence: voice("v1")},
		{CaseID: c.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer, Body: "这是和商家的通话", DedupeKey: "m3", Evidence: voice("v2")},
		{CaseID: c.ID, Kind: storage.EventEvidence, Actor: storage.ActorConsumer, DedupeKey: "m4", Evidence: voice("v3")},
	}
	if !equalEvents(cases.added, want) {
		t.Errorf("events %+v\nwant %+v", cases.added, want)
	}
}

// TestEngineVoiceWaitsForTheChoiceOfCase keeps a voice message while the consumer
// picks one of two cases and files it with its recording on the case picked.
func TestEngineVoiceWaitsForTheChoiceOfCase(t *testing.T) {
	e, cases := newTestEngine(t)
	older := cases.add("oA", "甲商店", storage.StatusMediating)
	cases.add("oA", "乙商城", storage.StatusSubmitted)
	wantIn(t, "question", say(t, e, "oA", "m1", spoken("商家又打电话来了。", "v1")), "要转给哪一件")
	wantIn(t, "answer", say(t, e, "oA", "m2", text("2")), "已转给调解员", older.Number)
	want := []storage.NewEvent{{CaseID: older.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer,
		Body: "商家又打电话来了", DedupeKey: "m1", Evidence: []storage.NewEvidence{{Kind: "voice", MediaID: "v1"}}}}
	if !equalEvents(cases.added, want) {
		t.Errorf("events %+v\nwant %+v", cases.added, want)
	}
}

// TestNewCaseFromAStoredDraft files a draft saved before voice was kept: its
// photos, which have no kind, are images.
func TestNewCaseFromAStoredDraft(t *testing.T) {
	d := fullDraft()
	d.Photos = []Photo{{MediaID: "m1", PicURL: "http://x/1"}}
	nc := newCaseFromDraft("oA", SubmitCase{IntakeKey: "k", Draft: d})
	if want := []storage.NewEvidence{{Kind: "image", MediaID: "m1", PicURL: "http://x/1"}}; !reflect.DeepEqual(nc.Evidence, want) {
		t.Errorf("evidence %+v, want %+v", nc.Evidence, want)
	}
}
