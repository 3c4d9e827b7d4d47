package dialog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// spoken is a voice message as the bot maps it: WeChat's recognition and the media
// id of the recording.
func spoken(text, mediaID string) Input {
	return Input{Kind: InputVoice, Text: text, MediaID: mediaID}
}

// recording is the evidence kept for the voice message with that media id.
func recording(mediaID string) Photo { return Photo{MediaID: mediaID, Kind: EvidenceVoice} }

// photo is the evidence kept for the image with that media id, as imageIn sends it.
func photo(mediaID string) Photo {
	return Photo{MediaID: mediaID, PicURL: "http://mmbiz.example/" + mediaID}
}

// withEvidence is a state at stage whose draft keeps exactly evidence.
func withEvidence(stage Stage, evidence ...Photo) State {
	st := stateAt(stage)
	st.Draft.Photos = evidence
	return st
}

// nineItems is a full evidence list: eight photos and a recording.
func nineItems() []Photo {
	items := []Photo{recording("v0")}
	for len(items) < maxPhotos {
		items = append(items, photo("m"))
	}
	return items
}

// TestStepVoiceInIntake covers which voice messages of an intake are kept as
// evidence: one answering the description, and any at the photo question that is
// not a command. Answers to the other questions are only answers.
func TestStepVoiceInIntake(t *testing.T) {
	story := "冰箱买来三天就不制冷了，商家拒绝退货。"
	keep := func(p ...Photo) func(*Draft) { return func(d *Draft) { d.Photos = append(d.Photos, p...) } }
	tests := []struct {
		name      string
		st        State
		in        Input
		wantStage Stage
		set       func(*Draft) // the expected change; nil: the draft must not change
		replies   []string
	}{
		{"description by voice is kept", stateAt(StageDescription), spoken(story, "v1"), StageDemand,
			func(d *Draft) { d.Description = strings.TrimSuffix(story, "。"); keep(recording("v1"))(d) }, []string{"（7/10）"}},
		{"description too short: re-asked, not kept", stateAt(StageDescription), spoken("坏了。", "v1"), StageDescription, nil, []string{"您输入了2个字"}},
		{"description command: not kept", stateAt(StageDescription), spoken("上一步。", "v1"), StageAmount, nil, []string{"（5/10）"}},
		{"description unrecognised: re-asked, not kept", stateAt(StageDescription), spoken("", "v1"), StageDescription, nil, []string{"没有听清", "（6/10）"}},
		{"description with evidence full: text only", withEvidence(StageDescription, nineItems()...), spoken(story, "v1"), StageDemand,
			func(d *Draft) { d.Description = strings.TrimSuffix(story, "。") }, []string{"最多9条（与照片合计）", "（7/10）"}},
		{"description edited by voice: back to the summary", func() State { st := stateAt(StageDescription); st.Draft = fullDraft(); st.Editing = true; return st }(),
			spoken(story, "v1"), StageConfirm, func(d *Draft) { d.Description = strings.TrimSuffix(story, "。"); keep(recording("v1"))(d) },
			[]string{"8. 证据：1张照片，1条语音"}},

		{"photo stage voice is kept", stateAt(StagePhotos), spoken("这是商家当时的承诺。", "v2"), StagePhotos, keep(recording("v2")), []string{"已收到第1条语音，继续发送或回复 完成"}},
		{"photo stage unrecognised voice is kept", stateAt(StagePhotos), spoken("", "v2"), StagePhotos, keep(recording("v2")), []string{"已收到第1条语音"}},
		{"photo stage voices are counted apart from photos", withEvidence(StagePhotos, photo("m1"), recording("v1"), photo("m2")), spoken("还有一段", "v2"), StagePhotos,
			keep(recording("v2")), []string{"已收到第2条语音"}},
		{"photo after a voice counts photos", withEvidence(StagePhotos, recording("v1")), imageIn("m3"), StagePhotos, keep(photo("m3")), []string{"已收到第1张照片"}},
		{"photo stage spoken 完成", withEvidence(StagePhotos, recording("v1")), spoken("完成。", "v2"), StageName, nil, []string{"（9/10）"}},
		{"photo stage spoken 清空", withEvidence(StagePhotos, photo("m1"), recording("v1")), spoken("清空", "v2"), StagePhotos,
			func(d *Draft) { d.Photos = nil }, []string{"已清空之前发送的照片和语音", "（8/10）"}},
		{"photo stage spoken 上一步", stateAt(StagePhotos), spoken("上一步", "v2"), StageDemand, nil, []string{"（7/10）"}},
		{"photo stage voice when full", withEvidence(StagePhotos, nineItems()...), spoken("还有一段", "v2"), StagePhotos, nil,
			[]string{"没有保存为证据", "已收到8张照片，1条语音"}},
		{"photo when full counts voice too", withEvidence(StagePhotos, nineItems()...), imageIn("m10"), StagePhotos, nil, []string{"最多9张（与语音合计）", "（8/10）"}},

		{"privacy by voice", stateAt(StagePrivacy), spoken("同意。", "v3"), StageCategory, nil, []string{"（1/10）"}},
		{"merchant by voice", stateAt(StageMerchantName), spoken("某某电器有限公司。", "v3"), StageMerchantAddress,
			func(d *Draft) { d.MerchantName = "某某电器有限公司" }, []string{"（3/10）"}},
		{"date by voice", stateAt(StagePurchaseDate), spoken("昨天。", "v3"), StageAmount, func(d *Draft) { d.PurchaseDate = "2026-11-24" }, []string{"（5/10）"}},
		{"demand by voice", stateAt(StageDemand), spoken("退款。", "v3"), StagePhotos, func(d *Draft) { d.Demand = "退款" }, []string{"（8/10）"}},
		{"name by voice", stateAt(StageName), spoken("张三。", "v3"), StagePhone, func(d *Draft) { d.Name = "张三" }, []string{"（10/10）"}},
		{"phone by voice", stateAt(StagePhone), spoken("13800138000。", "v3"), StageConfirm, func(d *Draft) { d.Phone = "13800138000" }, []string{"10. 手机号码：13800138000"}},
		{"summary by voice", stateAt(StageConfirm), spoken("嗯。", "v3"), StageConfirm, nil, []string{"回复 确认"}},
	}
	for _, tc := range tests {
		res := Step(tc.st, tc.in, testEnv(t))
		want := tc.st.Draft
		want.Photos = append([]Photo(nil), want.Photos...)
		if tc.set != nil {
			tc.set(&want)
		}
		if len(want.Photos) == 0 {
			want.Photos = nil
		}
		if res.State.Stage != tc.wantStage {
			t.Errorf("%s: stage %q, want %q", tc.name, res.State.Stage, tc.wantStage)
		}
		if !reflect.DeepEqual(res.State.Draft, want) {
			t.Errorf("%s: draft\n%+v\nwant\n%+v", tc.name, res.State.Draft, want)
		}
		if len(res.Effects) != 0 {
			t.Errorf("%s: unexpected effects %v", tc.name, res.Effects)
		}
		checkReplies(t, tc.name, res.Replies, tc.replies)
	}
}

