package dialog

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	testOldKey = "key-old" // the intake key of states made by stateAt
	testNewKey = "key-new" // the key the Engine pre-generated for this turn
)

func testEnv(t testing.TB) Env {
	return Env{
		Now:          testNow,
		Catalogue:    mustCatalogue(t, testSettings),
		DraftTTL:     24 * time.Hour,
		CasePrefix:   "TS",
		NewIntakeKey: testNewKey,
	}
}

func textIn(s string) Input  { return Input{Kind: InputText, Text: s} }
func voiceIn(s string) Input { return Input{Kind: InputVoice, Text: s} }
func menuIn(k string) Input  { return Input{Kind: InputMenuClick, EventKey: k} }
func imageIn(id string) Input {
	return Input{Kind: InputImage, MediaID: id, PicURL: "http://mmbiz.example/" + id}
}

// fullDraft is a complete, valid draft.
func fullDraft() Draft {
	return Draft{
		Category:        "家用电子电器",
		MerchantName:    "某某电器有限公司",
		MerchantAddress: "某某区某某路1号",
		PurchaseDate:    "2026-11-20",
		AmountFen:       399950,
		Description:     "11月20日买的冰箱，三天后就不制冷了，商家拒绝退货。",
		Demand:          "退款",
		Photos:          []Photo{{MediaID: "m1", PicURL: "http://mmbiz.example/m1"}},
		Name:            "张三",
		Phone:           "13912345678", // not the example in the prompts
	}
}

// clearers empty the field each question fills.
var clearers = map[Stage]func(*Draft){
	StageCategory:        func(d *Draft) { d.Category = "" },
	StageMerchantName:    func(d *Draft) { d.MerchantName = "" },
	StageMerchantAddress: func(d *Draft) { d.MerchantAddress = "" },
	StagePurchaseDate:    func(d *Draft) { d.PurchaseDate = "" },
	StageAmount:          func(d *Draft) { d.AmountFen = 0 },
	StageDescription:     func(d *Draft) { d.Description = "" },
	StageDemand:          func(d *Draft) { d.Demand = "" },
	StagePhotos:          func(d *Draft) { d.Photos = nil },
	StageName:            func(d *Draft) { d.Name = "" },
	StagePhone:           func(d *Draft) { d.Phone = "" },
}

// stateAt is a state waiting at stage, a minute old, with the questions before it
// answered as in fullDraft.
func stateAt(stage Stage) State {
	d := fullDraft()
	for _, s := range intakeStages[slices.Index(intakeStages, stage):] {
		if clear := clearers[s]; clear != nil {
			clear(&d)
		}
	}
	return State{Version: 7, Stage: stage, Draft: d, IntakeKey: testOldKey, UpdatedAt: testNow.Add(-time.Minute)}
}

// checkReplies checks that there is one reply per want, each containing its want.
func checkReplies(t *testing.T, name string, got []string, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d replies, want %d:\n%s", name, len(got), len(want), strings.Join(got, "\n---\n"))
		return
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("%s: reply %d lacks %q:\n%s", name, i, want[i], got[i])
		}
	}
}

