package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/complaintbot/complaintbot/storage"
)

// A payment question must not wait for its answer for ever: some days after the
// last ask (casework.payment_answer_days) it lapses. The consumer's silence
// proves nothing either way, so the case keeps its status and the mediator is
// told to check: a timeline note and the unread mark, the alert the 未到账 answer
// raises too. From then on 已到账 / 未到账 is a message like any other.

// paymentLapsedNote is the mediator's timeline note on a lapsed question.
const paymentLapsedNote = "消费者未在规定时间内答复款项是否到账，询问已失效，案件状态未变。请调解员跟进核实。"

// LapseUnansweredPayments implements storage.AgreementStore: the agreements'
// questions first, then the proposals', limit in all.
func (d *DB) LapseUnansweredPayments(ctx context.Context, now time.Time, wait time.Duration, limit int) (int, error) {
	if wait <= 0 || limit <= 0 {
		return 0, storage.Errorf(storage.EINVALID, "lapsing payment questions needs a positive wait and limit")
	}
	cutoff := dbTime(now).Add(-wait)
	return overPaymentSources(limit, func(src *paymentSource, left int) (int, error) {
		return d.lapseFrom(ctx, src, cutoff, left)
	})
}

// lapseFrom lapses the questions of one source last asked at or before cutoff.
func (d *DB) lapseFrom(ctx context.Context, src *paymentSource, cutoff time.Time, limit int) (int, error) {
	var due []duePayment
	err := d.inReadTx(ctx, "lapsing payments", func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &due, tx.Rebind(src.lapseDue), cutoff, limit)
	})
	if err != nil {
		return 0, err
	}
	lapsed := 0
	for _, p := range due {
		// now decided what is overdue; the lapse is dated at the store's time,
		// like the timeline it is compared with (LapsedPayment) and as the
		// questions are (askPayment).
		ok, err := d.lapsePayment(ctx, src, p, dbTime(d.now()), cutoff)
		if err != nil {
			return lapsed, err
		}
		if ok {
			lapsed++
		}
	}
	return lapsed, nil
}

// lapsePayment lapses one question, unless the consumer answered, staff
// reopened the case or another instance lapsed it meanwhile. The case's row
// is locked first, as AnswerPayment locks it, so the two take turns.
func (d *DB) lapsePayment(ctx context.Context, src *paymentSource, p duePayment, now, cutoff time.Time) (bool, error) {
	lapsed := false
	err := d.inWriteTx(ctx, "lapse payment", func(tx *sqlx.Tx) error {
		c, err := findCaseByID(ctx, tx, p.CaseID, forUpdate(tx))
		if err != nil || (c.Status != storage.StatusResolved && c.Status != storage.StatusClosed) {
			return err
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(src.lapse), src.lapseArgs(now, p.Key, cutoff)...)
		if err != nil {
			return fmt.Errorf("lapse payment: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if err := agreementEvent(ctx, tx, c.ID, storage.ActorSystem, paymentLapsedNote, now); err != nil {
			return err
		}
		lapsed = true
		return markCaseUnread(ctx, tx, c.ID)
	})
	return lapsed, err
}

// lapsedFollowUp is how long after a lapse what the consumer writes still goes
// to the lapsed question's case: the mediator's time to check with them. A
// case whose mediator checked and changed nothing (already 已办结, say) would
// otherwise take the consumer's every later message for good.
const lapsedFollowUp = 30 * 24 * time.Hour

// lapsedPaymentSQL finds the consumer's most recently lapsed question, lapsed
// since the ? after the openids, whose case nobody moved since: no status
// change on its timeline after the lapse.
const lapsedPaymentSQL = `SELECT q.case_id FROM (
	SELECT a.case_id, a.answered_at AS lapsed FROM case_agreements a JOIN cases c ON c.id = a.case_id
		WHERE c.open_id = ? AND a.payment_answer = 'expired' AND c.status IN ('resolved', 'closed')
	UNION ALL
	SELECT p.case_id, p.payment_answered_at AS lapsed FROM settlement_proposals p JOIN cases c ON c.id = p.case_id
		WHERE c.open_id = ? AND p.payment_answer = 'expired' AND c.status IN ('resolved', 'closed')
	) q WHERE q.lapsed > ? AND NOT EXISTS (SELECT 1 FROM case_events e
		WHERE e.case_id = q.case_id AND e.kind = 'status_change' AND e.created_at > q.lapsed)
	ORDER BY q.lapsed DESC, q.case_id DESC LIMIT 1`

// LapsedPayment implements storage.AgreementStore.
func (d *DB) LapsedPayment(ctx context.Context, openID string) (*storage.Case, error) {
	return d.firstCaseOf(ctx, "lapsed payment", "no lapsed payment question",
		lapsedPaymentSQL, openID, openID, dbTime(d.now()).Add(-lapsedFollowUp))
}
