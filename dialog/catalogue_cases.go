package dialog

// Message keys of the conversation about filed cases. Like the intake's, they are
// configuration names and never change once released.
const (
	msgForwarded         = "forwarded"
	msgMaterialReceived  = "material_received"
	msgChooseCase        = "choose_case"
	msgChooseKept        = "choose_kept"
	msgChooseFull        = "choose_full"
	msgBadChoice         = "bad_choice"
	msgChooseCancelled   = "choose_cancelled"
	msgChoiceExpired     = "choice_expired"
	msgNoOpenCases       = "no_open_cases"
	msgWhichCase         = "which_case"
	msgBadCommandNumber  = "bad_command_number"
	msgSupplementStart   = "supplement_start"
	msgSupplementNext    = "supplement_next"
	msgSupplementDone    = "supplement_done"
	msgSupplementExpired = "supplement_expired"
	msgSupplementFinal   = "supplement_final"
	msgWithdrawConfirm   = "withdraw_confirm"
	msgWithdrawn         = "withdrawn"
	msgWithdrawKept      = "withdraw_kept"
	msgWithdrawFinal     = "withdraw_final"
	msgWithdrawTooLate   = "withdraw_too_late"
	msgWithdrawExpired   = "withdraw_expired"
	msgNothingToConfirm  = "nothing_to_confirm"
	msgRated             = "rated"
	msgRatingCommentAsk  = "rating_comment_ask"
	msgAlreadyRated      = "already_rated"
	msgNothingToRate     = "nothing_to_rate"
	msgRateByNumber      = "rate_by_number"
	msgRateNotClosed     = "rate_not_closed"
	msgRateHow           = "rate_how"
	msgCommentThanks     = "comment_thanks"
	msgCommentSkipped    = "comment_skipped"
	msgAlreadyCommented  = "already_commented"
	msgBadComment        = "bad_comment"
	msgControlWord       = "control_word"
	msgCaseFinished      = "case_finished"
	msgRatingAsk         = "rating_ask"
	msgRatingDeclined    = "rating_declined"
)

// newComplaintLine tells a consumer whose case is finished what they can still
// do: file a new complaint, or call the association.
const newComplaintLine = `如有新的问题，请回复 我要投诉 重新投诉{{if .Hotline}}，或致电 {{.Hotline}}{{if .Hours}}（{{.Hours}}）{{end}}{{end}}。`

// Field lists shared by several messages.
var (
	numberField       = []string{"Number"}
	numberStatusField = []string{"Number", "Status"}
	expiredFields     = []string{"Duration", "Number"}
)

