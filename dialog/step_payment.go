package dialog

import "github.com/complaintbot/complaintbot/storage"

// paymentWords map the answers to the payment question to storage's values. The
// question asks for 已到账 or 未到账; the others are what people say instead.
var paymentWords = map[string]string{
	"已到账": storage.PaymentReceived, "到账了": storage.PaymentReceived, "已经到账": storage.PaymentReceived,
	"已收到": storage.PaymentReceived, "收到了": storage.PaymentReceived, "钱到了": storage.PaymentReceived,
	"未到账": storage.PaymentNotReceived, "没到账": storage.PaymentNotReceived, "没有到账": storage.PaymentNotReceived,
	"还没到账": storage.PaymentNotReceived, "未收到": storage.PaymentNotReceived, "没收到": storage.PaymentNotReceived,
	"没有收到": storage.PaymentNotReceived,
}

// AnswerPayment asks the Engine to record the consumer's answer to the payment
// question of the case's mediation agreement (storage.PaymentReceived or
// PaymentNotReceived): the store closes the case or reopens it to its mediator.
type AnswerPayment struct {
	Case   CaseRef
	Answer string
}

func (AnswerPayment) isEffect() {}

// paymentAnswer handles an answer to the payment question and reports whether cmd
// was one. The words are an answer only while a question waits for one. After
// the question lapsed they are a message for that case's mediator, whatever
// else is open, since they speak of its payment; otherwise they are an ordinary
// message for the consumer's case, so the facts asked for are forward's too (a
// turn loads its facts once).
func (t *turn) paymentAnswer(cmd string) bool {
	answer, ok := paymentWords[cmd]
	if !ok {
		return false
	}
	f := t.facts(Need{Payment: true, LapsedPayment: true, OpenCases: true, Finished: true})
	switch {
	case f == nil:
		return true // the Engine steps again with the facts
	case f.Payment != nil:
		t.effect(AnswerPayment{Case: refOf(f.Payment), Answer: answer})
	case f.LapsedPayment != nil:
		t.effect(AddToCase{Case: refOf(f.LapsedPayment), Messages: []CaseMessage{t.message(t.in.Text)},
			LatePayment: true})
	default:
		return false
	}
	return true
}
