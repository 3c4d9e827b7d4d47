package dialog

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Env is what Step needs from the world, gathered by the Engine before each turn so
// that Step itself stays pure and can be tested with fixed values.
type Env struct {
	Now       time.Time
	Catalogue *Catalogue    // the default wording when nil
	DraftTTL  time.Duration // idle time after which a draft is discarded; 0 keeps drafts forever
	// CasePrefix is the case-number prefix used to read typed numbers; "TS" when empty.
	CasePrefix string
	// NewIntakeKey is a fresh random id, used only if this turn starts a new draft.
	NewIntakeKey string
	// MessageKey is the key of the message being handled (see Engine.Handle); a
	// message held in State.Pending keeps it as CaseMessage.Key.
	MessageKey string
	// Facts are the facts a first step asked for in Result.Need; nil before that.
	Facts *Facts
}

// defaultCasePrefix matches DESIGN.md's example numbers (TS-2026-000123).
const defaultCasePrefix = "TS"

// catalogue returns the configured catalogue or the default one.
func (e Env) catalogue() *Catalogue {
	if e.Catalogue != nil {
		return e.Catalogue
	}
	return defaultCatalogue()
}

// prefix returns the case-number prefix to use.
func (e Env) prefix() string {
	if e.CasePrefix != "" {
		return e.CasePrefix
	}
	return defaultCasePrefix
}

// Step advances one consumer's dialog by one input. It is pure: no I/O, no clock, no
// randomness, and it never modifies st (the Engine may retry a turn with the same
// state after a version conflict). Work needing the database comes back as Effects;
// facts it needs to decide come back as Result.Need (see Result).
//
// While a draft or another stage is in progress the returned State has UpdatedAt =
// env.Now; when none is it is the zero State but for Version and RatingAsked.
func Step(st State, in Input, env Env) Result {
	t := &turn{env: env, cat: env.catalogue(), st: st, orig: st, in: normalize(in)}
	if !resumable(st) {
		t.st = idleState(st) // a stage this version does not know, or one missing its case, cannot be resumed
	}
	t.expire()
	switch {
	case in.Kind == InputUnsubscribe:
		// The consumer cannot see replies any more; the draft waits in case they return.
		t.replies = nil
	case t.st.Stage == StageConfirmErase:
		t.confirmErase(t.in)
	case t.inDraft():
		t.draft(t.in)
	case t.st.Stage != StageIdle:
		t.caseStage(t.in)
	default:
		t.idle(t.in)
	}
	return t.result()
}

// turn collects the outcome of one Step.
type turn struct {
	env     Env
	cat     *Catalogue
	st      State
	orig    State // the state Step was given, returned untouched with a Need
	in      Input // the input, normalized
	replies []string
	effects []Effect
	need    *Need
}

// result builds the Result, stamping the activity time of a stage in progress.
func (t *turn) result() Result {
	if t.need != nil {
		return Result{State: t.orig, Need: t.need}
	}
	st := t.st
	if st.Stage == StageIdle {
		st = idleState(st)
	} else {
		st.UpdatedAt = t.env.Now
	}
	return Result{State: st, Replies: t.replies, Effects: t.effects}
}

// idleState is the state without a draft. Version belongs to the Store and is
// kept, and so are RatingAsked, which must outlive the stages, and NoCases,
// which the Engine clears when a stage begins (see State).
func idleState(st State) State {
	return State{Version: st.Version, RatingAsked: st.RatingAsked, NoCases: st.NoCases}
}

// newStage is a fresh state at stage: idle but for the stage.
func (t *turn) newStage(stage Stage) State {
	st := idleState(t.st)
	st.Stage = stage
	return st
}

// inDraft reports whether an intake is in progress.
func (t *turn) inDraft() bool { return slices.Contains(intakeStages, t.st.Stage) }

// facts returns the facts the Engine loaded, or nil after asking for them: the
// caller then stops, and the Engine steps again with them.
func (t *turn) facts(n Need) *Facts {
	if t.env.Facts == nil {
		t.need = &n
	}
	return t.env.Facts
}

