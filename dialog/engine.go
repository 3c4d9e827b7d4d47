package dialog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// defaultMaxAttempts bounds the load-step-commit loop when messages from the same
// consumer keep racing each other; a handful is plenty in practice.
const defaultMaxAttempts = 8

// DefaultRatingWindow is Engine.RatingWindow when unset: a week, after which an
// unrated case is let be (the consumer has moved on, and the figures count it as
// unrated).
const DefaultRatingWindow = 7 * 24 * time.Hour

// commitRecheckTimeout bounds the Load that asks, after a failed Commit, whether
// the Commit was applied after all. It runs on a fresh deadline, since the turn's
// own has often run out by then, and is kept short: the answer is already late.
const commitRecheckTimeout = 500 * time.Millisecond

// Engine runs one consumer turn: load the state, step (twice if the step asks for
// facts), run the effects, commit the new state together with the reply. It is safe
// for concurrent use; any number of instances may share one Store and one
// CaseBackend.
type Engine struct {
	Store      Store
	Cases      CaseBackend
	Catalogue  *Catalogue
	CasePrefix string
	DraftTTL   time.Duration
	// RatingWindow is how long after closing a case the dialog asks for its
	// rating when the consumer writes; zero means DefaultRatingWindow.
	RatingWindow time.Duration

	// Referrals answers the arbitration question (同意仲裁 / 不同意); nil means
	// the chat knows no such question.
	Referrals storage.ReferralStore
	// Proposals answers a merchant's settlement proposal (接受 / 不接受); nil
	// means the chat knows no such question.
	Proposals storage.ProposalStore

	// Now and NewIntakeKey are injectable for tests; nil means the real ones.
	Now          func() time.Time
	NewIntakeKey func() string
	MaxAttempts  int

	// Payments answers the payment question of mediation agreements (已到账 /
	// 未到账); nil leaves those words to be handled as any other message.
	Payments PaymentBackend

	// Rights answers 我的信息, 更正 and 删除我的信息 (engine_rights.go); Blobs is
	// where an erasure removes evidence bytes (nil: the database's), and
	// Retention the policy 我的信息 quotes for open cases (zero: the default).
	Rights    RightsBackend
	Blobs     storage.BlobRemover
	Retention storage.RetentionPolicy
}

// Handle answers one message or event. msgKey identifies the message across WeChat's
// retries (its MsgId, or sender+time+event for events): a key already handled gets
// the reply saved for it and repeats no effect, and a message put on a case's
// timeline carries it as the event's DedupeKey, so even a retry that arrives before
// the first attempt committed adds the event once. The returned reply may be empty when
// there is nothing to say (e.g. unsubscribe).
//
// On error the state is left as it was, so the consumer's draft is never lost; the
// caller answers with the catalogue's busy message.
func (e *Engine) Handle(ctx context.Context, openID, msgKey string, in Input) (string, error) {
	attempts := e.MaxAttempts
	if attempts <= 0 {
		attempts = defaultMaxAttempts
	}
	for range attempts {
		reply, err := e.turn(ctx, openID, msgKey, in)
		if errors.Is(err, ErrVersionConflict) {
			continue // another message of this consumer won; step again on its state
		}
		return reply, err
	}
	return "", fmt.Errorf("dialog turn: %d attempts lost to concurrent messages: %w", attempts, ErrVersionConflict)
}

