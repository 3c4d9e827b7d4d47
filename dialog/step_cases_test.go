package dialog

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// filed is one of the consumer's cases as the Engine would load it.
func filed(id int64, merchant string, status storage.Status) *storage.Case {
	return &storage.Case{ID: id, Number: storage.FormatCaseNumber("TS", 2026, id), OpenID: "oMe",
		MerchantName: merchant, Status: status}
}

// Cases of the tests: two open ones (newest first, as FindCases returns them), one
// with an outcome and one closed.
var (
	caseA      = filed(1, "甲商店", storage.StatusMediating)
	caseB      = filed(2, "乙商城", storage.StatusSubmitted)
	caseFinal  = filed(3, "丙公司", storage.StatusResolved)
	caseClosed = filed(4, "丁超市", storage.StatusClosed)
	refA       = CaseRef{ID: 1, Number: "TS-2026-000001", Merchant: "甲商店"}
	refB       = CaseRef{ID: 2, Number: "TS-2026-000002", Merchant: "乙商城"}
	refClosed  = CaseRef{ID: 4, Number: "TS-2026-000004", Merchant: "丁超市"}
)

// caseState is a state in stage about ref, a minute old.
func caseState(stage Stage, ref CaseRef) State {
	return State{Version: 7, Stage: stage, Case: &ref, UpdatedAt: testNow.Add(-time.Minute)}
}

// choosing is a StageChooseCase state with one pending text and two choices.
func choosing() State {
	return State{Version: 7, Stage: StageChooseCase, Pending: []CaseMessage{{Text: "商家又打电话来了"}},
		Choices: []CaseRef{refB, refA}, UpdatedAt: testNow.Add(-time.Minute)}
}

// stageTest is one input in a stage after filing.
type stageTest struct {
	name      string
	st        State
	in        Input
	need      *Need  // what the first step must ask for; nil: nothing
	facts     *Facts // the Engine's answer to need
	wantStage Stage
	effects   []Effect
	replies   []string
}

// runStageTests steps each test as the Engine does and checks the outcome.
func runStageTests(t *testing.T, tests []stageTest) {
	t.Helper()
	for _, tc := range tests {
		env := testEnv(t)
		res := Step(tc.st, tc.in, env)
		if !reflect.DeepEqual(res.Need, tc.need) {
			t.Errorf("%s: need %+v, want %+v", tc.name, res.Need, tc.need)
			continue
		}
		if res.Need != nil {
			env.Facts = tc.facts
			res = Step(tc.st, tc.in, env)
		}
		if res.State.Stage != tc.wantStage {
			t.Errorf("%s: stage %q, want %q", tc.name, res.State.Stage, tc.wantStage)
		}
		if !reflect.DeepEqual(res.Effects, tc.effects) {
			t.Errorf("%s: effects %#v\nwant %#v", tc.name, res.Effects, tc.effects)
		}
		checkReplies(t, tc.name, res.Replies, tc.replies)
	}
}

var (
	needOpen   = &Need{OpenCases: true}
	needFwd    = &Need{OpenCases: true, Finished: true, LapsedPayment: true} // a message to forward
	needRating = &Need{OpenCases: true, Unrated: true}
)

func needNumber(n string) *Need { return &Need{Number: n} }

func textTo(ref CaseRef, s string) []Effect {
	return []Effect{AddToCase{Case: ref, Messages: []CaseMessage{{Text: s}}}}
}

