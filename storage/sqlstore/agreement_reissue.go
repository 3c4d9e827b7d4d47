package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/complaintbot/complaintbot/storage"
)

// ReissueAgreement implements storage.AgreementStore.
func (d *DB) ReissueAgreement(
	ctx context.Context, caseID int64, paymentDue string, by storage.By,
) (*storage.Agreement, error) {
	if _, ok := storage.StaffIDFromActor(by.Actor); !ok {
		return nil, storage.Errorf(storage.EINVALID, "an agreement is reissued by a staff member")
	}
	paymentDue = strings.TrimSpace(paymentDue)
	askAt, err := storage.PaymentAskTime(paymentDue)
	if err != nil {
		return nil, storage.Errorf(storage.EINVALID, "付款日期格式应为 2026-01-31。")
	}
	if paymentDue < d.now().In(chinaTime).Format(time.DateOnly) {
		return nil, storage.Errorf(storage.EINVALID, "新的付款日期不能早于今天。")
	}
	var a *storage.Agreement
	err = d.inWriteTx(ctx, "reissue agreement", func(tx *sqlx.Tx) error {
		c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
		if err != nil {
			return err
		}
		old, err := findAgreement(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := reissuable(c, old); err != nil {
			return err
		}
		now := dbTime(d.now())
		q := tx.Rebind(`UPDATE case_agreements SET payment_due = ?, version = version + 1, issued_at = ?,
			payment_asks = 0, next_ask_at = ?, payment_answer = '', answered_at = NULL, last_asked_at = NULL, updated_at = ?
			WHERE case_id = ? AND version = ? AND payment_answer IN (?, ?)`)
		res, err := tx.ExecContext(ctx, q, paymentDue, now, dbTime(askAt), now, c.ID, old.Version,
			storage.PaymentNotReceived, storage.PaymentExpired)
		if err := onceOrConflict(res, err, "调解协议书已被他人修改，请刷新后再试。"); err != nil {
			return err
		}
		if a, err = findAgreement(ctx, tx, c.ID); err != nil {
			return err
		}
		return announceReissue(ctx, tx, c, a, old.PaymentDue, by, now)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// reissuable says why an agreement may not get a new payment date, nil if it may.
func reissuable(c *storage.Case, a *storage.Agreement) error {
	switch {
	case !a.Issued() || a.AmountFen == 0 ||
		(a.PaymentAnswer != storage.PaymentNotReceived && a.PaymentAnswer != storage.PaymentExpired):
		return storage.Errorf(storage.ECONFLICT, "只有消费者答复“未到账”或逾期未答复的已出具协议书可以重新约定付款日期。")
	case c.Status != storage.StatusResolved:
		return storage.Errorf(storage.ECONFLICT, "案件 %s 当前为“%s”，请先结案登记调解成功，再重新出具协议书。",
			c.Number, c.Status.Label())
	}
	return nil
}

// announceReissue writes what a reissue tells: the timeline, the consumer's
// copy of the terms with the new date through the outbox, and the audit entry.
func announceReissue(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, a *storage.Agreement, oldDue string, by storage.By, now time.Time,
) error {
	body := fmt.Sprintf("调解协议书重新出具（第 %d 版）：付款日期由 %s 改为 %s，已发送给消费者。", a.Version, oldDue, a.PaymentDue)
	if err := agreementEvent(ctx, tx, c.ID, by.Actor, body, now); err != nil {
		return err
	}
	text := a.Terms + "\n付款日期已重新约定。协议金额：" + a.PaymentFacts()
	nn := caseNotice(c, storage.NewNotification{Kind: storage.NoticeAgreement, Text: text})
	if _, err := insertNotification(ctx, tx, nn, 0, now); err != nil {
		return err
	}
	detail := fmt.Sprintf("重新出具调解协议书第 %d 版，付款日期 %s", a.Version, a.PaymentDue)
	return auditStaff(ctx, tx, by, storage.AuditAgreementReissue, c.ID, detail, now)
}
