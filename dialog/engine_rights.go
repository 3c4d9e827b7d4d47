package dialog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// RightsBackend is what the chat needs from the store to honour a consumer's
// rights over their data; *sqlstore.DB is one.
type RightsBackend interface {
	ConsumerRecords(ctx context.Context, openid string) ([]*storage.ConsumerRecord, error)
	RequestErasure(ctx context.Context, openid string, blobs storage.BlobRemover, by storage.By) (*storage.Erasure, error)
	CorrectContact(ctx context.Context, openid string, field storage.ContactField, value string) (*storage.Correction, error)
	// The pending forgets that make the erasure of the dialog's own keys
	// durable (see forgetAfterCommit).
	storage.ForgetStore
}

// forgetDelay is how long a filed dialog forget waits before the worker may
// do it: well past a turn's 5 seconds, so the worker never deletes the state
// before the turn that filed it has committed (the commit would write it back).
const forgetDelay = time.Minute

// forgetTimeout bounds the forget after the commit: the reply is ready and
// WeChat's 5 seconds are running; if Redis does not answer in time, the filed
// forget is the worker's to do.
const forgetTimeout = time.Second

// consumerForgetter is a Store that can delete everything it keeps on one
// consumer (RedisStore.ForgetConsumer).
type consumerForgetter interface {
	ForgetConsumer(ctx context.Context, openID string) (int, error)
}

// errNoRights is returned when a rights effect runs on an Engine without Rights.
var errNoRights = fmt.Errorf("dialog: no rights backend configured")

// showMyData lists what is held on the consumer: each case that still holds
// their data, with the name and phone masked as staff lists mask them, and how
// long it is kept.
func (e *Engine) showMyData(ctx context.Context, openID string) (string, error) {
	if e.Rights == nil {
		return "", errNoRights
	}
	recs, err := e.Rights.ConsumerRecords(ctx, openID)
	if err != nil {
		return "", fmt.Errorf("consumer records: %w", err)
	}
	c := e.Catalogue
	if len(recs) == 0 {
		return c.text(msgRightsNothingHeld), nil
	}
	lines := []string{c.text(msgRightsRecordsHead, "Count", strconv.Itoa(len(recs)))}
	for _, r := range recs {
		lines = append(lines, c.text(msgRightsRecordLine, "Number", r.Number, "Status", r.Status.Label(),
			"Name", storage.MaskName(r.Name), "Phone", storage.MaskPhone(r.Phone), "Kept", e.kept(r)))
	}
	lines = append(lines, c.text(msgRightsRecordsTail))
	return strings.Join(lines, "\n"), nil
}

// kept says how long r's data is kept: until a date once finished, for a period
// after closing while open, or while a legal hold lasts.
func (e *Engine) kept(r *storage.ConsumerRecord) string {
	c := e.Catalogue
	switch {
	case r.LegalHold:
		return c.text(msgRightsKeptHeld)
	case !r.Until.IsZero():
		return c.text(msgRightsKeptUntil, "Date", r.Until.In(shanghai).Format("2006年1月2日"))
	}
	return c.text(msgRightsKeptOpen, "Period", retentionPeriod(e.Retention.OrDefault()))
}

// retentionPeriod says the shortest to longest retention, in years when whole:
// an open case's outcome, and so its class, is not known yet.
func retentionPeriod(p storage.RetentionPolicy) string {
	lo := min(p.RejectedMonths, p.WithdrawnMonths, p.MediatedMonths, p.ArbitrationMonths, p.OtherMonths)
	hi := max(p.RejectedMonths, p.WithdrawnMonths, p.MediatedMonths, p.ArbitrationMonths, p.OtherMonths)
	unit, div := "个月", 1
	if lo%12 == 0 && hi%12 == 0 {
		unit, div = "年", 12
	}
	if lo == hi {
		return strconv.Itoa(lo/div) + unit
	}
	return strconv.Itoa(lo/div) + "至" + strconv.Itoa(hi/div) + unit
}