func TestStepForward(t *testing.T) {
	one := &Facts{OpenCases: []*storage.Case{caseA}}
	two := &Facts{OpenCases: []*storage.Case{caseB, caseA}}
	photo := CaseMessage{Photo: &Photo{MediaID: "p1", PicURL: "http://mmbiz.example/p1"}}
	runStageTests(t, []stageTest{
		{"text, one open case", State{}, textIn("商家今天又来电话了"), needFwd, one, StageIdle, textTo(refA, "商家今天又来电话了"), nil},
		{"voice, one open case", State{}, voiceIn("好的，我同意。"), needFwd, one, StageIdle, textTo(refA, "好的，我同意"), nil},
		{"photo, one open case", State{}, imageIn("p1"), needFwd, one, StageIdle, []Effect{AddToCase{Case: refA, Messages: []CaseMessage{photo}}}, nil},
		{"text, two open cases", State{}, textIn("你好"), needFwd, two, StageChooseCase, nil, []string{"您有2件正在处理的投诉，刚才发送的内容要转给哪一件？请回复序号，例如：1\n1. TS-2026-000002（乙商城）\n2. TS-2026-000001（甲商店）\n回复 取消"}},
		{"text, none", State{}, textIn("你好"), needFwd, &Facts{}, StageIdle, nil, []string{"投诉 —— 开始投诉"}},
		{"photo, none", State{}, imageIn("p1"), needFwd, &Facts{}, StageIdle, nil, []string{"照片没有保存"}},
		{"text, only finished cases", State{}, textIn("你好"), needFwd, &Facts{Finished: caseFinal}, StageIdle, nil,
			[]string{"您的投诉 TS-2026-000003 已经处理结束（调解成功），发送的内容不会再转给调解员。如有新的问题，请回复 我要投诉 重新投诉，或致电 0755-12315（工作日 9:00-17:00）。"}},
		{"photo, only finished cases", State{}, imageIn("p1"), needFwd, &Facts{Finished: caseClosed}, StageIdle, nil, []string{"TS-2026-000004 已经处理结束（已办结）"}},
		{"idle 确认撤回", State{}, textIn("确认撤回"), nil, nil, StageIdle, nil, []string{"没有需要确认的撤回。如需撤回投诉，请回复 撤回 编号，例如：撤回 TS-2026-000123"}},
		{"supplement in a sentence is a message", State{}, textIn("补充一下，商家今天又来电话了"), needFwd, one, StageIdle, textTo(refA, "补充一下，商家今天又来电话了"), nil},
		{"上一步 is not forwarded", State{}, textIn("上一步"), nil, nil, StageIdle, nil, []string{"“上一步”不需要回复，也不会转给调解员"}},
		{"确定 is not forwarded", State{}, textIn("确定"), nil, nil, StageIdle, nil, []string{"“确定”不需要回复"}},
		{"a plain yes may answer the mediator", State{}, textIn("好的"), needFwd, one, StageIdle, textTo(refA, "好的"), nil},
	})
	// The question keeps the message and the cases offered.
	res := Step(State{Version: 3}, imageIn("p1"), Env{Now: testNow, Facts: &Facts{OpenCases: []*storage.Case{caseB, caseA}}})
	want := State{Version: 3, Stage: StageChooseCase, Pending: []CaseMessage{photo}, Choices: []CaseRef{refB, refA}, UpdatedAt: testNow}
	if !reflect.DeepEqual(res.State, want) {
		t.Errorf("state %+v\nwant %+v", res.State, want)
	}
}

func TestStepChooseCase(t *testing.T) {
	pending := choosing().Pending
	runStageTests(t, []stageTest{
		{"by list number", choosing(), textIn("2"), nil, nil, StageIdle, []Effect{AddToCase{Case: refA, Messages: pending}}, nil},
		{"by spoken number", choosing(), voiceIn("一。"), nil, nil, StageIdle, []Effect{AddToCase{Case: refB, Messages: pending}}, nil},
		{"by case number", choosing(), textIn("ts2026-1"), nil, nil, StageIdle, []Effect{AddToCase{Case: refA, Messages: pending}}, nil},
		{"a number not in the list is kept", choosing(), textIn("3"), nil, nil, StageChooseCase, nil, []string{"共2条", "1. TS-2026-000002"}},
		{"an amount is kept", choosing(), textIn("500"), nil, nil, StageChooseCase, nil, []string{"共2条", "要转给哪一件"}},
		{"a count is kept", choosing(), textIn("12"), nil, nil, StageChooseCase, nil, []string{"共2条", "要转给哪一件"}},
		{"zero is kept", choosing(), textIn("0"), nil, nil, StageChooseCase, nil, []string{"共2条", "要转给哪一件"}},
		{"a spoken number not in the list is kept", choosing(), voiceIn("五。"), nil, nil, StageChooseCase, nil, []string{"共2条", "要转给哪一件"}},
		{"a rating word is kept", choosing(), textIn("满意"), nil, nil, StageChooseCase, nil, []string{"共2条", "要转给哪一件"}},
		{"case number not offered", choosing(), textIn("TS-2026-000009"), nil, nil, StageChooseCase, nil, []string{"没有这个序号", "2. TS-2026-000001"}},
		{"cancel", choosing(), textIn("取消"), nil, nil, StageIdle, nil, []string{"没有转交"}},
		{"an order number is kept", choosing(), textIn("20261120"), nil, nil, StageChooseCase, nil, []string{"共2条", "要转给哪一件"}},
		{"help", choosing(), textIn("帮助"), nil, nil, StageChooseCase, nil, []string{"使用说明", "刚才发送的内容要转给哪一件"}},
		{"query", choosing(), textIn("查询"), nil, nil, StageChooseCase, []Effect{QueryCases{}}, []string{"要转给哪一件"}},
		{"menu help", choosing(), menuIn(MenuHelp), nil, nil, StageChooseCase, nil, []string{"使用说明", "要转给哪一件"}},
		{"new complaint", choosing(), textIn("投诉"), nil, nil, StagePrivacy, nil, []string{"没有转交", "回复 同意"}},
		{"menu complaint", choosing(), menuIn(MenuComplain), nil, nil, StagePrivacy, nil, []string{"没有转交", "回复 同意"}},
		{"another command", choosing(), textIn("撤回 TS-2026-000001"), needNumber("TS-2026-000001"), &Facts{Case: caseA}, StageConfirmWithdraw, nil, []string{"没有转交", "确认撤回投诉 TS-2026-000001 吗"}},
		{"unsupported", choosing(), Input{Kind: InputUnsupported}, nil, nil, StageChooseCase, nil, []string{"无法处理", "要转给哪一件"}},
	})
}

