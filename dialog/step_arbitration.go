package dialog

import "github.com/complaintbot/complaintbot/storage"

// Words answering the arbitration question (征求仲裁意愿). 同意仲裁 is only ever an
// answer; a bare 不同意 answers it only while a question is open, and otherwise
// stays a message for the mediator (see controlWords).
var (
	arbitrationYesWords = set("同意仲裁", "我同意仲裁")
	arbitrationNoWords  = set("不同意仲裁", "我不同意仲裁", "不同意", "我不同意")
)

// AnswerArbitration asks the Engine to record the consumer's answer
// (storage.Consent…) to the arbitration question of the case.
type AnswerArbitration struct {
	Case   CaseRef
	Answer string
}

func (AnswerArbitration) isEffect() {}

// arbitrationAnswer handles a reply to the arbitration question, which staff ask
// about a filed case from the console (the notice names the words), and reports
// whether cmd was one. Like the rating question, the answer is about the case
// whose question is open, found by the Engine (Facts.ArbitrationCase); the facts
// asked for include those forward needs, for a bare 不同意 that turns out to be a
// message.
func (t *turn) arbitrationAnswer(cmd string) bool {
	yes, no := arbitrationYesWords[cmd], arbitrationNoWords[cmd]
	if !yes && !no {
		return false
	}
	f := t.facts(Need{ArbitrationQuestion: true, OpenCases: true, Finished: true, LapsedPayment: true})
	switch {
	case f == nil:
		return true // asked for the facts; the step runs again with them
	case f.ArbitrationCase != nil:
		answer := storage.ConsentAgreed
		if no {
			answer = storage.ConsentRefused
		}
		t.effect(AnswerArbitration{Case: refOf(f.ArbitrationCase), Answer: answer})
		return true
	case yes:
		t.say(msgArbitrationNoQuestion)
		return true
	}
	return false
}