// reply appends a ready-made sentence.
func (t *turn) reply(s string) { t.replies = append(t.replies, s) }

// say appends catalogue message key rendered with name/value pairs.
func (t *turn) say(key string, kv ...string) { t.reply(t.cat.text(key, kv...)) }

// effect appends work for the Engine.
func (t *turn) effect(e Effect) { t.effects = append(t.effects, e) }

// message is text as a message for a filed case. When the input was a voice
// message the recording goes with it as evidence: the mediator can listen to what
// recognition got wrong.
func (t *turn) message(text string) CaseMessage {
	m := CaseMessage{Text: text}
	if v, ok := voiceOf(t.in); ok {
		m.Photo = &v
	}
	return m
}

// expiredMessages say what was dropped when a stage after filing expires; a stage
// not listed (the rating comment) ends silently.
var expiredMessages = map[Stage]string{
	StageChooseCase:      msgChoiceExpired,
	StageSupplement:      msgSupplementExpired,
	StageConfirmWithdraw: msgWithdrawExpired,
}

// expire discards a draft or stage left idle longer than the TTL and says so; the
// input is then handled as if there had been none.
func (t *turn) expire() {
	ttl := t.env.DraftTTL
	if t.st.Stage == StageIdle || ttl <= 0 || t.env.Now.Sub(t.st.UpdatedAt) <= ttl {
		return
	}
	switch key, ok := expiredMessages[t.st.Stage]; {
	case t.inDraft():
		t.say(msgDraftExpired, "Duration", formatTTL(ttl))
	case ok:
		t.say(key, "Duration", formatTTL(ttl), "Number", t.caseNumber())
	}
	t.st = idleState(t.st)
}

// formatTTL renders a TTL in Chinese, in hours when it is a whole number of hours.
func formatTTL(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "小时"
	}
	return strconv.FormatInt(int64((d+time.Minute-1)/time.Minute), 10) + "分钟"
}

// trailingPunct is stripped from voice recognition, which ends sentences with "。".
const trailingPunct = "。.！!？?，,、~～ "

// normalize trims text and, for voice, the punctuation recognition adds, so that a
// spoken "确认。" or "13800138000。" reads like the typed answer.
func normalize(in Input) Input {
	in.Text = strings.TrimSpace(in.Text)
	if in.Kind == InputVoice {
		in.Text = strings.TrimRight(in.Text, trailingPunct)
	}
	return in
}

// commandText is the form in which commands are matched: half-width, trimmed, without
// trailing punctuation ("取消。", "修改２").
func commandText(s string) string {
	return strings.TrimRight(strings.TrimSpace(halfWidth(s)), trailingPunct)
}

// idle handles input when no draft is in progress.
func (t *turn) idle(in Input) {
	switch in.Kind {
	case InputSubscribe:
		t.reply(t.cat.Welcome())
	case InputMenuClick:
		t.idleMenu(in.EventKey)
	case InputText, InputVoice:
		t.idleText(in)
	case InputImage:
		t.forward(CaseMessage{Photo: &Photo{MediaID: in.MediaID, PicURL: in.PicURL}})
	case InputLocation:
		t.say(msgMenu)
	default:
		t.reply(t.cat.Unsupported())
	}
}

// idleMenu handles a menu click with no draft in progress.
func (t *turn) idleMenu(key string) {
	switch key {
	case MenuComplain:
		t.start()
	case MenuQuery:
		t.effect(QueryCases{})
	case MenuHelp:
		t.reply(t.cat.Help())
	default:
		t.say(msgMenu)
	}
}

// idleText handles words with no draft in progress: a command, else a message for
// the consumer's open case (see forward).
func (t *turn) idleText(in Input) {
	if in.Kind == InputVoice && in.Text == "" {
		t.say(msgVoiceEmpty)
		return
	}
	if !t.idleCommand(commandText(in.Text)) {
		t.forward(t.message(in.Text))
	}
}