func TestStepAnswers(t *testing.T) {
	long := func(n int) string { return strings.Repeat("字", n) }
	tests := []struct {
		name      string
		stage     Stage
		in        Input
		wantStage Stage
		set       func(*Draft) // the expected change; nil: the draft must not change
		replies   []string
	}{
		{"privacy agreed", StagePrivacy, textIn("同意"), StageCategory, nil, []string{"（1/10）"}},
		{"privacy refused", StagePrivacy, textIn("不同意"), StageIdle, func(d *Draft) {}, []string{"已取消"}},
		{"privacy unclear", StagePrivacy, textIn("这是什么"), StagePrivacy, nil, []string{"回复 同意"}},

		{"category by number", StageCategory, textIn("1"), StageMerchantName, func(d *Draft) { d.Category = "家用电子电器" }, []string{"（2/10）"}},
		{"category by name", StageCategory, textIn(" 食品 "), StageMerchantName, func(d *Draft) { d.Category = "食品" }, []string{"（2/10）"}},
		{"category full-width", StageCategory, textIn("１３"), StageMerchantName, func(d *Draft) { d.Category = "其他" }, []string{"商家的名称"}},
		{"category finance", StageCategory, textIn("12"), StageMerchantName, func(d *Draft) { d.Category = "金融服务" }, []string{"（2/10）"}},
		{"category by label", StageCategory, textIn("汽车/交通工具"), StageMerchantName, func(d *Draft) { d.Category = "交通工具" }, []string{"（2/10）"}},
		{"category by alias", StageCategory, textIn("汽车"), StageMerchantName, func(d *Draft) { d.Category = "交通工具" }, []string{"（2/10）"}},
		{"category off the short list", StageCategory, textIn("保险服务"), StageMerchantName, func(d *Draft) { d.Category = "保险服务" }, []string{"（2/10）"}},
		{"category by voice", StageCategory, voiceIn("四。"), StageMerchantName, func(d *Draft) { d.Category = "食品" }, []string{"（2/10）"}},
		{"category out of range", StageCategory, textIn("14"), StageCategory, nil, []string{"没有这个类别"}},
		{"category unknown name", StageCategory, textIn("电器"), StageCategory, nil, []string{"例如：1"}},

		{"merchant name", StageMerchantName, textIn(" 某某店 "), StageMerchantAddress, func(d *Draft) { d.MerchantName = "某某店" }, []string{"（3/10）"}},
		{"merchant name too short", StageMerchantName, textIn("某"), StageMerchantName, nil, []string{"您输入了1个字"}},
		{"merchant name too long", StageMerchantName, textIn(long(61)), StageMerchantName, nil, []string{"2到60个字，您输入了61个字"}},

		{"address", StageMerchantAddress, textIn("某购物平台某某旗舰店"), StagePurchaseDate, func(d *Draft) { d.MerchantAddress = "某购物平台某某旗舰店" }, []string{"（4/10）"}},
		{"address too long", StageMerchantAddress, textIn(long(121)), StageMerchantAddress, nil, []string{"您输入了121个字"}},
		{"address by location", StageMerchantAddress, Input{Kind: InputLocation, Label: "某某区某某路1号", Lat: 22.5, Lng: 114}, StagePurchaseDate, func(d *Draft) { d.MerchantAddress = "某某区某某路1号" }, []string{"（4/10）"}},
		{"address by unlabelled location", StageMerchantAddress, Input{Kind: InputLocation, Lat: 31.230416, Lng: 121.473701}, StagePurchaseDate, func(d *Draft) { d.MerchantAddress = "31.230416,121.473701" }, []string{"（4/10）"}},

		{"date", StagePurchaseDate, textIn("2026年11月20日"), StageAmount, func(d *Draft) { d.PurchaseDate = "2026-11-20" }, []string{"（5/10）"}},
		{"date yesterday", StagePurchaseDate, textIn("昨天"), StageAmount, func(d *Draft) { d.PurchaseDate = "2026-11-24" }, []string{"（5/10）"}},
		{"date without year", StagePurchaseDate, textIn("12月1日"), StageAmount, func(d *Draft) { d.PurchaseDate = "2025-12-01" }, []string{"（5/10）"}},
		{"date in future", StagePurchaseDate, textIn("2026-11-26"), StagePurchaseDate, nil, []string{"不能晚于今天（2026-11-25）"}},
		{"date too old", StagePurchaseDate, textIn("1989-06-01"), StagePurchaseDate, nil, []string{"不能早于1990年"}},
		{"date unreadable", StagePurchaseDate, textIn("上周"), StagePurchaseDate, nil, []string{"例如：2026-11-24"}},

		{"amount", StageAmount, textIn("￥3,999.50"), StageDescription, func(d *Draft) { d.AmountFen = 399950 }, []string{"（6/10）"}},
		{"amount zero", StageAmount, textIn("0"), StageAmount, nil, []string{"大于0元"}},
		{"amount three decimals", StageAmount, textIn("1.234"), StageAmount, nil, []string{"两位小数"}},
		{"amount too large", StageAmount, textIn("200000000"), StageAmount, nil, []string{"上限（100,000,000.00元）"}},
		{"amount unreadable", StageAmount, textIn("三千"), StageAmount, nil, []string{"只输入数字"}},

		{"description", StageDescription, textIn("冰箱买来三天就不制冷了，商家拒绝退货"), StageDemand, func(d *Draft) { d.Description = "冰箱买来三天就不制冷了，商家拒绝退货" }, []string{"（7/10）"}},
		{"description too short", StageDescription, textIn("坏了"), StageDescription, nil, []string{"您输入了2个字"}},
		{"description too long", StageDescription, textIn(long(1001)), StageDescription, nil, []string{"您输入了1001个字"}},

		{"demand by number", StageDemand, textIn("3"), StagePhotos, func(d *Draft) { d.Demand = "退款" }, []string{"（8/10）"}},
		{"demand by name", StageDemand, textIn("维修"), StagePhotos, func(d *Draft) { d.Demand = "维修" }, []string{"（8/10）"}},
		{"demand other asks", StageDemand, textIn("6"), StageDemand, nil, []string{"一句话说明您的诉求"}},
		{"demand other by name", StageDemand, textIn("其他"), StageDemand, nil, []string{"一句话说明您的诉求"}},
		{"demand free text", StageDemand, textIn("退一赔三"), StagePhotos, func(d *Draft) { d.Demand = "退一赔三" }, []string{"（8/10）"}},
		{"demand bad number", StageDemand, textIn("9"), StageDemand, nil, []string{"没有这个选项"}},
		{"demand text too long", StageDemand, textIn(long(101)), StageDemand, nil, []string{"您输入了101个字"}},

		{"photos done", StagePhotos, textIn("完成"), StageName, nil, []string{"（9/10）"}},
		{"photos skipped", StagePhotos, textIn("跳过"), StageName, nil, []string{"（9/10）"}},
		{"photos none", StagePhotos, voiceIn("没有。"), StageName, nil, []string{"（9/10）"}},
		{"photos other text", StagePhotos, textIn("稍等"), StagePhotos, nil, []string{"请发送照片"}},
		{"photo received", StagePhotos, imageIn("m9"), StagePhotos, func(d *Draft) { d.Photos = []Photo{{MediaID: "m9", PicURL: "http://mmbiz.example/m9"}} }, []string{"已收到第1张照片，继续发送或回复 完成"}},

		{"name", StageName, textIn("张三"), StagePhone, func(d *Draft) { d.Name = "张三" }, []string{"（10/10）"}},
		{"name too short", StageName, textIn("张"), StageName, nil, []string{"您输入了1个字"}},
		{"name with digits", StageName, textIn("13800138000"), StageName, nil, []string{"不能有数字"}},

		{"phone", StagePhone, textIn("+86 138-0013-8000"), StageConfirm, func(d *Draft) { d.Phone = "13800138000" }, []string{"10. 手机号码：13800138000"}},
		{"phone bad", StagePhone, textIn("12345"), StagePhone, nil, []string{"例如：13800138000"}},

		{"confirm unclear", StageConfirm, textIn("嗯"), StageConfirm, nil, []string{"回复 确认"}},
	}
	for _, tc := range tests {
		st := stateAt(tc.stage)
		res := Step(st, tc.in, testEnv(t))
		want := st.Draft
		if tc.wantStage == StageIdle {
			want = Draft{}
		} else if tc.set != nil {
			tc.set(&want)
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

func TestStepIdle(t *testing.T) {
	// The consumer has no open case here; forwarding to one is TestStepForward's.
	tests := []struct {
		name      string
		in        Input
		wantStage Stage
		effects   []Effect
		replies   []string
	}{
		{"subscribe", Input{Kind: InputSubscribe}, StageIdle, nil, []string{"感谢关注某市消费者委员会"}},
		{"menu complain", menuIn(MenuComplain), StagePrivacy, nil, []string{"回复 同意"}},
		{"text complain", textIn("投诉"), StagePrivacy, nil, []string{"姓名和手机号码会提供给被投诉商家"}},
		{"complaint in one breath", textIn("我要投诉某某店"), StagePrivacy, nil, []string{"回复 同意"}},
		{"voice complain", voiceIn("我要投诉。"), StagePrivacy, nil, []string{"回复 同意"}},
		{"menu query", menuIn(MenuQuery), StageIdle, []Effect{QueryCases{}}, []string{}},
		{"text query", textIn("我的投诉"), StageIdle, []Effect{QueryCases{}}, []string{}},
		{"query one", textIn("查询 ts2026123"), StageIdle, []Effect{QueryCases{Number: "TS-2026-000123"}}, []string{}},
		{"bare number", textIn("TS-2026-000045"), StageIdle, []Effect{QueryCases{Number: "TS-2026-000045"}}, []string{}},
		{"bad number", textIn("查询 XX-2026-1"), StageIdle, nil, []string{"查询 TS-2026-000123"}},
		{"digits alone", textIn("12345"), StageIdle, nil, []string{"投诉 —— 开始投诉"}},
		{"menu help", menuIn(MenuHelp), StageIdle, nil, []string{"使用说明"}},
		{"text help", textIn("帮助"), StageIdle, nil, []string{"使用说明"}},
		{"unknown menu", menuIn("NOPE"), StageIdle, nil, []string{"投诉 —— 开始投诉"}},
		{"greeting", textIn("你好"), StageIdle, nil, []string{"投诉 —— 开始投诉"}},
		{"cancel", textIn("取消"), StageIdle, nil, []string{"没有正在填写", "投诉 —— 开始投诉"}},
		{"confirm", textIn("确认"), StageIdle, nil, []string{"您当前没有正在填写的投诉，“确认”不需要回复，也不会转给调解员。如需投诉请回复 投诉，查看进度请回复 查询"}},
		{"back", textIn("上一步"), StageIdle, nil, []string{"“上一步”不需要回复"}},
		{"确定 by voice", voiceIn("确定。"), StageIdle, nil, []string{"“确定”不需要回复"}},
		{"edit", textIn("修改 2"), StageIdle, nil, []string{"“修改 2”不需要回复"}},
		{"done", textIn("完成"), StageIdle, nil, []string{"“完成”不需要回复"}},
		{"image", imageIn("m1"), StageIdle, nil, []string{"没有正在处理的投诉，照片没有保存"}},
		{"location", Input{Kind: InputLocation, Label: "某地"}, StageIdle, nil, []string{"投诉 —— 开始投诉"}},
		{"empty voice", voiceIn(""), StageIdle, nil, []string{"没有听清"}},
		{"unsupported", Input{Kind: InputUnsupported}, StageIdle, nil, []string{"无法处理"}},
		{"unsubscribe", Input{Kind: InputUnsubscribe}, StageIdle, nil, []string{}},
	}
	for _, tc := range tests {
		res := stepWithFacts(t, State{Version: 3}, tc.in, testEnv(t), &Facts{})
		if res.State.Stage != tc.wantStage {
			t.Errorf("%s: stage %q, want %q", tc.name, res.State.Stage, tc.wantStage)
		}
		if !reflect.DeepEqual(res.Effects, tc.effects) {
			t.Errorf("%s: effects %#v, want %#v", tc.name, res.Effects, tc.effects)
		}
		checkReplies(t, tc.name, res.Replies, tc.replies)
		want := State{Version: 3}
		if tc.wantStage == StagePrivacy {
			want = State{Version: 3, Stage: StagePrivacy, IntakeKey: testNewKey, UpdatedAt: testNow}
		}
		if !reflect.DeepEqual(res.State, want) {
			t.Errorf("%s: state %+v, want %+v", tc.name, res.State, want)
		}
	}
}

// TestStepDraftInputs covers inputs other than answers in the middle of a draft: each
// is handled and the pending question asked again, the draft unchanged unless said.
func TestStepDraftInputs(t *testing.T) {
	tests := []struct {
		name    string
		stage   Stage
		in      Input
		set     func(*Draft)
		replies []string
	}{
		{"unsupported", StageAmount, Input{Kind: InputUnsupported}, nil, []string{"无法处理", "（5/10）"}},
		{"subscribe again", StageDescription, Input{Kind: InputSubscribe}, nil, []string{"感谢关注", "正在填写", "（6/10）"}},
		{"empty voice", StageName, voiceIn(""), nil, []string{"没有听清", "（9/10）"}},
		{"location elsewhere", StageAmount, Input{Kind: InputLocation, Label: "某地"}, nil, []string{"用不上", "（5/10）"}},
		{"image before consent", StagePrivacy, imageIn("m2"), nil, []string{"第8步", "回复 同意"}},
		{"image early", StageAmount, imageIn("m2"), func(d *Draft) { d.Photos = []Photo{{MediaID: "m2", PicURL: "http://mmbiz.example/m2"}} }, []string{"共1张", "（5/10）"}},
		{"image at summary", StageConfirm, imageIn("m2"), func(d *Draft) { d.Photos = append(d.Photos, Photo{MediaID: "m2", PicURL: "http://mmbiz.example/m2"}) }, []string{"共2张", "8. 证据：2张照片"}},
		{"menu complain", StageAmount, menuIn(MenuComplain), nil, []string{"重新开始", "（5/10）"}},
		{"menu help", StageAmount, menuIn(MenuHelp), nil, []string{"使用说明", "（5/10）"}},
		{"unknown menu", StageAmount, menuIn("NOPE"), nil, []string{"（5/10）"}},
		{"text complain", StageName, textIn("投诉"), nil, []string{"正在填写", "（9/10）"}},
	}
	for _, tc := range tests {
		st := stateAt(tc.stage)
		res := Step(st, tc.in, testEnv(t))
		want := st.Draft
		if tc.set != nil {
			tc.set(&want)
		}
		if res.State.Stage != tc.stage || !reflect.DeepEqual(res.State.Draft, want) {
			t.Errorf("%s: state %+v; want stage %q, draft %+v", tc.name, res.State, tc.stage, want)
		}
		if res.State.UpdatedAt != testNow || res.State.IntakeKey != testOldKey || res.State.Version != 7 {
			t.Errorf("%s: state %+v: want UpdatedAt now, the old key and version", tc.name, res.State)
		}
		checkReplies(t, tc.name, res.Replies, tc.replies)
	}
}

// stepWithFacts steps as the Engine does: if Step asks for facts, once more with
// facts.
func stepWithFacts(t *testing.T, st State, in Input, env Env, facts *Facts) Result {
	t.Helper()
	res := Step(st, in, env)
	if res.Need == nil {
		return res
	}
	if !reflect.DeepEqual(res.State, st) || len(res.Replies) != 0 || len(res.Effects) != 0 {
		t.Errorf("%+v: a step asking for facts must return nothing else: %+v", in, res)
	}
	env.Facts = facts
	res = Step(st, in, env)
	if res.Need != nil {
		t.Errorf("%+v: asked for facts twice: %+v", in, res.Need)
	}
	return res
}

func TestStepUnsubscribeKeepsDraft(t *testing.T) {
	st := stateAt(StageAmount)
	res := Step(st, Input{Kind: InputUnsubscribe}, testEnv(t))
	if len(res.Replies) != 0 || len(res.Effects) != 0 {
		t.Errorf("unsubscribe answered: %+v", res)
	}
	if res.State.Stage != StageAmount || !reflect.DeepEqual(res.State.Draft, st.Draft) {
		t.Errorf("unsubscribe changed the draft: %+v", res.State)
	}
}

func TestStepPhotoLimit(t *testing.T) {
	st := stateAt(StagePhotos)
	env := testEnv(t)
	for i := 1; i <= maxPhotos; i++ {
		res := Step(st, imageIn("m"), env)
		checkReplies(t, "photo", res.Replies, []string{"已收到第" + strconv.Itoa(i) + "张照片"})
		st = res.State
	}
	res := Step(st, imageIn("m10"), env)
	checkReplies(t, "tenth photo", res.Replies, []string{"最多9张", "已收到9张"})
	if len(res.State.Draft.Photos) != maxPhotos {
		t.Errorf("%d photos kept, want %d", len(res.State.Draft.Photos), maxPhotos)
	}
	res = Step(res.State, textIn("清空"), env)
	checkReplies(t, "clear", res.Replies, []string{"已清空", "（8/10）"})
	if len(res.State.Draft.Photos) != 0 || res.State.Stage != StagePhotos {
		t.Errorf("after 清空: %+v", res.State)
	}
}

// TestStepOneLineAnswers checks that tabs, line breaks and runs of spaces in a
// one-line answer become one space, and count as one towards the length limit.
func TestStepOneLineAnswers(t *testing.T) {
	tests := []struct {
		stage Stage
		in    string
		get   func(Draft) string
		want  string
	}{
		{StageMerchantName, "  某某\t电器\n\n有限公司 ", func(d Draft) string { return d.MerchantName }, "某某 电器 有限公司"},
		{StageMerchantAddress, "某某区\r\n某某路1号\u3000二楼", func(d Draft) string { return d.MerchantAddress }, "某某区 某某路1号 二楼"},
		{StageName, "张\t三\n", func(d Draft) string { return d.Name }, "张 三"},
		{StageDemand, "退货\n并赔偿  运费", func(d Draft) string { return d.Demand }, "退货 并赔偿 运费"},
	}
	for _, tc := range tests {
		res := Step(stateAt(tc.stage), textIn(tc.in), testEnv(t))
		if got := tc.get(res.State.Draft); got != tc.want {
			t.Errorf("%s: %q stored as %q, want %q", tc.stage, tc.in, got, tc.want)
		}
	}
	// The phone number takes spaces between digits; tabs and line breaks are
	// spaces too.
	if res := Step(stateAt(StagePhone), textIn("138\t0013\r\n8000"), testEnv(t)); res.State.Draft.Phone != "13800138000" {
		t.Errorf("phone with a tab and a line break: %q", res.Replies)
	}
	// Thirty characters of name padded with line breaks fit the limit.
	name := strings.Repeat("名", 15) + "\n\n\n" + strings.Repeat("字", 14)
	if res := Step(stateAt(StageName), textIn(name), testEnv(t)); res.State.Stage != StagePhone {
		t.Errorf("a 30-character name with line breaks: %q", res.Replies)
	}
}
