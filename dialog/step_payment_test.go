package dialog

import (
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func TestStepPaymentAnswer(t *testing.T) {
	env := testEnv(t)
	idle := State{Version: 7}
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"已到账", "received"},
		{"到账了。", "received"},
		{"未到账", "not_received"},
		{"还没到账", "not_received"},
	} {
		res := stepWithFacts(t, idle, textIn(tc.in), env, &Facts{Payment: caseFinal})
		if len(res.Effects) != 1 {
			t.Fatalf("%s: effects %+v", tc.in, res.Effects)
		}
		a, ok := res.Effects[0].(AnswerPayment)
		if !ok || a.Answer != tc.want || a.Case.ID != caseFinal.ID {
			t.Errorf("%s: effect %+v, want the answer %s for case %d", tc.in, res.Effects[0], tc.want, caseFinal.ID)
		}
		if res.State.Stage != StageIdle {
			t.Errorf("%s: stage %s", tc.in, res.State.Stage)
		}
	}
}

func TestStepPaymentWordsWithoutQuestionAreAMessage(t *testing.T) {
	// No question waits: the words go to the open case like any message.
	res := stepWithFacts(t, State{Version: 7}, textIn("未到账"), testEnv(t), &Facts{OpenCases: []*storage.Case{caseA}})
	if len(res.Effects) != 1 {
		t.Fatalf("effects %+v", res.Effects)
	}
	add, ok := res.Effects[0].(AddToCase)
	if !ok || add.Case.ID != caseA.ID || len(add.Messages) != 1 || add.Messages[0].Text != "未到账" {
		t.Fatalf("the words did not go to the open case: %+v", res.Effects[0])
	}
}

func TestCataloguePaymentNotices(t *testing.T) {
	c := mustCatalogue(t, Settings{Hotline: "12315"})
	agreement := c.Notice(&storage.Notification{Kind: storage.NoticeAgreement, CaseNumber: "TS-2026-000123",
		Text: "商家退款 120 元。\n协议金额：¥120.00（壹佰贰拾元整），付款日期 2026-12-20"})
	question := c.Notice(&storage.Notification{Kind: storage.NoticePaymentQuestion, CaseNumber: "TS-2026-000123",
		Text: "调解协议约定商家付款：¥120.00（壹佰贰拾元整），付款日期 2026-12-20"})
	for _, tc := range []struct{ got, want string }{
		{agreement, "已达成调解协议"}, {agreement, "商家退款 120 元。"}, {agreement, "壹佰贰拾元整"},
		{question, "TS-2026-000123 的调解协议约定商家付款"}, {question, "已到账 或 未到账"}, {question, "付款日期 2026-12-20"},
	} {
		if !strings.Contains(tc.got, tc.want) {
			t.Errorf("notice lacks %q:\n%s", tc.want, tc.got)
		}
	}
}

func TestStepWordsAfterALapsedPaymentQuestion(t *testing.T) {
	env := testEnv(t)
	lapsed := &Facts{OpenCases: []*storage.Case{caseA}, Finished: caseFinal, LapsedPayment: caseFinal}
	// A late answer goes to the lapsed case, not the open one, and answers nothing.
	res := stepWithFacts(t, State{Version: 7}, textIn("已到账"), env, lapsed)
	add, ok := res.Effects[0].(AddToCase)
	if len(res.Effects) != 1 || !ok || add.Case.ID != caseFinal.ID || !add.LatePayment ||
		len(add.Messages) != 1 || add.Messages[0].Text != "已到账" {
		t.Fatalf("a late 已到账: effects %+v; want it added to the lapsed case", res.Effects)
	}
	// Other words with no open case go to the lapsed case, not dropped.
	alone := &Facts{Finished: caseFinal, LapsedPayment: caseFinal}
	res = stepWithFacts(t, State{Version: 7}, textIn("商家说下周付"), env, alone)
	add, ok = res.Effects[0].(AddToCase)
	if len(res.Effects) != 1 || !ok || add.Case.ID != caseFinal.ID || add.LatePayment {
		t.Fatalf("a message after the lapse: effects %+v, replies %q", res.Effects, res.Replies)
	}
	// With an open case, other words go there as before.
	res = stepWithFacts(t, State{Version: 7}, textIn("商家说下周付"), env, lapsed)
	if add, ok := res.Effects[0].(AddToCase); !ok || add.Case.ID != caseA.ID {
		t.Fatalf("a message with an open case: %+v", res.Effects)
	}
}
