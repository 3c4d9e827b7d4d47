package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.ReferralStore = (*DB)(nil)

const referralColumns = `id, case_id, channel, referred_at, referred_by, contact, note, outcome,
	amount_fen, result_date, result_note, fed_back_by, fed_back_at, closed`

// referralMaxRunes bounds the free texts of a referral and its result.
const referralMaxRunes = 300

// referralRow is a referrals row as scanned: fed_back_at is NULL until fed back.
type referralRow struct {
	storage.Referral
	FedBackAt sql.NullTime `db:"fed_back_at"`
}

// FindReferrals implements storage.ReferralStore.
func (d *DB) FindReferrals(ctx context.Context, caseID int64) ([]*storage.Referral, error) {
	var out []*storage.Referral
	err := d.inReadTx(ctx, "find referrals", func(tx *sqlx.Tx) error {
		var err error
		out, err = findReferrals(ctx, tx, caseID)
		return err
	})
	return out, err
}

// findReferrals returns the case's referrals, oldest first.
func findReferrals(ctx context.Context, tx *sqlx.Tx, caseID int64) ([]*storage.Referral, error) {
	var rows []referralRow
	q := tx.Rebind("SELECT " + referralColumns + " FROM referrals WHERE case_id = ? ORDER BY id")
	if err := tx.SelectContext(ctx, &rows, q, caseID); err != nil {
		return nil, fmt.Errorf("find referrals: %w", err)
	}
	out := make([]*storage.Referral, len(rows))
	for i := range rows {
		r := rows[i].Referral
		r.ReferredAt, r.FedBackAt = r.ReferredAt.UTC(), nullTime(rows[i].FedBackAt)
		out[i] = &r
	}
	return out, nil
}

// referralOnMove keeps the referral records in step with a move of c (from its
// status before): a referral to arbitration needs the consumer's consent; a
// move to 已转办 writes the record; leaving 已转办 closes the open one (without a
// result unless RecordReferralResult has just written it). changeStatus calls it
// for every move, so there is one path.
func referralOnMove(
	ctx context.Context, tx *sqlx.Tx, c *storage.Case, from storage.Status, ch *storage.StatusChange, now time.Time,
) error {
	if from == storage.StatusReferred && ch.To != storage.StatusReferred {
		if err := closeOpenReferral(ctx, tx, c.ID, ch, now); err != nil {
			return err
		}
	}
	if ch.To != storage.StatusReferred {
		return nil
	}
	channel := storage.ReferralChannelOf(c.ReferralTarget)
	if channel == "" {
		return storage.Errorf(storage.EINVALID, "转办须选择去向：%s。", strings.Join(storage.ReferralTargets, "、"))
	}
	if channel == storage.ChannelArbitration {
		if err := checkArbitrationConsent(ctx, tx, c.ID); err != nil {
			return err
		}
	}
	if utf8.RuneCountInString(ch.Contact) > referralMaxRunes {
		return storage.Errorf(storage.EINVALID, "对接人不能超过%d字。", referralMaxRunes)
	}
	note := strings.TrimPrefix(strings.TrimPrefix(ch.Reason, c.ReferralTarget), "：")
	q := tx.Rebind(`INSERT INTO referrals (case_id, channel, referred_at, referred_by, contact, note)
		VALUES (?, ?, ?, ?, ?, ?)`)
	if _, err := tx.ExecContext(ctx, q, c.ID, channel, now, ch.Actor, strings.TrimSpace(ch.Contact), note); err != nil {
		return fmt.Errorf("insert referral: %w", err)
	}
	return nil
}

