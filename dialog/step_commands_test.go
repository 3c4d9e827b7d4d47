package dialog

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStepCommands(t *testing.T) {
	tests := []struct {
		name      string
		stage     Stage
		in        Input
		wantStage Stage
		keepDraft bool // false: the draft must be empty afterwards
		effects   []Effect
		replies   []string
	}{
		{"cancel at privacy", StagePrivacy, textIn("取消"), StageIdle, false, nil, []string{"已取消本次投诉"}},
		{"cancel at amount", StageAmount, textIn("取消"), StageIdle, false, nil, []string{"已取消本次投诉"}},
		{"cancel at summary", StageConfirm, voiceIn("取消。"), StageIdle, false, nil, []string{"已删除"}},
		{"back at merchant", StageMerchantName, textIn("上一步"), StageCategory, true, nil, []string{"（1/10）"}},
		{"back at photos", StagePhotos, textIn("上一步"), StageDemand, true, nil, []string{"（7/10）"}},
		{"back at summary", StageConfirm, textIn("上一步"), StagePhone, true, nil, []string{"（10/10）"}},
		{"back at first question", StageCategory, textIn("上一步"), StageCategory, true, nil, []string{"第一个问题", "（1/10）"}},
		{"back at privacy", StagePrivacy, textIn("上一步"), StagePrivacy, true, nil, []string{"第一个问题", "回复 同意"}},
		{"restart at privacy", StagePrivacy, textIn("重新开始"), StagePrivacy, true, nil, []string{"回复 同意"}},
		{"help at amount", StageAmount, textIn("帮助"), StageAmount, true, nil, []string{"使用说明", "（5/10）"}},
		{"help at summary", StageConfirm, textIn("帮助"), StageConfirm, true, nil, []string{"使用说明", "请核对"}},
		{"query at description", StageDescription, textIn("查询"), StageDescription, true, []Effect{QueryCases{}}, []string{"（6/10）"}},
		{"my cases at privacy", StagePrivacy, textIn("我的投诉"), StagePrivacy, true, []Effect{QueryCases{}}, []string{"回复 同意"}},
		{"menu query at name", StageName, menuIn(MenuQuery), StageName, true, []Effect{QueryCases{}}, []string{"（9/10）"}},
		{"query number", StageAmount, textIn("查询 TS-2026-000123"), StageAmount, true, []Effect{QueryCases{Number: "TS-2026-000123"}}, []string{"（5/10）"}},
		{"query loose number", StageConfirm, textIn("查询ts2026123"), StageConfirm, true, []Effect{QueryCases{Number: "TS-2026-000123"}}, []string{"请核对"}},
		{"query bad number", StageAmount, textIn("查询 abc"), StageAmount, true, nil, []string{"没有识别出投诉编号", "（5/10）"}},
		{"edit before summary", StageAmount, textIn("修改 2"), StageAmount, true, nil, []string{"核对页", "（5/10）"}},
		{"edit out of range", StageConfirm, textIn("修改 11"), StageConfirm, true, nil, []string{"修改 1 到 修改 10"}},
		{"edit zero", StageConfirm, textIn("修改0"), StageConfirm, true, nil, []string{"修改 1 到 修改 10"}},
	}
	for _, tc := range tests {
		st := stateAt(tc.stage)
		res := Step(st, tc.in, testEnv(t))
		if res.State.Stage != tc.wantStage {
			t.Errorf("%s: stage %q, want %q", tc.name, res.State.Stage, tc.wantStage)
		}
		wantDraft := Draft{}
		if tc.keepDraft {
			wantDraft = st.Draft
		}
		if !reflect.DeepEqual(res.State.Draft, wantDraft) {
			t.Errorf("%s: draft %+v, want %+v", tc.name, res.State.Draft, wantDraft)
		}
		if !reflect.DeepEqual(res.Effects, tc.effects) {
			t.Errorf("%s: effects %#v, want %#v", tc.name, res.Effects, tc.effects)
		}
		checkReplies(t, tc.name, res.Replies, tc.replies)
	}
}

func TestStepRestart(t *testing.T) {
	for _, stage := range []Stage{StageCategory, StageAmount, StageConfirm} {
		res := Step(stateAt(stage), textIn("重新开始"), testEnv(t))
		want := State{Version: 7, Stage: StageCategory, IntakeKey: testNewKey, UpdatedAt: testNow}
		if !reflect.DeepEqual(res.State, want) {
			t.Errorf("restart at %s: state %+v, want %+v", stage, res.State, want)
		}
		checkReplies(t, "restart at "+string(stage), res.Replies, []string{"重新开始", "（1/10）"})
	}
}

