package dialog

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// set builds a word set.
func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// Command words. A command is matched only against the whole message, so an answer
// that merely contains one of these words is never taken for a command.
var (
	startWords   = set("投诉", "我要投诉", "投诉商家", "开始投诉", "我要投诉商家")
	cancelWords  = set("取消", "取消投诉", "放弃", "退出")
	backWords    = set("上一步", "返回", "返回上一步", "上一题")
	restartWords = set("重新开始", "重来", "重新填写")
	helpWords    = set("帮助", "help", "HELP", "Help", "?")
	listWords    = set("查询", "我的投诉", "查询进度", "查进度", "进度", "投诉进度", "查询投诉")
	agreeWords   = set("同意", "同意并继续", "我同意", "好", "好的", "可以", "是", "确定")
	refuseWords  = set("不同意", "拒绝", "不")
	confirmWords = set("确认", "确认提交", "提交", "确定", "是", "对", "没问题")
	photoDone    = set("完成", "跳过", "没有", "无", "没有照片", "好了", "发完了", "下一步", "不用了")
	photoClear   = set("清空", "重新上传", "清空照片")
)

// controlWords steer the intake and mean nothing to a mediator. Outside an intake
// they are answered, never forwarded as a message: a consumer typing 上一步 or 确定
// after their draft was filed or expired would otherwise send the mediator a
// stray word. Plain answers (好, 是, 对, 可以, 同意, 不同意, 没有) are left out on
// purpose: they may well answer the mediator's question, and are forwarded.
var controlWords = set("上一步", "返回", "返回上一步", "上一题", "下一步",
	"确定", "确认", "确认提交", "提交", "同意并继续",
	"完成", "跳过", "没有照片", "发完了", "清空", "清空照片", "重新上传")

// isControlWord reports whether cmd is a control word or 修改 N.
func isControlWord(cmd string) bool {
	return controlWords[cmd] || editRe.MatchString(cmd)
}

// isStartWord reports whether the text asks to file a complaint; "我要投诉某某店"
// counts too, since people often say what they want in one breath.
func isStartWord(s string) bool {
	return startWords[s] || strings.HasPrefix(s, "我要投诉")
}

var (
	// editRe matches 修改 N, 修改第N项, 改N; N is read by parseChoice.
	editRe = regexp.MustCompile(`^(?:修改|改)\s*第?\s*([0-9]{1,2}|[一二三四五六七八九十]{1,2})\s*项?$`)
	// queryRe matches 查询 followed by something shaped like a case number. The
	// character class keeps a description starting with 查 from being taken for it.
	queryRe = regexp.MustCompile(`^(?:查询|查)\s*([A-Za-z0-9\s\-_]+)$`)
)

// command runs a command typed during a draft and reports whether there was one.
// edit and query both act and report whether cmd was theirs.
func (t *turn) command(cmd string) bool {
	switch {
	case cancelWords[cmd]:
		t.cancel()
	case backWords[cmd]:
		t.back()
	case restartWords[cmd]:
		t.restart()
	case helpWords[cmd]:
		t.reply(t.cat.Help())
		t.reask()
	case startWords[cmd]:
		t.say(msgDraftInProgress)
		t.reask()
	case t.edit(cmd):
	case t.query(cmd):
		t.reask()
	case eraseWords[cmd]:
		t.askErase()
	case t.rightsCommand(cmd):
		t.reask()
	default:
		return false
	}
	return true
}

// cancel discards the draft.
func (t *turn) cancel() {
	t.st = idleState(t.st)
	t.say(msgCancelled)
}

// back returns to the previous question, keeping every answer in the draft. While
// answering 修改 N it returns to the summary, which is where the consumer came from.
func (t *turn) back() {
	switch {
	case t.st.Editing:
		t.st.Editing = false
		t.st.Stage = StageConfirm
	case t.st.Stage == StagePrivacy || t.st.Stage == StageCategory:
		t.say(msgBackAtFirst)
	default:
		t.st.Stage = t.previousQuestion(t.st.Stage)
	}
	t.reask()
}

// restart starts the draft over from the first question with a new intake key, so a
// case already filed from the old key cannot swallow the new one. Consent already
// given stands; before consent there is nothing to restart.
func (t *turn) restart() {
	if t.st.Stage == StagePrivacy {
		t.reask()
		return
	}
	t.st = t.newStage(StageCategory)
	t.st.IntakeKey = t.env.NewIntakeKey
	t.say(msgRestarted)
	t.reask()
}

// edit handles 修改 N: it asks field N of the summary again and marks the state so
// the answer returns to the summary. It is only offered once every field is filled.
func (t *turn) edit(cmd string) bool {
	m := editRe.FindStringSubmatch(cmd)
	if m == nil {
		return false
	}
	if t.st.Stage != StageConfirm && !t.st.Editing {
		t.say(msgEditNotAvailable)
		t.reask()
		return true
	}
	items := t.summaryItems()
	n, _ := parseChoice(m[1])
	if n < 1 || n > len(items) {
		t.say(msgBadEditNumber, "Max", strconv.Itoa(len(items)))
		return true
	}
	t.st.Stage = items[n-1]
	if t.st.Stage == StageUnit {
		t.st.Draft.UnitAsked = true
	}
	t.st.Editing = true
	t.reask()
	return true
}

// query handles 查询 (all the consumer's cases) and 查询 <number> (one case), and
// reports whether cmd was one. The caller re-asks the pending question.
func (t *turn) query(cmd string) bool {
	if listWords[cmd] {
		t.effect(QueryCases{})
		return true
	}
	m := queryRe.FindStringSubmatch(cmd)
	if m == nil {
		return false
	}
	number, ok := storage.ParseCaseNumber(m[1], t.env.prefix())
	if !ok {
		t.say(msgBadQueryNumber, "Example", t.exampleNumber())
		return true
	}
	t.effect(QueryCases{Number: number})
	return true
}

// bareCaseNumber treats an idle message that is only a case number ("TS-2026-123") as
// a query. It insists on a leading letter: a bare "12345" is too likely something else.
func (t *turn) bareCaseNumber(cmd string) bool {
	if cmd == "" || !isASCIILetter(cmd[0]) {
		return false
	}
	number, ok := storage.ParseCaseNumber(cmd, t.env.prefix())
	if ok {
		t.effect(QueryCases{Number: number})
	}
	return ok
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// exampleNumber is a case number in this year's form, for re-prompts.
func (t *turn) exampleNumber() string {
	return storage.FormatCaseNumber(t.env.prefix(), t.env.Now.In(shanghai).Year(), 123)
}
