package dialog

// message is one entry of the catalogue: its default wording, a text/template, and
// the fields it may use besides the base fields (Org, Hotline, Hours, AcceptDays,
// MediationDays). Every caller passes all of its fields, since an override may use
// any of them (Catalogue.render refuses a call that leaves one out). All field
// values are strings.
type message struct {
	text   string
	fields []string
}

// Message keys. They are the names configuration uses in Settings.Overrides, so they
// never change once released.
const (
	msgWelcome             = "welcome"
	msgHelp                = "help"
	msgMenu                = "menu"
	msgBusy                = "busy"
	msgBusyResend          = "busy_resend"
	msgUnsupported         = "unsupported"
	msgPrivacy             = "privacy"
	msgAskCategory         = "ask_category"
	msgAskMerchantName     = "ask_merchant_name"
	msgAskMerchantAddress  = "ask_merchant_address"
	msgAskPurchaseDate     = "ask_purchase_date"
	msgAskAmount           = "ask_amount"
	msgAskDescription      = "ask_description"
	msgAskDemand           = "ask_demand"
	msgAskDemandOther      = "ask_demand_other"
	msgAskPhotos           = "ask_photos"
	msgAskName             = "ask_name"
	msgAskPhone            = "ask_phone"
	msgSummary             = "summary"
	msgAskUnit             = "ask_unit"
	msgBadUnit             = "bad_unit"
	msgUnitUnsure          = "unit_unsure"
	msgBadPrivacy          = "bad_privacy"
	msgBadCategory         = "bad_category"
	msgBadMerchantName     = "bad_merchant_name"
	msgBadMerchantAddress  = "bad_merchant_address"
	msgBadDateFormat       = "bad_date_format"
	msgBadDateFuture       = "bad_date_future"
	msgBadDateTooOld       = "bad_date_too_old"
	msgBadAmountFormat     = "bad_amount_format"
	msgBadAmountZero       = "bad_amount_zero"
	msgBadAmountDecimals   = "bad_amount_decimals"
	msgBadAmountTooLarge   = "bad_amount_too_large"
	msgBadDescription      = "bad_description"
	msgBadDemand           = "bad_demand"
	msgBadDemandOther      = "bad_demand_other"
	msgBadPhotosText       = "bad_photos_text"
	msgBadName             = "bad_name"
	msgBadNameDigits       = "bad_name_digits"
	msgBadPhone            = "bad_phone"
	msgBadConfirm          = "bad_confirm"
	msgPhotoReceived       = "photo_received"
	msgPhotoEarly          = "photo_early"
	msgPhotoLimit          = "photo_limit"
	msgVoiceReceived       = "voice_received"
	msgVoiceLimit          = "voice_limit"
	msgPhotoBeforeConsent  = "photo_before_consent"
	msgPhotosCleared       = "photos_cleared"
	msgLocationNotExpected = "location_not_expected"
	msgVoiceEmpty          = "voice_empty"
	msgCancelled           = "cancelled"
	msgNothingToCancel     = "nothing_to_cancel"
	msgNoIntake            = "no_intake"
	msgBackAtFirst         = "back_at_first"
	msgRestarted           = "restarted"
	msgEditNotAvailable    = "edit_not_available"
	msgBadEditNumber       = "bad_edit_number"
	msgDraftInProgress     = "draft_in_progress"
	msgDraftExpired        = "draft_expired"
	msgBadQueryNumber      = "bad_query_number"
	msgIdleImage           = "idle_image"
	msgSubmitted           = "submitted"
	msgCaseList            = "case_list"
	msgCaseListItem        = "case_list_item"
	msgCaseListEmpty       = "case_list_empty"
	msgCaseDetail          = "case_detail"
	msgCaseListReply       = "case_list_reply"
	msgCaseDetailReply     = "case_detail_reply"
	msgCaseDetailMaterial  = "case_detail_material"
	msgCaseNotFound        = "case_not_found"
)

// contactLine is appended to messages that point to the hotline; it disappears when
// no hotline is configured.
const contactLine = `{{if .Hotline}}咨询电话：{{.Hotline}}{{if .Hours}}（{{.Hours}}）{{end}}{{end}}`