// TestStepChooseCaseKeepsMessages checks that messages sent before choosing are
// all kept, in order, up to the bound, and all go to the case chosen.
func TestStepChooseCaseKeepsMessages(t *testing.T) {
	env := testEnv(t)
	st := choosing()
	res := Step(st, textIn("他说明天给答复"), env)
	checkReplies(t, "second text", res.Replies, []string{"共2条", "要转给哪一件"})
	res = Step(res.State, imageIn("p1"), env)
	checkReplies(t, "photo", res.Replies, []string{"共3条", "要转给哪一件"})
	want := []CaseMessage{st.Pending[0], {Text: "他说明天给答复"}, {Photo: &Photo{MediaID: "p1", PicURL: "http://mmbiz.example/p1"}}}
	res = Step(res.State, textIn("1"), env)
	if eff := []Effect{AddToCase{Case: refB, Messages: want}}; !reflect.DeepEqual(res.Effects, eff) {
		t.Errorf("effects %#v\nwant %#v", res.Effects, eff)
	}
	full := choosing()
	for len(full.Pending) < maxPending {
		full.Pending = append(full.Pending, CaseMessage{Text: "x"})
	}
	res = Step(full, textIn("又一条"), env)
	if len(res.State.Pending) != maxPending {
		t.Errorf("%d pending, want the bound %d", len(res.State.Pending), maxPending)
	}
	checkReplies(t, "full", res.Replies, []string{"最多保留10条", "要转给哪一件"})
}

