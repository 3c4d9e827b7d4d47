package dialog

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// intakeStages is the order of the questions; 上一步 and the normal flow follow it.
var intakeStages = []Stage{
	StagePrivacy, StageCategory, StageMerchantName, StageMerchantAddress, StageUnit,
	StagePurchaseDate, StageAmount, StageDescription, StageDemand, StagePhotos,
	StageName, StagePhone, StageConfirm,
}

// summaryStages maps item N of the summary (1-based, as in 修改 N) to its question.
var summaryStages = []Stage{
	StageCategory, StageMerchantName, StageMerchantAddress, StagePurchaseDate,
	StageAmount, StageDescription, StageDemand, StagePhotos, StageName, StagePhone,
}

// maxPhotos bounds the evidence per draft, photos and voice messages together
// (WeChat's own limit per pick of photos is 9).
const maxPhotos = 9

// evidenceCounts returns how many photos and how many voice messages d keeps.
func (d Draft) evidenceCounts() (photos, voices int) {
	for _, p := range d.Photos {
		if p.evidenceKind() == EvidenceVoice {
			voices++
		} else {
			photos++
		}
	}
	return photos, voices
}

// knownStage reports whether this version of the dialog can resume s.
func knownStage(s Stage) bool {
	return s == StageIdle || slices.Contains(intakeStages, s) || slices.Contains(caseStages, s)
}

// nextStage is the question after s; the summary is its own successor. The unit
// question is never next: placeUnit asks it when it must.
func nextStage(s Stage) Stage {
	i := slices.Index(intakeStages, s)
	next := intakeStages[min(i+1, len(intakeStages)-1)]
	if next == StageUnit {
		return nextStage(next)
	}
	return next
}

// previousStage is the question before s; the privacy notice is its own predecessor.
func previousStage(s Stage) Stage {
	i := slices.Index(intakeStages, s)
	return intakeStages[max(i-1, 0)]
}

// advance moves on after a valid answer: to the next question, or back to the
// summary when the answer was a 修改 N.
func (t *turn) advance() {
	t.noteSevenDayReturn()
	if t.st.Stage == StageMerchantAddress && t.placeUnit() {
		return
	}
	if t.st.Editing {
		t.st.Editing = false
		t.st.Stage = StageConfirm
	} else {
		t.st.Stage = nextStage(t.st.Stage)
	}
	t.reask()
}

// reask shows the pending question again.
func (t *turn) reask() { t.reply(t.prompt()) }

// plainPrompts are the questions that need no fields.
var plainPrompts = map[Stage]string{
	StagePrivacy:         msgPrivacy,
	StageMerchantName:    msgAskMerchantName,
	StageMerchantAddress: msgAskMerchantAddress,
	StageAmount:          msgAskAmount,
	StageDescription:     msgAskDescription,
	StageName:            msgAskName,
	StagePhone:           msgAskPhone,
}

// prompt renders the pending question.
func (t *turn) prompt() string {
	switch t.st.Stage {
	case StageChooseCase, StageSupplement, StageConfirmWithdraw, StageRatingComment, StageRatingAsk:
		return t.casePrompt()
	case StageCategory:
		return t.cat.text(msgAskCategory, "Options", numbered(categoryLabels))
	case StagePurchaseDate:
		return t.cat.text(msgAskPurchaseDate, "Example", t.exampleDate())
	case StageDemand:
		return t.cat.text(msgAskDemand, "Options", numbered(demands))
	case StagePhotos:
		photos, voices := t.st.Draft.evidenceCounts()
		return t.cat.text(msgAskPhotos, "Count", strconv.Itoa(len(t.st.Draft.Photos)),
			"Photos", strconv.Itoa(photos), "Voices", strconv.Itoa(voices), "Max", strconv.Itoa(maxPhotos))
	case StageConfirm:
		return t.cat.summary(t.st.Draft)
	case StageUnit:
		return t.cat.text(msgAskUnit, "Options", numbered(t.unitLabels()))
	}
	return t.cat.text(plainPrompts[t.st.Stage])
}

// answerers handle a text answer to each question.
var answerers = map[Stage]func(*turn, string){
	StagePrivacy:         (*turn).answerPrivacy,
	StageCategory:        (*turn).answerCategory,
	StageMerchantName:    (*turn).answerMerchantName,
	StageMerchantAddress: (*turn).answerMerchantAddress,
	StageUnit:            (*turn).answerUnit,
	StagePurchaseDate:    (*turn).answerDate,
	StageAmount:          (*turn).answerAmount,
	StageDescription:     (*turn).answerDescription,
	StageDemand:          (*turn).answerDemand,
	StagePhotos:          (*turn).answerPhotos,
	StageName:            (*turn).answerName,
	StagePhone:           (*turn).answerPhone,
	StageConfirm:         (*turn).answerConfirm,
}

