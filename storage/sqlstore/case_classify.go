package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.ClassificationStore = (*DB)(nil)

// ReclassifyCase sets the case's category, subcategory and nature, with a staff
// note on its timeline and an audit entry saying old → new, in one transaction.
// Setting what the case already has changes nothing. EINVALID for a
// classification outside the tree (storage.Classification.Validate) or a missing
// actor; ENOTFOUND for an unknown case.
func (d *DB) ReclassifyCase(ctx context.Context, rc storage.Reclassification) (*storage.Case, error) {
	if rc.By.Actor == "" {
		return nil, storage.Errorf(storage.EINVALID, "re-classifying a case needs an actor")
	}
	if err := rc.Validate(); err != nil {
		return nil, err
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "reclassify case", func(tx *sqlx.Tx) error {
		var err error
		c, err = reclassifyCase(ctx, tx, &rc, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// reclassifyCase does ReclassifyCase's work in tx.
func reclassifyCase(
	ctx context.Context, tx *sqlx.Tx, rc *storage.Reclassification, now time.Time,
) (*storage.Case, error) {
	c, err := findCaseByID(ctx, tx, rc.CaseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	old := storage.Classification{Category: c.Category, Subcategory: c.Subcategory, Nature: c.Nature}
	if old == rc.Classification {
		return c, nil
	}
	q := tx.Rebind("UPDATE cases SET category = ?, subcategory = ?, nature = ?, updated_at = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, rc.Category, rc.Subcategory, rc.Nature, now, c.ID); err != nil {
		return nil, fmt.Errorf("reclassify case: %w", err)
	}
	c.Category, c.Subcategory, c.Nature, c.UpdatedAt = rc.Category, rc.Subcategory, rc.Nature, now
	detail := "重新分类：" + classificationText(&old) + " → " + classificationText(&rc.Classification)
	e := &storage.Event{CaseID: c.ID, Kind: storage.EventNote, Actor: rc.By.Actor, Body: detail, CreatedAt: now}
	if err := insertEvent(ctx, tx, e); err != nil {
		return nil, err
	}
	return c, auditStaff(ctx, tx, rc.By, storage.AuditReclassify, c.ID, detail, now)
}

// classificationText shows a classification as staff read it:
// "交通工具／汽车及零部件，性质：质量"; what is not decided reads 未定.
func classificationText(cl *storage.Classification) string {
	or := func(s string) string {
		if s == "" {
			return "未定"
		}
		return s
	}
	return or(cl.Category) + "／" + or(cl.Subcategory) + "，性质：" + or(cl.Nature)
}