func TestStepSupplement(t *testing.T) {
	supplementing := caseState(StageSupplement, refA)
	photo := CaseMessage{Photo: &Photo{MediaID: "p2", PicURL: "http://mmbiz.example/p2"}}
	runStageTests(t, []stageTest{
		{"start", State{}, textIn("补充 ts2026-1"), needNumber("TS-2026-000001"), &Facts{Case: caseA}, StageSupplement, nil, []string{"投诉 TS-2026-000001 的调解员。发送完毕请回复 完成"}},
		{"start without space", State{}, textIn("补充TS-2026-000001"), needNumber("TS-2026-000001"), &Facts{Case: caseA}, StageSupplement, nil, []string{"回复 完成"}},
		{"not the consumer's", State{}, textIn("补充 TS-2026-000001"), needNumber("TS-2026-000001"), &Facts{}, StageIdle, nil, []string{"没有找到编号为 TS-2026-000001 的投诉"}},
		{"final case", State{}, textIn("补充 TS-2026-000003"), needNumber("TS-2026-000003"), &Facts{Case: caseFinal}, StageIdle, nil, []string{"投诉 TS-2026-000003 已经处理结束（调解成功），不能再补充材料。如有新的问题，请回复 我要投诉 重新投诉，或致电 0755-12315（工作日 9:00-17:00）。"}},
		{"bad number", State{}, textIn("补充 abc"), nil, nil, StageIdle, nil, []string{"补充 TS-2026-000123"}},
		{"bare, one open", State{}, textIn("补充"), needOpen, &Facts{OpenCases: []*storage.Case{caseA}}, StageSupplement, nil, []string{"TS-2026-000001"}},
		{"bare, several open", State{}, textIn("补充材料"), needOpen, &Facts{OpenCases: []*storage.Case{caseB, caseA}}, StageIdle, nil, []string{"请回复 补充 编号，例如：补充 TS-2026-000002\n1. TS-2026-000002（乙商城）\n2. TS-2026-000001（甲商店）"}},
		{"bare, none open", State{}, textIn("补充"), needOpen, &Facts{}, StageIdle, nil, []string{"没有正在处理的投诉"}},

		{"text", supplementing, textIn("商家电话是 0755-1234567"), nil, nil, StageSupplement, textTo(refA, "商家电话是 0755-1234567"), []string{"可以继续发送"}},
		{"photo", supplementing, imageIn("p2"), nil, nil, StageSupplement, []Effect{AddToCase{Case: refA, Messages: []CaseMessage{photo}}}, []string{"回复 完成"}},
		{"done", supplementing, textIn("完成"), nil, nil, StageIdle, nil, []string{"补充完毕"}},
		{"cancel ends too", supplementing, textIn("取消"), nil, nil, StageIdle, nil, []string{"补充完毕"}},
		{"help stays", supplementing, textIn("帮助"), nil, nil, StageSupplement, nil, []string{"使用说明", "回复 完成"}},
		{"query stays", supplementing, textIn("查询 TS-2026-000001"), nil, nil, StageSupplement, []Effect{QueryCases{Number: "TS-2026-000001"}}, []string{"回复 完成"}},
		{"another case", supplementing, textIn("补充 TS-2026-000002"), needNumber("TS-2026-000002"), &Facts{Case: caseB}, StageSupplement, nil, []string{"TS-2026-000002"}},
		{"location", supplementing, Input{Kind: InputLocation, Label: "某地"}, nil, nil, StageSupplement, nil, []string{"无法处理", "回复 完成"}},
		{"a rating word is text", supplementing, textIn("满意"), nil, nil, StageSupplement, textTo(refA, "满意"), []string{"可以继续发送"}},
		{"a spoken rating word is text", supplementing, voiceIn("不满意。"), nil, nil, StageSupplement, textTo(refA, "不满意"), []string{"回复 完成"}},
		{"an explicit rating leaves", supplementing, textIn("评价 TS-2026-000004 满意"), needNumber("TS-2026-000004"), &Facts{Case: caseClosed}, StageRatingComment,
			[]Effect{RateCase{Case: refClosed, Rating: storage.RatingSatisfied}}, nil},
	})
}

