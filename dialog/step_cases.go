package dialog

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// caseStages are the stages after a case is filed.
var caseStages = []Stage{StageChooseCase, StageSupplement, StageConfirmWithdraw, StageRatingComment, StageRatingAsk,
	StageConfirmErase}

// maxChoices bounds the list of StageChooseCase, so that every answer is one digit.
const maxChoices = 9

// maxPending bounds the messages kept while the consumer picks a case; the state
// lives in Redis and should stay small.
const maxPending = 10

// commentLimit bounds a rating comment.
var commentLimit = Limit{Min: 1, Max: 500}

// Words of the stages after filing, matched against the whole message.
var (
	supplementDoneWords = set("完成", "好了", "发完了", "结束", "完毕", "补充完毕", "补充完了", "没有了")
	skipWords           = set("跳过", "不用了", "没有", "无", "没有了", "不评论", "算了")

	// withdrawYesWords and withdrawNoWords answer the withdrawal question, which
	// asks 是 or 否: people answer a yes/no question with any of these, and the
	// question names the case, so a plain yes is consent enough.
	withdrawYesWords = set("确认撤回", "确定撤回", "是", "是的", "对", "对的", "好", "好的", "确定", "确认",
		"可以", "没问题", "嗯", "同意", "撤回", "撤回吧", "要撤回", "撤回投诉", "我要撤回")
	withdrawNoWords = set("否", "不", "不是", "不要", "不撤回", "不撤了", "不用了", "算了", "保留",
		"继续", "继续处理", "不同意")
	// ratingSkipWords decline the rating question.
	ratingSkipWords = set("跳过", "不评价", "不用了", "算了", "以后再说", "不想评价", "没空", "不")
)

// ratingWords map the words of a rating to storage's values. The notice asks for
// 满意 / 基本满意 / 不满意; the others are what people say instead.
var ratingWords = map[string]string{
	"满意": storage.RatingSatisfied, "非常满意": storage.RatingSatisfied, "很满意": storage.RatingSatisfied,
	"基本满意": storage.RatingMostly, "比较满意": storage.RatingMostly, "还算满意": storage.RatingMostly,
	"不满意": storage.RatingDissatisfied, "很不满意": storage.RatingDissatisfied, "非常不满意": storage.RatingDissatisfied,
}

// ratingLabels are the Chinese names of the ratings.
var ratingLabels = map[string]string{
	storage.RatingSatisfied:    "满意",
	storage.RatingMostly:       "基本满意",
	storage.RatingDissatisfied: "不满意",
}

// Commands on a filed case. Like queryRe, the number part only takes characters a
// case number may have, so "补充一下，商家今天……" is a message, not a command.
var (
	supplementRe = regexp.MustCompile(`^(?:补充|补充材料|补充证据)\s*([A-Za-z0-9\s\-_]*)$`)
	withdrawRe   = regexp.MustCompile(`^(?:撤回|撤回投诉|撤销投诉)\s*([A-Za-z0-9\s\-_]*)$`)
	rateRe       = regexp.MustCompile(`^评价\s*([A-Za-z0-9\-_]*)\s*(\p{Han}*)$`)
)

// Verbs of caseCmd; they are also the words shown in the examples.
const (
	verbSupplement      = "补充"
	verbWithdraw        = "撤回"
	verbRate            = "评价"
	verbConfirmWithdraw = "确认撤回"
)

// caseCmd is a command on a filed case.
type caseCmd struct {
	verb   string // one of the verb constants
	arg    string // the case number as typed; "" when none
	rating string // storage.Rating* for verbRate; "" when none was given
	bare   bool   // verbRate: the rating words alone (满意), without 评价
}

// parseCaseCommand reads a command on a filed case; it does nothing else, so the
// stages can tell a command from a message before acting.
func parseCaseCommand(cmd string) (caseCmd, bool) {
	if m := supplementRe.FindStringSubmatch(cmd); m != nil {
		return caseCmd{verb: verbSupplement, arg: strings.TrimSpace(m[1])}, true
	}
	if m := withdrawRe.FindStringSubmatch(cmd); m != nil {
		return caseCmd{verb: verbWithdraw, arg: strings.TrimSpace(m[1])}, true
	}
	if r, ok := ratingWords[cmd]; ok {
		return caseCmd{verb: verbRate, rating: r, bare: true}, true
	}
	if m := rateRe.FindStringSubmatch(cmd); m != nil {
		r, ok := ratingWords[m[2]]
		return caseCmd{verb: verbRate, arg: m[1], rating: r}, ok || m[2] == ""
	}
	if cmd == "确认撤回" || cmd == "确定撤回" {
		return caseCmd{verb: verbConfirmWithdraw}, true
	}
	return caseCmd{}, false
}