// answer handles text that is not a command.
func (t *turn) answer(text string) { answerers[t.st.Stage](t, text) }

// answerPrivacy needs an explicit agreement before any personal data is asked for.
func (t *turn) answerPrivacy(text string) {
	switch cmd := commandText(text); {
	case agreeWords[cmd]:
		t.advance()
	case refuseWords[cmd]:
		t.cancel()
	default:
		t.say(msgBadPrivacy)
	}
}

func (t *turn) answerCategory(text string) {
	c, ok := pickCategory(text)
	if !ok {
		t.say(msgBadCategory, "Max", strconv.Itoa(len(categoryLabels)), "Options", numbered(categoryLabels))
		return
	}
	t.st.Draft.Category = c
	t.advance()
}

func (t *turn) answerMerchantName(text string) {
	t.answerText(singleLine(text), MerchantNameLimit, msgBadMerchantName, func(d *Draft, s string) { d.MerchantName = s })
}

func (t *turn) answerMerchantAddress(text string) {
	t.answerText(singleLine(text), MerchantAddressLimit, msgBadMerchantAddress, func(d *Draft, s string) { d.MerchantAddress = s })
}

func (t *turn) answerDescription(text string) {
	t.answerText(text, DescriptionLimit, msgBadDescription, func(d *Draft, s string) { d.Description = s })
}

// answerText stores a free-text answer within limit, or says how long it must be.
func (t *turn) answerText(text string, l Limit, bad string, store func(*Draft, string)) {
	s, n := l.measure(text)
	if n < l.Min || n > l.Max {
		t.say(bad, "Min", strconv.Itoa(l.Min), "Max", strconv.Itoa(l.Max), "Len", strconv.Itoa(n))
		return
	}
	store(&t.st.Draft, s)
	t.advance()
}

func (t *turn) answerDate(text string) {
	d, p := parseDate(text, t.env.Now)
	switch p {
	case dateOK:
		t.st.Draft.PurchaseDate = d
		t.advance()
	case dateFuture:
		t.say(msgBadDateFuture, "Today", dayOf(t.env.Now).Format(time.DateOnly), "Example", t.exampleDate())
	case dateTooOld:
		t.say(msgBadDateTooOld, "Example", t.exampleDate())
	default:
		t.say(msgBadDateFormat, "Example", t.exampleDate())
	}
}

// exampleDate is yesterday, an example that is always acceptable.
func (t *turn) exampleDate() string {
	return dayOf(t.env.Now).AddDate(0, 0, -1).Format(time.DateOnly)
}

// amountRefusals maps each refusal to its re-prompt.
var amountRefusals = map[amountProblem]string{
	amountFormat:   msgBadAmountFormat,
	amountZero:     msgBadAmountZero,
	amountDecimals: msgBadAmountDecimals,
	amountTooLarge: msgBadAmountTooLarge,
}

func (t *turn) answerAmount(text string) {
	fen, p := parseAmount(text)
	if p != amountOK {
		t.say(amountRefusals[p], "Max", formatYuan(MaxAmountFen))
		return
	}
	t.st.Draft.AmountFen = fen
	t.advance()
}

// answerDemand takes a numbered demand or free text. 其他 asks for the free text and
// stays on this question, so the next message is read as the demand itself.
func (t *turn) answerDemand(text string) {
	choice, ok := pickOption(demands, text)
	switch {
	case ok && choice == otherChoice:
		t.say(msgAskDemandOther)
	case ok:
		t.st.Draft.Demand = choice
		t.advance()
	case isDigits(halfWidth(strings.TrimSpace(text))):
		t.say(msgBadDemand, "Max", strconv.Itoa(len(demands)), "Options", numbered(demands))
	default:
		t.answerText(singleLine(text), DemandLimit, msgBadDemandOther, func(d *Draft, s string) { d.Demand = s })
	}
}

// answerPhotos moves on when the consumer is done; evidence itself arrives as
// images (draftImage) and voice messages (photoStageVoice). 清空 drops both.
func (t *turn) answerPhotos(text string) {
	switch cmd := commandText(text); {
	case photoDone[cmd]:
		t.advance()
	case photoClear[cmd]:
		t.st.Draft.Photos = nil
		t.say(msgPhotosCleared)
		t.reask()
	default:
		t.say(msgBadPhotosText)
	}
}

// answerName refuses digits: a phone number typed one step early is the usual cause.
func (t *turn) answerName(text string) {
	if strings.ContainsAny(halfWidth(text), "0123456789") {
		t.say(msgBadNameDigits)
		return
	}
	t.answerText(singleLine(text), NameLimit, msgBadName, func(d *Draft, s string) { d.Name = s })
}