// turn is one attempt of Handle.
func (e *Engine) turn(ctx context.Context, openID, msgKey string, in Input) (string, error) {
	st, saved, dup, err := e.load(ctx, openID, msgKey)
	if err != nil {
		return "", fmt.Errorf("load dialog state: %w", err)
	}
	if dup {
		return saved, nil
	}
	res, err := e.step(ctx, openID, msgKey, st, in)
	if err != nil {
		return "", err
	}
	done, err := e.runEffects(ctx, openID, msgKey, res.Effects)
	if err != nil {
		return "", err
	}
	if done.endStage {
		res.State = idleState(res.State)
	}
	if res.State.Stage != StageIdle {
		res.State.NoCases = false // see State.NoCases
	}
	reply := e.Catalogue.FitReply(joinReplies(append(done.texts, res.Replies...)))
	if len(res.Effects) == 0 && sameState(st, res.State) {
		// Nothing to save and nothing done: a retry of this message steps the
		// same state to the same reply, so it needs no saved reply either. Help,
		// and a message from a consumer with no case, cost one round trip.
		return reply, nil
	}
	saved, dup, err = e.Store.Commit(ctx, openID, msgKey, st.Version, res.State, reply)
	if err != nil && !errors.Is(err, ErrVersionConflict) {
		// A Commit that timed out (or lost its connection) may still have been
		// applied. Telling the consumer "busy" then would be wrong: the state has
		// moved on, and the answer they type again would fill the next question.
		if saved, ok := e.committedReply(ctx, openID, msgKey); ok {
			return saved, nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("commit dialog state: %w", err)
	}
	if dup {
		return saved, nil
	}
	e.forgetAfterCommit(ctx, openID, done.forget)
	return reply, nil
}

// committedReply asks the Store, on a short deadline of its own, whether msgKey
// was recorded as handled after all, and returns the reply saved for it if so.
func (e *Engine) committedReply(ctx context.Context, openID, msgKey string) (string, bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitRecheckTimeout)
	defer cancel()
	_, saved, dup, err := e.Store.Load(ctx, openID, msgKey)
	return saved, err == nil && dup
}

// step runs Step and, if it asks for facts, loads them and runs it once more with
// them. Both steps see the same Env, hence the same intake key. A consumer known
// to have no case (State.NoCases) has no facts to load: every fact is about
// their own cases.
func (e *Engine) step(ctx context.Context, openID, msgKey string, st State, in Input) (Result, error) {
	env := e.env(msgKey)
	res := Step(st, in, env)
	if res.Need == nil {
		return res, nil
	}
	need := *res.Need
	facts := &Facts{}
	if !st.NoCases {
		var err error
		if facts, err = e.loadFacts(ctx, openID, need); err != nil {
			return Result{}, err
		}
	}
	env.Facts = facts
	res = Step(st, in, env)
	if res.Need != nil {
		return Result{}, fmt.Errorf("dialog: step asked for facts again: %+v", *res.Need)
	}
	if !st.NoCases && hasNoCase(need, facts) {
		res.State.NoCases = true
	}
	return res, nil
}

// hasNoCase reports whether facts loaded for need show that the consumer has no
// case at all: none open, and none finished.
func hasNoCase(need Need, f *Facts) bool {
	return need.OpenCases && need.Finished && len(f.OpenCases) == 0 && f.Finished == nil
}

// sameState reports whether next saves exactly what st holds: every field of the
// stored form (the JSON in Redis; Version is the Store's) compared as JSON would
// write it, without encoding either, for this runs on every turn. A nil and an
// empty list are both left out of the JSON, and a time is written as its instant
// and offset. TestSameStateIsTheStoredFormsEquality checks it against the JSON of
// every field, so a field added to State and not compared here fails it.
func sameState(st, next State) bool {
	return st.Stage == next.Stage && sameInstant(st.UpdatedAt, next.UpdatedAt) && st.NoCases == next.NoCases &&
		st.IntakeKey == next.IntakeKey && st.Editing == next.Editing && st.RatingAsked == next.RatingAsked &&
		st.ResumeStage == next.ResumeStage && sameDraft(st.Draft, next.Draft) && samePointee(st.Case, next.Case) &&
		slices.EqualFunc(st.Pending, next.Pending, sameCaseMessage) && slices.Equal(st.Choices, next.Choices)
}

// sameInstant reports whether a and b are written alike in JSON: the same
// instant at the same offset from UTC.
func sameInstant(a, b time.Time) bool {
	_, offA := a.Zone()
	_, offB := b.Zone()
	return a.Equal(b) && offA == offB
}

