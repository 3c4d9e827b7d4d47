package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/complaintbot/complaintbot/storage"
)

// A proposal the consumer does not answer must not leave the case with the
// merchant for ever: after chase.RemindAfter the consumer is asked once more,
// and chase.ReturnAfter after that reminder the proposal lapses (answer
// 'expired') and the case goes back to the association's mediation queue.

// unansweredProposal is a waiting proposal found by a chase query.
type unansweredProposal struct {
	ID     int64 `db:"id"`
	CaseID int64 `db:"case_id"`
}

// Proposals of cases still referred whose answer is awaited: not reminded yet
// and sent before ?, or reminded before ?.
const (
	toRemindSQL = `SELECT p.id, p.case_id FROM settlement_proposals p JOIN cases c ON c.id = p.case_id
		WHERE p.refused = ? AND p.answer = '' AND p.answer_reminded_at IS NULL AND p.created_at <= ?
		AND c.status = ? ORDER BY p.id LIMIT 200`
	toReturnSQL = `SELECT p.id, p.case_id FROM settlement_proposals p JOIN cases c ON c.id = p.case_id
		WHERE p.refused = ? AND p.answer = '' AND p.answer_reminded_at IS NOT NULL AND p.answer_reminded_at <= ?
		AND c.status = ? ORDER BY p.id LIMIT 200`
)

// proposalLapsedReason is what the consumer is told when the case comes back.
const proposalLapsedReason = "您未在规定时间内答复商家的和解方案，该方案已失效，本会调解员将继续为您调解"

// ChaseUnansweredProposals implements storage.ProposalStore.
func (d *DB) ChaseUnansweredProposals(
	ctx context.Context, now time.Time, chase storage.ProposalChase,
) (reminded, returned int, err error) {
	if chase.RemindAfter <= 0 || chase.ReturnAfter <= 0 {
		return 0, 0, storage.Errorf(storage.EINVALID, "chasing proposals needs positive waits")
	}
	now = dbTime(now)
	reminded, err = d.chaseEach(ctx, toRemindSQL, now.Add(-chase.RemindAfter), func(ctx context.Context, p unansweredProposal) (bool, error) {
		return d.remindProposal(ctx, p, now)
	})
	if err != nil {
		return reminded, 0, err
	}
	returned, err = d.chaseEach(ctx, toReturnSQL, now.Add(-chase.ReturnAfter), func(ctx context.Context, p unansweredProposal) (bool, error) {
		return d.lapseProposal(ctx, p, now, now.Add(-chase.ReturnAfter))
	})
	return reminded, returned, err
}

// chaseEach runs act, each in its own transaction, on the proposals query
// finds before cutoff, and counts those it acted on.
func (d *DB) chaseEach(
	ctx context.Context, query string, cutoff time.Time, act func(context.Context, unansweredProposal) (bool, error),
) (int, error) {
	var found []unansweredProposal
	err := d.inReadTx(ctx, "unanswered proposals", func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &found, tx.Rebind(query), false, cutoff, storage.StatusReferred)
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range found {
		ok, err := act(ctx, p)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// remindProposal sends the proposal to the consumer once more, unless it was
// answered or reminded meanwhile: the conditional update makes it happen once.
func (d *DB) remindProposal(ctx context.Context, up unansweredProposal, now time.Time) (bool, error) {
	done := false
	err := d.inWriteTx(ctx, "remind proposal", func(tx *sqlx.Tx) error {
		c, err := findCaseByID(ctx, tx, up.CaseID, forUpdate(tx))
		if err != nil || c.Status != storage.StatusReferred {
			return err
		}
		q := tx.Rebind(`UPDATE settlement_proposals SET answer_reminded_at = ?
			WHERE id = ? AND answer = '' AND answer_reminded_at IS NULL`)
		res, err := tx.ExecContext(ctx, q, now, up.ID)
		if err != nil {
			return fmt.Errorf("remind proposal: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		p, err := selectOne[proposalRow](ctx, tx, "SELECT "+proposalColumns+" FROM settlement_proposals WHERE id = ?",
			"proposal", up.ID)
		if err != nil {
			return err
		}
		_, err = insertNotification(ctx, tx, caseNotice(c, storage.NewNotification{
			Kind: storage.NoticeSettlementProposal, Text: p.Summary()}), 0, now)
		if err != nil {
			return err
		}
		done = true
		return agreementEvent(ctx, tx, c.ID, storage.ActorSystem, "消费者尚未答复商家和解方案，已再次询问。", now)
	})
	return done, err
}

// lapseProposal takes the case back to the association: the proposal lapses,
// the platform referral ends without settlement and the case is 调解中 again,
// marked unread, the consumer told by the status notice. Nothing happens if
// the consumer answered meanwhile or the reminder is younger than cutoff.
func (d *DB) lapseProposal(ctx context.Context, up unansweredProposal, now, cutoff time.Time) (bool, error) {
	done := false
	err := d.inWriteTx(ctx, "lapse proposal", func(tx *sqlx.Tx) error {
		c, err := findCaseByID(ctx, tx, up.CaseID, forUpdate(tx))
		if err != nil {
			return err
		}
		ref, err := openPlatformReferral(ctx, tx, c)
		if storage.ErrorCode(err) == storage.ECONFLICT {
			return nil
		} else if err != nil {
			return err
		}
		q := tx.Rebind(`UPDATE settlement_proposals SET answer = ?, answered_at = ?
			WHERE id = ? AND answer = '' AND answer_reminded_at IS NOT NULL AND answer_reminded_at <= ?`)
		res, err := tx.ExecContext(ctx, q, storage.ProposalExpired, now, up.ID, cutoff)
		if err != nil {
			return fmt.Errorf("lapse proposal: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		_, err = endPlatformReferralSaying(ctx, tx, ref, storage.ReferralFailed, 0,
			"消费者逾期未答复商家和解方案，案件退回本会调解", storage.ActorSystem, proposalLapsedReason, now)
		done = err == nil
		return err
	})
	return done, err
}
