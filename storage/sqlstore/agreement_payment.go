package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// The payment follow-up of an issued agreement: on the payment date the bot asks
// the consumer whether the money arrived, once more PaymentReaskAfter later if
// there was no answer, and never a third time. Asking is a conditional update of
// the agreement (the due ask, the count below the maximum, no answer), so two
// instances asking at once ask once: on PostgreSQL the second update waits for
// the first and then finds the row no longer due; SQLite's writers take turns.

// Two things have this follow-up: an issued mediation agreement (case_agreements,
// one per case) and an accepted settlement proposal that involves payment
// (settlement_proposals, keyed by its id). A paymentSource says where each keeps
// its questions; everything else — when to ask, the outbox row, the answer's
// move — is the one mechanism below.
type paymentSource struct {
	// due selects the follow-ups due at ? whose case is still concluded (调解成功
	// or 已办结): a case staff reopened meanwhile is theirs. Columns: the row's
	// key, the case and the asks so far.
	due string
	// ask counts one ask, keeps its time and schedules the next (NULL after
	// the last), if the ask is still due and nobody counted it yet: the
	// condition on the count read by due is what makes it happen once.
	// Arguments: next, now, key, asks, now.
	ask string
	// lapseDue selects the questions asked for the last time at or before ?
	// and still unanswered, on cases still concluded. Columns as due's.
	lapseDue string
	// lapse gives such a question the answer 'expired' if it is still one,
	// with the arguments lapseArgs gives.
	lapse     string
	lapseArgs func(now time.Time, key int64, cutoff time.Time) []any
	// answer stores the consumer's answer on the case's open question, with
	// the arguments answerArgs gives.
	answer     string
	answerArgs func(answer string, now time.Time, caseID int64) []any
	// text loads what the question says and how often it was asked.
	text func(ctx context.Context, tx *sqlx.Tx, key int64) (string, int, error)
}

var paymentSources = []paymentSource{
	{
		due: `SELECT a.case_id AS key_id, a.case_id, a.payment_asks FROM case_agreements a JOIN cases c ON c.id = a.case_id
			WHERE a.next_ask_at IS NOT NULL AND a.next_ask_at <= ? AND a.payment_answer = ''
			AND c.status IN ('resolved', 'closed') ORDER BY a.next_ask_at, a.case_id LIMIT ?`,
		ask: `UPDATE case_agreements SET payment_asks = payment_asks + 1, next_ask_at = ?, last_asked_at = ?
			WHERE case_id = ? AND payment_asks = ? AND next_ask_at IS NOT NULL AND next_ask_at <= ?
			AND payment_answer = ''`,
		lapseDue: `SELECT a.case_id AS key_id, a.case_id, a.payment_asks FROM case_agreements a JOIN cases c ON c.id = a.case_id
			WHERE a.payment_answer = '' AND a.next_ask_at IS NULL AND a.payment_asks > 0 AND a.last_asked_at <= ?
			AND c.status IN ('resolved', 'closed') ORDER BY a.last_asked_at, a.case_id LIMIT ?`,
		lapse: `UPDATE case_agreements SET payment_answer = 'expired', answered_at = ?, updated_at = ?
			WHERE case_id = ? AND payment_answer = '' AND next_ask_at IS NULL AND payment_asks > 0 AND last_asked_at <= ?`,
		lapseArgs: func(now time.Time, key int64, cutoff time.Time) []any { return []any{now, now, key, cutoff} },
		answer: `UPDATE case_agreements SET payment_answer = ?, answered_at = ?, next_ask_at = NULL,
			updated_at = ? WHERE case_id = ? AND payment_asks > 0 AND payment_answer = ''`,
		answerArgs: func(answer string, now time.Time, caseID int64) []any { return []any{answer, now, now, caseID} },
		text: func(ctx context.Context, tx *sqlx.Tx, caseID int64) (string, int, error) {
			a, err := findAgreement(ctx, tx, caseID)
			if err != nil {
				return "", 0, err
			}
			return "调解协议约定商家付款：" + a.PaymentFacts(), a.PaymentAsks, nil
		},
	},
	{
		due: `SELECT p.id AS key_id, p.case_id, p.payment_asks FROM settlement_proposals p JOIN cases c ON c.id = p.case_id
			WHERE p.next_ask_at IS NOT NULL AND p.next_ask_at <= ? AND p.payment_answer = ''
			AND c.status IN ('resolved', 'closed') ORDER BY p.next_ask_at, p.id LIMIT ?`,
		ask: `UPDATE settlement_proposals SET payment_asks = payment_asks + 1, next_ask_at = ?, last_asked_at = ?
			WHERE id = ? AND payment_asks = ? AND next_ask_at IS NOT NULL AND next_ask_at <= ?
			AND payment_answer = ''`,
		lapseDue: `SELECT p.id AS key_id, p.case_id, p.payment_asks FROM settlement_proposals p JOIN cases c ON c.id = p.case_id
			WHERE p.payment_answer = '' AND p.next_ask_at IS NULL AND p.payment_asks > 0 AND p.last_asked_at <= ?
			AND c.status IN ('resolved', 'closed') ORDER BY p.last_asked_at, p.id LIMIT ?`,
		lapse: `UPDATE settlement_proposals SET payment_answer = 'expired', payment_answered_at = ?
			WHERE id = ? AND payment_answer = '' AND next_ask_at IS NULL AND payment_asks > 0 AND last_asked_at <= ?`,
		lapseArgs: func(now time.Time, key int64, cutoff time.Time) []any { return []any{now, key, cutoff} },
		answer: `UPDATE settlement_proposals SET payment_answer = ?, payment_answered_at = ?, next_ask_at = NULL
			WHERE case_id = ? AND payment_asks > 0 AND payment_answer = ''`,
		answerArgs: func(answer string, now time.Time, caseID int64) []any { return []any{answer, now, caseID} },
		text: func(ctx context.Context, tx *sqlx.Tx, id int64) (string, int, error) {
			p, err := selectOne[proposalRow](ctx, tx, "SELECT "+proposalColumns+" FROM settlement_proposals WHERE id = ?",
				"proposal", id)
			if err != nil {
				return "", 0, err
			}
			return p.PaymentQuestionText(), p.PaymentAsks, nil
		},
	},
}