func sameDraft(a, b Draft) bool {
	return a.Category == b.Category && a.MerchantName == b.MerchantName && a.MerchantAddress == b.MerchantAddress &&
		a.PurchaseDate == b.PurchaseDate && a.AmountFen == b.AmountFen && a.Description == b.Description &&
		a.Demand == b.Demand && slices.Equal(a.Photos, b.Photos) && a.Name == b.Name && a.Phone == b.Phone &&
		a.UnitID == b.UnitID && a.UnitAsked == b.UnitAsked && a.SevenDayNoticed == b.SevenDayNoticed &&
		a.SevenDayReturn == b.SevenDayReturn
}

func sameCaseMessage(a, b CaseMessage) bool {
	return a.Text == b.Text && a.Key == b.Key && samePointee(a.Photo, b.Photo)
}

// samePointee reports whether a and b are both nil or point to equal values.
func samePointee[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// env gathers what Step needs from the world for one turn of message msgKey.
func (e *Engine) env(msgKey string) Env {
	key := randomIntakeKey
	if e.NewIntakeKey != nil {
		key = e.NewIntakeKey
	}
	return Env{
		Now:          e.now(),
		Catalogue:    e.Catalogue,
		DraftTTL:     e.DraftTTL,
		CasePrefix:   e.CasePrefix,
		NewIntakeKey: key(),
		MessageKey:   msgKey,
	}
}

// outcome is what one effect produced: the text for the consumer and whether the
// stage Step chose must end because the store refused the action (a case rated
// already cannot take a comment).
type outcome struct {
	text     string
	endStage bool
	forget   int64 // the dialog forget an erasure filed (see forgetAfterCommit)
}

// effectsDone is what a turn's effects produced together: each one's text,
// whether one ended the stage, and the dialog forget an erasure filed.
type effectsDone struct {
	texts    []string
	endStage bool
	forget   int64
}

// runEffects does the I/O the step asked for and returns the text of each
// result, whether one of them ended the stage and the forget an erasure filed.
// msgKey identifies the message for the timeline's de-duplication.
func (e *Engine) runEffects(ctx context.Context, openID, msgKey string, effects []Effect) (effectsDone, error) {
	var done effectsDone
	for _, eff := range effects {
		o, err := e.runEffect(ctx, openID, msgKey, eff)
		if err != nil {
			return effectsDone{}, err
		}
		done.texts = append(done.texts, o.text)
		done.endStage = done.endStage || o.endStage
		done.forget = max(done.forget, o.forget)
	}
	return done, nil
}

// runEffect does one effect.
func (e *Engine) runEffect(ctx context.Context, openID, msgKey string, eff Effect) (outcome, error) {
	var text string
	var err error
	switch eff := eff.(type) {
	case SubmitCase:
		text, err = e.submit(ctx, openID, eff)
	case QueryCases:
		text, err = e.query(ctx, openID, eff)
	case AddToCase:
		text, err = e.addToCase(ctx, msgKey, eff)
	case WithdrawCase:
		return e.withdraw(ctx, eff)
	case RateCase:
		return e.rate(ctx, eff)
	case CommentOnRating:
		return e.comment(ctx, eff)
	case AnswerPayment:
		return e.answerPayment(ctx, eff)
	case AnswerArbitration:
		return e.answerArbitration(ctx, eff)
	case AnswerProposal:
		return e.answerProposal(ctx, eff)
	case ShowMyData:
		text, err = e.showMyData(ctx, openID)
	case CorrectMyContact:
		text, err = e.correctContact(ctx, openID, eff)
	case EraseMyData:
		return e.eraseMyData(ctx, openID, eff)
	default:
		err = fmt.Errorf("dialog: unknown effect %T", eff)
	}
	return outcome{text: text}, err
}

// submit files the draft. CreateCase is idempotent on the intake key, so a retried
// or re-stepped turn returns the same case instead of filing a second one.
func (e *Engine) submit(ctx context.Context, openID string, eff SubmitCase) (string, error) {
	c, err := e.Cases.CreateCase(ctx, e.CasePrefix, newCaseFromDraft(openID, eff))
	if err != nil {
		return "", fmt.Errorf("submit case: %w", err)
	}
	return e.Catalogue.Submitted(c), nil
}

func newCaseFromDraft(openID string, eff SubmitCase) storage.NewCase {
	d := eff.Draft
	nc := storage.NewCase{
		OpenID:          openID,
		IntakeKey:       eff.IntakeKey,
		Category:        d.Category,
		MerchantName:    d.MerchantName,
		MerchantAddress: d.MerchantAddress,
		PurchaseDate:    d.PurchaseDate,
		AmountFen:       d.AmountFen,
		Description:     d.Description,
		Demand:          d.Demand,
		ComplainantName: d.Name,
		Phone:           d.Phone,
		UnitID:          d.UnitID,
		SevenDayReturn:  d.SevenDayReturn,
	}
	for _, p := range d.Photos {
		nc.Evidence = append(nc.Evidence, newEvidence(p))
	}
	return nc
}

// newEvidence is the evidence record of a photo or voice message.
func newEvidence(p Photo) storage.NewEvidence {
	return storage.NewEvidence{Kind: p.evidenceKind(), MediaID: p.MediaID, PicURL: p.PicURL}
}

// queryListLimit is how many cases a 查询 lists; a chat bubble holds about that many.
// The newest queryListReplies of them also show the mediator's latest reply: more
// would not fit in one passive reply (about 2 KB).
const (
	queryListLimit   = 10
	queryListReplies = 3
)

// query shows the consumer's own cases, each with the mediator's latest reply: a
// reply pushed outside WeChat's 48-hour window went out as a template message that
// only points here. A number that exists but belongs to someone else reads exactly
// like one that does not exist, so numbers cannot be probed. Only this effect reads
// timelines; the intake never does.
func (e *Engine) query(ctx context.Context, openID string, eff QueryCases) (string, error) {
	if eff.Number == "" {
		cases, _, err := e.Cases.FindCases(ctx, storage.CaseFilter{OpenID: &openID, Limit: queryListLimit})
		if err != nil {
			return "", fmt.Errorf("list cases: %w", err)
		}
		replies := make(map[int64]*storage.Event, len(cases))
		for i, c := range cases {
			if c == nil || i >= queryListReplies {
				continue
			}
			if replies[c.ID], err = e.latestReply(ctx, c.ID); err != nil {
				return "", err
			}
		}
		return e.Catalogue.CaseList(cases, replies), nil
	}
	c, err := e.findOwnCase(ctx, openID, eff.Number)
	if err != nil {
		return "", err
	}
	if c == nil {
		return e.Catalogue.CaseNotFound(eff.Number), nil
	}
	reply, err := e.latestReply(ctx, c.ID)
	if err != nil {
		return "", err
	}
	detail := e.Catalogue.CaseDetail(c, reply)
	if c.Status == storage.StatusAwaitingMaterial {
		material, err := e.materialAsked(ctx, c.ID)
		if err != nil {
			return "", err
		}
		detail += e.Catalogue.MaterialAsked(c, material)
	}
	return detail, nil
}

// materialAsked returns what the mediator last asked the consumer to send: the
// reason of the latest move to 待补正 on the timeline ("调解中 → 待补正：<material>").
// A template card outside WeChat's 48-hour window cannot carry it, so 查询 shows it.
func (e *Engine) materialAsked(ctx context.Context, caseID int64) (string, error) {
	events, err := e.Cases.ListEvents(ctx, caseID)
	if err != nil {
		return "", fmt.Errorf("list case events: %w", err)
	}
	marker := "→ " + storage.StatusAwaitingMaterial.Label() + "："
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		if _, material, ok := strings.Cut(ev.Body, marker); ok && ev.Kind == storage.EventStatusChange {
			return material, nil
		}
	}
	return "", nil
}

// latestReply returns the case's latest staff reply, nil if it has none.
func (e *Engine) latestReply(ctx context.Context, caseID int64) (*storage.Event, error) {
	events, err := e.Cases.ListEvents(ctx, caseID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("list case events: %w", err)
	}
	for i := len(events) - 1; i >= 0; i-- { // oldest first
		if ev := events[i]; ev != nil && ev.Kind == storage.EventStaffReply && strings.TrimSpace(ev.Body) != "" {
			return ev, nil
		}
	}
	return nil, nil
}

func joinReplies(parts []string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n")
}

// randomIntakeKey returns 128 random bits in hex.
func randomIntakeKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
