// Package dialog is the consumer-side conversation: the intake of a complaint and,
// once filed, the messages, photos, withdrawal and rating of the consumer's cases. It
// is a pure step function (state, input) → (state, replies, effects), its prompts and
// validators, and the Redis store that keeps each consumer's state between messages.
//
// The step function never does I/O. Work that needs the database (submitting a
// case, listing the consumer's cases, adding a message to a case) is returned as an
// Effect; the Engine runs it and puts its result in front of the step's own replies.
// When Step needs to know something about the consumer's cases (which are open, the
// case a typed number names) it says so in Result.Need; the Engine looks the facts up
// and steps once more with them in Env.Facts. The intake never needs facts, so a
// message in the middle of a draft costs no database query.
package dialog

import (
	"context"
	"errors"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// InputKind says what the consumer sent.
type InputKind string

// Input kinds, mapped by the bot from WeChat message and event types.
const (
	InputText        InputKind = "text"        // Text holds the content
	InputVoice       InputKind = "voice"       // Text holds WeChat's Recognition (may be empty), MediaID the recording
	InputImage       InputKind = "image"       // MediaID and PicURL are set
	InputLocation    InputKind = "location"    // Label, Lat, Lng are set
	InputSubscribe   InputKind = "subscribe"   // the consumer followed the account
	InputUnsubscribe InputKind = "unsubscribe" // the consumer unfollowed (no reply is seen)
	InputMenuClick   InputKind = "menu_click"  // EventKey holds the menu key
	InputUnsupported InputKind = "unsupported" // video, file, link, sticker, …
)

// Menu CLICK keys the dialog understands. `complaintbot wechat menu` installs them.
const (
	MenuComplain = "COMPLAIN" // 我要投诉
	MenuQuery    = "QUERY"    // 查询进度
	MenuHelp     = "HELP"     // 帮助
)

// Input is one message or event from a consumer.
type Input struct {
	Kind     InputKind
	Text     string
	MediaID  string
	PicURL   string
	Label    string
	Lat, Lng float64
	EventKey string
}

// Stage is the question the dialog is waiting for an answer to. The zero value means
// no intake is in progress.
type Stage string

// Stages of the intake, in order.
const (
	StageIdle            Stage = ""
	StagePrivacy         Stage = "privacy"
	StageCategory        Stage = "category"
	StageMerchantName    Stage = "merchant_name"
	StageMerchantAddress Stage = "merchant_address"
	StagePurchaseDate    Stage = "purchase_date"
	StageAmount          Stage = "amount"
	StageDescription     Stage = "description"
	StageDemand          Stage = "demand"
	StagePhotos          Stage = "photos"
	StageName            Stage = "name"
	StagePhone           Stage = "phone"
	StageConfirm         Stage = "confirm"
)

// StageUnit asks which unit takes the complaint; in intakeStages it sits after
// the merchant's address. It is only ever reached in a deployment with several
// units, when the merchant's address does not name a unit's region (see
// placeUnit), or by 修改 11.
const StageUnit Stage = "unit"

// Stages after a case is filed. Like a draft, each ends when idle longer than the
// draft TTL.
const (
	// StageChooseCase: the consumer has several open cases and sent a message
	// outside an intake; it waits in State.Pending while they pick the case by its
	// number in State.Choices (or its case number). 取消 drops it.
	StageChooseCase Stage = "choose_case"
	// StageSupplement: after 补充 <number>, texts, voice messages and photos go to
	// State.Case until 完成.
	StageSupplement Stage = "supplement"
	// StageConfirmWithdraw: after 撤回 <number>, 确认撤回 withdraws State.Case;
	// anything else keeps it, and a text that is not a plain answer to the
	// question goes on to the consumer's open case like any message.
	StageConfirmWithdraw Stage = "confirm_withdraw"
	// StageRatingComment: State.Case was just rated; the next text is the optional
	// comment, 跳过 ends.
	StageRatingComment Stage = "rating_comment"
	// StageRatingAsk: State.Case was closed lately and is not rated, and the dialog
	// asked for its rating when the consumer next wrote (its rating request may
	// never have been read: outside WeChat's 48-hour window it is only a template
	// card). A rating word rates it (then StageRatingComment), 跳过 declines, and
	// anything else ends the question and is handled as when idle.
	StageRatingAsk Stage = "rating_ask"
)

// Draft is the complaint being collected.
type Draft struct {
	Category        string  `json:"category,omitempty"`
	MerchantName    string  `json:"merchant_name,omitempty"`
	MerchantAddress string  `json:"merchant_address,omitempty"`
	PurchaseDate    string  `json:"purchase_date,omitempty"` // "2006-01-02"
	AmountFen       int64   `json:"amount_fen,omitempty"`
	Description     string  `json:"description,omitempty"`
	Demand          string  `json:"demand,omitempty"`
	Photos          []Photo `json:"photos,omitempty"` // evidence: photos and voice messages, in order
	Name            string  `json:"name,omitempty"`
	Phone           string  `json:"phone,omitempty"`
	// UnitID is the unit the complaint goes to, found from the address or
	// chosen by the consumer (UnitAsked); 0 in a single-unit deployment, where
	// the case is filed with the root.
	UnitID    int64 `json:"unit_id,omitempty"`
	UnitAsked bool  `json:"unit_asked,omitempty"`
	// SevenDayNoticed: the seven-day return rule was told (step_sevenday.go);
	// SevenDayReturn: the draft qualified when it was submitted (the case's tag).
	SevenDayNoticed bool `json:"seven_day_noticed,omitempty"`
	SevenDayReturn  bool `json:"seven_day_return,omitempty"`
}

// Evidence kinds of a Photo, spelled as storage.Evidence.Kind spells them.
const (
	EvidenceImage = "image"
	EvidenceVoice = "voice"
)

// Photo is one piece of media evidence the consumer sent: an image, or a voice
// message when Kind is EvidenceVoice. An empty Kind means an image, and images are
// stored without one, because drafts and pending messages saved before voice was
// kept hold images without a kind and must still decode as images.
type Photo struct {
	MediaID string `json:"media_id"`
	PicURL  string `json:"pic_url,omitempty"` // images only
	Kind    string `json:"kind,omitempty"`    // EvidenceImage when empty
}

// evidenceKind is p's storage kind: EvidenceVoice or EvidenceImage.
func (p Photo) evidenceKind() string {
	if p.Kind == EvidenceVoice {
		return EvidenceVoice
	}
	return EvidenceImage
}

// voiceOf returns the recording of a voice input as evidence, and false for any
// other input or a voice without media (nothing could be downloaded).
func voiceOf(in Input) (Photo, bool) {
	if in.Kind != InputVoice || in.MediaID == "" {
		return Photo{}, false
	}
	return Photo{MediaID: in.MediaID, Kind: EvidenceVoice}, true
}

// CaseRef names one of the consumer's cases in the dialog state. It is only ever
// built from facts the Engine loaded for this consumer, so a case in a State is
// always theirs.
type CaseRef struct {
	ID       int64  `json:"id"`
	Number   string `json:"number"`
	Merchant string `json:"merchant,omitempty"` // shown in the StageChooseCase list
}

// CaseMessage is one consumer message for a filed case: a text, a photo, or a voice
// message with its recognised text in Text and its recording in Photo (Kind
// EvidenceVoice; Text may be empty when WeChat recognised nothing).
//
// Key is the message key of the message itself, recorded when it is held in
// State.Pending; it becomes its timeline event's DedupeKey, so the held messages are
// added once however many turns try to (a pick whose commit was lost, then another
// pick). Empty for a message added in the turn it arrived in, and in pending
// messages saved before keys were kept: the Engine then derives the DedupeKey from
// the key of the message being handled.
type CaseMessage struct {
	Text  string `json:"text,omitempty"`
	Photo *Photo `json:"photo,omitempty"`
	Key   string `json:"key,omitempty"`
}

// State is everything the dialog remembers about one consumer between messages.
// It is stored as JSON; Version is managed by the Store (optimistic concurrency).
type State struct {
	Version   int64     `json:"-"`
	Stage     Stage     `json:"stage,omitempty"`
	Draft     Draft     `json:"draft"`
	IntakeKey string    `json:"intake_key,omitempty"` // a fresh random id per draft
	Editing   bool      `json:"editing,omitempty"`    // answering 修改 N: return to the summary next
	UpdatedAt time.Time `json:"updated_at"`

	// Case is the case of StageSupplement, StageConfirmWithdraw,
	// StageRatingComment and StageRatingAsk.
	Case *CaseRef `json:"case,omitempty"`
	// RatingAsked is the ID of the last case whose rating the dialog asked for
	// unprompted (StageRatingAsk). Unlike the rest it outlives every stage, so
	// that a consumer who did not answer is not asked about that case again.
	RatingAsked int64 `json:"rating_asked,omitempty"`
	// Pending holds the messages waiting in StageChooseCase, oldest first, and
	// Choices the cases offered for them, in list order.
	Pending []CaseMessage `json:"pending,omitempty"`
	Choices []CaseRef     `json:"choices,omitempty"`
	// NoCases says the consumer had no case at all when the Engine last looked,
	// so the facts a message outside an intake asks for (open and finished
	// cases, the questions asked about them) are known to be empty without a
	// database query. Only the Engine sets it, from facts it loaded; it holds in
	// idle states only (any stage drops it, so a draft that was filed, or
	// abandoned after filing failed half-way, is looked up again), and the state
	// expires a week after its last change, so it is re-learnt then. Only the
	// dialog files a consumer's case (the intake), so nothing else can make it
	// untrue while it holds.
	NoCases bool `json:"no_cases,omitempty"`
	// ResumeStage is, in StageConfirmErase, the stage to go back to when the
	// consumer does not confirm (an intake question, or idle).
	ResumeStage Stage `json:"resume_stage,omitempty"`
}

// Effect is work the step function asks the Engine to do.
type Effect interface{ isEffect() }

// SubmitCase asks the Engine to file the draft as a case. The Engine replies with the
// case number; if filing fails the whole turn fails and the state is not saved, so the
// consumer can confirm again and nothing is lost.
type SubmitCase struct {
	IntakeKey string
	Draft     Draft
}

// QueryCases asks the Engine to show the consumer's cases, or one case when Number is
// set (in canonical form). A number that is not the consumer's reads as not found.
type QueryCases struct {
	Number string
}

// AddToCase asks the Engine to put the consumer's messages on the case's timeline,
// each as one event with its photo or recording as evidence, and to acknowledge
// them. Each event's DedupeKey is the message's own Key, or when it has none one
// derived from the key of the message being handled, so a retried message adds
// nothing.
type AddToCase struct {
	Case     CaseRef
	Messages []CaseMessage
	// Material is set when the case waits for material the mediator asked for
	// (待补正): the acknowledgement then says the material was received.
	Material bool
	// LatePayment is set when the message is 已到账 / 未到账 sent after the
	// case's payment question lapsed: the acknowledgement says it was passed
	// to the mediator and is no longer taken as the answer.
	LatePayment bool
}

// WithdrawCase asks the Engine to withdraw the case for the consumer. If the case
// can no longer be withdrawn the Engine says so; that is not an error.
type WithdrawCase struct {
	Case CaseRef
}

// RateCase asks the Engine to record the consumer's rating (storage.Rating*) of a
// closed case. If that succeeds the dialog waits for an optional comment (the state
// Step returned); if the case was rated already the Engine says so and the dialog
// goes back to idle.
type RateCase struct {
	Case   CaseRef
	Rating string
}

// CommentOnRating asks the Engine to add the consumer's comment to their rating.
type CommentOnRating struct {
	Case    CaseRef
	Comment string
}

func (SubmitCase) isEffect()      {}
func (QueryCases) isEffect()      {}
func (AddToCase) isEffect()       {}
func (WithdrawCase) isEffect()    {}
func (RateCase) isEffect()        {}
func (CommentOnRating) isEffect() {}

// Need lists the facts Step asks the Engine for. Only the consumer's own cases are
// ever looked up.
type Need struct {
	OpenCases bool   // the consumer's cases whose status is not final
	Unrated   bool   // the consumer's most recently closed case without a rating
	Number    string // the case with this canonical number, if it is the consumer's
	// Finished asks for the consumer's most recently finished case and the closed
	// case whose rating is due (see Facts.Finished and Facts.RatingDue).
	Finished bool
	// Payment asks for the consumer's case whose payment question waits for
	// an answer (see Facts.Payment).
	Payment bool
	// LapsedPayment asks for the consumer's case whose payment question
	// lapsed unanswered (Facts.LapsedPayment).
	LapsedPayment bool
	// ArbitrationQuestion asks for the case whose arbitration question is open
	// (Facts.ArbitrationCase).
	ArbitrationQuestion bool
	// ProposalQuestion asks for the case whose merchant proposal awaits the
	// consumer's answer (Facts.ProposalCase).
	ProposalQuestion bool
}

// Facts are what the Engine found for a Need; Step receives them in Env.Facts.
type Facts struct {
	// OpenCases are the consumer's open cases, newest first, at most nine (the
	// numbered list StageChooseCase offers).
	OpenCases []*storage.Case
	// Unrated is the consumer's most recently closed case with no rating yet, nil
	// if none. When every recent closed case is rated and exactly one of them has
	// no comment yet, it is that one, with its rating in UnratedRating: a rating
	// word then most likely repeats a turn whose commit was lost after the rating
	// was recorded (see sameRating).
	Unrated       *storage.Case
	UnratedRating *storage.Rating
	// Case is the case Need.Number names, nil if there is none or it belongs to
	// another consumer; the dialog cannot tell those apart, so neither can anyone
	// typing numbers. CaseRated says whether it has a rating (known for closed
	// cases only), and CaseRating is that rating when the Engine read it.
	Case       *storage.Case
	CaseRated  bool
	CaseRating *storage.Rating
	// Finished is the consumer's most recently finished case (its status is
	// final), nil if none. RatingDue is their most recently closed case that has
	// no rating and was closed within the Engine's rating window, nil if none.
	Finished  *storage.Case
	RatingDue *storage.Case
	// Payment is the consumer's case whose agreement's payment question was
	// asked and not answered, nil if none (or the Engine has no Payments).
	Payment *storage.Case
	// LapsedPayment is the consumer's concluded case whose payment question
	// lapsed unanswered and that nobody moved since, nil if none: its mediator
	// is to check with the consumer, so what they write goes there.
	LapsedPayment *storage.Case
	// ArbitrationCase is the consumer's case whose arbitration question (征求仲裁
	// 意愿) is open, nil if none.
	ArbitrationCase *storage.Case
	// ProposalCase is the consumer's case whose merchant proposal (和解平台)
	// awaits their 接受 or 不接受, nil if none.
	ProposalCase *storage.Case
}

// Result is what one step produces. When Need is set the step could not decide
// without facts: the rest of the Result is meaningless, and the caller steps again
// from the same state and input with Env.Facts filled in.
type Result struct {
	State   State
	Replies []string // shown after the effects' output, joined by blank lines
	Effects []Effect
	Need    *Need
}

// ErrVersionConflict is returned by Store.Commit when another message from the same
// consumer changed the state first; the Engine then loads and steps again.
var ErrVersionConflict = errors.New("dialog: state changed concurrently")

// Store keeps dialog state and the replies already given, per consumer.
type Store interface {
	// Load returns the consumer's state (the zero State if none) and, if msgKey was
	// already handled, the reply saved for it with dup=true. One round trip.
	Load(ctx context.Context, openID, msgKey string) (st State, savedReply string, dup bool, err error)

	// Commit atomically, in one round trip: if msgKey was already handled returns its
	// saved reply with dup=true and changes nothing; else if the stored version is not
	// prevVersion returns ErrVersionConflict; else saves next (version prevVersion+1)
	// with the state TTL and records msgKey → reply with the de-duplication TTL.
	Commit(ctx context.Context, openID, msgKey string, prevVersion int64, next State, reply string) (savedReply string, dup bool, err error)
}