func TestStepWithdraw(t *testing.T) {
	confirming := caseState(StageConfirmWithdraw, refA)
	question := "确认撤回投诉 TS-2026-000001 吗？撤回后调解将终止。撤回请回复 是，保留请回复 否。"
	runStageTests(t, []stageTest{
		{"ask", State{}, textIn("撤回 TS-2026-000001"), needNumber("TS-2026-000001"), &Facts{Case: caseA}, StageConfirmWithdraw, nil, []string{question}},
		{"ask, bare with one open", State{}, textIn("撤回"), needOpen, &Facts{OpenCases: []*storage.Case{caseA}}, StageConfirmWithdraw, nil, []string{question}},
		{"bare with several open", State{}, textIn("撤回投诉"), needOpen, &Facts{OpenCases: []*storage.Case{caseB, caseA}}, StageIdle, nil, []string{"撤回 TS-2026-000002"}},
		{"final", State{}, textIn("撤回 TS-2026-000003"), needNumber("TS-2026-000003"), &Facts{Case: caseFinal}, StageIdle, nil, []string{"已经有处理结果（调解成功），不能再撤回"}},
		{"not the consumer's", State{}, textIn("撤回 TS-2026-000001"), needNumber("TS-2026-000001"), &Facts{}, StageIdle, nil, []string{"没有找到编号为 TS-2026-000001 的投诉。请核对编号"}},
		{"bad number", State{}, textIn("撤回 xyz"), nil, nil, StageIdle, nil, []string{"撤回 TS-2026-000123"}},

		{"confirmed", confirming, textIn("确认撤回"), nil, nil, StageIdle, []Effect{WithdrawCase{Case: refA}}, nil},
		{"cancelled", confirming, textIn("取消"), nil, nil, StageIdle, nil, []string{"没有撤回，我们会继续处理"}},
		{"是 withdraws", confirming, textIn("是"), nil, nil, StageIdle, []Effect{WithdrawCase{Case: refA}}, nil},
		{"好 withdraws", confirming, textIn("好"), nil, nil, StageIdle, []Effect{WithdrawCase{Case: refA}}, nil},
		{"确定 withdraws", confirming, textIn("确定"), nil, nil, StageIdle, []Effect{WithdrawCase{Case: refA}}, nil},
		{"是的 by voice withdraws", confirming, voiceIn("是的。"), nil, nil, StageIdle, []Effect{WithdrawCase{Case: refA}}, nil},
		{"撤回 withdraws", confirming, textIn("撤回"), nil, nil, StageIdle, []Effect{WithdrawCase{Case: refA}}, nil},
		{"撤回 with its number withdraws", confirming, textIn("撤回 ts2026-1"), nil, nil, StageIdle, []Effect{WithdrawCase{Case: refA}}, nil},
		{"撤回 another case asks about that one", confirming, textIn("撤回 TS-2026-000002"), needNumber("TS-2026-000002"), &Facts{Case: caseB}, StageConfirmWithdraw,
			nil, []string{"没有撤回", "确认撤回投诉 TS-2026-000002 吗"}},
		{"否 keeps it", confirming, textIn("否"), nil, nil, StageIdle, nil, []string{"没有撤回"}},
		{"a plain no keeps it", confirming, textIn("不撤回"), nil, nil, StageIdle, nil, []string{"没有撤回"}},
		{"anything else keeps it and is forwarded", confirming, textIn("我再想想"), needFwd, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle,
			textTo(refA, "我再想想"), []string{"没有撤回"}},
		{"news for the mediator is forwarded", confirming, textIn("等等，商家刚刚打电话说愿意全额退款"), needFwd, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle,
			textTo(refA, "等等，商家刚刚打电话说愿意全额退款"), []string{"没有撤回"}},
		{"forwarded with several open cases: which one", confirming, textIn("商家愿意退款了"), needFwd, &Facts{OpenCases: []*storage.Case{caseB, caseA}}, StageChooseCase,
			nil, []string{"没有撤回", "要转给哪一件"}},
		{"a voice message is forwarded with its recording", confirming, Input{Kind: InputVoice, Text: "商家愿意退款了。", MediaID: "v1"}, needFwd, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle,
			[]Effect{AddToCase{Case: refA, Messages: []CaseMessage{{Text: "商家愿意退款了", Photo: &Photo{MediaID: "v1", Kind: EvidenceVoice}}}}}, []string{"没有撤回"}},
		{"a rating word is forwarded", confirming, textIn("满意"), needFwd, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle,
			textTo(refA, "满意"), []string{"没有撤回"}},
		{"help keeps asking", confirming, textIn("帮助"), nil, nil, StageConfirmWithdraw, nil, []string{"使用说明", question}},
		{"a photo keeps it and is forwarded", confirming, imageIn("p3"), needFwd, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle,
			[]Effect{AddToCase{Case: refA, Messages: []CaseMessage{{Photo: &Photo{MediaID: "p3", PicURL: "http://mmbiz.example/p3"}}}}}, []string{"没有撤回"}},
		{"new complaint", confirming, textIn("投诉"), nil, nil, StagePrivacy, nil, []string{"没有撤回", "回复 同意"}},
	})
}