// evidenceLine renders a draft's evidence from the fields Photos and Voices, e.g.
// "3张照片，1条语音"; it is empty when both are "0".
const evidenceLine = `{{if ne .Photos "0"}}{{.Photos}}张照片{{end}}{{if and (ne .Photos "0") (ne .Voices "0")}}，{{end}}{{if ne .Voices "0"}}{{.Voices}}条语音{{end}}`

// lengthFields are the fields of the too-short/too-long re-prompts.
var lengthFields = []string{"Min", "Max", "Len"}

// messages is the default catalogue: the intake's messages, those of filed cases
// and the notices.
var messages = mergeMessages(intakeMessages, caseMessages, noticeMessages, paymentMessages, referralMessages, proposalMessages,
	sevenDayMessages, rightsMessages)

// mergeMessages joins message maps. It panics on a key in two maps, which would
// silently drop one wording; the panic happens at package initialisation, so any
// test run catches it.
func mergeMessages(maps ...map[string]message) map[string]message {
	all := make(map[string]message)
	for _, m := range maps {
		for k, v := range m {
			if _, dup := all[k]; dup {
				panic("dialog: message key " + k + " defined twice")
			}
			all[k] = v
		}
	}
	return all
}

// intakeMessages are the messages of the intake and the queries.
var intakeMessages = map[string]message{
	msgWelcome: {text: `感谢关注{{.Org}}！本公众号受理消费投诉。
· 点击菜单“我要投诉”或回复 投诉，按提示填写即可；
· 回复 查询 查看投诉进度，回复 帮助 查看使用说明。
隐私说明：我们只收集处理投诉所需的信息；为了调解，您的姓名和手机号码会提供给被投诉商家，转交商家和解期间商家还可查看您提交的证据，均不作他用。
` + contactLine},

	msgHelp: {text: `{{.Org}}投诉服务使用说明：
· 投诉 —— 开始填写投诉
· 查询 —— 查看您的全部投诉
· 查询 编号 —— 查看某件投诉的详情
已提交的投诉：
· 直接发送文字、语音或照片 —— 转给调解员
· 补充 编号 —— 为某件投诉补充文字、语音或照片
· 撤回 编号 —— 撤回投诉（有处理结果前）
· 满意 / 基本满意 / 不满意 —— 评价已办结的投诉
填写投诉时可随时回复：
· 上一步 —— 回到上一个问题
· 修改 N —— 在最后的核对页修改第N项
· 重新开始 —— 清空已填内容，从头填写
· 取消 —— 放弃本次投诉
可以发送文字、语音或照片。
` + contactLine},

	msgMenu: {text: `您好！请回复：
· 投诉 —— 开始投诉
· 查询 —— 查看投诉进度
· 帮助 —— 使用说明`},

	msgBusy: {text: `系统繁忙，请稍后再试。{{if .Hotline}}如有急事请致电 {{.Hotline}}。{{end}}`},

	msgBusyResend: {text: `系统繁忙，请稍后再试。您刚才的消息未能处理，请稍后重新发送。{{if .Hotline}}如有急事请致电 {{.Hotline}}。{{end}}`},

	msgUnsupported: {text: `抱歉，暂时无法处理这类消息。请发送文字、照片或语音。`},

	msgPrivacy: {text: `开始投诉前，请了解我们如何使用您的信息：
· 收集内容：投诉类别、商家名称和地址、购买日期、金额、事情经过、诉求、证据照片和语音，以及您的姓名和手机号码。
· 用途：仅用于{{.Org}}受理、调解您的投诉和统计。
· 为了调解，您的姓名和手机号码会提供给被投诉商家；转交商家和解期间，商家还可查看您提交的证据。
· 信息按规定期限保存，期满后匿名化处理。
回复 同意 继续填写，回复 取消 放弃。`},

	msgAskCategory: {fields: []string{"Options"}, text: `（1/10）请选择投诉类别，回复编号或名称：
{{.Options}}`},

	msgAskMerchantName: {text: `（2/10）请输入被投诉商家的名称（2-60个字），例如：某某电器有限公司。网购请填写店铺名称。`},

	msgAskMerchantAddress: {text: `（3/10）请输入商家地址；网购请填写购物平台和店铺名。例如：某某区某某路1号，或 某某平台某某旗舰店。也可以点“+”发送位置。`},

	msgAskPurchaseDate: {fields: []string{"Example"}, text: `（4/10）请输入购买或消费的日期，例如：{{.Example}}、11月20日 或 昨天。`},

	msgAskAmount: {text: `（5/10）请输入您支付的金额（元），例如：3999 或 3999.50。`},

	msgAskDescription: {text: `（6/10）请描述事情经过（10-1000字）：何时在哪里买了什么，出了什么问题，和商家协商的情况。可以发文字或语音。`},

	msgAskDemand: {fields: []string{"Options"}, text: `（7/10）您的诉求是什么？请回复编号：
{{.Options}}
也可以直接输入您的诉求（100字以内）。`},

	msgAskDemandOther: {text: `请用一句话说明您的诉求（2-100字），例如：退货并赔偿来回运费。`},

	msgAskPhotos: {fields: []string{"Count", "Photos", "Voices", "Max"}, text: `（8/10）请发送证据照片，如发票、订单截图、聊天记录、商品照片，也可以发语音说明，照片和语音合计最多{{.Max}}件。{{if ne .Count "0"}}已收到` + evidenceLine + `。{{end}}
发送完毕请回复 完成，没有照片请回复 跳过。{{if ne .Count "0"}}要重新发送请回复 清空。{{end}}`},

	msgAskName: {text: `（9/10）请输入您的真实姓名（2-30个字），调解时需要核实身份。`},

	msgAskPhone: {text: `（10/10）请输入您的手机号码（11位），工作人员会用它联系您，例如：13800138000。`},

	msgSummary: {fields: []string{"Category", "Merchant", "Address", "Date", "Amount", "Description", "Demand", "Photos", "Voices", "Name", "Phone", "ChosenUnit"}, text: `请核对您的投诉信息：
1. 投诉类别：{{.Category}}
2. 商家名称：{{.Merchant}}
3. 商家地址/网店：{{.Address}}
4. 购买日期：{{.Date}}
5. 支付金额：{{.Amount}}
6. 事情经过：{{.Description}}
7. 诉求：{{.Demand}}
8. 证据：{{if and (eq .Photos "0") (eq .Voices "0")}}无{{else}}` + evidenceLine + `{{end}}
9. 姓名：{{.Name}}
10. 手机号码：{{.Phone}}{{if .ChosenUnit}}
11. 受理单位：{{.ChosenUnit}}{{end}}
回复 确认 提交，修改 N 修改第N项（如 修改 2），取消 放弃。`},

	// The unit question, asked only in a deployment with several units when the
	// merchant's address names none of their regions (or more than one).
	msgAskUnit: {fields: []string{"Options"}, text: `请选择受理您投诉的单位，一般是商家所在的区县。请回复编号，也可以直接回复区县名称：
{{.Options}}`},

	msgBadUnit: {fields: []string{"Max", "Options"}, text: `没能确定受理单位。请回复1到{{.Max}}之间的编号，或商家所在区县的名称：
{{.Options}}`},

	// The last choice of the unit question when the root takes no cases itself:
	// the consumer does not know, and the organisation (Root) passes it on.
	msgUnitUnsure: {fields: []string{"Root"}, text: `不清楚，由{{.Root}}分派`},

	msgBadPrivacy: {text: `需要您同意后才能继续。请回复 同意 继续填写投诉，或回复 取消 放弃。`},

	msgBadCategory: {fields: []string{"Max", "Options"}, text: `没有这个类别。请回复1到{{.Max}}之间的编号或类别名称，例如：1
{{.Options}}`},

	msgBadMerchantName: {fields: lengthFields, text: `商家名称需要{{.Min}}到{{.Max}}个字，您输入了{{.Len}}个字。请重新输入，例如：某某电器有限公司。`},

	msgBadMerchantAddress: {fields: lengthFields, text: `商家地址需要{{.Min}}到{{.Max}}个字，您输入了{{.Len}}个字。请重新输入，例如：某某区某某路1号，或 某某平台某某旗舰店。`},

	msgBadDateFormat: {fields: []string{"Example"}, text: `没能识别这个日期，或这一天不存在。请按 年-月-日 输入，例如：{{.Example}}、11月20日 或 昨天。`},

	msgBadDateFuture: {fields: []string{"Today", "Example"}, text: `购买日期不能晚于今天（{{.Today}}）。请重新输入，例如：{{.Example}}。`},

	msgBadDateTooOld: {fields: []string{"Example"}, text: `日期不能早于1990年，请核对后重新输入，例如：{{.Example}}。`},

	msgBadAmountFormat: {text: `没能识别这个金额。请只输入数字，单位是元，例如：3999 或 3999.50。`},

	msgBadAmountZero: {text: `金额需要大于0元。请输入您实际支付的金额，例如：199。`},

	msgBadAmountDecimals: {text: `金额最多保留两位小数（精确到分），例如：3999.50。`},

	msgBadAmountTooLarge: {fields: []string{"Max"}, text: `金额超过了上限（{{.Max}}），请核对后重新输入，例如：3999.50。`},

	msgBadDescription: {fields: lengthFields, text: `事情经过需要{{.Min}}到{{.Max}}个字，您输入了{{.Len}}个字。请写清何时买了什么、出了什么问题、和商家协商的情况，例如：11月20日在店里买的冰箱，三天后不制冷，商家拒绝退货。`},

	msgBadDemand: {fields: []string{"Max", "Options"}, text: `没有这个选项。请回复1到{{.Max}}之间的编号，或直接输入您的诉求，例如：3
{{.Options}}`},

	msgBadDemandOther: {fields: lengthFields, text: `诉求需要{{.Min}}到{{.Max}}个字，您输入了{{.Len}}个字。请用一句话说明，例如：退货并赔偿来回运费。`},

	msgBadPhotosText: {text: `这一步请发送照片或语音。发送完毕请回复 完成，没有照片请回复 跳过。`},

	msgBadName: {fields: lengthFields, text: `姓名需要{{.Min}}到{{.Max}}个字，您输入了{{.Len}}个字。请输入您的真实姓名，例如：张三。`},

	msgBadNameDigits: {text: `姓名里不能有数字，手机号码在下一步填写。请输入您的真实姓名，例如：张三。`},

	msgBadPhone: {text: `手机号码格式不对：需要11位数字，以1开头。请重新输入，例如：13800138000。`},

	msgBadConfirm: {text: `请回复 确认 提交投诉，回复 修改 N 修改第N项（如 修改 2），或回复 取消 放弃。`},

	msgPhotoReceived: {fields: []string{"N"}, text: `已收到第{{.N}}张照片，继续发送或回复 完成`},

	msgPhotoEarly: {fields: []string{"N"}, text: `已收到照片，先为您保存为证据（共{{.N}}张）。`},

	msgPhotoLimit: {fields: []string{"Max"}, text: `照片最多{{.Max}}张（与语音合计），已达上限，这张没有保存。`},

	msgVoiceReceived: {fields: []string{"N"}, text: `已收到第{{.N}}条语音，继续发送或回复 完成`},

	msgVoiceLimit: {fields: []string{"Max"}, text: `语音最多{{.Max}}条（与照片合计），已达上限，这条语音没有保存为证据。`},

	msgPhotoBeforeConsent: {text: `证据照片请在填写到第8步时发送，这张暂未保存。`},

	msgPhotosCleared: {text: `已清空之前发送的照片和语音。`},

	msgLocationNotExpected: {text: `位置信息只用于填写商家地址，这一步用不上。`},

	msgVoiceEmpty: {text: `抱歉，没有听清您的语音。请再说一遍，或直接输入文字。`},

	msgCancelled: {text: `已取消本次投诉，填写的内容已删除。需要时回复 投诉 可以重新开始。`},

	msgNothingToCancel: {text: `您当前没有正在填写的投诉。`},

	// An intake word (上一步, 确定, 修改 N …) sent with no intake in progress.
	msgNoIntake: {fields: []string{"Word"}, text: `您当前没有正在填写的投诉，“{{.Word}}”不需要回复，也不会转给调解员。如需投诉请回复 投诉，查看进度请回复 查询；要给调解员留言，请直接发送完整的内容。`},

	msgBackAtFirst: {text: `已经是第一个问题了。`},

	msgRestarted: {text: `好的，已清空之前填写的内容，重新开始。`},

	msgEditNotAvailable: {text: `填完所有信息后，可以在最后的核对页回复 修改 N 修改某一项；现在可以回复 上一步 回到上一个问题。`},

	msgBadEditNumber: {fields: []string{"Max"}, text: `没有这一项。请回复 修改 1 到 修改 {{.Max}}，例如：修改 2。`},

	msgDraftInProgress: {text: `您有一份正在填写的投诉，请继续回答下面的问题；如需从头填写，请回复 重新开始。`},

	msgDraftExpired: {fields: []string{"Duration"}, text: `您之前未完成的投诉已超过{{.Duration}}未操作，已自动清除。`},

	msgBadQueryNumber: {fields: []string{"Example"}, text: `没有识别出投诉编号，请这样输入：查询 {{.Example}}。回复 查询 可以查看您的全部投诉。`},

	msgIdleImage: {text: `收到您的照片，但您目前没有正在处理的投诉，照片没有保存。如需投诉，请回复 投诉，填写到证据照片一步时再发送照片。`},

	msgSubmitted: {fields: []string{"Number", "Date"}, text: `投诉已提交成功！
投诉编号：{{.Number}}{{if .Unit}}
受理单位：{{.Unit}}{{if .Hotline}}（咨询电话：{{.Hotline}}{{if .Hours}}，{{.Hours}}{{end}}）{{end}}{{end}}
我们将在{{.AcceptDays}}个工作日内决定是否受理，结果会通过本公众号通知您。受理后，工作人员会联系您和商家进行调解。
回复 查询 可以随时查看进度。`},

	msgCaseList: {fields: []string{"Count", "Items", "Example"}, text: `您的投诉（共{{.Count}}件）：
{{.Items}}

回复 查询 编号 查看详情，例如：查询 {{.Example}}`},

	msgCaseListItem: {fields: caseMessageFields, text: `{{.Number}}｜{{.Status}}
商家：{{.Merchant}}
提交日期：{{.Date}}`},

	msgCaseListEmpty: {text: `您还没有投诉记录。如需投诉，请点击菜单“我要投诉”或回复 投诉。`},

	msgCaseDetail: {fields: caseMessageFields, text: `投诉编号：{{.Number}}{{if .Unit}}
受理单位：{{.Unit}}{{end}}
状态：{{.Status}}
类别：{{.Category}}
商家：{{.Merchant}}
购买日期：{{.PurchaseDate}}
金额：{{.Amount}}
诉求：{{.Demand}}
提交日期：{{.Date}}`},

	// The mediator's latest reply, a line under a case of the list; Reply is cut to
	// about 60 characters and on one line.
	msgCaseListReply: {fields: []string{"Time", "Reply"}, text: `调解员最新回复（{{.Time}}）：{{.Reply}}`},

	// The mediator's latest reply under the case's details. Len is the reply's
	// length when it was cut to Shown characters, "" when shown whole; Open is
	// non-empty while the case takes messages.
	msgCaseDetailMaterial: {fields: []string{"Number", "Material"}, text: `调解员要求您补充材料：{{.Material}}
请直接在本对话中发送文字或照片，我们会附到投诉 {{.Number}} 中。`},

	msgCaseDetailReply: {fields: []string{"Number", "Time", "Reply", "Len", "Shown", "Open"}, text: `调解员最新回复（{{.Time}}）：
{{.Reply}}{{if .Len}}
（回复共{{.Len}}字，这里只显示前{{.Shown}}字{{if .Hotline}}，完整内容可致电 {{.Hotline}} 询问{{end}}。）{{end}}{{if .Open}}
如需回复调解员，直接发送文字、语音或照片即可；如果您有多件投诉正在处理，请先回复 补充 {{.Number}}，再发送内容。{{end}}`},

	msgCaseNotFound: {fields: []string{"Number"}, text: `没有找到编号为 {{.Number}} 的投诉。请核对编号，或回复 查询 查看您的全部投诉。`},
}

// caseMessageFields are the fields caseFields provides.
var caseMessageFields = []string{"Number", "Status", "Category", "Merchant", "PurchaseDate", "Amount", "Demand", "Date"}
