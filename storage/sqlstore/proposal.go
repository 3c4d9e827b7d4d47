package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/complaintbot/complaintbot/storage"
)

var _ storage.ProposalStore = (*DB)(nil)

// proposalColumns lists settlement_proposals in storage.Proposal order.
const proposalColumns = `id, case_id, referral_id, account_id, refused, remedy, amount_fen, pay_by, reasons,
	answer, answered_at, created_at, payment_asks, next_ask_at, payment_answer, payment_answered_at,
	answer_reminded_at`

// proposalRow scans a proposal with its nullable answer time.
type proposalRow struct {
	storage.Proposal
	AnsweredAt        sql.NullTime `db:"answered_at"`
	NextAskAt         sql.NullTime `db:"next_ask_at"`
	PaymentAnsweredAt sql.NullTime `db:"payment_answered_at"`
	AnswerRemindedAt  sql.NullTime `db:"answer_reminded_at"`
}

func (r *proposalRow) proposal() *storage.Proposal {
	p := r.Proposal
	p.AnsweredAt, p.CreatedAt = nullTime(r.AnsweredAt), p.CreatedAt.UTC()
	p.NextAskAt, p.PaymentAnsweredAt = nullTime(r.NextAskAt), nullTime(r.PaymentAnsweredAt)
	p.AnswerRemindedAt = nullTime(r.AnswerRemindedAt)
	return &p
}

