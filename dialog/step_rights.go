package dialog

import (
	"regexp"
	"strings"
)

// The consumer's rights over their personal data (PIPL arts. 44–47): to see what
// is held (我的信息), to correct the name or phone of an open case (更正), and to
// have it deleted (删除我的信息, confirmed by 确认删除). Each is a command wherever
// commands are: idle, in the middle of an intake (which then goes on) and in a
// stage after filing (which ends, as for any command).

// StageConfirmErase waits for 确认删除 or 取消 after 删除我的信息. The stage the
// consumer was in (an intake's question) waits in State.ResumeStage: 取消 or any
// other answer goes back to it with the draft as it was; 确认删除 drops the draft
// with everything else.
const StageConfirmErase Stage = "confirm_erase"

var (
	myInfoWords = set("我的信息", "查看我的信息", "我要查看我的信息", "我的个人信息", "查看我的个人信息",
		"我要查看我的个人信息")
	eraseWords = set("删除我的信息", "删除我的个人信息", "我要删除我的信息", "我要删除我的个人信息")
	// eraseYesWords must be typed in full: a bare 确认 or 是 too easily answers
	// another question from habit.
	eraseYesWords = set("确认删除")
	// correctRe matches 更正, 更正电话 13900000000, 更正姓名：李四 and the like;
	// m[1] is the field, m[2] the new value (maybe empty).
	correctRe = regexp.MustCompile(`^更正\s*(电话号码|联系电话|手机号|姓名|名字|电话|手机)?\s*[:：]?\s*(.*)$`)
)

// ShowMyData asks the Engine to list what is held about the consumer.
type ShowMyData struct{}

// CorrectMyContact asks the Engine to correct the consumer's name or phone
// (Field "name" or "phone", as storage.ContactField) on their open cases; Value
// is valid already.
type CorrectMyContact struct {
	Field string
	Value string
}

// EraseMyData asks the Engine to delete what is held about the consumer: the
// finished cases anonymised now, a deletion request for each open one, and the
// dialog's own state and saved replies once the turn is committed. HadDraft
// says an intake was in progress (and is gone).
type EraseMyData struct {
	HadDraft bool
}

func (ShowMyData) isEffect()       {}
func (CorrectMyContact) isEffect() {}
func (EraseMyData) isEffect()      {}

// isRightsCommand reports whether cmd is one of the rights' commands.
func isRightsCommand(cmd string) bool {
	return myInfoWords[cmd] || eraseWords[cmd] || isCorrectCommand(cmd)
}

// isCorrectCommand reports whether cmd asks to correct the name or phone. A
// bare 更正 counts; "更正一下地址" does not (there is nothing after 更正 but a
// field and its value).
func isCorrectCommand(cmd string) bool {
	m := correctRe.FindStringSubmatch(cmd)
	return m != nil && (m[1] != "" || m[2] == "")
}

// rightsCommand runs a rights command and reports whether cmd was one. In an
// intake the caller asks its question again after it (but not after the
// erasure question, which waits for its own answer).
func (t *turn) rightsCommand(cmd string) bool {
	switch {
	case myInfoWords[cmd]:
		t.effect(ShowMyData{})
	case eraseWords[cmd]:
		t.askErase()
	case isCorrectCommand(cmd):
		t.correct(cmd)
	default:
		return false
	}
	return true
}

// askErase asks for the confirmation, remembering the intake question to
// return to.
func (t *turn) askErase() {
	resume := t.st.Stage
	if !t.inDraft() {
		resume = StageIdle
		t.st = idleState(t.st)
	}
	t.st.ResumeStage = resume
	t.st.Stage = StageConfirmErase
	t.say(msgRightsEraseConfirm)
}

// confirmErase handles the answer to the erasure question: 确认删除 erases
// (the draft with it), 取消 keeps everything, and any other input goes back to
// where the consumer was and is handled there.
func (t *turn) confirmErase(in Input) {
	cmd := commandText(in.Text)
	hadDraft := t.st.ResumeStage != StageIdle
	switch {
	case (in.Kind == InputText || in.Kind == InputVoice) && eraseYesWords[cmd]:
		t.st = idleState(t.st)
		t.effect(EraseMyData{HadDraft: hadDraft})
		return
	case (in.Kind == InputText || in.Kind == InputVoice) && cancelWords[cmd]:
		t.resumeFromErase()
		t.say(msgRightsEraseCancelled)
		if t.inDraft() {
			t.reask()
		}
		return
	}
	t.resumeFromErase()
	switch {
	case t.inDraft():
		t.draft(in)
	default:
		t.idle(in)
	}
}

// resumeFromErase returns to the stage the erasure question interrupted.
func (t *turn) resumeFromErase() {
	t.st.Stage, t.st.ResumeStage = t.st.ResumeStage, ""
}

// correct validates a correction as the intake validates the answer, and asks
// the Engine to make it; without a field or a value it says how.
func (t *turn) correct(cmd string) {
	m := correctRe.FindStringSubmatch(cmd)
	field, value := m[1], strings.TrimSpace(m[2])
	if field == "" || value == "" {
		t.say(msgRightsCorrectHow)
		return
	}
	if field == "姓名" || field == "名字" {
		name, ok := NameLimit.Check(singleLine(value))
		if !ok || strings.ContainsAny(halfWidth(value), "0123456789") {
			t.say(msgRightsBadName)
			return
		}
		t.effect(CorrectMyContact{Field: "name", Value: name})
		return
	}
	phone, ok := ParseMobile(singleLine(value))
	if !ok {
		t.say(msgRightsBadPhone)
		return
	}
	t.effect(CorrectMyContact{Field: "phone", Value: phone})
}
