package dialog

import (
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// ratingQuestion is the start of the rating question about caseClosed.
const ratingQuestion = "您的投诉 TS-2026-000004（丁超市）已办结，请您评价我们的处理：回复 满意、基本满意 或 不满意。不想评价请回复 跳过。"

// asked is the consumer's idle state after being asked about caseClosed once.
func asked() State { return State{Version: 7, RatingAsked: caseClosed.ID} }

// TestStepRatingFirst checks that a message written while a closed case's rating
// is due asks for that rating, after what became of the message: forwarded to the
// one open case, or answered as when there is none.
func TestStepRatingFirst(t *testing.T) {
	due := func(open ...*storage.Case) *Facts {
		return &Facts{OpenCases: open, Finished: caseClosed, RatingDue: caseClosed}
	}
	photo := CaseMessage{Photo: &Photo{MediaID: "p1", PicURL: "http://mmbiz.example/p1"}}
	runStageTests(t, []stageTest{
		{"no open case", State{}, textIn("退款收到了吗"), needFwd, due(), StageRatingAsk, nil,
			[]string{"TS-2026-000004 已经处理结束（已办结），发送的内容不会再转给调解员。如有新的问题，请回复 我要投诉", ratingQuestion}},
		{"one open case: forwarded, then asked", State{}, textIn("商家又来电话了"), needFwd, due(caseA), StageRatingAsk,
			textTo(refA, "商家又来电话了"), []string{ratingQuestion}},
		{"a photo for the open case", State{}, imageIn("p1"), needFwd, due(caseA), StageRatingAsk,
			[]Effect{AddToCase{Case: refA, Messages: []CaseMessage{photo}}}, []string{ratingQuestion}},
		{"several open cases: one question at a time", State{}, textIn("你好"), needFwd, due(caseB, caseA), StageChooseCase, nil,
			[]string{"要转给哪一件"}},
		{"asked once already", asked(), textIn("商家又来电话了"), needFwd, due(caseA), StageIdle, textTo(refA, "商家又来电话了"), nil},
		{"asked once already, no open case", asked(), textIn("你好"), needFwd, due(), StageIdle, nil, []string{"已经处理结束（已办结）"}},
		{"not due", State{}, textIn("你好"), needFwd, &Facts{Finished: caseClosed}, StageIdle, nil, []string{"已经处理结束（已办结）"}},
	})
	env := testEnv(t)
	env.Facts = due()
	if st := Step(State{Version: 3}, textIn("你好"), env).State; st.RatingAsked != caseClosed.ID || st.Case == nil || *st.Case != refClosed {
		t.Errorf("state after asking: %+v", st)
	}
}

// TestStepRatingQuestion answers the rating question: a rating rates the case
// asked about and asks for the comment, 跳过 declines, and anything else is
// handled as when idle without asking again.
func TestStepRatingQuestion(t *testing.T) {
	asking := caseState(StageRatingAsk, refClosed)
	asking.RatingAsked = refClosed.ID
	rated := func(r string) []Effect { return []Effect{RateCase{Case: refClosed, Rating: r}} }
	again := &Facts{OpenCases: []*storage.Case{caseA}, Finished: caseClosed, RatingDue: caseClosed}
	runStageTests(t, []stageTest{
		{"满意", asking, textIn("满意"), nil, nil, StageRatingComment, rated(storage.RatingSatisfied), nil},
		{"不满意 by voice", asking, voiceIn("不满意。"), nil, nil, StageRatingComment, rated(storage.RatingDissatisfied), nil},
		{"评价 基本满意", asking, textIn("评价 基本满意"), nil, nil, StageRatingComment, rated(storage.RatingMostly), nil},
		{"评价 with its number", asking, textIn("评价 ts2026-4 满意"), nil, nil, StageRatingComment, rated(storage.RatingSatisfied), nil},
		{"跳过", asking, textIn("跳过"), nil, nil, StageIdle, nil, []string{"以后想评价，可以回复 评价 TS-2026-000004 满意"}},
		{"取消", asking, textIn("取消"), nil, nil, StageIdle, nil, []string{"不打扰了"}},
		{"other text goes on, not asked again", asking, textIn("商家又来电话了"), needFwd, again, StageIdle, textTo(refA, "商家又来电话了"), nil},
		{"a photo goes on", asking, imageIn("p5"), needFwd, again, StageIdle,
			[]Effect{AddToCase{Case: refA, Messages: []CaseMessage{{Photo: &Photo{MediaID: "p5", PicURL: "http://mmbiz.example/p5"}}}}}, nil},
		{"help asks again", asking, textIn("帮助"), nil, nil, StageRatingAsk, nil, []string{"使用说明", ratingQuestion}},
		{"a control word is no answer", asking, textIn("上一步"), nil, nil, StageRatingAsk, nil, []string{ratingQuestion}},
		{"new complaint", asking, textIn("我要投诉"), nil, nil, StagePrivacy, nil, []string{"回复 同意"}},
	})
	// Declining, or filing a new complaint, keeps the memory of having asked.
	for _, in := range []Input{textIn("跳过"), textIn("我要投诉")} {
		if st := Step(asking, in, testEnv(t)).State; st.RatingAsked != refClosed.ID {
			t.Errorf("%q: RatingAsked %d, want %d", in.Text, st.RatingAsked, refClosed.ID)
		}
	}
}