// duePayment is a follow-up due: its row, the case and how often it was asked.
type duePayment struct {
	Key    int64 `db:"key_id"`
	CaseID int64 `db:"case_id"`
	Asks   int   `db:"payment_asks"`
}

// AskDuePayments implements storage.AgreementStore: the agreements' questions
// first, then the proposals', limit in all.
func (d *DB) AskDuePayments(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, storage.Errorf(storage.EINVALID, "asking payments needs a positive limit")
	}
	now = dbTime(now)
	return overPaymentSources(limit, func(src *paymentSource, left int) (int, error) {
		return d.askDueFrom(ctx, src, now, left)
	})
}

// overPaymentSources runs step on each payment source in turn, the agreements'
// first, with what is left of limit, until limit questions in all are handled;
// it returns how many were.
func overPaymentSources(limit int, step func(src *paymentSource, left int) (int, error)) (int, error) {
	done := 0
	for i := range paymentSources {
		if done >= limit {
			break
		}
		n, err := step(&paymentSources[i], limit-done)
		done += n
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// askDueFrom asks the questions of one source due at now, at most limit.
func (d *DB) askDueFrom(ctx context.Context, src *paymentSource, now time.Time, limit int) (int, error) {
	var due []duePayment
	err := d.inReadTx(ctx, "due payments", func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &due, tx.Rebind(src.due), now, limit)
	})
	if err != nil {
		return 0, err
	}
	asked := 0
	for _, p := range due {
		ok, err := d.askPayment(ctx, src, p, now)
		if err != nil {
			return asked, err
		}
		if ok {
			asked++
		}
	}
	return asked, nil
}

// askPayment asks one consumer, if nobody asked them for this turn yet: the
// count, the outbox row and the timeline note in one transaction.
func (d *DB) askPayment(ctx context.Context, src *paymentSource, p duePayment, now time.Time) (bool, error) {
	var next sql.NullTime // none after the last ask
	if p.Asks+1 < storage.PaymentAsksMax {
		next = sql.NullTime{Time: now.Add(storage.PaymentReaskAfter), Valid: true}
	}
	asked := false
	err := d.inWriteTx(ctx, "ask payment", func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(src.ask), next, now, p.Key, p.Asks, now)
		if err != nil {
			return fmt.Errorf("ask payment: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // another instance asked first
		}
		c, err := findCaseByID(ctx, tx, p.CaseID, "")
		if err != nil {
			return err
		}
		text, asks, err := src.text(ctx, tx, p.Key)
		if err != nil {
			return err
		}
		asked = true
		// now decided what is due; the question itself is written at the
		// store's time, so that it goes out at once even when a caller looks
		// ahead (the outbox sends nothing dated in the future).
		return writePaymentQuestion(ctx, tx, c, text, asks, dbTime(d.now()))
	})
	return asked, err
}

// writePaymentQuestion enqueues the question and notes it on the timeline.
func writePaymentQuestion(ctx context.Context, tx *sqlx.Tx, c *storage.Case, text string, asks int, now time.Time) error {
	nn := caseNotice(c, storage.NewNotification{Kind: storage.NoticePaymentQuestion, Text: text})
	if _, err := insertNotification(ctx, tx, nn, 0, now); err != nil {
		return err
	}
	body := fmt.Sprintf("已询问消费者约定款项是否到账（第 %d 次）。", asks)
	return agreementEvent(ctx, tx, c.ID, storage.ActorSystem, body, now)
}