// caseCommand runs a command on a filed case and reports whether cmd was one.
func (t *turn) caseCommand(cmd string) bool {
	c, ok := parseCaseCommand(cmd)
	if !ok {
		return false
	}
	switch c.verb {
	case verbSupplement:
		t.supplementCommand(c.arg)
	case verbWithdraw:
		t.withdrawCommand(c.arg)
	case verbRate:
		t.rateCommand(c)
	case verbConfirmWithdraw:
		t.say(msgNothingToConfirm, "Example", t.exampleNumber())
	}
	return true
}

// forward sends a message written outside an intake to the consumer's open case:
// with one, at once; with several, after asking which. With none it goes to the
// finished case whose payment question lapsed, if nobody moved it since (its
// mediator is to check with the consumer); else it says why not (their case is
// finished, or they have none) and a photo or recording is not kept: there is
// nothing to attach it to. See forwardTo for the rating question.
func (t *turn) forward(m CaseMessage) {
	if f := t.facts(Need{OpenCases: true, Finished: true, LapsedPayment: true}); f != nil {
		t.forwardTo(f, m)
	}
}

// forwardTo is forward once the facts are known. When a closed case's rating is
// due (see askRating) the question follows what became of the message, so the
// message is never lost to it: forwarded to the one open case, or answered as
// when there is none. With several open cases the message waits for the
// consumer's choice of case and the rating question waits for a later message,
// because a reply asks one question.
func (t *turn) forwardTo(f *Facts, m CaseMessage) {
	open := f.OpenCases
	if waiting := awaitingMaterial(open); len(waiting) == 1 {
		// The mediator asked for material on this case: what the consumer sends
		// now is most likely that, whatever else they have open.
		open = waiting
	}
	if len(open) > 1 {
		t.st = t.newStage(StageChooseCase)
		t.st.Pending, t.st.Choices = []CaseMessage{t.held(m)}, refsOf(open)
		t.reask()
		return
	}
	due := f.RatingDue
	if due != nil && due.ID == t.st.RatingAsked {
		due = nil // asked once already; 满意 or 评价 still rate it
	}
	switch {
	case len(open) == 1:
		t.effect(AddToCase{Case: refOf(open[0]), Messages: []CaseMessage{m},
			Material: open[0].Status == storage.StatusAwaitingMaterial})
	case f.LapsedPayment != nil:
		// Its mediator is to check the payment with the consumer: what they
		// write now is for them, not dropped as on a finished case.
		t.effect(AddToCase{Case: refOf(f.LapsedPayment), Messages: []CaseMessage{m}})
	case f.Finished != nil:
		t.say(msgCaseFinished, "Number", f.Finished.Number, "Status", f.Finished.Status.Label())
	case m.Photo != nil && m.Photo.evidenceKind() == EvidenceImage:
		t.say(msgIdleImage)
	case due == nil:
		t.say(msgMenu)
	}
	if due != nil {
		t.askRating(due)
	}
}

// awaitingMaterial returns the cases of open that wait for material (待补正).
func awaitingMaterial(open []*storage.Case) []*storage.Case {
	var out []*storage.Case
	for _, c := range open {
		if c.Status == storage.StatusAwaitingMaterial {
			out = append(out, c)
		}
	}
	return out
}

// askRating asks for the rating of c, a closed case the consumer has not rated.
// Its rating request may never have been read (outside WeChat's 48-hour window
// it is only a template card), so the dialog asks when the consumer next
// writes, once per case: RatingAsked remembers it.
func (t *turn) askRating(c *storage.Case) {
	ref := refOf(c)
	t.st = t.newStage(StageRatingAsk)
	t.st.Case, t.st.RatingAsked = &ref, c.ID
	t.reask()
}

// held is m as kept in State.Pending: with the key of the message it came in, the
// DedupeKey of its event once the consumer picks the case.
func (t *turn) held(m CaseMessage) CaseMessage {
	m.Key = t.env.MessageKey
	return m
}

