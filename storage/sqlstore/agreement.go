package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.AgreementStore = (*DB)(nil)

// agreementColumns are the case_agreements columns in agreementRow order.
const agreementColumns = `case_id, terms, amount_fen, payment_due, merchant_name, credit_code,
	mediator, version, created_at, updated_at, issued_at, payment_asks, next_ask_at,
	payment_answer, answered_at, last_asked_at`

// agreementRow scans an agreement with its nullable times.
type agreementRow struct {
	storage.Agreement
	IssuedAt   sql.NullTime `db:"issued_at"`
	NextAskAt  sql.NullTime `db:"next_ask_at"`
	AnsweredAt sql.NullTime `db:"answered_at"`
	LastAsked  sql.NullTime `db:"last_asked_at"`
}

// agreement converts the row, NULL times to zero ones.
func (r *agreementRow) agreement() *storage.Agreement {
	a := r.Agreement
	a.IssuedAt, a.NextAskAt, a.AnsweredAt = r.IssuedAt.Time, r.NextAskAt.Time, r.AnsweredAt.Time
	a.LastAskedAt = r.LastAsked.Time
	return &a
}

// SaveAgreement implements storage.AgreementStore.
func (d *DB) SaveAgreement(ctx context.Context, draft storage.AgreementDraft) (*storage.Agreement, error) {
	draft.Normalize()
	staffID, ok := storage.StaffIDFromActor(draft.By.Actor)
	if !ok {
		return nil, storage.Errorf(storage.EINVALID, "an agreement is written by a staff member")
	}
	if err := draft.Validate(); err != nil {
		return nil, err
	}
	var a *storage.Agreement
	err := d.inWriteTx(ctx, "save agreement", func(tx *sqlx.Tx) error {
		c, err := findCaseByID(ctx, tx, draft.CaseID, forUpdate(tx))
		if err != nil {
			return err
		}
		if !agreementEditable(c.Status) {
			return storage.Errorf(storage.ECONFLICT, "案件 %s 当前为“%s”，只有调解中或调解成功的案件可以拟定调解协议书。",
				c.Number, c.Status.Label())
		}
		now := dbTime(d.now())
		version, err := writeAgreement(ctx, tx, &draft, staffID, now)
		if err != nil {
			return err
		}
		if err := agreementEvent(ctx, tx, c.ID, draft.By.Actor, agreementSavedBody(&draft, version), now); err != nil {
			return err
		}
		detail := fmt.Sprintf("调解协议书第 %d 版", version)
		if err := auditStaff(ctx, tx, draft.By, storage.AuditAgreementSave, c.ID, detail, now); err != nil {
			return err
		}
		a, err = findAgreement(ctx, tx, c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// agreementEditable reports whether a case in status s may have its agreement
// drafted: while mediation goes on, and once it succeeded.
func agreementEditable(s storage.Status) bool {
	switch s {
	case storage.StatusMediating, storage.StatusAppraisal, storage.StatusReferred, storage.StatusResolved:
		return true
	}
	return false
}

// writeAgreement inserts the draft as version 1 or updates the existing draft
// read at draft.Version, and returns the new version. ECONFLICT for an issued
// agreement or a stale form.
func writeAgreement(
	ctx context.Context, tx *sqlx.Tx, draft *storage.AgreementDraft, staffID int64, now time.Time,
) (int, error) {
	old, err := findAgreement(ctx, tx, draft.CaseID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		q := tx.Rebind(`INSERT INTO case_agreements (case_id, terms, amount_fen, payment_due,
			merchant_name, credit_code, mediator, version, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`)
		_, err := tx.ExecContext(ctx, q, draft.CaseID, draft.Terms, draft.AmountFen, draft.PaymentDue,
			draft.MerchantName, draft.CreditCode, draft.Mediator, staffID, now, now)
		if err != nil {
			return 0, fmt.Errorf("insert agreement: %w", err)
		}
		return 1, nil
	case err != nil:
		return 0, err
	case old.Issued():
		return 0, storage.Errorf(storage.ECONFLICT, "调解协议书已经出具，不能再修改。")
	case draft.Version != old.Version:
		return 0, storage.Errorf(storage.ECONFLICT, "调解协议书已被他人修改（现为第 %d 版），请刷新后再改。", old.Version)
	}
	q := tx.Rebind(`UPDATE case_agreements SET terms = ?, amount_fen = ?, payment_due = ?,
		merchant_name = ?, credit_code = ?, mediator = ?, version = version + 1, updated_at = ?
		WHERE case_id = ? AND version = ? AND issued_at IS NULL`)
	res, err := tx.ExecContext(ctx, q, draft.Terms, draft.AmountFen, draft.PaymentDue, draft.MerchantName,
		draft.CreditCode, draft.Mediator, now, draft.CaseID, old.Version)
	if err := onceOrConflict(res, err, "调解协议书已被他人修改，请刷新后再改。"); err != nil {
		return 0, err
	}
	return old.Version + 1, nil
}

// agreementSavedBody is the timeline's copy of a version: the whole text, so the
// history of the draft stays readable after later edits.
func agreementSavedBody(d *storage.AgreementDraft, version int) string {
	body := fmt.Sprintf("调解协议书第 %d 版：被投诉方 %s（统一社会信用代码 %s），调解员 %s。",
		version, d.MerchantName, d.CreditCode, d.Mediator)
	if d.AmountFen > 0 {
		body += fmt.Sprintf("协议金额 %s（%s），付款日期 %s。",
			storage.FormatYuan(d.AmountFen), storage.AmountInCapitals(d.AmountFen), d.PaymentDue)
	}
	return body + "条款：" + d.Terms
}

// agreementEvent puts a note about the agreement on the case's timeline.
func agreementEvent(ctx context.Context, tx *sqlx.Tx, caseID int64, actor, body string, now time.Time) error {
	return insertEvent(ctx, tx, &storage.Event{
		CaseID: caseID, Kind: storage.EventNote, Actor: actor, Body: body, CreatedAt: now,
	})
}

// IssueAgreement implements storage.AgreementStore.
func (d *DB) IssueAgreement(ctx context.Context, caseID int64, by storage.By) (*storage.Agreement, error) {
	if _, ok := storage.StaffIDFromActor(by.Actor); !ok {
		return nil, storage.Errorf(storage.EINVALID, "an agreement is issued by a staff member")
	}
	var a *storage.Agreement
	err := d.inWriteTx(ctx, "issue agreement", func(tx *sqlx.Tx) error {
		c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
		if err != nil {
			return err
		}
		if a, err = findAgreement(ctx, tx, c.ID); err != nil {
			return err
		}
		switch {
		case a.Issued():
			return storage.Errorf(storage.ECONFLICT, "调解协议书已经出具。")
		case c.Status != storage.StatusResolved:
			return storage.Errorf(storage.ECONFLICT, "案件 %s 当前为“%s”，请先结案登记“达成调解协议”或“协商和解”（调解成功）后再出具调解协议书。",
				c.Number, c.Status.Label())
		}
		now := dbTime(d.now())
		if err := markIssued(ctx, tx, a, now); err != nil {
			return err
		}
		return announceAgreement(ctx, tx, c, a, by, now)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// markIssued stamps a as issued and schedules the first payment question on the
// payment date's morning; an agreement without money has no follow-up.
func markIssued(ctx context.Context, tx *sqlx.Tx, a *storage.Agreement, now time.Time) error {
	var next sql.NullTime
	if a.AmountFen > 0 {
		at, err := storage.PaymentAskTime(a.PaymentDue)
		if err != nil {
			return err
		}
		next = sql.NullTime{Time: dbTime(at), Valid: true}
	}
	q := tx.Rebind(`UPDATE case_agreements SET issued_at = ?, next_ask_at = ?, updated_at = ?
		WHERE case_id = ? AND issued_at IS NULL`)
	res, err := tx.ExecContext(ctx, q, now, next, now, a.CaseID)
	if err := onceOrConflict(res, err, "调解协议书已经出具。"); err != nil {
		return err
	}
	a.IssuedAt, a.NextAskAt, a.UpdatedAt = now, next.Time, now
	return nil
}

// announceAgreement writes what issuing tells: the timeline, the consumer's copy
// of the terms through the outbox, and the audit entry.
func announceAgreement(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, a *storage.Agreement, by storage.By, now time.Time,
) error {
	body := fmt.Sprintf("调解协议书（第 %d 版）已出具，条款已发送给消费者。", a.Version)
	if err := agreementEvent(ctx, tx, c.ID, by.Actor, body, now); err != nil {
		return err
	}
	text := a.Terms
	if facts := a.PaymentFacts(); facts != "" {
		text += "\n协议金额：" + facts
	}
	nn := caseNotice(c, storage.NewNotification{Kind: storage.NoticeAgreement, Text: text})
	if _, err := insertNotification(ctx, tx, nn, 0, now); err != nil {
		return err
	}
	detail := fmt.Sprintf("出具调解协议书第 %d 版", a.Version)
	return auditStaff(ctx, tx, by, storage.AuditAgreementIssue, c.ID, detail, now)
}

// FindAgreement implements storage.AgreementStore.
func (d *DB) FindAgreement(ctx context.Context, caseID int64) (*storage.Agreement, error) {
	var a *storage.Agreement
	err := d.inReadTx(ctx, "find agreement", func(tx *sqlx.Tx) error {
		var err error
		a, err = findAgreement(ctx, tx, caseID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// findAgreement reads the case's agreement in tx, ENOTFOUND if none.
func findAgreement(ctx context.Context, tx *sqlx.Tx, caseID int64) (*storage.Agreement, error) {
	var rows []agreementRow
	q := tx.Rebind("SELECT " + agreementColumns + " FROM case_agreements WHERE case_id = ?")
	if err := tx.SelectContext(ctx, &rows, q, caseID); err != nil {
		return nil, fmt.Errorf("find agreement: %w", err)
	}
	if len(rows) == 0 {
		return nil, storage.Errorf(storage.ENOTFOUND, "case %d has no agreement", caseID)
	}
	return rows[0].agreement(), nil
}