// correctContact corrects the consumer's open cases and says which it changed
// and which were closed.
func (e *Engine) correctContact(ctx context.Context, openID string, eff CorrectMyContact) (string, error) {
	if e.Rights == nil {
		return "", errNoRights
	}
	got, err := e.Rights.CorrectContact(ctx, openID, storage.ContactField(eff.Field), eff.Value)
	if err != nil {
		return "", fmt.Errorf("correct contact: %w", err)
	}
	c := e.Catalogue
	var out []string
	if len(got.Corrected) > 0 {
		field, value := "姓名", eff.Value
		if eff.Field == string(storage.ContactPhone) {
			field, value = "联系电话", storage.MaskPhone(eff.Value)
		}
		out = append(out, c.text(msgRightsCorrected, "Numbers", strings.Join(got.Corrected, "、"),
			"Field", field, "Value", value))
	}
	if len(got.Closed) > 0 {
		out = append(out, c.text(msgRightsCorrectClosed, "Numbers", strings.Join(got.Closed, "、")))
	}
	if len(out) == 0 {
		out = append(out, c.text(msgRightsCorrectNone))
	}
	return strings.Join(out, "\n"), nil
}

// eraseMyData deletes what the store holds on the consumer and says what was
// done and what waits for the desk. The dialog's own keys go after the turn is
// committed (see forgetAfterCommit); the forget filed here, once the database's
// erasure is done, makes sure they go even if Redis fails then.
func (e *Engine) eraseMyData(ctx context.Context, openID string, eff EraseMyData) (outcome, error) {
	if e.Rights == nil {
		return outcome{}, errNoRights
	}
	got, err := e.Rights.RequestErasure(ctx, openID, e.Blobs, storage.By{Actor: storage.ActorConsumer})
	if err != nil {
		return outcome{}, fmt.Errorf("erase consumer: %w", err)
	}
	var forget int64
	if _, ok := e.Store.(consumerForgetter); ok {
		// Before the reply promises the chat is deleted. If this fails the
		// turn fails; the consumer's retry erases again, which is idempotent.
		if forget, err = e.Rights.FileDialogForget(ctx, openID, forgetDelay); err != nil {
			return outcome{}, fmt.Errorf("file dialog forget: %w", err)
		}
	}
	return outcome{text: e.erasureReply(got, eff), forget: forget}, nil
}

// erasureReply says what an erasure did: the closed cases erased, the open ones
// waiting for the desk until their due day, the held ones kept, and the chat
// deleted.
func (e *Engine) erasureReply(got *storage.Erasure, eff EraseMyData) string {
	c := e.Catalogue
	var out []string
	if len(got.Erased) > 0 {
		out = append(out, c.text(msgRightsErased, "Numbers", strings.Join(got.Erased, "、")))
	}
	for _, r := range got.Requested {
		out = append(out, c.text(msgRightsErasePending, "Numbers", r.CaseNumber, "Due", r.DueOn))
	}
	if len(got.Held) > 0 {
		var held []string
		for _, r := range got.Held {
			held = append(held, r.Number)
		}
		out = append(out, c.text(msgRightsEraseHeld, "Numbers", strings.Join(held, "、")))
	}
	if len(out) == 0 {
		out = append(out, c.text(msgRightsEraseNothing))
	}
	draft := "0"
	if eff.HadDraft {
		draft = "1"
	}
	out = append(out, c.text(msgRightsEraseChat, "Draft", draft))
	return strings.Join(out, "\n")
}

// forgetAfterCommit deletes the consumer's dialog state and saved replies once
// a turn that erased them (and filed forget) is committed: before, the commit
// would write the state back. A retry of that very message then finds nothing
// saved and is answered as a 确认删除 with nothing to confirm, which is true.
// A failure here does not change the reply: the database's erasure is done and
// the reply says so truly, and the filed forget stays for the worker
// (RedisStore.RetryForgets), which deletes the keys once Redis answers. If only
// the removal of the filed forget fails, the worker forgets again: harmless.
func (e *Engine) forgetAfterCommit(ctx context.Context, openID string, forget int64) {
	f, ok := e.Store.(consumerForgetter)
	if !ok || forget == 0 {
		return
	}
	fctx, cancel := context.WithTimeout(ctx, forgetTimeout)
	defer cancel()
	if _, err := f.ForgetConsumer(fctx, openID); err != nil {
		return
	}
	_ = e.Rights.DialogForgetDone(fctx, forget)
}