// closeOpenReferral closes the case's open referral as its case leaves 已转办
// another way than RecordReferralResult (which closed it already). A closing
// with 达成调解协议 or 协商和解 straight from 已转办 is the body's settlement
// registered through 结案: it is recorded as the referral's result (settled, the
// money recovered as its amount), the rule migration 00018 applies to older
// referrals; any other move closes it without a result (结果未反馈).
func closeOpenReferral(ctx context.Context, tx *sqlx.Tx, caseID int64, ch *storage.StatusChange, now time.Time) error {
	if cl := ch.Closing; cl != nil && (cl.Outcome == storage.OutcomeAgreement || cl.Outcome == storage.OutcomeSettled) {
		q := tx.Rebind(`UPDATE referrals SET outcome = ?, amount_fen = ?, result_date = ?, fed_back_by = ?,
			fed_back_at = ?, closed = ? WHERE case_id = ? AND NOT closed`)
		_, err := tx.ExecContext(ctx, q, storage.ReferralSettled, cl.RecoveredFen,
			now.In(chinaTime).Format(time.DateOnly), ch.Actor, now, true, caseID)
		if err != nil {
			return fmt.Errorf("settle referral: %w", err)
		}
		return nil
	}
	q := tx.Rebind("UPDATE referrals SET closed = ? WHERE case_id = ? AND NOT closed")
	if _, err := tx.ExecContext(ctx, q, true, caseID); err != nil {
		return fmt.Errorf("close referral: %w", err)
	}
	return nil
}

// checkArbitrationConsent refuses a referral to arbitration unless the consumer's
// latest answer to the question is 同意仲裁.
func checkArbitrationConsent(ctx context.Context, tx *sqlx.Tx, caseID int64) error {
	cs, err := latestConsent(ctx, tx, caseID)
	switch {
	case storage.ErrorCode(err) == storage.ENOTFOUND:
		return storage.Errorf(storage.ECONFLICT, "转仲裁委员会须先征求消费者意愿，消费者同意后才能转办。")
	case err != nil:
		return err
	case cs.Answer == "":
		return storage.Errorf(storage.ECONFLICT, "消费者尚未答复是否同意仲裁，暂不能转仲裁委员会。")
	case cs.Answer != storage.ConsentAgreed:
		return storage.Errorf(storage.ECONFLICT, "消费者不同意仲裁，不能转仲裁委员会。")
	}
	return nil
}

