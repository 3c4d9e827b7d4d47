package dialog

// Message keys of the arbitration consent question (征求仲裁意愿) and its answers.
const (
	msgNoticeArbitrationConsent = "notice_arbitration_consent"
	msgArbitrationAgreed        = "arbitration_agreed"
	msgArbitrationRefused       = "arbitration_refused"
	msgArbitrationNoQuestion    = "arbitration_no_question"
	msgArbitrationAnswered      = "arbitration_answered"
)

// referralMessages are the wording of the arbitration consent question, asked by
// a notice from the console, and of the chat's answers to the consumer's reply.
var referralMessages = map[string]message{
	msgNoticeArbitrationConsent: {fields: numberField, text: `关于您的投诉 {{.Number}}：调解员建议转交仲裁委员会，通过仲裁解决这起纠纷。仲裁须经您本人同意，仲裁裁决为终局裁决。
同意请回复 同意仲裁；不同意请回复 不同意，我们将继续为您调解。`},

	msgArbitrationAgreed: {fields: numberField, text: `已记录：您同意将投诉 {{.Number}} 转交仲裁委员会处理。调解员会告知您后续安排。`},

	msgArbitrationRefused: {fields: numberField, text: `已记录：您不同意仲裁。投诉 {{.Number}} 不会转交仲裁委员会，我们将继续为您调解。`},

	msgArbitrationNoQuestion: {text: `您目前没有需要答复是否同意仲裁的投诉。回复 查询 可以查看投诉进度。`},

	msgArbitrationAnswered: {fields: numberField, text: `您已答复过投诉 {{.Number}} 是否同意仲裁。如需改变主意，请告诉调解员，由调解员重新征求您的意见。`},
}