// idleCommand runs a command typed with no draft in progress and reports whether
// there was one. query, bareCaseNumber and caseCommand act and report whether cmd
// was theirs.
func (t *turn) idleCommand(cmd string) bool {
	switch {
	case isStartWord(cmd) || restartWords[cmd]:
		t.start()
	case t.query(cmd):
	case t.rightsCommand(cmd):
	case eraseYesWords[cmd]:
		t.say(msgRightsNothingToConfirm)
	case helpWords[cmd]:
		t.reply(t.cat.Help())
	case cancelWords[cmd]:
		t.say(msgNothingToCancel)
		t.say(msgMenu)
	case isControlWord(cmd):
		t.say(msgNoIntake, "Word", cmd)
	case t.bareCaseNumber(cmd):
	case t.arbitrationAnswer(cmd):
	case t.proposalAnswer(cmd):
	case t.caseCommand(cmd):
	case t.paymentAnswer(cmd):
	default:
		return false
	}
	return true
}

// start opens a new draft with the privacy notice, which must be agreed to before any
// personal information is asked for.
func (t *turn) start() {
	t.st = t.newStage(StagePrivacy)
	t.st.IntakeKey = t.env.NewIntakeKey
	t.say(msgPrivacy)
}

// draft handles input while a draft is in progress.
func (t *turn) draft(in Input) {
	switch in.Kind {
	case InputText, InputVoice:
		t.draftText(in)
	case InputImage:
		t.draftImage(in)
	case InputLocation:
		t.draftLocation(in)
	case InputSubscribe:
		t.reply(t.cat.Welcome())
		t.say(msgDraftInProgress)
		t.reask()
	case InputMenuClick:
		t.draftMenu(in.EventKey)
	default:
		t.reply(t.cat.Unsupported())
		t.reask()
	}
}

// draftText handles words during a draft: a command, else an answer. A voice
// message is also evidence at the photo question (see photoStageVoice) and when it
// answers the description (see describeByVoice); elsewhere it is just an answer.
func (t *turn) draftText(in Input) {
	voice, isVoice := voiceOf(in)
	if isVoice && t.st.Stage == StagePhotos {
		t.photoStageVoice(in.Text, voice)
		return
	}
	if in.Kind == InputVoice && in.Text == "" {
		t.say(msgVoiceEmpty)
		t.reask()
		return
	}
	if t.command(commandText(in.Text)) {
		return
	}
	if isVoice && t.st.Stage == StageDescription {
		t.describeByVoice(in.Text, voice)
		return
	}
	t.answer(in.Text)
}

// draftMenu answers a menu click and returns to the pending question, so a click in
// the middle never loses the draft.
func (t *turn) draftMenu(key string) {
	switch key {
	case MenuComplain:
		t.say(msgDraftInProgress)
	case MenuQuery:
		t.effect(QueryCases{})
	case MenuHelp:
		t.reply(t.cat.Help())
	}
	t.reask()
}

// draftLocation uses a location as the merchant's address, its label if WeChat gave
// one, else the coordinates, so staff can still find the place.
func (t *turn) draftLocation(in Input) {
	if t.st.Stage == StageUnit {
		t.answerUnit(in.Label)
		return
	}
	if t.st.Stage != StageMerchantAddress {
		t.say(msgLocationNotExpected)
		t.reask()
		return
	}
	addr := strings.TrimSpace(in.Label)
	if addr == "" {
		addr = strconv.FormatFloat(in.Lat, 'f', 6, 64) + "," + strconv.FormatFloat(in.Lng, 'f', 6, 64)
	}
	addr = singleLine(addr)
	if r := []rune(addr); len(r) > MerchantAddressLimit.Max {
		addr = string(r[:MerchantAddressLimit.Max]) // a label cannot be retyped, so cut it
	}
	t.st.Draft.MerchantAddress = addr
	t.advance()
}
