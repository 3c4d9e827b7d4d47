package dialog

import (
	"slices"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
)

// noticeMaxRunes bounds a rendered notice. WeChat's customer-service text message
// takes about 600 Chinese characters; longer staff words are cut with a note.
const noticeMaxRunes = 600

// Message keys of the notices pushed through the outbox.
const (
	msgNoticeStatus        = "notice_status"
	msgNoticeStaffReply    = "notice_staff_reply"
	msgNoticeRatingRequest = "notice_rating_request"
	msgNoticeAck           = "notice_ack"
	msgNoticeCut           = "notice_cut"
	msgNoticeTransfer      = "notice_transfer"
)

// nextKeys are the "what happens next" sentence of a status-change notice, one
// message per status ("notice_next_accepted", …).
var nextKeys = map[storage.Status]string{
	storage.StatusSubmitted:  "notice_next_submitted",
	storage.StatusAccepted:   "notice_next_accepted",
	storage.StatusRejected:   "notice_next_rejected",
	storage.StatusMediating:  "notice_next_mediating",
	storage.StatusReferred:   "notice_next_referred",
	storage.StatusResolved:   "notice_next_resolved",
	storage.StatusTerminated: "notice_next_terminated",
	storage.StatusWithdrawn:  "notice_next_withdrawn",
	storage.StatusClosed:     "notice_next_closed",

	storage.StatusAwaitingMaterial: "notice_next_awaiting_material",
	storage.StatusAppraisal:        "notice_next_appraisal",
}

// reasonLabels name the reason line of a status-change notice by the status it
// reports: what to send for 待补正, the outcome for 调解成功 and 已撤回, a note for
// the moves that need no reason, where a referral goes; otherwise the ground (原因).
var reasonLabels = map[storage.Status]string{
	storage.StatusAwaitingMaterial: "需要您补充的材料",
	storage.StatusResolved:         "调解结果",
	storage.StatusWithdrawn:        "结果",
	storage.StatusReferred:         "转办去向",
	storage.StatusSubmitted:        "说明",
	storage.StatusAccepted:         "说明",
	storage.StatusMediating:        "说明",
	storage.StatusAppraisal:        "说明",
	storage.StatusClosed:           "说明",
}

// askLine points a consumer with questions to the hotline, or to this account.
const askLine = `如有疑问，{{if .Hotline}}请致电 {{.Hotline}}{{if .Hours}}（{{.Hours}}）{{end}}{{else}}可以直接回复本公众号{{end}}。`

// noticeMessages are the notices' wording.
var noticeMessages = map[string]message{
	msgNoticeStatus: {fields: []string{"Number", "Status", "Reason", "ReasonLabel", "Next"}, text: `您的投诉 {{.Number}} 有新进展：{{.Status}}
{{if .Reason}}{{.ReasonLabel}}：{{.Reason}}
{{end}}{{.Next}}`},

	msgNoticeStaffReply: {fields: []string{"Number", "Text"}, text: `调解员回复（{{.Number}}）：
{{.Text}}

如需回复，直接发送文字或照片即可；如您有多件投诉正在处理，请先回复 补充 {{.Number}} 再发送。`},

	msgNoticeRatingRequest: {fields: numberField, text: `您的投诉 {{.Number}} 已办结。请为我们的服务评价，直接回复：满意、基本满意 或 不满意。
如有多件投诉待评价，请回复 评价 {{.Number}} 满意。`},

	msgNoticeAck: {fields: numberField, text: `我们已收到您发送的内容，已转给调解员（投诉编号 {{.Number}}）。`},

	// A case moved to another unit: Org, Hotline and Hours are the new unit's.
	msgNoticeTransfer: {fields: []string{"Number", "Reason"}, text: `您的投诉 {{.Number}} 已移交{{.Org}}办理。
{{if .Reason}}原因：{{.Reason}}
{{end}}投诉编号不变，办理期限仍从我们收到投诉之日起计算。` + askLine},

	msgNoticeCut: {text: `……（内容较长，未能全部显示{{if .Hotline}}，详情请致电 {{.Hotline}}{{end}}）`},

	// A case comes back to 待受理 only from 待补正: the limit already ran before the
	// request, so the consumer is not promised the whole of it again.
	"notice_next_submitted": {text: `我们将继续审查您的投诉并决定是否受理（等待补正材料的时间不计入受理期限），结果会通知您。`},

	"notice_next_accepted": {text: `调解员将联系您和商家进行调解，调解期限为受理之日起{{.MediationDays}}个工作日（检测、鉴定的时间不计算在内）。需要补充材料时，直接发送文字或照片即可。`},

	"notice_next_rejected": {text: `您也可以通过其他合法途径维护权益。` + askLine},

	"notice_next_mediating": {text: `调解员正在与商家沟通，有进展会通知您。需要补充材料时，直接发送文字或照片即可。`},

	"notice_next_referred": {text: `您的投诉已转交相关机构处理，处理结果会通知您。`},

	"notice_next_resolved": {text: `感谢您的耐心配合。投诉办结后，我们会请您评价。`},

	"notice_next_terminated": {text: `您可以依法通过其他途径解决，如申请仲裁或向人民法院起诉。` + askLine},

	"notice_next_withdrawn": {text: `调解已终止。如有新的问题，可以随时回复 投诉。`},

	"notice_next_closed": {text: `感谢您的信任。`},

	"notice_next_awaiting_material": {text: `请直接在本对话中发送上述材料，文字和照片都可以，我们会附到您的投诉中转给调解员；调解员核对后恢复办理，补正期间不计入办理期限。逾期未补正的，投诉可能不予受理。` + askLine},

	"notice_next_appraisal": {text: `商品或服务需要检测、鉴定，检测、鉴定期间不计入调解期限。结果出来后调解员会继续调解，并通知您。`},
}

