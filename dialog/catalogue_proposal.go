package dialog

// Message keys of a merchant's settlement proposal (和解平台) and the answers.
const (
	msgNoticeProposal     = "notice_settlement_proposal"
	msgProposalAccepted   = "proposal_accepted"
	msgProposalDeclined   = "proposal_declined"
	msgProposalNoQuestion = "proposal_no_question"
	msgProposalAnswered   = "proposal_answered"
)

// proposalMessages are the wording of the proposal notice and of the chat's
// answers to the consumer's reply.
var proposalMessages = map[string]message{
	msgNoticeProposal: {fields: []string{"Number", "Text"}, text: `关于您的投诉 {{.Number}}：商家通过和解平台提出和解方案：
{{.Text}}
接受请回复 接受，案件将以协商和解办结；不接受请回复 不接受，我们将继续为您调解。`},

	msgProposalAccepted: {fields: numberField, text: `已记录：您接受商家的和解方案，投诉 {{.Number}} 以协商和解办结。商家未按期履行的，请回复告诉我们。`},

	msgProposalDeclined: {fields: numberField, text: `已记录：您不接受商家的和解方案。投诉 {{.Number}} 回到本会，调解员将继续为您调解。`},

	msgProposalNoQuestion: {text: `您目前没有需要答复的商家和解方案。回复 查询 可以查看投诉进度。`},

	msgProposalAnswered: {fields: numberField, text: `投诉 {{.Number}} 的和解方案已答复过或已不在处理中。如有疑问，请直接留言给调解员。`},
}