// TestStepVoiceConfirmFilesTheRecordings checks that the recordings kept in the draft
// are in the SubmitCase effect, and that a spoken 确认 adds none.
func TestStepVoiceConfirmFilesTheRecordings(t *testing.T) {
	st := stateAt(StageConfirm)
	st.Draft.Photos = []Photo{recording("v1"), photo("m1")}
	res := Step(st, spoken("确认。", "v9"), testEnv(t))
	want := []Effect{SubmitCase{IntakeKey: testOldKey, Draft: st.Draft}}
	if !reflect.DeepEqual(res.Effects, want) {
		t.Errorf("effects %#v\nwant %#v", res.Effects, want)
	}
}

// TestStepVoiceSummary checks how the summary and the photo question count evidence.
func TestStepVoiceSummary(t *testing.T) {
	tests := []struct {
		name     string
		evidence []Photo
		summary  string
		prompt   string // what the photo question says was received; "" for nothing
	}{
		{"none", nil, "8. 证据：无\n", ""},
		{"photos", []Photo{photo("m1"), photo("m2"), photo("m3")}, "8. 证据：3张照片\n", "已收到3张照片。"},
		{"both", []Photo{photo("m1"), recording("v1"), photo("m2"), photo("m3")}, "8. 证据：3张照片，1条语音\n", "已收到3张照片，1条语音。"},
		{"voice only", []Photo{recording("v1"), recording("v2")}, "8. 证据：2条语音\n", "已收到2条语音。"},
		{"a stored draft without kinds", []Photo{{MediaID: "m1"}}, "8. 证据：1张照片\n", "已收到1张照片。"},
	}
	cat := mustCatalogue(t, testSettings)
	for _, tc := range tests {
		d := fullDraft()
		d.Photos = tc.evidence
		if got := cat.summary(d); !strings.Contains(got, tc.summary) {
			t.Errorf("%s: summary lacks %q:\n%s", tc.name, tc.summary, got)
		}
		res := Step(withEvidence(StagePhotos, tc.evidence...), menuIn("NOPE"), testEnv(t)) // asks again
		got := strings.Join(res.Replies, "\n")
		if tc.prompt != "" && !strings.Contains(got, tc.prompt) || tc.prompt == "" && strings.Contains(got, "已收到") {
			t.Errorf("%s: photo question says %q, want %q", tc.name, got, tc.prompt)
		}
	}
}