// Notice renders the consumer's text for an outbox notification, within
// noticeMaxRunes: a status change with its reason and what happens next, a
// mediator's reply and how to answer it, a rating request, an acknowledgement, or a
// late dialog reply as it is.
func (c *Catalogue) Notice(n *storage.Notification) string {
	if n == nil {
		return ""
	}
	c = c.forUnit(n.UnitID)
	switch n.Kind {
	case storage.NoticeStatusChange:
		return c.statusNotice(n)
	case storage.NoticeStaffReply:
		return c.fit(msgNoticeStaffReply, "Text", n.Text, "Number", n.CaseNumber)
	case storage.NoticeRatingRequest:
		return c.fit(msgNoticeRatingRequest, "", "", "Number", n.CaseNumber)
	case storage.NoticeAck:
		return c.fit(msgNoticeAck, "", "", "Number", n.CaseNumber)
	case storage.NoticeTransfer:
		return c.fit(msgNoticeTransfer, "Reason", n.Text, "Number", n.CaseNumber)
	case storage.NoticeArbitrationConsent:
		return c.fit(msgNoticeArbitrationConsent, "", "", "Number", n.CaseNumber)
	case storage.NoticeSettlementProposal:
		return c.fit(msgNoticeProposal, "Text", n.Text, "Number", n.CaseNumber)
	case storage.NoticeErasure:
		if n.Text == "" {
			return c.fit(msgNoticeErasureDone, "", "", "Number", n.CaseNumber)
		}
		return c.fit(msgNoticeErasureRefused, "Text", n.Text, "Number", n.CaseNumber)
	}
	if text, ok := c.paymentNotice(n); ok {
		return text
	}
	return c.fitText(n.Text)
}

// statusNotice renders a status change.
func (c *Catalogue) statusNotice(n *storage.Notification) string {
	status, ok := statusOf(n.StatusLabel)
	label, next, reasonLabel := n.StatusLabel, "", "原因"
	if ok {
		label, next = status.Label(), c.text(nextKeys[status])
		if l, ok := reasonLabels[status]; ok {
			reasonLabel = l
		}
	}
	return c.fit(msgNoticeStatus, "Reason", n.Text, "Number", n.CaseNumber, "Status", label, "Next", next,
		"ReasonLabel", reasonLabel)
}

// allStatuses lists the statuses statusOf recognises.
var allStatuses = []storage.Status{
	storage.StatusSubmitted, storage.StatusAccepted, storage.StatusRejected,
	storage.StatusMediating, storage.StatusReferred, storage.StatusResolved,
	storage.StatusTerminated, storage.StatusWithdrawn, storage.StatusClosed,
	storage.StatusAwaitingMaterial, storage.StatusAppraisal,
}

// statusOf reads a notification's status, given as its label (已受理) or its value
// (accepted).
func statusOf(s string) (storage.Status, bool) {
	i := slices.IndexFunc(allStatuses, func(st storage.Status) bool { return string(st) == s || st.Label() == s })
	if i < 0 {
		return "", false
	}
	return allStatuses[i], true
}

// fit renders message key with field set to value (when field is not empty) and
// the other fields kv, cutting value with a note if the whole would exceed
// noticeMaxRunes.
func (c *Catalogue) fit(key, field, value string, kv ...string) string {
	render := func(v string) string {
		if field == "" {
			return c.text(key, kv...)
		}
		return c.text(key, slices.Concat(kv, []string{field, v})...)
	}
	out := render(value)
	over := utf8.RuneCountInString(out) - noticeMaxRunes
	if over <= 0 || field == "" {
		return cutRunes(out, noticeMaxRunes)
	}
	note := c.text(msgNoticeCut)
	keep := max(utf8.RuneCountInString(value)-over-utf8.RuneCountInString(note), 0)
	return cutRunes(render(string([]rune(value)[:keep])+note), noticeMaxRunes)
}

// FitReply keeps a chat reply within what WeChat shows in one text message (a
// passive reply holds about 2 KB): a longer one is cut with the usual note.
func (c *Catalogue) FitReply(text string) string { return c.fitText(text) }

// fitText cuts a ready text (a late dialog reply) to noticeMaxRunes with the note.
func (c *Catalogue) fitText(text string) string {
	if utf8.RuneCountInString(text) <= noticeMaxRunes {
		return text
	}
	note := c.text(msgNoticeCut)
	keep := max(noticeMaxRunes-utf8.RuneCountInString(note), 0)
	return cutRunes(string([]rune(text)[:keep])+note, noticeMaxRunes)
}

// cutRunes is the last guard of the limit, for an override that is long by itself.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
