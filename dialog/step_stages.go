package dialog

import (
	"slices"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// caseStage handles input in a stage after filing (see caseStages). Help and
// queries answer and keep the stage; the stage's own words act on it; another
// command ends the stage and runs as if the consumer were idle; anything else is
// the stage's answer (see stageText).
func (t *turn) caseStage(in Input) {
	switch in.Kind {
	case InputText, InputVoice:
		t.caseStageText(in)
	case InputImage:
		t.caseStageImage(in)
	case InputMenuClick:
		t.caseStageMenu(in.EventKey)
	case InputSubscribe:
		t.reply(t.cat.Welcome())
		t.reask()
	default:
		t.reply(t.cat.Unsupported())
		t.reask()
	}
}

// caseStageText handles words in a stage after filing.
func (t *turn) caseStageText(in Input) {
	if in.Kind == InputVoice && in.Text == "" {
		t.unrecognisedVoice()
		return
	}
	cmd := commandText(in.Text)
	if t.stageWord(cmd) {
		return
	}
	c, isCaseCmd := parseCaseCommand(cmd)
	if c.bare && t.st.Stage != StageRatingComment {
		// A bare 满意 while sending material, choosing a case or confirming a
		// withdrawal is said about the case at hand, most likely to the mediator:
		// it is text like any other. Rating takes 评价 <number> here.
		isCaseCmd = false
	}
	switch {
	case helpWords[cmd]:
		t.reply(t.cat.Help())
		t.reask()
	case isControlWord(cmd):
		t.controlWordInStage(cmd)
	case t.query(cmd) || t.bareCaseNumber(cmd):
		t.reask()
	case isStartWord(cmd) || restartWords[cmd] || isCaseCmd || isRightsCommand(cmd):
		t.leaveStage()
		t.idleCommand(cmd)
	default:
		t.stageText(in.Text)
	}
}

// controlWordInStage answers an intake word (上一步, 确定, 完成 …) sent in a stage
// after filing. It is no material, no message and no comment: where texts go to
// the mediator the consumer is told this one did not; the comment stage ends as
// on 跳过 (完成 or 确定 there means done); a question is asked again.
func (t *turn) controlWordInStage(cmd string) {
	switch t.st.Stage {
	case StageSupplement, StageChooseCase:
		t.say(msgControlWord, "Word", cmd)
		t.reask()
	case StageRatingComment:
		t.say(msgCommentSkipped)
		t.st = idleState(t.st)
	default:
		t.reask()
	}
}

// stageWord acts on the current stage's own words and reports whether cmd was one.
func (t *turn) stageWord(cmd string) bool {
	switch t.st.Stage {
	case StageChooseCase:
		return t.chooseWord(cmd)
	case StageSupplement:
		return t.endWord(cmd, supplementDoneWords, msgSupplementDone)
	case StageRatingComment:
		return t.endWord(cmd, skipWords, msgCommentSkipped)
	case StageConfirmWithdraw:
		return t.withdrawAnswer(cmd)
	case StageRatingAsk:
		return t.ratingAnswer(cmd)
	}
	return false
}

// withdrawAnswer acts on a yes or no to the withdrawal question and reports
// whether cmd was one. 撤回 with this case's number is a yes too.
func (t *turn) withdrawAnswer(cmd string) bool {
	if withdrawYesWords[cmd] || t.namesStageCase(verbWithdraw, cmd) {
		t.effect(WithdrawCase{Case: *t.st.Case})
		t.st = idleState(t.st)
		return true
	}
	return t.endWord(cmd, withdrawNoWords, msgWithdrawKept)
}

// namesStageCase reports whether cmd is the command verb with the number of the
// stage's case.
func (t *turn) namesStageCase(verb, cmd string) bool {
	c, ok := parseCaseCommand(cmd)
	if !ok || c.verb != verb || c.arg == "" {
		return false
	}
	number, ok := storage.ParseCaseNumber(c.arg, t.env.prefix())
	return ok && number == t.caseNumber()
}

// ratingAnswer acts on a rating word (alone or after 评价) or a refusal to the
// rating question and reports whether cmd was one.
func (t *turn) ratingAnswer(cmd string) bool {
	c, ok := parseCaseCommand(cmd)
	if ok && c.verb == verbRate && c.rating != "" && (c.arg == "" || t.namesStageCase(verbRate, cmd)) {
		t.rateRef(*t.st.Case, c.rating)
		return true
	}
	return t.endWord(cmd, ratingSkipWords, msgRatingDeclined)
}

// endWord ends the stage with message key if cmd is one of words or a cancel word.
func (t *turn) endWord(cmd string, words map[string]bool, key string) bool {
	if !words[cmd] && !cancelWords[cmd] {
		return false
	}
	t.say(key, "Number", t.caseNumber())
	t.st = idleState(t.st)
	return true
}

// unrecognisedVoice handles a voice message WeChat recognised no words in. During
// 补充, which collects material, the recording still goes to the case; elsewhere
// what it meant is unknown, so the consumer is asked to say it again.
func (t *turn) unrecognisedVoice() {
	if m := t.message(""); t.st.Stage == StageSupplement && m.Photo != nil {
		t.supplement(m)
		return
	}
	t.say(msgVoiceEmpty)
	t.reask()
}

// supplement sends m to the case of StageSupplement and waits for more.
func (t *turn) supplement(m CaseMessage) {
	t.effect(AddToCase{Case: *t.st.Case, Messages: []CaseMessage{m}})
	t.reask()
}

// stageText handles a text that is neither a command nor one of the stage's words.
// A voice message's recording goes with its text (see message).
func (t *turn) stageText(text string) {
	switch t.st.Stage {
	case StageChooseCase:
		t.keepPending(t.message(text))
	case StageSupplement:
		t.supplement(t.message(text))
	case StageRatingAsk:
		// Not an answer: the consumer moved on, and the message is theirs to send.
		// It is handled as when idle; RatingAsked keeps the question from coming
		// back with it.
		t.leaveStage()
		t.forward(t.message(text))
	case StageConfirmWithdraw:
		// Anything but a yes or a no keeps the case. The text is not an answer to the
		// question ("等等，商家刚刚打电话说愿意全额退款"), so like a photo (see
		// caseStageImage) it is a message, and must reach the mediator.
		t.leaveStage()
		t.forward(t.message(text))
	case StageRatingComment:
		t.comment(text)
	}
}

// caseStageImage handles a photo in a stage after filing.
func (t *turn) caseStageImage(in Input) {
	m := CaseMessage{Photo: &Photo{MediaID: in.MediaID, PicURL: in.PicURL}}
	switch t.st.Stage {
	case StageChooseCase:
		t.keepPending(m)
	case StageSupplement:
		t.supplement(m)
	default:
		// Not an answer to the pending question: keep the case, and treat the photo
		// like one sent when idle, because evidence must not be lost.
		t.leaveStage()
		t.forward(m)
	}
}

// caseStageMenu answers a menu click in a stage after filing.
func (t *turn) caseStageMenu(key string) {
	switch key {
	case MenuComplain:
		t.leaveStage()
		t.start()
		return
	case MenuQuery:
		t.effect(QueryCases{})
	case MenuHelp:
		t.reply(t.cat.Help())
	}
	t.reask()
}

// leaveMessages say what leaving a stage gives up; stages not listed end silently.
var leaveMessages = map[Stage]string{
	StageChooseCase:      msgChooseCancelled,
	StageConfirmWithdraw: msgWithdrawKept,
}

// leaveStage ends the stage after filing, saying what that gives up.
func (t *turn) leaveStage() {
	if key, ok := leaveMessages[t.st.Stage]; ok {
		t.say(key, "Number", t.caseNumber())
	}
	t.st = idleState(t.st)
}

// chooseWord handles 取消 and the consumer's pick of a case in StageChooseCase: by
// its number in the list (1 to len(Choices)) or by its case number (with its
// letters, as for a bare number when idle: a long run of digits is more likely an
// order number to keep). A case number that is not offered asks again; any other
// text, another number included ("500", "12"), is not a pick.
func (t *turn) chooseWord(cmd string) bool {
	if cancelWords[cmd] {
		t.leaveStage()
		return true
	}
	i, ok := t.pick(cmd)
	if !ok {
		return false
	}
	if i < 0 || i >= len(t.st.Choices) {
		t.say(msgBadChoice, "Max", strconv.Itoa(len(t.st.Choices)))
		t.reask()
		return true
	}
	t.effect(AddToCase{Case: t.st.Choices[i], Messages: t.st.Pending})
	t.st = idleState(t.st)
	return true
}

// pick reads a choice: the 0-based index of the list number or case number typed
// (-1 for a case number not offered), and whether cmd was a choice at all. Only a
// number of the list is a choice by number: an amount or a count the consumer
// adds is a message to keep.
func (t *turn) pick(cmd string) (int, bool) {
	if n, ok := parseChoice(cmd); ok && n <= len(t.st.Choices) {
		return n - 1, true
	}
	if cmd == "" || !isASCIILetter(cmd[0]) {
		return 0, false
	}
	number, ok := storage.ParseCaseNumber(cmd, t.env.prefix())
	if !ok {
		return 0, false
	}
	return slices.IndexFunc(t.st.Choices, func(r CaseRef) bool { return r.Number == number }), true
}

// comment hands the rating comment to the Engine, or asks for a shorter one.
func (t *turn) comment(text string) {
	s, n := commentLimit.measure(text)
	if n > commentLimit.Max {
		t.say(msgBadComment, "Max", strconv.Itoa(commentLimit.Max), "Len", strconv.Itoa(n))
		return
	}
	t.effect(CommentOnRating{Case: *t.st.Case, Comment: s})
	t.st = idleState(t.st)
}

// casePrompt renders the pending question of a stage after filing.
func (t *turn) casePrompt() string {
	switch t.st.Stage {
	case StageChooseCase:
		return t.cat.text(msgChooseCase, "Count", strconv.Itoa(len(t.st.Choices)), "Options", caseOptions(t.st.Choices))
	case StageSupplement:
		return t.cat.text(msgSupplementNext, "Number", t.caseNumber())
	case StageConfirmWithdraw:
		return t.cat.text(msgWithdrawConfirm, "Number", t.caseNumber())
	case StageRatingAsk:
		return t.cat.text(msgRatingAsk, "Number", t.caseNumber(), "Merchant", t.st.Case.Merchant)
	}
	return t.cat.text(msgRatingCommentAsk, "Max", strconv.Itoa(commentLimit.Max))
}