func (t *turn) answerPhone(text string) {
	phone, ok := ParseMobile(singleLine(text))
	if !ok {
		t.say(msgBadPhone)
		return
	}
	t.st.Draft.Phone = phone
	t.advance()
}

func (t *turn) answerConfirm(text string) {
	if !confirmWords[commandText(text)] {
		t.say(msgBadConfirm)
		return
	}
	t.submit()
}

// submit hands the draft to the Engine, which replies with the case number; the
// state goes back to idle. A draft missing a required field (one saved by an older
// version, say) asks for it instead, since the store would refuse the case.
func (t *turn) submit() {
	if t.unitMissing() {
		t.st.Stage, t.st.Editing, t.st.Draft.UnitAsked = StageUnit, true, true
		t.reask()
		return
	}
	if stage, ok := firstMissing(t.st.Draft); ok {
		t.st.Stage, t.st.Editing = stage, true
		t.reask()
		return
	}
	key := t.st.IntakeKey
	if key == "" {
		key = t.env.NewIntakeKey
	}
	t.st.Draft.SevenDayReturn = t.sevenDayReturn()
	t.effect(SubmitCase{IntakeKey: key, Draft: t.st.Draft})
	t.st = idleState(t.st)
}

// firstMissing returns the question of the first required field left empty.
func firstMissing(d Draft) (Stage, bool) {
	required := []struct {
		value string
		stage Stage
	}{
		{d.Category, StageCategory}, {d.MerchantName, StageMerchantName},
		{d.Description, StageDescription}, {d.Demand, StageDemand},
		{d.Name, StageName}, {d.Phone, StagePhone},
	}
	for _, r := range required {
		if r.value == "" {
			return r.stage, true
		}
	}
	return "", false
}

// draftImage keeps a photo sent during a draft. At the photo question it is
// acknowledged with its number; at any other question after consent it is kept as
// evidence too, because WeChat media expires and people send the receipt whenever
// they have it. Before consent nothing is kept.
func (t *turn) draftImage(in Input) {
	switch {
	case t.st.Stage == StagePrivacy:
		t.say(msgPhotoBeforeConsent)
	case !t.addEvidence(Photo{MediaID: in.MediaID, PicURL: in.PicURL}):
		t.say(msgPhotoLimit, "Max", strconv.Itoa(maxPhotos))
	case t.st.Stage == StagePhotos:
		t.say(msgPhotoReceived, "N", strconv.Itoa(t.photoCount()))
		return
	default:
		t.say(msgPhotoEarly, "N", strconv.Itoa(t.photoCount()))
	}
	t.reask()
}

// photoStageVoice handles a voice message at the photo question: a spoken 完成,
// 清空 or other command acts, and anything else, even speech WeChat could not
// recognise, is kept as evidence and acknowledged like a photo.
func (t *turn) photoStageVoice(text string, voice Photo) {
	cmd := commandText(text)
	switch {
	case t.command(cmd):
	case photoDone[cmd] || photoClear[cmd]:
		t.answerPhotos(text)
	case !t.addEvidence(voice):
		t.say(msgVoiceLimit, "Max", strconv.Itoa(maxPhotos))
		t.reask()
	default:
		_, voices := t.st.Draft.evidenceCounts()
		t.say(msgVoiceReceived, "N", strconv.Itoa(voices))
	}
}

// describeByVoice answers the description with a voice message's recognised text
// and, if that answer is accepted, keeps the recording as evidence: it is the
// consumer's own account, and recognition loses detail. A voice that does not make
// an acceptable description is only re-asked, like a typed one.
func (t *turn) describeByVoice(text string, voice Photo) {
	if _, ok := DescriptionLimit.Check(text); ok && !t.addEvidence(voice) {
		t.say(msgVoiceLimit, "Max", strconv.Itoa(maxPhotos))
	}
	t.answerDescription(text)
}

// addEvidence appends p to the draft's evidence and reports whether there was room.
func (t *turn) addEvidence(p Photo) bool {
	if len(t.st.Draft.Photos) >= maxPhotos {
		return false
	}
	// Clip so that appending never writes into the caller's backing array.
	t.st.Draft.Photos = append(slices.Clip(t.st.Draft.Photos), p)
	return true
}

// photoCount is the number of photos (not voice messages) in the draft.
func (t *turn) photoCount() int {
	photos, _ := t.st.Draft.evidenceCounts()
	return photos
}

// pickOption reads a menu answer: its number or its exact name.
func pickOption(options []string, text string) (string, bool) {
	s := commandText(text)
	if n, ok := parseChoice(s); ok {
		if n <= len(options) {
			return options[n-1], true
		}
		return "", false
	}
	if slices.Contains(options, s) {
		return s, true
	}
	return "", false
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