// supplementCommand handles 补充 [number]: the following texts and photos go to the
// case. Without a number it picks the only open case, or asks for one.
func (t *turn) supplementCommand(arg string) {
	if arg == "" {
		t.withOnlyOpenCase(verbSupplement, t.startSupplement)
		return
	}
	c := t.namedCase(verbSupplement, arg)
	switch {
	case c == nil:
	case c.Status.Final():
		t.say(msgSupplementFinal, "Number", c.Number, "Status", c.Status.Label())
	default:
		t.startSupplement(c)
	}
}

// startSupplement enters StageSupplement for c.
func (t *turn) startSupplement(c *storage.Case) {
	ref := refOf(c)
	t.st = t.newStage(StageSupplement)
	t.st.Case = &ref
	t.say(msgSupplementStart, "Number", c.Number)
}

// withdrawCommand handles 撤回 [number]: it asks for confirmation unless the case
// already has an outcome. Without a number it picks the only open case, or asks.
func (t *turn) withdrawCommand(arg string) {
	if arg == "" {
		t.withOnlyOpenCase(verbWithdraw, t.askWithdraw)
		return
	}
	c := t.namedCase(verbWithdraw, arg)
	switch {
	case c == nil:
	case c.Status.Final():
		t.say(msgWithdrawFinal, "Number", c.Number, "Status", c.Status.Label())
	default:
		t.askWithdraw(c)
	}
}

// askWithdraw enters StageConfirmWithdraw for c.
func (t *turn) askWithdraw(c *storage.Case) {
	ref := refOf(c)
	t.st = t.newStage(StageConfirmWithdraw)
	t.st.Case = &ref
	t.reask()
}

// rateCommand handles 满意 / 基本满意 / 不满意 alone (see rateBare), 评价 <rating>
// (the latest closed case) and 评价 <number> <rating>; 评价 alone, or without a
// rating, explains how.
func (t *turn) rateCommand(c caseCmd) {
	switch {
	case c.rating == "":
		t.say(msgRateHow, "Example", t.exampleNumber())
	case c.bare:
		t.rateBare(c.rating)
	case c.arg == "":
		t.rateLatest(c.rating)
	default:
		t.rateNamed(c.arg, c.rating)
	}
}

// rateBare handles the rating words alone. A consumer with an open case is most
// likely answering its mediator ("满意" with a proposal), so the words go to that
// case as they were typed, with a pointer to 评价 <number> if a closed case is
// waiting for its rating; only a consumer with no open case rates their most
// recently closed, unrated case this way.
func (t *turn) rateBare(rating string) {
	f := t.facts(Need{Unrated: true, OpenCases: true})
	switch {
	case f == nil:
	case len(f.OpenCases) > 0:
		if f.Unrated != nil && f.UnratedRating == nil {
			t.say(msgRateByNumber, "Number", f.Unrated.Number, "Rating", ratingLabels[rating])
		}
		t.forwardTo(&Facts{OpenCases: f.OpenCases}, t.message(t.in.Text))
	default:
		t.rateUnrated(f, rating)
	}
}

// rateLatest handles 评价 <rating>: it rates the consumer's most recently closed,
// unrated case, if there is one.
func (t *turn) rateLatest(rating string) {
	if f := t.facts(Need{Unrated: true}); f != nil {
		t.rateUnrated(f, rating)
	}
}

// rateUnrated rates f.Unrated, or says there is nothing to rate.
func (t *turn) rateUnrated(f *Facts, rating string) {
	switch {
	case f.Unrated == nil:
		t.say(msgNothingToRate)
	case f.UnratedRating != nil && !sameRating(f.UnratedRating, rating):
		t.say(msgAlreadyRated, "Number", f.Unrated.Number)
	default:
		t.rate(f.Unrated, rating)
	}
}

// sameRating reports whether r, a case's rating, is what rating the case again
// with rating would record, with no comment yet: then the request most likely
// repeats one whose commit was lost (the consumer was told the desk is busy, or
// WeChat retried), and the dialog rates again; the Engine finds the rating there
// and confirms it, and the comment is asked for as it should have been.
func sameRating(r *storage.Rating, rating string) bool {
	return r != nil && r.Rating == rating && r.Comment == ""
}

