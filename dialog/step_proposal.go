package dialog

import "github.com/complaintbot/complaintbot/storage"

// Words answering a merchant's settlement proposal (和解平台). 接受 is only ever
// an answer; a bare 不接受 answers it only while a proposal awaits the
// consumer, and otherwise stays a message for the mediator.
var (
	proposalYesWords = set("接受", "我接受", "接受方案")
	proposalNoWords  = set("不接受", "我不接受", "不接受方案")
)

// AnswerProposal asks the Engine to record the consumer's answer
// (storage.Proposal…) to the merchant's proposal on the case.
type AnswerProposal struct {
	Case   CaseRef
	Answer string
}

func (AnswerProposal) isEffect() {}

// proposalAnswer handles a reply to a merchant's proposal, which reached the
// consumer as a notice naming the words, and reports whether cmd was one. The
// answer is about the case whose proposal awaits an answer
// (Facts.ProposalCase), as with the arbitration question.
func (t *turn) proposalAnswer(cmd string) bool {
	yes, no := proposalYesWords[cmd], proposalNoWords[cmd]
	if !yes && !no {
		return false
	}
	f := t.facts(Need{ProposalQuestion: true, OpenCases: true, Finished: true, LapsedPayment: true})
	switch {
	case f == nil:
		return true // asked for the facts; the step runs again with them
	case f.ProposalCase != nil:
		answer := storage.ProposalAccepted
		if no {
			answer = storage.ProposalDeclined
		}
		t.effect(AnswerProposal{Case: refOf(f.ProposalCase), Answer: answer})
		return true
	case yes:
		t.say(msgProposalNoQuestion)
		return true
	}
	return false
}
