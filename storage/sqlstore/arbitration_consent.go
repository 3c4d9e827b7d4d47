package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

const consentColumns = "id, case_id, asked_by, asked_at, answer, answered_at"

// consentRow is an arbitration_consents row as scanned: answered_at is NULL
// until the consumer answers.
type consentRow struct {
	storage.ArbitrationConsent
	AnsweredAt sql.NullTime `db:"answered_at"`
}

// consentAnswerLabels are the answers as the timeline shows them.
var consentAnswerLabels = map[string]string{storage.ConsentAgreed: "同意仲裁", storage.ConsentRefused: "不同意仲裁"}

// AskArbitrationConsent implements storage.ReferralStore.
func (d *DB) AskArbitrationConsent(ctx context.Context, caseID int64, by storage.By) (*storage.ArbitrationConsent, error) {
	if by.Actor == "" {
		return nil, storage.Errorf(storage.EINVALID, "征求仲裁意愿需要记录操作人。")
	}
	var cs *storage.ArbitrationConsent
	err := d.inWriteTx(ctx, "ask arbitration consent", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
		if err != nil {
			return err
		}
		if !c.Status.CanMoveTo(storage.StatusReferred) {
			return storage.Errorf(storage.ECONFLICT, "案件当前为“%s”，不能转办，无需征求仲裁意愿。", c.Status.Label())
		}
		q := tx.Rebind("INSERT INTO arbitration_consents (case_id, asked_by, asked_at) VALUES (?, ?, ?)")
		if _, err := tx.ExecContext(ctx, q, c.ID, by.Actor, now); err != nil {
			return fmt.Errorf("insert arbitration consent: %w", err)
		}
		if cs, err = latestConsent(ctx, tx, c.ID); err != nil {
			return err
		}
		return askConsentEffects(ctx, tx, c, by, now)
	})
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// askConsentEffects writes what asking for consent leaves behind: the timeline
// event, the question in the consumer's WeChat and the audit entry.
func askConsentEffects(ctx context.Context, tx *sqlx.Tx, c *storage.Case, by storage.By, now time.Time) error {
	err := insertEvent(ctx, tx, &storage.Event{CaseID: c.ID, Kind: storage.EventReferral, Actor: by.Actor,
		Body: "征求仲裁意愿：已请消费者回复 同意仲裁 或 不同意", CreatedAt: now})
	if err != nil {
		return err
	}
	nn := caseNotice(c, storage.NewNotification{Kind: storage.NoticeArbitrationConsent})
	if _, err := insertNotification(ctx, tx, nn, 0, now); err != nil {
		return err
	}
	return auditStaff(ctx, tx, by, storage.AuditArbitrationAsk, c.ID, "征求仲裁意愿", now)
}

// AnswerArbitrationConsent implements storage.ReferralStore. Answering again
// with the same answer returns the recorded one (a retried message); a
// different answer needs a new question.
func (d *DB) AnswerArbitrationConsent(ctx context.Context, caseID int64, answer string) (*storage.ArbitrationConsent, error) {
	label, ok := consentAnswerLabels[answer]
	if !ok {
		return nil, storage.Errorf(storage.EINVALID, "unknown arbitration consent answer %q", answer)
	}
	var cs *storage.ArbitrationConsent
	err := d.inWriteTx(ctx, "answer arbitration consent", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		if _, err := findCaseByID(ctx, tx, caseID, forUpdate(tx)); err != nil {
			return err
		}
		var err error
		if cs, err = latestConsent(ctx, tx, caseID); storage.ErrorCode(err) == storage.ENOTFOUND {
			return storage.Errorf(storage.ECONFLICT, "case %d has no arbitration question open", caseID)
		} else if err != nil {
			return err
		}
		switch cs.Answer {
		case answer:
			return errRollback
		case "":
		default:
			return storage.Errorf(storage.ECONFLICT, "case %d: the arbitration question was answered already", caseID)
		}
		q := tx.Rebind("UPDATE arbitration_consents SET answer = ?, answered_at = ? WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, answer, now, cs.ID); err != nil {
			return fmt.Errorf("answer arbitration consent: %w", err)
		}
		cs.Answer, cs.AnsweredAt = answer, now
		return insertEvent(ctx, tx, &storage.Event{CaseID: caseID, Kind: storage.EventReferral,
			Actor: storage.ActorConsumer, Body: "消费者答复仲裁意愿：" + label, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// FindArbitrationConsent implements storage.ReferralStore.
func (d *DB) FindArbitrationConsent(ctx context.Context, caseID int64) (*storage.ArbitrationConsent, error) {
	var cs *storage.ArbitrationConsent
	err := d.inReadTx(ctx, "find arbitration consent", func(tx *sqlx.Tx) error {
		var err error
		cs, err = latestConsent(ctx, tx, caseID)
		return err
	})
	return cs, err
}

// PendingArbitrationConsent implements storage.ReferralStore: only open cases
// that could still be referred count.
func (d *DB) PendingArbitrationConsent(ctx context.Context, openID string) (*storage.Case, error) {
	var c *storage.Case
	err := d.inReadTx(ctx, "pending arbitration consent", func(tx *sqlx.Tx) error {
		var err error
		c, err = findCase(ctx, tx, `open_id = ? AND status IN (?, ?) AND id IN (
			SELECT a.case_id FROM arbitration_consents a WHERE a.answer = '' AND a.id = (
				SELECT max(b.id) FROM arbitration_consents b WHERE b.case_id = a.case_id))
			ORDER BY updated_at DESC, id DESC LIMIT 1`,
			openID, storage.StatusAccepted, storage.StatusMediating)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// latestConsent returns the case's latest question. ENOTFOUND if none.
func latestConsent(ctx context.Context, tx *sqlx.Tx, caseID int64) (*storage.ArbitrationConsent, error) {
	row, err := selectOne[consentRow](ctx, tx, "SELECT "+consentColumns+
		" FROM arbitration_consents WHERE case_id = ? ORDER BY id DESC LIMIT 1", "arbitration consent", caseID)
	if err != nil {
		return nil, err
	}
	cs := row.ArbitrationConsent
	cs.AskedAt, cs.AnsweredAt = cs.AskedAt.UTC(), nullTime(row.AnsweredAt)
	return &cs, nil
}
