package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.PrivacyStore = (*DB)(nil)

// retentionRow is a case as the retention rules read it. finished is the start of
// its latest status period (when it reached the status it is in); a case with no
// periods (imported history) falls back to its last change.
type retentionRow struct {
	ID           int64          `db:"id"`
	Number       string         `db:"number"`
	Status       storage.Status `db:"status"`
	Outcome      string         `db:"outcome"`
	Name         string         `db:"complainant_name"`
	Phone        string         `db:"phone"`
	Anonymised   bool           `db:"anonymised"`
	LegalHold    bool           `db:"legal_hold"`
	UpdatedAt    time.Time      `db:"updated_at"`
	Started      sql.NullTime   `db:"started_at"`
	EverRejected bool           `db:"ever_rejected"`
	Arbitration  bool           `db:"arbitration"`
}

// retentionSelect reads retentionRows (where is appended). The latest period is
// joined as a plain column, not an aggregate, so that SQLite still reads it as a
// time.
const retentionSelect = `SELECT c.id, c.number, c.status, c.outcome, c.complainant_name, c.phone,
	c.anonymised, c.legal_hold, c.updated_at, p.started_at,
	EXISTS (SELECT 1 FROM case_status_periods r WHERE r.case_id = c.id AND r.status = '` +
	string(storage.StatusRejected) + `') AS ever_rejected,
	EXISTS (SELECT 1 FROM referrals f WHERE f.case_id = c.id AND f.channel = '` +
	storage.ChannelArbitration + `') AS arbitration
	FROM cases c LEFT JOIN case_status_periods p ON p.id =
		(SELECT max(q.id) FROM case_status_periods q WHERE q.case_id = c.id)
	WHERE `

// finished returns when the case reached its final status; zero while open.
func (r *retentionRow) finished() time.Time {
	switch {
	case !r.Status.Final():
		return time.Time{}
	case r.Started.Valid:
		return r.Started.Time.UTC()
	}
	return r.UpdatedAt.UTC()
}

// class is the retention rule of the case. A referral to arbitration keeps it
// longest whatever came after; then the outcome decides; a case closed after a
// refusal is a refusal.
func (r *retentionRow) class() storage.RetentionClass {
	switch {
	case r.Arbitration:
		return storage.RetentionArbitration
	case r.Outcome == storage.OutcomeAgreement || r.Outcome == storage.OutcomeSettled:
		return storage.RetentionMediated
	case r.Status == storage.StatusWithdrawn || r.Outcome == storage.OutcomeWithdrawn:
		return storage.RetentionWithdrawn
	case r.Status == storage.StatusRejected || (r.EverRejected && r.Outcome == ""):
		return storage.RetentionRejected
	}
	return storage.RetentionOther
}

// retentionCase describes r under policy.
func (r *retentionRow) retentionCase(p storage.RetentionPolicy) storage.RetentionCase {
	finished := r.finished()
	return storage.RetentionCase{ID: r.ID, Number: r.Number, Status: r.Status, Class: r.class(),
		Finished: finished, Until: p.Until(r.class(), finished)}
}

// retention is the policy in force: DB.Retention, or the default when unset.
func (d *DB) retention() storage.RetentionPolicy { return d.Retention.OrDefault() }

// RunRetention anonymises every expired finished case (see storage.PrivacyStore);
// each case is its own transaction, re-checked under its row lock, so a hold set
// or an erasure made meanwhile wins and a failure part-way keeps what was done.
// The run's entry in the audit log counts what it did.
func (d *DB) RunRetention(
	ctx context.Context, blobs storage.BlobRemover, dryRun bool,
) (*storage.RetentionRun, error) {
	now := dbTime(d.now())
	final := statusesWhereFinal(true)
	rows, err := d.retentionRows(ctx, `c.anonymised = ? AND c.status IN (`+
		placeholders(len(final))+`) ORDER BY c.id`, append([]any{false}, final...)...)
	if err != nil {
		return nil, err
	}
	run := &storage.RetentionRun{DryRun: dryRun, Expired: []storage.RetentionCase{}}
	for _, r := range rows {
		rc := r.retentionCase(d.retention())
		switch {
		case rc.Until.After(now):
		case r.LegalHold:
			run.Held++
		default:
			run.Expired = append(run.Expired, rc)
		}
	}
	if dryRun {
		return run, nil
	}
	if err := d.anonymiseExpired(ctx, blobs, run); err != nil {
		return run, err
	}
	swept, err := d.sweepCaseless(ctx, now)
	if err != nil {
		return run, err
	}
	return run, d.AddAudit(ctx, storage.AuditEntry{Action: storage.AuditRetentionRun,
		Detail: fmt.Sprintf("保存期限届满匿名化 %d 件，法律保全暂不处理 %d 件，删除证据文件 %d 个，清除无案件的消息 %d 条",
			len(run.Expired), run.Held, run.BlobsRemoved, swept)})
}

// anonymiseExpired anonymises run.Expired one case at a time, keeping only those
// it did anonymise (another instance or an erasure may have been first).
func (d *DB) anonymiseExpired(ctx context.Context, blobs storage.BlobRemover, run *storage.RetentionRun) error {
	done := run.Expired[:0]
	for _, rc := range run.Expired {
		detail := fmt.Sprintf("保存期限届满（%s，%d 个月，至 %s）", rc.Class,
			d.retention().Months(rc.Class), rc.Until.In(chinaTime).Format(time.DateOnly))
		ok, removed, err := d.anonymise(ctx, rc.ID, blobs, storage.By{Actor: storage.ActorSystem}, detail)
		if err != nil {
			run.Expired = done
			return err
		}
		if ok {
			done = append(done, rc)
			run.BlobsRemoved += removed
		}
	}
	run.Expired = done
	return nil
}