func TestStepRate(t *testing.T) {
	commenting := caseState(StageRatingComment, refClosed)
	rateClosed := func(r string) []Effect { return []Effect{RateCase{Case: refClosed, Rating: r}} }
	runStageTests(t, []stageTest{
		{"satisfied", State{}, textIn("满意"), needRating, &Facts{Unrated: caseClosed}, StageRatingComment, rateClosed(storage.RatingSatisfied), nil},
		{"mostly", State{}, textIn("基本满意"), needRating, &Facts{Unrated: caseClosed}, StageRatingComment, rateClosed(storage.RatingMostly), nil},
		{"an open case: the words are for its mediator", State{}, textIn("基本满意"), needRating, &Facts{Unrated: caseClosed, OpenCases: []*storage.Case{caseA}}, StageIdle,
			textTo(refA, "基本满意"), []string{"如果您是要评价已办结的投诉 TS-2026-000004，请回复 评价 TS-2026-000004 基本满意"}},
		{"an open case: forwarded as typed", State{}, textIn("非常满意！"), needRating, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle, textTo(refA, "非常满意！"), nil},
		{"two open cases: which one", State{}, textIn("不满意"), needRating, &Facts{Unrated: caseClosed, OpenCases: []*storage.Case{caseB, caseA}}, StageChooseCase,
			nil, []string{"评价 TS-2026-000004 不满意", "要转给哪一件"}},
		{"rated, no comment: a repeat", State{}, textIn("满意"), needRating, &Facts{Unrated: caseClosed, UnratedRating: &storage.Rating{CaseID: 4, Rating: storage.RatingSatisfied}},
			StageRatingComment, rateClosed(storage.RatingSatisfied), nil},
		{"rated otherwise", State{}, textIn("不满意"), needRating, &Facts{Unrated: caseClosed, UnratedRating: &storage.Rating{CaseID: 4, Rating: storage.RatingSatisfied}},
			StageIdle, nil, []string{"TS-2026-000004 已经评价过了"}},
		{"rated, an open case: no pointer to 评价", State{}, textIn("满意"), needRating,
			&Facts{Unrated: caseClosed, UnratedRating: &storage.Rating{CaseID: 4, Rating: storage.RatingSatisfied}, OpenCases: []*storage.Case{caseA}},
			StageIdle, textTo(refA, "满意"), nil},
		{"by number, rated the same, no comment: a repeat", State{}, textIn("评价 TS-2026-000004 满意"), needNumber("TS-2026-000004"),
			&Facts{Case: caseClosed, CaseRated: true, CaseRating: &storage.Rating{CaseID: 4, Rating: storage.RatingSatisfied}},
			StageRatingComment, rateClosed(storage.RatingSatisfied), nil},
		{"by number, rated the same with a comment", State{}, textIn("评价 TS-2026-000004 满意"), needNumber("TS-2026-000004"),
			&Facts{Case: caseClosed, CaseRated: true, CaseRating: &storage.Rating{CaseID: 4, Rating: storage.RatingSatisfied, Comment: "好"}},
			StageIdle, nil, []string{"已经评价过了"}},
		{"explicit, without a number", State{}, textIn("评价 满意"), &Need{Unrated: true}, &Facts{Unrated: caseClosed}, StageRatingComment, rateClosed(storage.RatingSatisfied), nil},
		{"explicit, without a number, nothing to rate", State{}, textIn("评价满意"), &Need{Unrated: true}, &Facts{}, StageIdle, nil, []string{"没有待评价的投诉"}},
		{"dissatisfied by voice", State{}, voiceIn("不满意。"), needRating, &Facts{Unrated: caseClosed}, StageRatingComment, rateClosed(storage.RatingDissatisfied), nil},
		{"nothing to rate", State{}, textIn("满意"), needRating, &Facts{}, StageIdle, nil, []string{"没有待评价的投诉"}},
		{"nothing to rate, an open case", State{}, textIn("满意"), needRating, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle, textTo(refA, "满意"), nil},
		{"by number", State{}, textIn("评价 TS-2026-000004 不满意"), needNumber("TS-2026-000004"), &Facts{Case: caseClosed}, StageRatingComment, rateClosed(storage.RatingDissatisfied), nil},
		{"by number, rated", State{}, textIn("评价 ts2026-4 满意"), needNumber("TS-2026-000004"), &Facts{Case: caseClosed, CaseRated: true}, StageIdle, nil, []string{"已经评价过了"}},
		{"by number, not closed", State{}, textIn("评价 TS-2026-000001 满意"), needNumber("TS-2026-000001"), &Facts{Case: caseA}, StageIdle, nil, []string{"还没有办结（调解中）"}},
		{"by number, not the consumer's", State{}, textIn("评价 TS-2026-000004 满意"), needNumber("TS-2026-000004"), &Facts{}, StageIdle, nil, []string{"没有找到编号为 TS-2026-000004"}},
		{"how", State{}, textIn("评价"), nil, nil, StageIdle, nil, []string{"评价 TS-2026-000123 满意"}},
		{"how, with a number", State{}, textIn("评价 TS-2026-000004"), nil, nil, StageIdle, nil, []string{"回复 满意、基本满意 或 不满意"}},
		{"not a rating word", State{}, textIn("评价很好"), needFwd, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle, textTo(refA, "评价很好"), nil},

		{"comment", commenting, textIn("调解员很耐心，谢谢"), nil, nil, StageIdle, []Effect{CommentOnRating{Case: refClosed, Comment: "调解员很耐心，谢谢"}}, nil},
		{"skip", commenting, textIn("跳过"), nil, nil, StageIdle, nil, []string{"感谢您的评价"}},
		{"完成 is no comment", commenting, textIn("完成"), nil, nil, StageIdle, nil, []string{"感谢您的评价"}},
		{"确定 is no comment", commenting, textIn("确定"), nil, nil, StageIdle, nil, []string{"感谢您的评价"}},
		{"too long", commenting, textIn(strings.Repeat("好", 501)), nil, nil, StageRatingComment, nil, []string{"500字以内，您输入了501个字"}},
		{"help", commenting, textIn("帮助"), nil, nil, StageRatingComment, nil, []string{"使用说明", "回复 跳过"}},
		{"new complaint", commenting, textIn("投诉"), nil, nil, StagePrivacy, nil, []string{"回复 同意"}},
		{"photo goes to the open case", commenting, imageIn("p4"), needFwd, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle,
			[]Effect{AddToCase{Case: refA, Messages: []CaseMessage{{Photo: &Photo{MediaID: "p4", PicURL: "http://mmbiz.example/p4"}}}}}, nil},
	})
}

