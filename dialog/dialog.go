// Package dialog is the consumer-side intake conversation: a pure step function
// (state, input) → (state, replies, effects), its prompts and validators, and the
// Redis store that keeps each consumer's state between messages.
//
// The step function never does I/O. Work that needs the database (submitting a
// case, listing the consumer's cases) is returned as an Effect; the Engine runs it
// and puts its result in front of the step's own replies.
package dialog

import (
	"context"
	"errors"
	"time"
)

// InputKind says what the consumer sent.
type InputKind string

// Input kinds, mapped by the bot from WeChat message and event types.
const (
	InputText        InputKind = "text"        // Text holds the content
	InputVoice       InputKind = "voice"       // Text holds WeChat's Recognition (may be empty)
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

// Draft is the complaint being collected.
type Draft struct {
	Category        string  `json:"category,omitempty"`
	MerchantName    string  `json:"merchant_name,omitempty"`
	MerchantAddress string  `json:"merchant_address,omitempty"`
	PurchaseDate    string  `json:"purchase_date,omitempty"` // "2006-01-02"
	AmountFen       int64   `json:"amount_fen,omitempty"`
	Description     string  `json:"description,omitempty"`
	Demand          string  `json:"demand,omitempty"`
	Photos          []Photo `json:"photos,omitempty"`
	Name            string  `json:"name,omitempty"`
	Phone           string  `json:"phone,omitempty"`
}

// Photo is an image the consumer sent during intake.
type Photo struct {
	MediaID string `json:"media_id"`
	PicURL  string `json:"pic_url,omitempty"`
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

func (SubmitCase) isEffect() {}
func (QueryCases) isEffect() {}

// Result is what one step produces.
type Result struct {
	State   State
	Replies []string // shown after the effects' output, joined by blank lines
	Effects []Effect
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