// rateNamed rates the case with the typed number, if it is the consumer's, closed
// and not rated yet.
func (t *turn) rateNamed(arg, rating string) {
	c := t.namedCase(verbRate, arg)
	switch {
	case c == nil:
	case c.Status != storage.StatusClosed:
		t.say(msgRateNotClosed, "Number", c.Number, "Status", c.Status.Label())
	case t.env.Facts.CaseRated && !sameRating(t.env.Facts.CaseRating, rating):
		t.say(msgAlreadyRated, "Number", c.Number)
	default:
		t.rate(c, rating)
	}
}

// rate records the rating and waits for the optional comment; the Engine thanks the
// consumer and asks for it, or says the case was rated already and ends the stage.
func (t *turn) rate(c *storage.Case, rating string) { t.rateRef(refOf(c), rating) }

// rateRef is rate for a case named in the state.
func (t *turn) rateRef(ref CaseRef, rating string) {
	t.st = t.newStage(StageRatingComment)
	t.st.Case = &ref
	t.effect(RateCase{Case: ref, Rating: rating})
}

// namedCase reads a typed case number and returns the consumer's case with that
// number, or nil after saying why there is none. A case of another consumer reads
// exactly like a missing one.
func (t *turn) namedCase(verb, arg string) *storage.Case {
	number, ok := storage.ParseCaseNumber(arg, t.env.prefix())
	if !ok {
		t.say(msgBadCommandNumber, "Command", verb, "Example", t.exampleNumber())
		return nil
	}
	f := t.facts(Need{Number: number})
	switch {
	case f == nil:
		return nil
	case f.Case == nil || f.Case.Number != number:
		t.reply(t.cat.CaseNotFound(number))
		return nil
	}
	return f.Case
}

// withOnlyOpenCase runs act on the consumer's only open case; with several it asks
// for "<verb> <number>", with none it says so.
func (t *turn) withOnlyOpenCase(verb string, act func(*storage.Case)) {
	f := t.facts(Need{OpenCases: true})
	switch {
	case f == nil:
	case len(f.OpenCases) == 0:
		t.say(msgNoOpenCases)
	case len(f.OpenCases) == 1:
		act(f.OpenCases[0])
	default:
		t.say(msgWhichCase, "Command", verb, "Options", caseOptions(refsOf(f.OpenCases)),
			"Example", f.OpenCases[0].Number)
	}
}

// refOf names c in the dialog state.
func refOf(c *storage.Case) CaseRef {
	return CaseRef{ID: c.ID, Number: c.Number, Merchant: c.MerchantName}
}

// refsOf names the first maxChoices cases.
func refsOf(cases []*storage.Case) []CaseRef {
	refs := make([]CaseRef, 0, min(len(cases), maxChoices))
	for _, c := range cases[:min(len(cases), maxChoices)] {
		refs = append(refs, refOf(c))
	}
	return refs
}

// caseOptions renders cases as a numbered list: "1. TS-2026-000123（某某商店）".
func caseOptions(refs []CaseRef) string {
	items := make([]string, len(refs))
	for i, r := range refs {
		items[i] = r.Number
		if r.Merchant != "" {
			items[i] += "（" + r.Merchant + "）"
		}
	}
	return numbered(items)
}

// resumable reports whether st can be resumed: its stage is known and a stage after
// filing has what it works on.
func resumable(st State) bool {
	switch st.Stage {
	case StageChooseCase:
		return len(st.Pending) > 0 && len(st.Choices) > 0
	case StageSupplement, StageConfirmWithdraw, StageRatingComment, StageRatingAsk:
		return st.Case != nil
	case StageConfirmErase:
		return knownStage(st.ResumeStage) && !slices.Contains(caseStages, st.ResumeStage)
	}
	return knownStage(st.Stage)
}

// caseNumber is the number of the state's case, "" if none.
func (t *turn) caseNumber() string {
	if t.st.Case == nil {
		return ""
	}
	return t.st.Case.Number
}

// keepPending adds a message to those waiting for the consumer's choice of case.
func (t *turn) keepPending(m CaseMessage) {
	if len(t.st.Pending) >= maxPending {
		t.say(msgChooseFull, "Max", strconv.Itoa(maxPending))
		t.reask()
		return
	}
	// Clip so that appending never writes into the caller's backing array.
	t.st.Pending = append(slices.Clip(t.st.Pending), t.held(m))
	t.say(msgChooseKept, "N", strconv.Itoa(len(t.st.Pending)))
	t.reask()
}
