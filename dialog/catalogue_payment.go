package dialog

import "github.com/complaintbot/complaintbot/storage"

// Message keys of the mediation agreement and its payment question.
const (
	msgNoticeAgreement        = "notice_agreement"
	msgNoticePaymentQuestion  = "notice_payment_question"
	msgPaymentReceived        = "payment_received"
	msgPaymentNotReceived     = "payment_not_received"
	msgPaymentAlreadyAnswered = "payment_already_answered"
	msgPaymentLate            = "payment_late"
)

// paymentMessages are the wording of the agreement's notice, the payment question
// and the answers to it. Text is the store's facts: the agreed terms (with the
// money and its date); for the payment question, what was agreed and by what
// ("调解协议约定商家付款：…" or "和解方案约定商家退款 …"), the money and its date.
var paymentMessages = map[string]message{
	msgNoticeAgreement: {fields: []string{"Number", "Text"}, text: `您的投诉 {{.Number}} 已达成调解协议，调解协议书已出具。协议内容：
{{.Text}}

如需纸质协议书，可向调解员索取。` + askLine},

	msgNoticePaymentQuestion: {fields: []string{"Number", "Text"}, text: `您的投诉 {{.Number}} 的{{.Text}}。
请问款项是否已经到账？请直接回复 已到账 或 未到账。`},

	msgPaymentReceived: {fields: numberField, text: `感谢确认！投诉 {{.Number}} 的协议款项已到账，投诉已办结。稍后请您为我们的服务评价。`},

	msgPaymentNotReceived: {fields: numberField, text: `已记录：投诉 {{.Number}} 的协议款项未到账。投诉已退回调解员继续处理，调解员会尽快联系商家并告知您进展。`},

	msgPaymentLate: {fields: numberField, text: `投诉 {{.Number}} 的款项到账询问已超过答复期限，您的答复已转给调解员，调解员会与您联系核实后处理。`},

	msgPaymentAlreadyAnswered: {fields: numberField, text: `投诉 {{.Number}} 的款项到账情况已经记录过了。如有新情况，请直接发送文字告诉我们。`},
}

// paymentNotice renders the agreement's notices, and reports whether n was one.
func (c *Catalogue) paymentNotice(n *storage.Notification) (string, bool) {
	switch n.Kind {
	case storage.NoticeAgreement:
		return c.fit(msgNoticeAgreement, "Text", n.Text, "Number", n.CaseNumber), true
	case storage.NoticePaymentQuestion:
		return c.fit(msgNoticePaymentQuestion, "Text", n.Text, "Number", n.CaseNumber), true
	}
	return "", false
}