// TestStepCaseStageExpiry checks that the stages after filing end after the draft
// TTL, say what was dropped, and handle the input as if idle.
func TestStepCaseStageExpiry(t *testing.T) {
	old := func(st State) State { st.UpdatedAt = testNow.Add(-25 * time.Hour); return st }
	runStageTests(t, []stageTest{
		{"choice", old(choosing()), textIn("1"), needFwd, &Facts{OpenCases: []*storage.Case{caseA}}, StageIdle, textTo(refA, "1"), []string{"超过24小时没有选择投诉，没有转交"}},
		{"supplement", old(caseState(StageSupplement, refA)), textIn("完成"), nil, nil, StageIdle, nil, []string{"补充材料已超过24小时", "“完成”不需要回复"}},
		{"rating question", old(caseState(StageRatingAsk, refClosed)), textIn("满意"), needRating, &Facts{Unrated: caseClosed}, StageRatingComment,
			[]Effect{RateCase{Case: refClosed, Rating: storage.RatingSatisfied}}, nil},
		{"withdraw", old(caseState(StageConfirmWithdraw, refA)), textIn("确认撤回"), nil, nil, StageIdle, nil, []string{"撤回投诉 TS-2026-000001 的确认已超过24小时", "没有需要确认的撤回"}},
		{"comment", old(caseState(StageRatingComment, refClosed)), textIn("帮助"), nil, nil, StageIdle, nil, []string{"使用说明"}},
	})
}

// TestStepCaseStageIncomplete checks that a stage missing what it works on (a state
// written by another version, say) is dropped rather than acted on.
func TestStepCaseStageIncomplete(t *testing.T) {
	for _, st := range []State{
		{Version: 2, Stage: StageSupplement, UpdatedAt: testNow},
		{Version: 2, Stage: StageConfirmWithdraw, UpdatedAt: testNow},
		{Version: 2, Stage: StageChooseCase, Choices: []CaseRef{refA}, UpdatedAt: testNow},
	} {
		res := Step(st, textIn("帮助"), testEnv(t))
		if res.State.Stage != StageIdle || len(res.Effects) != 0 {
			t.Errorf("%s without its case: %+v", st.Stage, res)
		}
	}
}

// TestStepCaseStagesPure extends TestStepPure to the stages after filing.
func TestStepCaseStagesPure(t *testing.T) {
	spare := choosing()
	spare.Pending = append(make([]CaseMessage, 0, 10), spare.Pending...)
	env := testEnv(t)
	env.Facts = &Facts{OpenCases: []*storage.Case{caseB, caseA}}
	for _, tc := range []struct {
		st State
		in Input
	}{
		{spare, textIn("还有一条")},
		{choosing(), textIn("2")},
		{State{}, textIn("你好")},
		{caseState(StageSupplement, refA), imageIn("p1")},
	} {
		before := tc.st
		before.Pending = append([]CaseMessage(nil), tc.st.Pending...)
		first, second := Step(tc.st, tc.in, env), Step(tc.st, tc.in, env)
		if !reflect.DeepEqual(first, second) {
			t.Errorf("%+v: two results\n%+v\n%+v", tc.in, first, second)
		}
		if !reflect.DeepEqual(tc.st, before) || (cap(tc.st.Pending) > 1 && tc.st.Pending[:2][1] != (CaseMessage{})) {
			t.Errorf("%+v: Step modified its input state", tc.in)
		}
	}
}

