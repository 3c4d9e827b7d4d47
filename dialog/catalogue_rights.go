package dialog

// Message keys of the consumer's rights over their personal data (step_rights.go).
const (
	msgRightsRecordsHead      = "rights_records_head"
	msgRightsRecordLine       = "rights_record_line"
	msgRightsKeptUntil        = "rights_kept_until"
	msgRightsKeptOpen         = "rights_kept_open"
	msgRightsKeptHeld         = "rights_kept_held"
	msgRightsRecordsTail      = "rights_records_tail"
	msgRightsNothingHeld      = "rights_nothing_held"
	msgRightsCorrectHow       = "rights_correct_how"
	msgRightsBadName          = "rights_bad_name"
	msgRightsBadPhone         = "rights_bad_phone"
	msgRightsCorrected        = "rights_corrected"
	msgRightsCorrectClosed    = "rights_correct_closed"
	msgRightsCorrectNone      = "rights_correct_none"
	msgRightsEraseConfirm     = "rights_erase_confirm"
	msgRightsEraseCancelled   = "rights_erase_cancelled"
	msgRightsNothingToConfirm = "rights_nothing_to_confirm"
	msgRightsErased           = "rights_erased"
	msgRightsErasePending     = "rights_erase_pending"
	msgRightsEraseHeld        = "rights_erase_held"
	msgRightsEraseChat        = "rights_erase_chat"
	msgRightsEraseNothing     = "rights_erase_nothing"
	msgNoticeErasureDone      = "notice_erasure_done"
	msgNoticeErasureRefused   = "notice_erasure_refused"
)

// rightsMessages are the wording of 我的信息, 更正 and 删除我的信息, and of the
// notices that settle a deletion request.
var rightsMessages = map[string]message{
	msgRightsRecordsHead: {fields: []string{"Count"}, text: `我们为您保存的个人信息（共 {{.Count}} 件投诉）：`},

	msgRightsRecordLine: {fields: []string{"Number", "Status", "Name", "Phone", "Kept"},
		text: `{{.Number}}（{{.Status}}）：姓名 {{.Name}}，电话 {{.Phone}}；{{.Kept}}`},

	msgRightsKeptUntil: {fields: []string{"Date"}, text: `保存至 {{.Date}}，期满后匿名化`},

	msgRightsKeptOpen: {fields: []string{"Period"}, text: `办结后保存{{.Period}}，期满后匿名化`},

	msgRightsKeptHeld: {text: `因法律保全暂时保存，解除后按规定期限处理`},

	msgRightsRecordsTail: {text: `投诉内容、照片和与调解员的往来记录随投诉一并保存。更正请回复 更正姓名 新姓名 或 更正电话 新手机号（仅限办理中的投诉）；删除请回复 删除我的信息。`},

	msgRightsNothingHeld: {text: `我们没有保存您的个人信息：没有以您的微信提交的投诉（已匿名化的除外）。`},

	msgRightsCorrectHow: {text: `请回复 更正姓名 新姓名（例如：更正姓名 张三），或 更正电话 新手机号（例如：更正电话 13800138000）。只能更正办理中的投诉。`},

	msgRightsBadName: {text: `姓名应为2至30个字，不含数字。请重新回复，例如：更正姓名 张三`},

	msgRightsBadPhone: {text: `请填写11位手机号码，例如：更正电话 13800138000`},

	msgRightsCorrected: {fields: []string{"Numbers", "Field", "Value"},
		text: `已将投诉 {{.Numbers}} 的{{.Field}}更正为 {{.Value}}，调解员会看到这次更正。`},

	msgRightsCorrectClosed: {fields: []string{"Numbers"},
		text: `投诉 {{.Numbers}} 已办结，信息不能再更改。如确需更正，` + `{{if .Hotline}}请致电 {{.Hotline}}{{if .Hours}}（{{.Hours}}）{{end}}{{else}}请直接回复本公众号说明{{end}}。`},

	msgRightsCorrectNone: {text: `您没有办理中的投诉，没有可以更正的信息。`},

	msgRightsEraseConfirm: {text: `确认删除您的个人信息吗？
· 已办结的投诉：立即匿名化（姓名、电话、微信标识、投诉内容和证据删除，统计数据保留）；
· 办理中的投诉：提交删除申请，由工作人员在规定期限内处理，删除后该投诉将终止办理；
· 正在填写的投诉草稿和对话记录：立即删除。
确认请回复 确认删除，不删除请回复 取消。`},

	msgRightsEraseCancelled: {text: `已取消，您的信息没有删除。`},

	msgRightsNothingToConfirm: {text: `没有需要确认的删除。如需删除您的个人信息，请回复 删除我的信息。`},

	msgRightsErased: {fields: []string{"Numbers"}, text: `已删除投诉 {{.Numbers}} 中您的个人信息。`},

	msgRightsErasePending: {fields: []string{"Numbers", "Due"},
		text: `投诉 {{.Numbers}} 还在办理中，已提交删除申请，我们将于 {{.Due}} 前处理并通知您。`},

	msgRightsEraseHeld: {fields: []string{"Numbers"}, text: `投诉 {{.Numbers}} 因法律保全暂时不能删除，解除后按规定期限处理。`},

	msgRightsEraseChat: {fields: []string{"Draft"}, text: `{{if eq .Draft "1"}}正在填写的投诉草稿和{{end}}对话记录已删除。`},

	msgRightsEraseNothing: {text: `我们没有保存您的投诉信息，无需删除。`},

	msgNoticeErasureDone: {fields: numberField, text: `您的投诉 {{.Number}} 中的个人信息已按您的要求删除，该投诉已终止办理。`},

	msgNoticeErasureRefused: {fields: []string{"Number", "Text"}, text: `您要求删除投诉 {{.Number}} 中的个人信息，暂不能删除：{{.Text}}
` + askLine},
}