// TestStepVoiceAfterFiling checks that a voice message for a filed case carries
// its recognised text and its recording, wherever it goes.
func TestStepVoiceAfterFiling(t *testing.T) {
	one := &Facts{OpenCases: []*storage.Case{caseA}}
	two := &Facts{OpenCases: []*storage.Case{caseB, caseA}}
	said := func(text, id string) CaseMessage { v := recording(id); return CaseMessage{Text: text, Photo: &v} }
	to := func(ref CaseRef, m ...CaseMessage) []Effect { return []Effect{AddToCase{Case: ref, Messages: m}} }
	supplementing := caseState(StageSupplement, refA)
	runStageTests(t, []stageTest{
		{"idle, one open case", State{}, spoken("商家今天又来电话了。", "v1"), needFwd, one, StageIdle, to(refA, said("商家今天又来电话了", "v1")), nil},
		{"idle, two open cases", State{}, spoken("商家今天又来电话了", "v1"), needFwd, two, StageChooseCase, nil, []string{"要转给哪一件"}},
		{"idle, none open", State{}, spoken("你好", "v1"), needFwd, &Facts{}, StageIdle, nil, []string{"投诉 —— 开始投诉"}},
		{"idle, unrecognised", State{}, spoken("", "v1"), nil, nil, StageIdle, nil, []string{"没有听清"}},
		{"idle, a command is not forwarded", State{}, spoken("查询。", "v1"), nil, nil, StageIdle, []Effect{QueryCases{}}, nil},
		{"rating words with an open case", State{}, spoken("满意。", "v1"), needRating, one, StageIdle, to(refA, said("满意", "v1")), nil},

		{"choose: kept pending", choosing(), spoken("他说明天给答复", "v1"), nil, nil, StageChooseCase, nil, []string{"共2条", "要转给哪一件"}},
		{"choose: a spoken pick is not a message", choosing(), spoken("二。", "v1"), nil, nil, StageIdle, to(refA, choosing().Pending...), nil},

		{"supplement", supplementing, spoken("这是和商家的通话内容。", "v2"), nil, nil, StageSupplement, to(refA, said("这是和商家的通话内容", "v2")), []string{"回复 完成"}},
		{"supplement, unrecognised", supplementing, spoken("", "v2"), nil, nil, StageSupplement, to(refA, CaseMessage{Photo: &Photo{MediaID: "v2", Kind: EvidenceVoice}}), []string{"回复 完成"}},
		{"supplement, spoken 完成", supplementing, spoken("完成。", "v2"), nil, nil, StageIdle, nil, []string{"补充完毕"}},

		{"rating comment is text only", caseState(StageRatingComment, refClosed), spoken("调解员很耐心。", "v3"), nil, nil, StageIdle,
			[]Effect{CommentOnRating{Case: refClosed, Comment: "调解员很耐心"}}, nil},
		{"withdraw: unrecognised asks again", caseState(StageConfirmWithdraw, refA), spoken("", "v3"), nil, nil, StageConfirmWithdraw, nil, []string{"没有听清", "确认撤回"}},
	})

	// The question and the pick keep the recording with its text, in order.
	env := testEnv(t)
	env.Facts = two
	res := Step(State{Version: 3}, spoken("第一段。", "v1"), env)
	if want := []CaseMessage{said("第一段", "v1")}; !reflect.DeepEqual(res.State.Pending, want) {
		t.Fatalf("pending %+v, want %+v", res.State.Pending, want)
	}
	env.Facts = nil
	res = Step(res.State, spoken("", "v2"), env)
	checkReplies(t, "unrecognised while choosing", res.Replies, []string{"没有听清", "要转给哪一件"})
	res = Step(res.State, spoken("第二段", "v3"), env)
	res = Step(res.State, textIn("2"), env)
	if want := to(refA, said("第一段", "v1"), said("第二段", "v3")); !reflect.DeepEqual(res.Effects, want) {
		t.Errorf("effects %#v\nwant %#v", res.Effects, want)
	}
}

// TestPhotoJSON checks the stored form: images are written as before voice was
// kept, so drafts of either version decode as what they hold.
func TestPhotoJSON(t *testing.T) {
	var d Draft
	if err := json.Unmarshal([]byte(`{"photos":[{"media_id":"m1","pic_url":"http://x/1"}]}`), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Photos) != 1 || d.Photos[0].evidenceKind() != EvidenceImage {
		t.Errorf("an old draft's photo decodes as %+v", d.Photos)
	}
	b, err := json.Marshal(Draft{Photos: []Photo{photo("m1"), recording("v1")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"photos":[{"media_id":"m1","pic_url":"http://mmbiz.example/m1"},{"media_id":"v1","kind":"voice"}]}`; string(b) != want {
		t.Errorf("json %s\nwant %s", b, want)
	}
}

// TestStepVoicePure extends TestStepPure to the recordings kept in a draft: Step
// never appends into the caller's backing array.
func TestStepVoicePure(t *testing.T) {
	for _, tc := range []struct {
		stage Stage
		in    Input
	}{
		{StagePhotos, spoken("这是录音", "v1")},
		{StageDescription, spoken("冰箱买来三天就不制冷了，商家拒绝退货。", "v1")},
	} {
		st := stateAt(tc.stage)
		st.Draft.Photos = append(make([]Photo, 0, 10), photo("m1"))
		first, second := Step(st, tc.in, testEnv(t)), Step(st, tc.in, testEnv(t))
		if !reflect.DeepEqual(first, second) || len(first.State.Draft.Photos) != 2 {
			t.Errorf("%s: two results or nothing kept\n%+v\n%+v", tc.stage, first, second)
		}
		if len(st.Draft.Photos) != 1 || st.Draft.Photos[:2][1] != (Photo{}) {
			t.Errorf("%s: Step modified its input state", tc.stage)
		}
	}
}
