package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// CorrectContact sets the consumer's name or phone on their open cases (see
// storage.RightsStore). Each case is its own transaction under its row lock,
// re-checked there: a case that finished meanwhile is reported closed.
func (d *DB) CorrectContact(
	ctx context.Context, openid string, field storage.ContactField, value string,
) (*storage.Correction, error) {
	column, label := contactColumn(field)
	value = strings.TrimSpace(value)
	if openid == "" || column == "" || value == "" {
		return nil, storage.Errorf(storage.EINVALID, "an openid, a field (name or phone) and a value are required")
	}
	recs, err := d.ConsumerRecords(ctx, openid)
	if err != nil {
		return nil, err
	}
	out := &storage.Correction{Corrected: []string{}, Closed: []string{}}
	for _, rec := range recs {
		var open bool
		err := d.inWriteTx(ctx, "correct contact", func(tx *sqlx.Tx) error {
			var err error
			open, err = d.correctCase(ctx, tx, rec.CaseID, column, label, value)
			return err
		})
		switch {
		case err != nil:
			return out, err
		case open:
			out.Corrected = append(out.Corrected, rec.Number)
		default:
			out.Closed = append(out.Closed, rec.Number)
		}
	}
	return out, nil
}

// contactColumn is the cases column of field and its Chinese name.
func contactColumn(field storage.ContactField) (column, label string) {
	switch field {
	case storage.ContactName:
		return "complainant_name", "姓名"
	case storage.ContactPhone:
		return "phone", "联系电话"
	}
	return "", ""
}

// correctCase corrects one case in tx if it is open, with a timeline entry
// (the old value masked: the timeline is read by every mediator of the unit
// and is not where an old number should live on) and an audit entry.
func (d *DB) correctCase(ctx context.Context, tx *sqlx.Tx, id int64, column, label, value string) (bool, error) {
	c, err := findCaseByID(ctx, tx, id, forUpdate(tx))
	if err != nil || c.Anonymised || c.Status.Final() {
		return false, err
	}
	old := c.ComplainantName
	if column == "phone" {
		old = c.Phone
	}
	if old == value {
		return true, nil // a repeated correction changes nothing and says nothing
	}
	now := dbTime(d.now())
	if _, err := tx.ExecContext(ctx, tx.Rebind("UPDATE cases SET "+column+" = ?, updated_at = ? WHERE id = ?"),
		value, now, id); err != nil {
		return false, fmt.Errorf("correct %s: %w", column, err)
	}
	body := fmt.Sprintf("消费者在微信中更正了%s（原%s：%s）", label, label, maskContact(column, old))
	if err := insertEvent(ctx, tx, &storage.Event{CaseID: id, Kind: storage.EventNote,
		Actor: storage.ActorConsumer, Body: body, CreatedAt: now}); err != nil {
		return false, err
	}
	return true, insertAudit(ctx, tx, &storage.AuditEntry{Action: storage.AuditContactCorrect, CaseID: id,
		Detail: "消费者更正" + label, CreatedAt: now})
}

// maskContact masks an old name or phone as lists show them.
func maskContact(column, v string) string {
	if column == "phone" {
		return storage.MaskPhone(v)
	}
	return storage.MaskName(v)
}