// pendingPaymentSQL finds the consumer's open payment question, of an agreement
// or a proposal, the one whose follow-up began last.
const pendingPaymentSQL = `SELECT case_id FROM (
	SELECT a.case_id, a.updated_at AS began FROM case_agreements a JOIN cases c ON c.id = a.case_id
		WHERE c.open_id = ? AND a.payment_asks > 0 AND a.payment_answer = '' AND c.status IN ('resolved', 'closed')
	UNION ALL
	SELECT p.case_id, p.answered_at AS began FROM settlement_proposals p JOIN cases c ON c.id = p.case_id
		WHERE c.open_id = ? AND p.payment_asks > 0 AND p.payment_answer = '' AND c.status IN ('resolved', 'closed')
	) q ORDER BY began DESC, case_id DESC LIMIT 1`

// PendingPayment implements storage.AgreementStore.
func (d *DB) PendingPayment(ctx context.Context, openID string) (*storage.Case, error) {
	return d.firstCaseOf(ctx, "pending payment", "no payment question waits for an answer",
		pendingPaymentSQL, openID, openID)
}

// firstCaseOf returns the case whose id q, a query of case ids in the order
// wanted, finds first, read in one snapshot with it; ENOTFOUND with notFound
// when q finds none. op names the read in errors.
func (d *DB) firstCaseOf(ctx context.Context, op, notFound, q string, args ...any) (*storage.Case, error) {
	var c *storage.Case
	err := d.inReadTx(ctx, op, func(tx *sqlx.Tx) error {
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, tx.Rebind(q), args...); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if len(ids) == 0 {
			return storage.Errorf(storage.ENOTFOUND, "%s", notFound)
		}
		var err error
		c, err = findCaseByID(ctx, tx, ids[0], "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AnswerPayment implements storage.AgreementStore.
func (d *DB) AnswerPayment(ctx context.Context, ans storage.PaymentAnswer) (*storage.Case, error) {
	if ans.Answer != storage.PaymentReceived && ans.Answer != storage.PaymentNotReceived {
		return nil, storage.Errorf(storage.EINVALID, "unknown payment answer %q", ans.Answer)
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "answer payment", func(tx *sqlx.Tx) error {
		var err error
		if c, err = findCaseByID(ctx, tx, ans.CaseID, forUpdate(tx)); err != nil {
			return err
		}
		now := dbTime(d.now())
		if err := recordPaymentAnswer(ctx, tx, c, ans.Answer, now); err != nil {
			return err
		}
		c, err = applyPaymentAnswer(ctx, tx, c, ans.Answer, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// recordPaymentAnswer stores the answer once and puts it on the timeline.
// ECONFLICT if the question was not asked or is answered.
func recordPaymentAnswer(ctx context.Context, tx *sqlx.Tx, c *storage.Case, answer string, now time.Time) error {
	recorded := false
	for i := range paymentSources {
		src := &paymentSources[i]
		res, err := tx.ExecContext(ctx, tx.Rebind(src.answer), src.answerArgs(answer, now, c.ID)...)
		if err != nil {
			return fmt.Errorf("record payment answer: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record payment answer: %w", err)
		} else if n > 0 {
			recorded = true
			break
		}
	}
	if !recorded {
		return storage.Errorf(storage.ECONFLICT, "case %s has no payment question waiting for an answer", c.Number)
	}
	return insertEvent(ctx, tx, &storage.Event{
		CaseID: c.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer,
		Body: "消费者答复协议款项：" + paymentAnswerLabel(answer), CreatedAt: now,
	})
}

// paymentAnswerLabel is the answer as the consumer typed it.
func paymentAnswerLabel(answer string) string {
	if answer == storage.PaymentReceived {
		return "已到账"
	}
	return "未到账"
}

// applyPaymentAnswer moves the case as the answer says: 已到账 closes a case that
// is 调解成功 (one already 已办结 stays), 未到账 reopens it to 调解中 for its
// mediator and marks it unread, the alert staff see in their queue. The consumer
// made the move, so the chat's reply is their notice (see statusNotices).
func applyPaymentAnswer(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, answer string, now time.Time,
) (*storage.Case, error) {
	change := storage.StatusChange{CaseID: c.ID, Actor: storage.ActorConsumer}
	switch {
	case answer == storage.PaymentReceived && c.Status == storage.StatusResolved:
		change.To, change.Reason = storage.StatusClosed, "消费者确认调解协议约定的款项已到账"
	case answer == storage.PaymentReceived:
		return c, nil
	default:
		change.To, change.Reopen = storage.StatusMediating, true
		change.Reason = "消费者答复调解协议约定的款项未到账，案件退回调解员继续处理"
	}
	moved, err := changeStatus(ctx, tx, &change, now)
	if err != nil {
		return nil, err
	}
	if change.Reopen {
		if err := markCaseUnread(ctx, tx, c.ID); err != nil {
			return nil, err
		}
		moved.Unread = true
	}
	return moved, nil
}