// TestStepHeldMessagesKeepTheirKeys checks that each message held while the
// consumer picks a case carries the key of the message it came in, and the pick
// hands those keys on: the pick's own key must not name them, or a second pick
// after a lost commit would add them again.
func TestStepHeldMessagesKeepTheirKeys(t *testing.T) {
	env := testEnv(t)
	env.MessageKey = "k1"
	env.Facts = &Facts{OpenCases: []*storage.Case{caseB, caseA}}
	res := Step(State{Version: 3}, textIn("商家答应退款了"), env)
	env.MessageKey, env.Facts = "k2", nil
	res = Step(res.State, imageIn("p1"), env)
	env.MessageKey = "k3"
	res = Step(res.State, textIn("500"), env) // an amount, not a pick
	env.MessageKey = "k4"
	res = Step(res.State, textIn("2"), env)
	want := []Effect{AddToCase{Case: refA, Messages: []CaseMessage{
		{Text: "商家答应退款了", Key: "k1"},
		{Photo: &Photo{MediaID: "p1", PicURL: "http://mmbiz.example/p1"}, Key: "k2"},
		{Text: "500", Key: "k3"},
	}}}
	if !reflect.DeepEqual(res.Effects, want) || res.State.Stage != StageIdle {
		t.Errorf("effects %#v, stage %q\nwant %#v", res.Effects, res.State.Stage, want)
	}
}

// TestStepControlWordsInStages checks that an intake word sent while supplying
// material or choosing a case is neither sent to the mediator nor held.
func TestStepControlWordsInStages(t *testing.T) {
	runStageTests(t, []stageTest{
		{"supplement", caseState(StageSupplement, refA), textIn("上一步"), nil, nil, StageSupplement, nil,
			[]string{"“上一步”没有转给调解员", "回复 完成"}},
		{"choose", choosing(), textIn("确定"), nil, nil, StageChooseCase, nil, []string{"“确定”没有转给调解员", "要转给哪一件"}},
		{"withdraw question", caseState(StageConfirmWithdraw, refA), textIn("上一步"), nil, nil, StageConfirmWithdraw, nil, []string{"确认撤回投诉 TS-2026-000001 吗"}},
	})
	res := Step(choosing(), textIn("确定"), testEnv(t))
	if !reflect.DeepEqual(res.State.Pending, choosing().Pending) {
		t.Errorf("pending %+v", res.State.Pending)
	}
}

// TestStepForwardToCaseAwaitingMaterial checks that while a case waits for the
// material its mediator asked for (待补正), what the consumer sends goes to that
// case, even with other cases open, and is acknowledged as material.
func TestStepForwardToCaseAwaitingMaterial(t *testing.T) {
	waiting := filed(2, "乙商城", storage.StatusAwaitingMaterial)
	twoWaiting := filed(5, "戊商行", storage.StatusAwaitingMaterial)
	photo := CaseMessage{Photo: &Photo{MediaID: "p1", PicURL: "http://mmbiz.example/p1"}}
	runStageTests(t, []stageTest{
		{"text, the one case waits", State{}, textIn("发票在这里"), needFwd, &Facts{OpenCases: []*storage.Case{waiting}}, StageIdle,
			[]Effect{AddToCase{Case: refB, Messages: []CaseMessage{{Text: "发票在这里"}}, Material: true}}, nil},
		{"photo, one of two waits", State{}, imageIn("p1"), needFwd, &Facts{OpenCases: []*storage.Case{caseA, waiting}}, StageIdle,
			[]Effect{AddToCase{Case: refB, Messages: []CaseMessage{photo}, Material: true}}, nil},
		{"two wait: ask which", State{}, textIn("发票"), needFwd, &Facts{OpenCases: []*storage.Case{twoWaiting, waiting}}, StageChooseCase, nil,
			[]string{"您有2件正在处理的投诉"}},
	})
}