// TestStepEdit walks 修改 N from the summary: the field is asked again, a refusal
// keeps the edit open, and the answer returns to the summary.
func TestStepEdit(t *testing.T) {
	tests := []struct {
		name      string
		edit      string
		wantStage Stage
		answers   []Input // the last one completes the edit
		set       func(*Draft)
		summary   string
	}{
		{"merchant", "修改 2", StageMerchantName, []Input{textIn("某"), textIn("新的商家")}, func(d *Draft) { d.MerchantName = "新的商家" }, "2. 商家名称：新的商家"},
		{"amount in words", "修改第五项", StageAmount, []Input{textIn("0"), textIn("88")}, func(d *Draft) { d.AmountFen = 8800 }, "5. 支付金额：88.00元"},
		{"full-width", "修改１", StageCategory, []Input{textIn("4")}, func(d *Draft) { d.Category = "食品" }, "1. 投诉类别：食品"},
		{"by voice", "", StageDemand, []Input{textIn("其他"), textIn("赔偿误工费")}, func(d *Draft) { d.Demand = "赔偿误工费" }, "7. 诉求：赔偿误工费"},
		{"photos", "修改 8", StagePhotos, []Input{imageIn("m2"), textIn("完成")}, func(d *Draft) { d.Photos = append(d.Photos, Photo{MediaID: "m2", PicURL: "http://mmbiz.example/m2"}) }, "8. 证据：2张照片"},
		{"phone", "修改 10", StagePhone, []Input{textIn("137 1234 5678")}, func(d *Draft) { d.Phone = "13712345678" }, "10. 手机号码：13712345678"},
	}
	env := testEnv(t)
	for _, tc := range tests {
		in := textIn(tc.edit)
		if tc.edit == "" {
			in = voiceIn("修改第七项。")
		}
		res := Step(stateAt(StageConfirm), in, env)
		if res.State.Stage != tc.wantStage || !res.State.Editing {
			t.Fatalf("%s: after %q state %+v", tc.name, tc.edit, res.State)
		}
		for _, a := range tc.answers {
			res = Step(res.State, a, env)
		}
		want := fullDraft()
		tc.set(&want)
		if res.State.Stage != StageConfirm || res.State.Editing || !reflect.DeepEqual(res.State.Draft, want) {
			t.Errorf("%s: state %+v, want the summary with %+v", tc.name, res.State, want)
		}
		checkReplies(t, tc.name, res.Replies, []string{tc.summary})
	}
}

// TestStepEditBack checks that 上一步 during an edit returns to the summary unchanged,
// and that another 修改 N may follow an unfinished one.
func TestStepEditBack(t *testing.T) {
	env := testEnv(t)
	res := Step(stateAt(StageConfirm), textIn("修改 6"), env)
	res = Step(res.State, textIn("修改 9"), env)
	if res.State.Stage != StageName || !res.State.Editing {
		t.Fatalf("second edit: %+v", res.State)
	}
	res = Step(res.State, textIn("上一步"), env)
	if res.State.Stage != StageConfirm || res.State.Editing || !reflect.DeepEqual(res.State.Draft, fullDraft()) {
		t.Errorf("back from an edit: %+v", res.State)
	}
	checkReplies(t, "back from an edit", res.Replies, []string{"请核对"})
}

func TestStepConfirm(t *testing.T) {
	for _, word := range []string{"确认", "确认。", " 提交 "} {
		res := Step(stateAt(StageConfirm), textIn(word), testEnv(t))
		want := []Effect{SubmitCase{IntakeKey: testOldKey, Draft: fullDraft()}}
		if !reflect.DeepEqual(res.Effects, want) {
			t.Errorf("%q: effects %#v, want %#v", word, res.Effects, want)
		}
		if !reflect.DeepEqual(res.State, State{Version: 7}) || len(res.Replies) != 0 {
			t.Errorf("%q: state %+v, replies %q; want idle and silent", word, res.State, res.Replies)
		}
	}
}

// TestStepConfirmIncomplete checks that a draft missing a required field (saved by
// an older version, say) asks for it instead of submitting what the store refuses.
func TestStepConfirmIncomplete(t *testing.T) {
	st := stateAt(StageConfirm)
	st.Draft.Phone = ""
	res := Step(st, textIn("确认"), testEnv(t))
	if len(res.Effects) != 0 || res.State.Stage != StagePhone || !res.State.Editing {
		t.Errorf("incomplete draft: %+v", res)
	}
}

