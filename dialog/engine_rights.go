package dialog

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// RightsBackend is what the chat needs from the store to honour a consumer's
// rights over their data; *sqlstore.DB is one.
type RightsBackend interface {
	ConsumerRecords(ctx context.Context, openid string) ([]*storage.ConsumerRecord, error)
	RequestErasure(ctx context.Context, openid string, blobs storage.BlobRemover, by storage.By) (*storage.Erasure, error)
	CorrectContact(ctx context.Context, openid string, field storage.ContactField, value string) (*storage.Correction, error)
}

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
// committed (see forgetAfterCommit).
func (e *Engine) eraseMyData(ctx context.Context, openID string, eff EraseMyData) (string, error) {
	if e.Rights == nil {
		return "", errNoRights
	}
	got, err := e.Rights.RequestErasure(ctx, openID, e.Blobs, storage.By{Actor: storage.ActorConsumer})
	if err != nil {
		return "", fmt.Errorf("erase consumer: %w", err)
	}
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
	return strings.Join(out, "\n"), nil
}

// forgetAfterCommit deletes the consumer's dialog state and saved replies once
// a turn that erased them is committed: before, the commit would write the
// state back. A retry of that very message then finds nothing saved and is
// answered as a 确认删除 with nothing to confirm, which is true.
func (e *Engine) forgetAfterCommit(ctx context.Context, openID string, effects []Effect) error {
	f, ok := e.Store.(consumerForgetter)
	if !ok {
		return nil
	}
	for _, eff := range effects {
		if _, erase := eff.(EraseMyData); erase {
			if _, err := f.ForgetConsumer(ctx, openID); err != nil {
				return fmt.Errorf("forget consumer's dialog: %w", err)
			}
			return nil
		}
	}
	return nil
}