// ProposeSettlement implements storage.ProposalStore.
func (d *DB) ProposeSettlement(ctx context.Context, in storage.ProposalInput) (*storage.Proposal, error) {
	if err := in.Validate(d.now().In(chinaTime).Format(time.DateOnly)); err != nil {
		return nil, err
	}
	actor := storage.MerchantActor(in.AccountID)
	var p *storage.Proposal
	err := d.inWriteTx(ctx, "propose settlement", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		c, err := findCase(ctx, tx, "number = ? AND "+portalCaseWhere+forUpdate(tx), in.CaseNumber, in.MerchantID)
		if err != nil {
			return err
		}
		ref, err := openPlatformReferral(ctx, tx, c)
		if err != nil {
			return err
		}
		if pending, err := pendingProposal(ctx, tx, c.ID); err != nil {
			return err
		} else if pending != nil {
			return storage.Errorf(storage.ECONFLICT, "已提出的和解方案尚待消费者答复。")
		}
		var row proposalRow
		q := tx.Rebind(`INSERT INTO settlement_proposals (case_id, referral_id, account_id, refused, remedy,
			amount_fen, pay_by, reasons, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + proposalColumns)
		if err := tx.GetContext(ctx, &row, q, c.ID, ref.ID, in.AccountID, in.Refused, in.Remedy, in.AmountFen,
			in.PayBy, in.Reasons, now); err != nil {
			return fmt.Errorf("insert proposal: %w", err)
		}
		p = row.proposal()
		err = insertEvent(ctx, tx, &storage.Event{CaseID: c.ID, Kind: storage.EventReferral, Actor: actor,
			CreatedAt: now, Body: "商家答复（和解平台）：" + p.Summary()})
		if err != nil {
			return err
		}
		what := "提出和解方案"
		if in.Refused {
			what = "拒绝和解"
		}
		err = insertAudit(ctx, tx, &storage.AuditEntry{Action: storage.AuditPortalProposal, CaseID: c.ID,
			Detail: actor + " " + what, IP: in.IP, CreatedAt: now})
		if err != nil {
			return err
		}
		if in.Refused {
			_, err = endPlatformReferral(ctx, tx, ref, storage.ReferralRefused, 0, "商家拒绝和解："+in.Reasons, actor, now)
			return err
		}
		_, err = insertNotification(ctx, tx, caseNotice(c, storage.NewNotification{
			Kind: storage.NoticeSettlementProposal, Text: p.Summary()}), 0, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// openPlatformReferral returns the case's open referral to the platform;
// ECONFLICT when the case is no longer referred there.
func openPlatformReferral(ctx context.Context, tx *sqlx.Tx, c *storage.Case) (*storage.Referral, error) {
	refs, err := findReferrals(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	for i := len(refs) - 1; i >= 0; i-- {
		r := refs[i]
		if r.Channel == storage.ChannelMerchantPlatform && !r.Closed && c.Status == storage.StatusReferred {
			return r, nil
		}
	}
	return nil, storage.Errorf(storage.ECONFLICT, "该案件已不在转办给贵单位的处理中（当前为“%s”）。", c.Status.Label())
}

// pendingProposal returns the case's proposal awaiting the consumer, nil if none.
func pendingProposal(ctx context.Context, tx *sqlx.Tx, caseID int64) (*storage.Proposal, error) {
	p, err := selectOne[proposalRow](ctx, tx, "SELECT "+proposalColumns+
		" FROM settlement_proposals WHERE case_id = ? AND refused = ? AND answer = '' ORDER BY id DESC LIMIT 1",
		"proposal", caseID, false)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return p.proposal(), nil
}

// endPlatformReferral feeds the referral's result back and moves the case as
// any result does (referralResultMove): settled closes it with 协商和解 and the
// amount, anything else takes it back to 调解中, where it is marked unread so
// that the desk sees it (the alert).
func endPlatformReferral(
	ctx context.Context, tx *sqlx.Tx, ref *storage.Referral, outcome string, amountFen int64, note, actor string, now time.Time,
) (*storage.Case, error) {
	return endPlatformReferralSaying(ctx, tx, ref, outcome, amountFen, note, actor, "", now)
}

// endPlatformReferralSaying is endPlatformReferral with the reason the status
// change gives the consumer, when the result's usual one ("" keeps it) would
// not say what happened.
func endPlatformReferralSaying(
	ctx context.Context, tx *sqlx.Tx, ref *storage.Referral, outcome string, amountFen int64, note, actor, reason string,
	now time.Time,
) (*storage.Case, error) {
	res := storage.ReferralResult{CaseID: ref.CaseID, ReferralID: ref.ID, Outcome: outcome, AmountFen: amountFen,
		ResultDate: now.In(chinaTime).Format(time.DateOnly), Note: cutRunes(note, referralMaxRunes), Actor: actor}
	if err := storeReferralResult(ctx, tx, ref, &res, now); err != nil {
		return nil, err
	}
	ch := referralResultMove(ref, &res)
	if reason != "" {
		ch.Reason = reason
	}
	c, err := changeStatus(ctx, tx, &ch, now)
	if err != nil || c.Status != storage.StatusMediating {
		return c, err
	}
	q := tx.Rebind("UPDATE cases SET unread = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, true, c.ID); err != nil {
		return nil, fmt.Errorf("mark case unread: %w", err)
	}
	c.Unread = true
	return c, nil
}

// CaseProposals implements storage.ProposalStore.
func (d *DB) CaseProposals(ctx context.Context, caseID int64) ([]*storage.Proposal, error) {
	var rows []proposalRow
	err := d.inReadTx(ctx, "case proposals", func(tx *sqlx.Tx) error {
		q := tx.Rebind("SELECT " + proposalColumns + " FROM settlement_proposals WHERE case_id = ? ORDER BY id")
		return tx.SelectContext(ctx, &rows, q, caseID)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*storage.Proposal, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].proposal())
	}
	return out, nil
}

// PendingProposal implements storage.ProposalStore.
func (d *DB) PendingProposal(ctx context.Context, openID string) (*storage.Case, error) {
	var c *storage.Case
	err := d.inReadTx(ctx, "pending proposal", func(tx *sqlx.Tx) error {
		var err error
		c, err = findCase(ctx, tx, `open_id = ? AND status = ? AND EXISTS (SELECT 1 FROM settlement_proposals p
			WHERE p.case_id = cases.id AND p.refused = ? AND p.answer = '') ORDER BY id DESC LIMIT 1`,
			openID, storage.StatusReferred, false)
		return err
	})
	return c, err
}

// AnswerProposal implements storage.ProposalStore.
func (d *DB) AnswerProposal(ctx context.Context, caseID int64, answer string) (*storage.Case, error) {
	if answer != storage.ProposalAccepted && answer != storage.ProposalDeclined {
		return nil, storage.Errorf(storage.EINVALID, "unknown answer %q", answer)
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "answer proposal", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		cs, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
		if err != nil {
			return err
		}
		p, err := pendingProposal(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if p == nil {
			return storage.Errorf(storage.ECONFLICT, "no proposal awaits an answer on case %d", caseID)
		}
		ref, err := openPlatformReferral(ctx, tx, cs)
		if err != nil {
			return err
		}
		q := tx.Rebind("UPDATE settlement_proposals SET answer = ?, answered_at = ? WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, answer, now, p.ID); err != nil {
			return fmt.Errorf("answer proposal: %w", err)
		}
		if answer == storage.ProposalAccepted {
			c, err = endPlatformReferral(ctx, tx, ref, storage.ReferralSettled, p.AmountFen,
				"消费者接受商家和解方案："+p.Summary(), storage.ActorConsumer, now)
			if err != nil {
				return err
			}
			return scheduleProposalPayment(ctx, tx, p, now)
		}
		c, err = endPlatformReferral(ctx, tx, ref, storage.ReferralFailed, 0,
			"消费者不接受商家和解方案："+p.Summary(), storage.ActorConsumer, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// scheduleProposalPayment starts the payment follow-up of an accepted proposal
// that involves payment: the payment worker asks on its date's morning, as for
// an issued agreement (agreement_payment.go).
func scheduleProposalPayment(ctx context.Context, tx *sqlx.Tx, p *storage.Proposal, now time.Time) error {
	if !p.InvolvesPayment() {
		return nil
	}
	at, err := storage.PaymentAskTime(p.PayBy)
	if err != nil {
		return err
	}
	q := tx.Rebind("UPDATE settlement_proposals SET next_ask_at = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, dbTime(at), p.ID); err != nil {
		return fmt.Errorf("schedule proposal payment: %w", err)
	}
	body := "将于付款日期 " + p.PayBy + " 询问消费者和解方案约定的款项是否到账。"
	return agreementEvent(ctx, tx, p.CaseID, storage.ActorSystem, body, now)
}

// ReturnOverdueReferrals implements storage.ProposalStore. Each case moves in
// its own transaction, re-checked under the case's lock, so two instances
// running it at once move each case once.
func (d *DB) ReturnOverdueReferrals(ctx context.Context, today string) (int, error) {
	var ids []int64
	err := d.inReadTx(ctx, "overdue platform referrals", func(tx *sqlx.Tx) error {
		q := tx.Rebind(`SELECT id FROM cases WHERE status = ? AND due_kind = ? AND due_on <> '' AND due_on < ?
			AND EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = cases.id AND r.channel = ? AND r.closed = ?)
			ORDER BY id LIMIT 200`)
		return tx.SelectContext(ctx, &ids, q, storage.StatusReferred, storage.ClockMerchant, today,
			storage.ChannelMerchantPlatform, false)
	})
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, id := range ids {
		ok, err := d.returnOverdueReferral(ctx, id, today)
		if err != nil {
			return moved, err
		}
		if ok {
			moved++
		}
	}
	return moved, nil
}

// returnOverdueReferral moves one overdue case back, unless another instance
// did or a proposal now awaits the consumer.
func (d *DB) returnOverdueReferral(ctx context.Context, caseID int64, today string) (bool, error) {
	moved := false
	err := d.inWriteTx(ctx, "return overdue platform referral", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
		if err != nil {
			return err
		}
		if c.DueKind != storage.ClockMerchant || c.DueOn == "" || c.DueOn >= today {
			return nil
		}
		ref, err := openPlatformReferral(ctx, tx, c)
		if storage.ErrorCode(err) == storage.ECONFLICT {
			return nil
		} else if err != nil {
			return err
		}
		if p, err := pendingProposal(ctx, tx, caseID); err != nil || p != nil {
			return err
		}
		_, err = endPlatformReferral(ctx, tx, ref, storage.ReferralFailed, 0, "商家逾期未答复", storage.ActorSystem, now)
		moved = err == nil
		return err
	})
	return moved, err
}