// caseMessages are the messages of the conversation about filed cases.
var caseMessages = map[string]message{
	msgForwarded: {fields: []string{"Number", "Count"}, text: `{{if ne .Count "1"}}您的{{.Count}}条消息{{end}}已转给调解员（投诉编号 {{.Number}}），调解员处理时会查看，有回复会通过本公众号通知您。`},

	msgMaterialReceived: {fields: []string{"Number", "Count"}, text: `已收到您为投诉 {{.Number}} 补充的{{if ne .Count "1"}}{{.Count}}条{{end}}材料，已附到投诉中并转给调解员。调解员核对后会恢复办理，有进展会通过本公众号通知您。如还有其他材料，可以继续发送文字或照片。`},

	msgChooseCase: {fields: []string{"Count", "Options"}, text: `您有{{.Count}}件正在处理的投诉，刚才发送的内容要转给哪一件？请回复序号，例如：1
{{.Options}}
回复 取消 不转交；如要投诉新的问题，请回复 投诉。`},

	msgChooseKept: {fields: []string{"N"}, text: `已收到，先为您保留（共{{.N}}条），选好投诉后一起转交。`},

	msgChooseFull: {fields: []string{"Max"}, text: `最多保留{{.Max}}条，这条没有保存。请先选择要转给哪一件投诉。`},

	msgBadChoice: {fields: []string{"Max"}, text: `没有这个序号。请回复1到{{.Max}}之间的序号，例如：1`},

	msgChooseCancelled: {text: `好的，刚才发送的内容没有转交。`},

	msgChoiceExpired: {fields: []string{"Duration"}, text: `您之前发送的内容超过{{.Duration}}没有选择投诉，没有转交。`},

	msgNoOpenCases: {text: `您目前没有正在处理的投诉。回复 查询 可以查看全部投诉，如需投诉请回复 投诉。`},

	msgWhichCase: {fields: []string{"Command", "Options", "Example"}, text: `您有多件正在处理的投诉，请回复 {{.Command}} 编号，例如：{{.Command}} {{.Example}}
{{.Options}}`},

	msgBadCommandNumber: {fields: []string{"Command", "Example"}, text: `没有识别出投诉编号，请这样输入：{{.Command}} {{.Example}}。回复 查询 可以查看您的全部投诉。`},

	msgSupplementStart: {fields: numberField, text: `好的，接下来您发送的文字、语音和照片都会转给投诉 {{.Number}} 的调解员。发送完毕请回复 完成。`},

	msgSupplementNext: {fields: numberField, text: `可以继续发送文字、语音或照片（投诉 {{.Number}}），发送完毕请回复 完成。`},

	msgSupplementDone: {fields: numberField, text: `补充完毕，感谢！调解员会查看您为投诉 {{.Number}} 补充的材料。`},

	msgSupplementExpired: {fields: expiredFields, text: `为投诉 {{.Number}} 补充材料已超过{{.Duration}}未操作，已自动结束。`},

	msgSupplementFinal: {fields: numberStatusField, text: `投诉 {{.Number}} 已经处理结束（{{.Status}}），不能再补充材料。` + newComplaintLine},

	msgWithdrawConfirm: {fields: numberField, text: `确认撤回投诉 {{.Number}} 吗？撤回后调解将终止。撤回请回复 是，保留请回复 否。`},

	msgWithdrawn: {fields: numberField, text: `投诉 {{.Number}} 已撤回，调解已终止。如有新的问题，可以随时回复 投诉。`},

	msgWithdrawKept: {fields: numberField, text: `好的，投诉 {{.Number}} 没有撤回，我们会继续处理。`},

	msgWithdrawFinal: {fields: numberStatusField, text: `投诉 {{.Number}} 已经有处理结果（{{.Status}}），不能再撤回。回复 查询 {{.Number}} 可以查看详情。`},

	msgWithdrawTooLate: {fields: numberField, text: `投诉 {{.Number}} 的状态刚刚发生了变化，现在已不能撤回。回复 查询 {{.Number}} 可以查看最新状态。`},

	msgWithdrawExpired: {fields: expiredFields, text: `撤回投诉 {{.Number}} 的确认已超过{{.Duration}}没有回复，已取消，投诉继续处理。`},

	msgNothingToConfirm: {fields: []string{"Example"}, text: `您当前没有需要确认的撤回。如需撤回投诉，请回复 撤回 编号，例如：撤回 {{.Example}}。`},

	msgRated: {fields: []string{"Number", "Rating", "Max"}, text: `感谢您对投诉 {{.Number}} 的评价（{{.Rating}}）！如有意见或建议，请直接回复文字（{{.Max}}字以内）；不需要请回复 跳过。`},

	msgRatingCommentAsk: {fields: []string{"Max"}, text: `如有意见或建议，请直接回复文字（{{.Max}}字以内），例如：调解员很耐心；不需要请回复 跳过。`},

	msgAlreadyRated: {fields: numberField, text: `投诉 {{.Number}} 已经评价过了，每件投诉只能评价一次。感谢您的反馈！`},

	msgNothingToRate: {text: `您目前没有待评价的投诉。投诉办结后，我们会请您评价；每件投诉只能评价一次。`},

	msgRateByNumber: {fields: []string{"Number", "Rating"}, text: `如果您是要评价已办结的投诉 {{.Number}}，请回复 评价 {{.Number}} {{.Rating}}。`},

	msgRateNotClosed: {fields: numberStatusField, text: `投诉 {{.Number}} 还没有办结（{{.Status}}），办结后才能评价。`},

	msgRateHow: {fields: []string{"Example"}, text: `评价最近办结的投诉，请回复 满意、基本满意 或 不满意；评价某一件，请回复 评价 编号 满意，例如：评价 {{.Example}} 满意。`},

	msgCommentThanks: {text: `已收到您的意见，感谢您的反馈！`},

	msgCommentSkipped: {text: `好的，感谢您的评价！`},

	msgAlreadyCommented: {text: `您对这件投诉的意见已经记录过了，感谢您的反馈！`},

	// The rating question asked when the consumer next writes after a case closed.
	msgRatingAsk: {fields: []string{"Number", "Merchant"}, text: `您的投诉 {{.Number}}{{if .Merchant}}（{{.Merchant}}）{{end}}已办结，请您评价我们的处理：回复 满意、基本满意 或 不满意。不想评价请回复 跳过。`},

	msgRatingDeclined: {fields: numberField, text: `好的，不打扰了。以后想评价，可以回复 评价 {{.Number}} 满意（或 基本满意、不满意）。`},

	// A message written when the consumer has no open case but a finished one.
	msgCaseFinished: {fields: numberStatusField, text: `您的投诉 {{.Number}} 已经处理结束（{{.Status}}），发送的内容不会再转给调解员。` + newComplaintLine},

	// An intake word (上一步, 确定 …) sent in a stage after filing.
	msgControlWord: {fields: []string{"Word"}, text: `“{{.Word}}”没有转给调解员：现在没有正在填写的投诉。`},

	msgBadComment: {fields: []string{"Max", "Len"}, text: `意见请控制在{{.Max}}字以内，您输入了{{.Len}}个字。请精简后重新发送，或回复 跳过。`},
}
