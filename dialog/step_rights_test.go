package dialog

import (
	"reflect"
	"strings"
	"testing"
)

// TestStepRightsCommands: 我的信息 and 更正 are commands when idle, in an intake
// (whose question comes back) and in a stage after filing; a correction is
// validated as at intake.
func TestStepRightsCommands(t *testing.T) {
	env := testEnv(t)
	for _, st := range []State{{}, stateAt(StageAmount), {Stage: StageSupplement, Case: &CaseRef{ID: 1, Number: "TS-2026-000001"}}} {
		for _, word := range []string{"我的信息", "查看我的信息", "我要查看我的信息"} {
			res := Step(st, textIn(word), env)
			if !reflect.DeepEqual(res.Effects, []Effect{ShowMyData{}}) {
				t.Errorf("%q at %q: effects %#v", word, st.Stage, res.Effects)
			}
			if st.Stage == StageAmount && (res.State.Stage != StageAmount || !reflect.DeepEqual(res.State.Draft, st.Draft)) {
				t.Errorf("%q in an intake left it: %+v", word, res.State)
			}
		}
	}
	cases := []struct {
		in   string
		want []Effect
		say  string
	}{
		{"更正电话 13800138000", []Effect{CorrectMyContact{Field: "phone", Value: "13800138000"}}, ""},
		{"更正手机号：138 0013 8000", []Effect{CorrectMyContact{Field: "phone", Value: "13800138000"}}, ""},
		{"更正姓名 李四", []Effect{CorrectMyContact{Field: "name", Value: "李四"}}, ""},
		{"更正电话 12345", nil, "11位手机号码"},
		{"更正姓名 李4", nil, "不含数字"},
		{"更正", nil, "更正姓名 新姓名"},
		{"更正电话", nil, "更正电话 新手机号"},
	}
	for _, c := range cases {
		res := Step(State{}, textIn(c.in), env)
		if !reflect.DeepEqual(res.Effects, c.want) {
			t.Errorf("%q: effects %#v, want %#v", c.in, res.Effects, c.want)
		}
		if c.say != "" && !strings.Contains(strings.Join(res.Replies, "\n"), c.say) {
			t.Errorf("%q: replies %q lack %q", c.in, res.Replies, c.say)
		}
	}
	// Not a command: it says something about the case and goes to the mediator.
	if res := Step(State{}, textIn("更正一下，商家地址写错了"), env); res.Need == nil {
		t.Errorf("a sentence starting with 更正 was taken for a command: %+v", res)
	}
}

// TestStepEraseConfirmation: 删除我的信息 asks first; 取消 returns to the intake
// question with the draft as it was; 确认删除 drops the draft and erases; any
// other answer is handled where the consumer was.
func TestStepEraseConfirmation(t *testing.T) {
	env := testEnv(t)
	draft := stateAt(StageAmount)
	asked := Step(draft, textIn("删除我的个人信息"), env)
	if asked.State.Stage != StageConfirmErase || asked.State.ResumeStage != StageAmount || len(asked.Effects) != 0 ||
		!strings.Contains(strings.Join(asked.Replies, ""), "确认删除") {
		t.Fatalf("asked = %+v", asked)
	}
	if asked.State.Draft.MerchantName != draft.Draft.MerchantName {
		t.Fatal("the question dropped the draft")
	}
	kept := Step(asked.State, textIn("取消"), env)
	if kept.State.Stage != StageAmount || kept.State.Draft.MerchantName != draft.Draft.MerchantName ||
		len(kept.Effects) != 0 || !strings.Contains(strings.Join(kept.Replies, ""), "没有删除") {
		t.Fatalf("cancelled = %+v", kept)
	}
	answered := Step(asked.State, textIn("399.5"), env)
	if answered.State.Stage == StageAmount || answered.State.Draft.AmountFen != 39950 || len(answered.Effects) != 0 {
		t.Fatalf("another answer was not taken for the intake's: %+v", answered.State)
	}
	erased := Step(asked.State, textIn("确认删除"), env)
	if !reflect.DeepEqual(erased.Effects, []Effect{EraseMyData{HadDraft: true}}) || erased.State.Stage != StageIdle ||
		erased.State.Draft.MerchantName != "" || erased.State.IntakeKey != "" {
		t.Fatalf("confirmed = %+v", erased)
	}
	idle := Step(State{}, textIn("删除我的信息"), env)
	if got := Step(idle.State, textIn("确认删除"), env); !reflect.DeepEqual(got.Effects, []Effect{EraseMyData{}}) {
		t.Fatalf("idle confirmation = %+v", got)
	}
	if got := Step(State{}, textIn("确认删除"), env); len(got.Effects) != 0 ||
		!strings.Contains(strings.Join(got.Replies, ""), "没有需要确认的删除") {
		t.Fatalf("确认删除 with nothing asked = %+v", got)
	}
}