// RecordReferralResult implements storage.ReferralStore: the result goes on the
// record, then the case moves through changeStatus (CloseCase's closing for a
// settlement), which closes the record and notifies the consumer.
func (d *DB) RecordReferralResult(ctx context.Context, res storage.ReferralResult) (*storage.Case, error) {
	today := d.now().In(chinaTime).Format(time.DateOnly)
	if err := checkReferralResult(&res, today); err != nil {
		return nil, err
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "referral result", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		ref, err := openReferral(ctx, tx, res.CaseID, res.ReferralID)
		if err != nil {
			return err
		}
		if err := storeReferralResult(ctx, tx, ref, &res, now); err != nil {
			return err
		}
		ch := referralResultMove(ref, &res)
		if c, err = changeStatus(ctx, tx, &ch, now); err != nil {
			return err
		}
		detail := ref.ChannelName() + "：" + storage.ReferralOutcomeLabel(res.Outcome)
		return auditStaff(ctx, tx, storage.By{Actor: res.Actor, IP: res.IP}, storage.AuditReferralResult, c.ID, detail, now)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkReferralResult checks a result before touching the database. EINVALID
// names what is wrong, in Chinese.
func checkReferralResult(res *storage.ReferralResult, today string) error {
	res.Note, res.ResultDate = strings.TrimSpace(res.Note), strings.TrimSpace(res.ResultDate)
	_, dateErr := time.Parse(time.DateOnly, res.ResultDate)
	switch {
	case storage.ReferralOutcomeLabel(res.Outcome) == res.Outcome:
		return storage.Errorf(storage.EINVALID, "未知的转办结果 %q。", res.Outcome)
	case res.Actor == "":
		return storage.Errorf(storage.EINVALID, "反馈转办结果需要记录操作人。")
	case res.AmountFen < 0:
		return storage.Errorf(storage.EINVALID, "金额不能为负数。")
	case res.Outcome != storage.ReferralSettled && res.AmountFen != 0:
		return storage.Errorf(storage.EINVALID, "只有达成和解可以登记金额。")
	case dateErr != nil:
		return storage.Errorf(storage.EINVALID, "结果日期须为 YYYY-MM-DD。")
	case res.ResultDate > today:
		return storage.Errorf(storage.EINVALID, "结果日期不能晚于今天。")
	case utf8.RuneCountInString(res.Note) > referralMaxRunes:
		return storage.Errorf(storage.EINVALID, "说明不能超过%d字。", referralMaxRunes)
	}
	return nil
}

// openReferral returns the referral id of the case, locking the case first so
// that two results for one referral are checked one after the other.
// ENOTFOUND for an unknown case or referral; ECONFLICT unless it is open and
// the case is 已转办.
func openReferral(ctx context.Context, tx *sqlx.Tx, caseID, id int64) (*storage.Referral, error) {
	c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	refs, err := findReferrals(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	for _, r := range refs {
		if r.ID != id {
			continue
		}
		if r.Closed || c.Status != storage.StatusReferred {
			return nil, storage.Errorf(storage.ECONFLICT, "该转办已结束（案件当前为“%s”），不能再反馈结果。", c.Status.Label())
		}
		return r, nil
	}
	return nil, storage.Errorf(storage.ENOTFOUND, "referral %d of case %d not found", id, caseID)
}

// storeReferralResult writes the result on the record and its timeline event.
func storeReferralResult(
	ctx context.Context, tx *sqlx.Tx, ref *storage.Referral, res *storage.ReferralResult, now time.Time,
) error {
	q := tx.Rebind(`UPDATE referrals SET outcome = ?, amount_fen = ?, result_date = ?, result_note = ?,
		fed_back_by = ?, fed_back_at = ?, closed = ? WHERE id = ?`)
	_, err := tx.ExecContext(ctx, q, res.Outcome, res.AmountFen, res.ResultDate, res.Note, res.Actor, now, true, ref.ID)
	if err != nil {
		return fmt.Errorf("record referral result: %w", err)
	}
	return insertEvent(ctx, tx, &storage.Event{
		CaseID: ref.CaseID, Kind: storage.EventReferral, Actor: res.Actor, CreatedAt: now,
		Body: "转办结果（" + ref.ChannelName() + "，" + res.ResultDate + "）：" + referralResultSummary(res),
	})
}

// referralResultSummary is a result as staff and the consumer read it.
func referralResultSummary(res *storage.ReferralResult) string {
	s := storage.ReferralOutcomeLabel(res.Outcome)
	if res.AmountFen > 0 {
		s += fmt.Sprintf("，金额 ¥%d.%02d", res.AmountFen/100, res.AmountFen%100)
	}
	if res.Note != "" {
		s += "（" + res.Note + "）"
	}
	return s
}

// referralResultMove is the move a result implies, the same for every channel: a
// settlement by the body closes the case with 协商和解 and the amount as the money
// recovered (the body's settlement is the outcome; it is counted for its channel,
// see the report); a failure or a refusal takes the case back to the
// association's mediation (调解中). The consumer's notice says which.
func referralResultMove(ref *storage.Referral, res *storage.ReferralResult) storage.StatusChange {
	ch := storage.StatusChange{CaseID: ref.CaseID, Actor: res.Actor, IP: res.IP}
	if res.Outcome == storage.ReferralSettled {
		cl := &storage.Closing{CaseID: ref.CaseID, Outcome: storage.OutcomeSettled, RecoveredFen: res.AmountFen,
			Note: ref.ChannelName() + "处理结果", Actor: res.Actor, IP: res.IP}
		ch.To, ch.Closing, ch.Reason = storage.StatusResolved, cl, closingReason(cl)
		return ch
	}
	ch.To = storage.StatusMediating
	ch.Reason = ref.ChannelName() + "反馈：" + storage.ReferralOutcomeLabel(res.Outcome) + "，本会继续调解"
	return ch
}