func TestStepExpiry(t *testing.T) {
	tests := []struct {
		name      string
		idle      time.Duration
		ttl       time.Duration
		in        Input
		wantStage Stage
		replies   []string
	}{
		{"expired, then idle text", 25 * time.Hour, 24 * time.Hour, textIn("3999"), StageIdle, []string{"已超过24小时未操作，已自动清除", "投诉 —— 开始投诉"}},
		{"expired, then complain", 25 * time.Hour, 24 * time.Hour, textIn("投诉"), StagePrivacy, []string{"24小时", "回复 同意"}},
		{"expired, then query", 3 * time.Hour, 2 * time.Hour, textIn("查询"), StageIdle, []string{"已超过2小时"}},
		{"expired, minutes", 2 * time.Hour, 90 * time.Minute, textIn("你好"), StageIdle, []string{"已超过90分钟", "投诉"}},
		{"exactly the ttl", 24 * time.Hour, 24 * time.Hour, textIn("3999"), StageDescription, []string{"（6/10）"}},
		{"no ttl", 1000 * time.Hour, 0, textIn("3999"), StageDescription, []string{"（6/10）"}},
		{"expired, unsubscribe", 25 * time.Hour, 24 * time.Hour, Input{Kind: InputUnsubscribe}, StageIdle, []string{}},
	}
	for _, tc := range tests {
		st := stateAt(StageAmount)
		st.UpdatedAt = testNow.Add(-tc.idle)
		env := testEnv(t)
		env.DraftTTL = tc.ttl
		res := stepWithFacts(t, st, tc.in, env, &Facts{})
		if res.State.Stage != tc.wantStage {
			t.Errorf("%s: stage %q, want %q", tc.name, res.State.Stage, tc.wantStage)
		}
		if tc.wantStage == StagePrivacy && (res.State.IntakeKey != testNewKey || res.State.Draft.Category != "") {
			t.Errorf("%s: the new draft reuses the old one: %+v", tc.name, res.State)
		}
		checkReplies(t, tc.name, res.Replies, tc.replies)
	}
}

// TestStepFullWalk files a complaint from the first message to the submit effect,
// feeding each result's state into the next step as the Engine does.
func TestStepFullWalk(t *testing.T) {
	inputs := []Input{
		{Kind: InputSubscribe},
		menuIn(MenuComplain),
		textIn("同意"),
		textIn("1"),
		textIn("某某电器有限公司"),
		{Kind: InputLocation, Label: "某某区某某路1号"},
		textIn("2026-11-20"),
		textIn("3999.5元"),
		textIn("11月20日买的冰箱，三天后就不制冷了，商家拒绝退货。"),
		textIn("3"),
		imageIn("m1"),
		textIn("完成"),
		voiceIn("张三。"),
		textIn("139-1234-5678"),
		textIn("确认"),
	}
	env := testEnv(t)
	var st State
	var res Result
	for i, in := range inputs {
		env.Now = testNow.Add(time.Duration(i) * time.Minute)
		res = Step(st, in, env)
		for _, r := range res.Replies {
			if !strings.Contains(r, "请核对") && (strings.Contains(r, "张三") || strings.Contains(r, "13912345678")) {
				t.Errorf("step %d: personal data outside the summary: %s", i, r)
			}
		}
		if i < len(inputs)-1 && len(res.Replies) == 0 {
			t.Errorf("step %d (%+v): no reply", i, in)
		}
		st = res.State
	}
	want := []Effect{SubmitCase{IntakeKey: testNewKey, Draft: fullDraft()}}
	if !reflect.DeepEqual(res.Effects, want) {
		t.Errorf("effects %#v\nwant %#v", res.Effects, want)
	}
	if res.State.Stage != StageIdle || len(res.Replies) != 0 {
		t.Errorf("after confirm: %+v", res)
	}
}

// TestStepPure checks that Step depends only on its arguments and leaves them alone:
// the Engine steps the same state again after a version conflict.
func TestStepPure(t *testing.T) {
	spare := stateAt(StageAmount)
	spare.Draft.Photos = make([]Photo, 1, 10) // room to append in place
	spare.Draft.Photos[0] = Photo{MediaID: "m1"}
	cases := []struct {
		st State
		in Input
	}{
		{State{}, menuIn(MenuComplain)},
		{stateAt(StageConfirm), textIn("确认")},
		{stateAt(StageAmount), textIn("查询 ts2026123")},
		{spare, imageIn("m2")},
		{stateAt(StageDemand), textIn("退一赔三")},
	}
	env := testEnv(t)
	for _, tc := range cases {
		before := tc.st
		before.Draft.Photos = append([]Photo(nil), tc.st.Draft.Photos...)
		first := Step(tc.st, tc.in, env)
		second := Step(tc.st, tc.in, env)
		if !reflect.DeepEqual(first, second) {
			t.Errorf("%+v: two results\n%+v\n%+v", tc.in, first, second)
		}
		if !reflect.DeepEqual(tc.st, before) || (cap(tc.st.Draft.Photos) > 1 && tc.st.Draft.Photos[:2][1] != (Photo{})) {
			t.Errorf("%+v: Step modified its input state", tc.in)
		}
	}
}

// TestStepDefaultEnv checks that an Env with only Now set works: default wording and
// prefix, no expiry.
func TestStepDefaultEnv(t *testing.T) {
	res := Step(stateAt(StageAmount), textIn("查询 2026-5"), Env{Now: testNow})
	if len(res.Effects) != 1 || res.Effects[0] != (QueryCases{Number: "TS-2026-000005"}) {
		t.Errorf("effects %#v", res.Effects)
	}
	checkReplies(t, "default env", res.Replies, []string{"（5/10）"})
}