// anonymise anonymises one case in its own transaction and then removes the
// evidence bytes no other case needs.
func (d *DB) anonymise(
	ctx context.Context, id int64, blobs storage.BlobRemover, by storage.By, detail string,
) (bool, int, error) {
	var (
		done bool
		keys []string
	)
	err := d.inWriteTx(ctx, "anonymise case", func(tx *sqlx.Tx) error {
		var err error
		done, keys, err = anonymiseCase(ctx, tx, id, by, detail, dbTime(d.now()))
		return err
	})
	if err != nil || !done {
		return false, 0, err
	}
	removed, err := d.removeUnusedBlobs(ctx, blobs, keys)
	return true, removed, err
}

// retentionRows reads the cases matching where (with args) as the rules see them.
func (d *DB) retentionRows(ctx context.Context, where string, args ...any) ([]*retentionRow, error) {
	var rows []*retentionRow
	err := d.inReadTx(ctx, "read retention", func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, tx.Rebind(retentionSelect+where), args...)
	})
	return rows, err
}

// ConsumerRecords lists the cases filed by openid that still hold their data
// (anonymised cases no longer carry the openid), oldest first.
func (d *DB) ConsumerRecords(ctx context.Context, openid string) ([]*storage.ConsumerRecord, error) {
	if openid == "" {
		return nil, storage.Errorf(storage.EINVALID, "an openid is required")
	}
	rows, err := d.retentionRows(ctx, "c.open_id = ? ORDER BY c.id", openid)
	if err != nil {
		return nil, err
	}
	out := make([]*storage.ConsumerRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, d.consumerRecord(r))
	}
	return out, nil
}

// consumerRecord describes r to the consumer or to staff.
func (d *DB) consumerRecord(r *retentionRow) *storage.ConsumerRecord {
	rec := &storage.ConsumerRecord{CaseID: r.ID, Number: r.Number, Status: r.Status, Name: r.Name,
		Phone: r.Phone, Anonymised: r.Anonymised, LegalHold: r.LegalHold, Finished: r.finished()}
	if !rec.Finished.IsZero() && !r.Anonymised {
		rec.Until = d.retention().Until(r.class(), rec.Finished)
	}
	return rec
}

// EraseConsumer anonymises openid's finished cases now, leaving open cases and
// held ones untouched (see storage.PrivacyStore), and audits the request as by.
func (d *DB) EraseConsumer(
	ctx context.Context, openid string, blobs storage.BlobRemover, by storage.By,
) (*storage.Erasure, error) {
	recs, err := d.ConsumerRecords(ctx, openid)
	if err != nil {
		return nil, err
	}
	out := &storage.Erasure{Erased: []string{}, Open: []*storage.ConsumerRecord{}, Held: []*storage.ConsumerRecord{}}
	for _, rec := range recs {
		switch {
		case !rec.Status.Final():
			out.Open = append(out.Open, rec)
		case rec.LegalHold:
			out.Held = append(out.Held, rec)
		default:
			ok, removed, err := d.anonymise(ctx, rec.CaseID, blobs, by, "应消费者要求删除个人信息")
			if err != nil {
				return out, err
			}
			if ok {
				out.Erased = append(out.Erased, rec.Number)
				out.BlobsRemoved += removed
			}
		}
	}
	if err := d.forgetConsumer(ctx, openid); err != nil {
		return out, err
	}
	staffID, _ := storage.StaffIDFromActor(by.Actor)
	return out, d.AddAudit(ctx, storage.AuditEntry{StaffID: staffID, Action: storage.AuditConsumerErase, IP: by.IP,
		Detail: fmt.Sprintf("删除个人信息（%s）：已匿名化 %d 件，办理中 %d 件，法律保全 %d 件",
			by.Actor, len(out.Erased), len(out.Open), len(out.Held))})
}

// SetLegalHold sets or clears a case's legal hold, audited in the same
// transaction (see storage.PrivacyStore).
func (d *DB) SetLegalHold(ctx context.Context, caseID int64, hold bool, by storage.By) (*storage.Case, error) {
	var c *storage.Case
	err := d.inWriteTx(ctx, "set legal hold", func(tx *sqlx.Tx) error {
		var err error
		if c, err = findCaseByID(ctx, tx, caseID, forUpdate(tx)); err != nil {
			return err
		}
		if c.Anonymised {
			return storage.Errorf(storage.ECONFLICT, "投诉 %s 已匿名化，无需法律保全", c.Number)
		}
		q := tx.Rebind("UPDATE cases SET legal_hold = ? WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, hold, caseID); err != nil {
			return fmt.Errorf("update legal hold: %w", err)
		}
		c.LegalHold = hold
		staffID, _ := storage.StaffIDFromActor(by.Actor)
		detail := "解除法律保全"
		if hold {
			detail = "设置法律保全"
		}
		return insertAudit(ctx, tx, &storage.AuditEntry{StaffID: staffID, Action: storage.AuditLegalHold,
			CaseID: caseID, Detail: detail, IP: by.IP, CreatedAt: dbTime(d.now())})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
